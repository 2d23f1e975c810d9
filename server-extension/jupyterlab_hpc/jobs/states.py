"""Job states for what watches jobs in the background (the end-of-job notifications of a
Lab tab whose queue panel is closed): per-job queries, never a listing of the whole queue,
with one cache shared by every tab of this server.

At 50,000 queued jobs, listing the queue costs slurmctld about 100 ms per call
(REQUEST_JOB_INFO); asking about one job costs it about 0.15 ms (``scontrol show job ID``,
REQUEST_JOB_INFO_SINGLE), and a job slurmctld forgot is asked of accounting (slurmdbd).
On PBS and Torque it is one ``qstat -f ID``. So:
- a job's answer is reused while younger than the asker's ``max_age`` (never under the
  admin's floor): tabs that watch the same jobs share one query per interval;
- a final answer never changes: it is kept and never asked again;
- a live job that the shared listing shows, in a listing younger than ``max_age``, is
  answered from it at no cost (some tab has the queue panel open);
- askers of the same job share the query in flight; at most ``CONCURRENCY`` queries run at
  once, a request names at most ``MAX_IDS`` jobs and at most ``MAX_ENTRIES`` answers are
  kept (the least recently asked go first).

Jobs submitted through this server (the Lab's submit tab) are remembered until an answer
says they ended (at most ``MAX_IDS``, the oldest dropped first): a tab that asks with
``submitted`` learns of them too, so a reloaded page, or a tab that did not submit them,
still watches them.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ..schedulers.base import (
    FINAL_STATES,
    Job,
    JobDetail,
    JobNotFound,
    Scheduler,
    SchedulerError,
    base_job_id,
)
from .queue import QueueSnapshot

MAX_IDS = 100
MAX_ENTRIES = 2000
CONCURRENCY = 4
# The oldest answer an asker may accept (seconds); a larger max_age is taken as this.
MAX_AGE_LIMIT = 600.0

Source = Literal["scheduler", "listing"]


@dataclass(frozen=True)
class JobStatus:
    """What the batch system said about one job id, and when."""

    job_id: str
    detail: JobDetail | None  # None: the batch system does not know the job
    message: str  # why it is not known
    source: Source  # a per-job query, or the shared listing
    fetched_at: float  # wall clock
    checked: float  # monotonic clock, when it was asked

    @property
    def final(self) -> bool:
        """Every record (an array's tasks too) is in a state it never leaves."""
        d = self.detail
        return d is not None and all(j.state in FINAL_STATES for j in (d.job, *d.tasks))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "found": self.detail is not None,
            "final": self.final,
            "source": self.source,
            "fetched_at": self.fetched_at,
        }
        if self.detail is None:
            out["message"] = self.message
        else:
            out["job"] = self.detail.job.to_dict()
            out["tasks"] = [t.to_dict() for t in self.detail.tasks]
        return out


class JobStates:
    def __init__(
        self,
        scheduler: Scheduler,
        snapshot: QueueSnapshot | None,
        floor: float,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.scheduler = scheduler
        self.snapshot = snapshot
        self.floor = floor
        self._monotonic = monotonic
        self._wall = wall
        self._entries: OrderedDict[str, JobStatus] = OrderedDict()
        self._inflight: dict[str, asyncio.Future[JobStatus]] = {}
        self._slots: asyncio.Semaphore | None = None
        self._submitted: OrderedDict[str, None] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def watch(self, job_id: str) -> None:
        """A job submitted through this server: answered to ``submitted`` askers until it ends."""
        self._submitted[job_id] = None
        while len(self._submitted) > MAX_IDS:
            self._submitted.popitem(last=False)

    @property
    def submitted(self) -> list[str]:
        """Jobs submitted through this server that no answer has shown ended yet."""
        return list(self._submitted)

    def forget(self, job_ids: Iterable[str]) -> None:
        """Drop what is known of these jobs (after an action on them): asked again next time."""
        for job_id in job_ids:
            self._entries.pop(job_id, None)
            self._entries.pop(base_job_id(job_id), None)

    async def states(
        self, job_ids: Sequence[str], max_age: float | None = None, *, submitted: bool = False
    ) -> tuple[dict[str, JobStatus], str | None]:
        """The status of each id (absent: never answered and failing now), and the first
        error of the batch system if any query failed. With ``submitted``, the jobs
        submitted through this server are answered too."""
        if len(job_ids) > MAX_IDS:
            raise ValueError(f"at most {MAX_IDS} job ids at a time")
        age = max(self.floor, min(max_age if max_age is not None else 0.0, MAX_AGE_LIMIT))
        ids = list(dict.fromkeys([*job_ids, *(self._submitted if submitted else ())]))
        answers = await asyncio.gather(*(self._one(j, age) for j in ids))
        out: dict[str, JobStatus] = {}
        error: str | None = None
        for job_id, (entry, failure) in zip(ids, answers, strict=True):
            if entry is not None:
                out[job_id] = entry
                if entry.final or entry.detail is None:
                    self._submitted.pop(job_id, None)
            if failure is not None and error is None:
                error = failure
        return out, error

    async def _one(self, job_id: str, max_age: float) -> tuple[JobStatus | None, str | None]:
        now = self._monotonic()
        entry = self._entries.get(job_id)
        if entry is not None and (entry.final or now - entry.checked < max_age):
            self._entries.move_to_end(job_id)
            return entry, None
        listed = self._from_listing(job_id, max_age, now)
        if listed is not None:
            self._store(listed)
            return listed, None
        future = self._inflight.get(job_id)
        if future is None:
            future = asyncio.ensure_future(self._query(job_id))
            self._inflight[job_id] = future
            future.add_done_callback(lambda _: self._inflight.pop(job_id, None))
        try:
            return await asyncio.shield(future), None
        except SchedulerError as e:
            # Keep answering with what was known (its fetched_at tells its age).
            return self._entries.get(job_id), e.message

    def _from_listing(self, job_id: str, max_age: float, now: float) -> JobStatus | None:
        snapshot = self.snapshot
        rows = snapshot.live_rows_of(job_id, max_age) if snapshot is not None else None
        if snapshot is None or rows is None:
            return None
        jobs = [Job.from_row(r) for r in rows]
        main = next((j for j in jobs if j.id == job_id), jobs[0])
        detail = JobDetail(job=main, fields=[], tasks=[j for j in jobs if j is not main])
        fetched = snapshot.fetched_at if snapshot.fetched_at is not None else self._wall()
        return JobStatus(job_id, detail, "", "listing", fetched, now)

    async def _query(self, job_id: str) -> JobStatus:
        if self._slots is None:
            self._slots = asyncio.Semaphore(CONCURRENCY)
        async with self._slots:
            asked, wall = self._monotonic(), self._wall()
            try:
                detail: JobDetail | None = await self.scheduler.job_status(job_id)
                message = ""
            except JobNotFound as e:
                detail, message = None, e.message
        entry = JobStatus(job_id, detail, message, "scheduler", wall, asked)
        self._store(entry)
        return entry

    def _store(self, entry: JobStatus) -> None:
        self._entries[entry.job_id] = entry
        self._entries.move_to_end(entry.job_id)
        while len(self._entries) > MAX_ENTRIES:
            self._entries.popitem(last=False)
