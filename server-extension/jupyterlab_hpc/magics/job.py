"""The handle a submission returns: a job id bound to the batch system that knows it."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

from ..schedulers.base import FINAL_STATES, BlockingScheduler, Job, JobState
from ..schedulers.pending import Explanation
from .display import Progress, format_duration, format_time, html_fields

# For an array, the state shown is the first of these that any task is in; once every
# task ended, the worst ending wins.
_ACTIVE_ORDER = (
    JobState.RUNNING,
    JobState.COMPLETING,
    JobState.SUSPENDED,
    JobState.PENDING,
    JobState.HELD,
    JobState.UNKNOWN,
)
_FINAL_ORDER = (JobState.FAILED, JobState.TIMEOUT, JobState.CANCELLED, JobState.COMPLETED)


def combined_state(records: list[Job]) -> JobState:
    states = {r.state for r in records}
    for state in (*_ACTIVE_ORDER, *_FINAL_ORDER):
        if state in states:
            return state
    return JobState.UNKNOWN


class JobWaitTimeout(TimeoutError):
    def __init__(self, job: JobHandle, timeout: float) -> None:
        super().__init__(
            f"Job {job.id} is still {job.state.value} after {timeout:g} s "
            "(it keeps running; it was not cancelled)."
        )
        self.job = job


class JobHandle:
    """A job in a batch system: ``.id``, ``.state``, ``.refresh()``, ``.wait()``, ``.cancel()``.

    ``state`` is the state seen at the last ``refresh()`` (submitting and ``wait()``
    refresh it). For an array job it sums up the tasks (running while any task runs; once
    all ended, the worst ending: failed, timeout, cancelled, then completed), and
    ``records`` holds one record per task.
    """

    def __init__(
        self, scheduler: BlockingScheduler, job_id: str, records: list[Job] | None = None
    ) -> None:
        self.id = job_id
        self._scheduler = scheduler
        self.records: list[Job] = records or []
        self.forgotten = False
        # True when the records came from accounting (sacct) because the scheduler forgot it.
        self.from_accounting = False
        self._state = combined_state(self.records) if self.records else JobState.UNKNOWN

    @property
    def scheduler(self) -> str:
        return self._scheduler.kind

    @property
    def state(self) -> JobState:
        return self._state

    @property
    def info(self) -> Job | None:
        """The job's own record (for an array: its first task's)."""
        for record in self.records:
            if record.id == self.id:
                return record
        return self.records[0] if self.records else None

    @property
    def done(self) -> bool:
        """Ended, or forgotten by the scheduler (then ``state`` is its last known one)."""
        return self._state in FINAL_STATES or self.forgotten

    def refresh(self) -> JobHandle:
        """Ask the scheduler for the job's state now; returns the handle.

        Once the scheduler forgot a finished job (Slurm: MinJobAge seconds after it ended),
        its final state comes from accounting (sacct) where the site keeps it.
        """
        records = self._scheduler.job_detail(self.id)
        from_accounting = False
        if not records:
            records = self._scheduler.accounting_records(self.id)
            from_accounting = bool(records)
        if records:
            self.records = records
            self._state = combined_state(records)
            self.forgotten = False
            self.from_accounting = from_accounting
        else:
            self.forgotten = True
            if self._state not in FINAL_STATES:
                self._state = JobState.UNKNOWN
        return self

    def wait(
        self,
        timeout: float | None = None,
        *,
        poll_interval: float | None = None,
        progress: bool = True,
    ) -> JobState:
        """Block until the job ends; its final state.

        Polls every second at first, then less often (up to every 5 s), unless
        ``poll_interval`` is given. ``timeout`` (seconds) raises JobWaitTimeout (a
        TimeoutError). Ctrl-C / interrupting the kernel raises KeyboardInterrupt. Neither
        cancels the job. With ``progress`` a status line shows the state and elapsed time.
        If the scheduler forgot the job before an end was seen, the state is ``unknown``
        and ``forgotten`` is true.
        """
        start = time.monotonic()
        delay = poll_interval or 1.0
        status = Progress() if progress else None
        while True:
            previous = self._state
            self.refresh()
            elapsed = time.monotonic() - start
            if status is not None:
                status.show(self.status_line(elapsed), changed=self._state != previous)
            if self.done:
                return self._state
            if timeout is not None and elapsed >= timeout:
                raise JobWaitTimeout(self, timeout)
            pause = delay if timeout is None else max(0.0, min(delay, timeout - elapsed))
            time.sleep(pause)
            if poll_interval is None:
                delay = min(delay * 1.5, 5.0)

    def status_line(self, elapsed: float | None = None) -> str:
        line = f"Job {self.id} ({self.scheduler}): {self._state.value}"
        info = self.info
        if info is not None and info.reason and self._state not in FINAL_STATES:
            said = self._scheduler.reason_in_words(info.reason)
            line += f" ({said})" if said else ""
        if info is not None and self._state in FINAL_STATES and info.exit_code is not None:
            line += f", exit code {info.exit_code}"
            if info.exit_signal:
                line += f", signal {info.exit_signal}"
        if self.forgotten:
            line += f". {self._gone_message()}"
        elif self.from_accounting:
            line += " (from accounting)"
        if elapsed is not None:
            line += f" [waited {format_duration_seconds(elapsed)}]"
        return line

    def _gone_message(self) -> str:
        """Why the scheduler has no record: forgotten once seen, or perhaps never existed."""
        if self.records or self._state is not JobState.UNKNOWN:
            return self._scheduler.forgotten_message(self.id)
        return self._scheduler.unknown_job_message(self.id)

    def cancel(self) -> None:
        """Ask the scheduler to cancel the job (all tasks of an array), then refresh."""
        self._scheduler.cancel(self.id)
        self.refresh()

    @property
    def stdout_path(self) -> str | None:
        info = self.info
        return (info.stdout_path or None) if info else None

    @property
    def stderr_path(self) -> str | None:
        info = self.info
        return (info.stderr_path or None) if info else None

    def read_stdout(self, tail: int | None = None) -> str:
        """The job's standard output file (its last ``tail`` lines if given)."""
        return _read(self.stdout_path, "output", self.id, tail)

    def read_stderr(self, tail: int | None = None) -> str:
        return _read(self.stderr_path, "error", self.id, tail)

    def pending(self) -> Explanation | None:
        """Why the job waits (the reason with its facts, what to do, the expected start)
        while it is pending or held; None otherwise. Asks the batch system each call."""
        info = self.info
        if info is None or self._state not in (JobState.PENDING, JobState.HELD):
            return None
        return self._scheduler.pending_explanation(info)

    def _why_it_waits(self, info: Job) -> list[tuple[str, Any]]:
        explanation = self.pending()
        if explanation is None:
            return [("reason", self._scheduler.reason_in_words(info.reason) or None)]
        return [
            ("why it waits", explanation.summary),
            ("expected start", format_time(explanation.expected_start)),
            ("what you can do", explanation.advice or None),
        ]

    def __repr__(self) -> str:
        return f"Job(id={self.id!r}, state={self._state.value!r}, scheduler={self.scheduler!r})"

    def _repr_html_(self) -> str:
        info = self.info
        fields: list[tuple[str, Any]] = [("state", self._state.value)]
        if info is not None:
            fields += [
                ("name", info.name),
                ("user", info.user),
                ("partition", info.partition),
                *self._why_it_waits(info),
                ("nodes", info.nodelist),
                ("cpus", info.cpus),
                ("time used", _duration(info.time_used)),
                ("time limit", _duration(info.time_limit) if info.time_limit else "unlimited"),
                ("submitted", format_time(info.submit_time)),
                ("started", format_time(info.start_time)),
                ("ended", format_time(info.end_time) if self._state in FINAL_STATES else None),
                ("exit code", info.exit_code if self._state in FINAL_STATES else None),
                ("work dir", info.work_dir),
                ("stdout", info.stdout_path),
                ("stderr", info.stderr_path if info.stderr_path != info.stdout_path else None),
            ]
        if len(self.records) > 1:
            fields.append(("tasks", ", ".join(f"{r.id}: {r.state.value}" for r in self.records)))
        if self.forgotten:
            fields.append(("note", self._gone_message()))
        elif self.from_accounting:
            fields.append(("note", "The scheduler no longer holds this job: from accounting."))
        return html_fields(f"Job {self.id} ({self.scheduler})", fields)


def format_duration_seconds(seconds: float) -> str:
    return format_duration(dt.timedelta(seconds=int(seconds)))


def _duration(seconds: int | None) -> str | None:
    return None if seconds is None else format_duration_seconds(seconds)


def _read(path: str | None, what: str, job_id: str, tail: int | None) -> str:
    if not path:
        raise FileNotFoundError(
            f"The batch system has not reported job {job_id}'s {what} file "
            "(refresh() once the job started, or it was forgotten)."
        )
    text = Path(path).read_text(errors="replace")
    if tail is not None:
        return "".join(text.splitlines(keepends=True)[-tail:])
    return text
