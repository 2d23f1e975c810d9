"""How a Torque job ended, read from its ``C`` (completed) record. Pure functions.

Torque keeps every ended job in state ``C`` for ``keep_completed`` seconds, however it
ended, and its exit statuses are not OpenPBS's (recordings of a real Torque 6.1):

- ``exit_status`` 0-255: the script's own exit code; 256 + N: killed by signal N (a job
  deleted while it ran ends with 271, SIGTERM).
- Negative: Torque's own ``JOB_EXEC_*`` values (``src/include/pbs_job.h``), which share
  only their names' prefix with OpenPBS's: Torque's -11 is a walltime kill
  (``JOB_EXEC_OVERLIMIT_WT``), where OpenPBS's -11 is a refused password.
- No ``exit_status`` at all: the server ended the job without it running to an end, i.e.
  it was deleted (queued, held, a queued subjob; with no ``start_time``: before it ran).
- An array's own record (``7[].host``) is ``C`` with no ``exit_status`` once its subjobs
  have ended, whether they completed or were deleted: only its subjobs tell how.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from ..base import FINAL_STATES, Job, JobState
from ..pbs.parse import to_int

# Torque 6.1's special exit values (JOB_EXEC_*, set by the MOM, src/include/pbs_job.h).
TORQUE_EXIT_CODES: dict[int, str] = {
    -1: "the job could not start, before its files were set up (JOB_EXEC_FAIL1)",
    -2: "the job could not start, after its files were set up (JOB_EXEC_FAIL2)",
    -3: "the job could not start and was to be retried (JOB_EXEC_RETRY)",
    -4: "it was aborted when its execution host's MOM started (JOB_EXEC_INITABT)",
    -5: "it was aborted when its execution host's MOM started (JOB_EXEC_INITRST)",
    -6: "it was aborted when its execution host's MOM started (JOB_EXEC_INITRMG)",
    -7: "its restart from a checkpoint failed (JOB_EXEC_BADRESRT)",
    -8: "its command could not be executed (JOB_EXEC_CMDFAIL)",
    -9: "its output or error file could not be created (JOB_EXEC_STDOUTFAIL)",
    -10: "it used more memory than it asked for (JOB_EXEC_OVERLIMIT_MEM)",
    -11: "it ran past its walltime (JOB_EXEC_OVERLIMIT_WT)",
    -12: "it used more CPU time than it asked for (JOB_EXEC_OVERLIMIT_CPUT)",
}
WALLTIME_EXCEEDED = -11
# A job killed by a signal ends with 256 + the signal number; qdel sends SIGTERM, then SIGKILL.
SIGNAL_BASE = 256
_CANCEL_SIGNALS = frozenset({9, 15})

DELETED_BEFORE_IT_RAN = "Deleted before it ran"

# An ended array reads as the worst ending among its subjobs (as %job sums up an array).
_WORST_FIRST = (JobState.FAILED, JobState.TIMEOUT, JobState.CANCELLED, JobState.COMPLETED)


def is_array_parent(job_id: str, attrs: Mapping[str, Any]) -> bool:
    """``7[].host``, the record that stands for the whole array (``job_array_request``)."""
    return "job_array_request" in attrs or job_id.split(".", 1)[0].endswith("[]")


def torque_ending(job_id: str, attrs: Mapping[str, Any]) -> tuple[JobState, str]:
    """The state and the reason of a finished (``C``) Torque job, from its attributes
    (under OpenPBS's names, as torque/parse.py gives them: ``Exit_status``, ``stime``)."""
    status = to_int(attrs.get("Exit_status"))
    if status is None:
        if is_array_parent(job_id, attrs):
            # Completed and deleted arrays look alike; array_ending() reads the subjobs.
            return JobState.COMPLETED, "Its subjobs have ended"
        if attrs.get("stime") in (None, ""):
            return JobState.CANCELLED, DELETED_BEFORE_IT_RAN
        return JobState.CANCELLED, "Deleted (Torque recorded no exit status)"
    if status == 0:
        return JobState.COMPLETED, "Exit status 0"
    if status > SIGNAL_BASE:
        signal = status - SIGNAL_BASE
        state = JobState.CANCELLED if signal in _CANCEL_SIGNALS else JobState.FAILED
        return state, f"Killed by signal {signal} (exit status {status})"
    if status < 0:
        meaning = TORQUE_EXIT_CODES.get(status, "Torque could not run it to the end")
        state = JobState.TIMEOUT if status == WALLTIME_EXCEEDED else JobState.FAILED
        return state, f"Exit status {status}: {meaning}"
    return JobState.FAILED, f"Exit status {status}"


def array_ending(tasks: Sequence[Job]) -> tuple[JobState, str] | None:
    """An ended array's state and reason from its subjobs: the worst ending among them
    (failed, timeout, cancelled, completed) and how many ended each way; None while a
    subjob has not ended, or when there is none to read."""
    if not tasks or any(t.state not in FINAL_STATES for t in tasks):
        return None
    counts = Counter(t.state for t in tasks)
    state = next(s for s in _WORST_FIRST if counts[s])
    said = ", ".join(f"{counts[s]} {s.value}" for s in _WORST_FIRST if counts[s])
    return state, f"Subjobs: {said}"


def apply_array_ending(array: Job, tasks: Sequence[Job]) -> None:
    """An ended array's record (``C``, no exit status) takes its subjobs' ending."""
    if array.state not in FINAL_STATES or array.exit_code is not None:
        return
    ending = array_ending(tasks)
    if ending is not None:
        array.state, array.reason = ending
