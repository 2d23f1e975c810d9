"""Why a batch kernel's job ended, or why it never started, in a sentence (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from ...schedulers.base import Job, JobState

# What poll() answers when the job, not the kernel, decided the end (like a process
# killed by SIGTERM or SIGKILL).
TERMINATED = -15
KILLED = -9


@dataclass(frozen=True)
class Ending:
    """How a kernel ended. ``final``: its job is gone, so it cannot be restarted inside it
    (an automatic restart would submit a new job: it is not done)."""

    code: int
    message: str
    final: bool = True
    state: str = ""


def duration_words(seconds: int | None) -> str:
    if seconds is None:
        return "its time limit"
    if seconds % 3600 == 0 and seconds >= 3600:
        hours = seconds // 3600
        return f"{hours} hour" + ("s" if hours > 1 else "")
    if seconds % 60 == 0:
        minutes = seconds // 60
        return f"{minutes} minute" + ("s" if minutes > 1 else "")
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"


def waited_words(seconds: float) -> str:
    """ "45 seconds", "30 minutes", "2 hours"."""
    if seconds < 90:
        whole = round(seconds)
        return f"{whole} second" + ("s" if whole != 1 else "")
    if seconds < 2 * 3600:
        return f"{round(seconds / 60)} minutes"
    return f"{seconds / 3600:.3g} hours"


def raw_word(job: Job) -> str:
    return job.raw_state.split(" ", 1)[0].rstrip("+")


def job_ending(job: Job | None, job_id: str, system: str, kernel_code: int | None) -> Ending:
    """The end of a kernel whose job has left the running state (or is forgotten)."""
    gone = "The kernel is gone; start it again for a new job."
    if job is None:
        return Ending(
            TERMINATED if kernel_code is None else kernel_code,
            f"Job {job_id} has ended and {system} no longer knows it, so why is not known. " + gone,
        )
    word = raw_word(job)
    where = f" on {job.nodelist}" if job.nodelist else ""
    if job.state is JobState.TIMEOUT:
        limit = duration_words(job.time_limit)
        return Ending(
            TERMINATED,
            f"Job {job_id} reached its time limit ({limit}) and {system} ended it. {gone} "
            "Ask for more time in the kernel's settings if it needs longer.",
            state=word,
        )
    if word == "NODE_FAIL" or word == "BOOT_FAIL":
        return Ending(KILLED, f"The node{where} of job {job_id} failed. {gone}", state=word)
    if word == "OUT_OF_MEMORY":
        return Ending(
            KILLED,
            f"Job {job_id} ran out of memory{where}"
            + (f" (it asked for {job.memory})" if job.memory else "")
            + f" and {system} ended it. {gone}",
            state=word,
        )
    if word == "PREEMPTED":
        return Ending(
            TERMINATED,
            f"Job {job_id} was preempted by a job of higher priority. {gone}",
            state=word,
        )
    if job.state is JobState.CANCELLED:
        return Ending(
            TERMINATED,
            f"Job {job_id} was cancelled (queue panel, scancel, qdel or an administrator). " + gone,
            state=word,
        )
    code = kernel_code if kernel_code is not None else job.exit_code
    said = f" with exit code {code}" if code else ""
    return Ending(
        code or 0,
        f"The kernel exited{said}, and its job {job_id} ended{where}.",
        state=word,
    )


def pending_words(job: Job, reason: str) -> str:
    """ "pending (waiting for jobs of higher priority to start first)"."""
    state = "held" if job.state is JobState.HELD else "pending"
    return f"{state} ({reason})" if reason else state
