"""Pending jobs explained (issue 19): for each of the user's pending and held jobs, why
it waits, in words with the facts that make it concrete, and when it is expected to start.

What it costs the batch system: the user's jobs come from the shared queue listing
(``QueueSnapshot``, no listing of its own); each pending job is asked about alone
(``Scheduler.job_status``: on Slurm one ``scontrol show job ID``, a REQUEST_JOB_INFO_SINGLE)
at most once per ``interval`` seconds, or sooner when the listing shows its reason
changed, and at most ``max_jobs`` of them (the rest are explained from the listing's
row); an array's pending range is explained from its row. What is free in a partition
comes from the shared cluster summary (``ClusterSnapshot``), asked only when a job waits
for resources or priority; the QOS limits from the accounting (on Slurm ``sacctmgr``,
which slurmdbd answers) once per ``qos_interval``, only when a job waits for a QOS limit;
every pending job's priority (on Slurm ``sprio``, one REQUEST_PRIORITY_FACTORS; never
again once it said the site runs priority/basic) once per ``interval``, only when a job
waits for priority.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable

from ..cluster.service import ClusterSnapshot
from ..schedulers.base import (
    COLUMN_INDEX,
    Job,
    JobDetail,
    JobState,
    Row,
    Scheduler,
    SchedulerError,
)
from ..schedulers.cluster import ClusterSummary
from ..schedulers.pending import (
    FREE,
    PRIORITY,
    QOS,
    Explanation,
    PendingContext,
    PendingFacts,
    QosLimits,
    free_in,
    rank_in,
)
from .queue import QueueSnapshot

WAITING = frozenset({JobState.PENDING.value, JobState.HELD.value})
_USER, _STATE, _QOS = COLUMN_INDEX["user"], COLUMN_INDEX["state"], COLUMN_INDEX["qos"]


class PendingExplainer:
    def __init__(
        self,
        scheduler: Scheduler,
        snapshot: QueueSnapshot,
        cluster: ClusterSnapshot | None,
        user: str,
        *,
        interval: float = 60.0,
        qos_interval: float = 600.0,
        max_jobs: int = 100,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.scheduler = scheduler
        self.snapshot = snapshot
        self.cluster = cluster
        self.user = user
        self.interval = interval
        self.qos_interval = qos_interval
        self.max_jobs = max_jobs
        self._monotonic = monotonic
        # id -> (facts, when asked, the listing's reason then)
        self._facts: dict[str, tuple[PendingFacts, float, str]] = {}
        self._qos: dict[str, QosLimits] = {}
        self._qos_at: float | None = None
        self._priorities: list[tuple[str, str, int]] | None = None
        self._priorities_at: float | None = None
        # Per-job queries made, by job id (for tests and figures).
        self.asked: Counter[str] = Counter()
        self._lock = asyncio.Lock()

    @property
    def queries(self) -> int:
        return sum(self.asked.values())

    def _waiting_rows(self) -> list[Row]:
        return [r for r in self.snapshot.rows if r[_USER] == self.user and r[_STATE] in WAITING]

    async def explain(self) -> list[Explanation]:
        """The user's waiting jobs explained, in the shared listing's order."""
        await self.snapshot.refresh()
        async with self._lock:
            rows = self._waiting_rows()
            listed = {r[0] for r in rows}
            for gone in set(self._facts) - listed:
                del self._facts[gone]
            facts = await self._all_facts([Job.from_row(r) for r in rows])
            return await self._explained(facts)

    async def explain_one(self, job_id: str) -> list[Explanation]:
        """One job, for its details tab: from the cache while it is younger than the
        interval, else from its own query (no listing of the queue); [] when it is not a
        waiting job of the user's (or the batch system does not know it)."""
        async with self._lock:
            cached = self._facts.get(job_id)
            if cached is not None and self._monotonic() - cached[1] < self.interval:
                return await self._explained([cached[0]])
            if "[" in job_id:
                # An array's pending range has no record of its own: its row, if listed.
                rows = [r for r in self._waiting_rows() if r[0] == job_id]
                return await self._explained([self._from_row(Job.from_row(r)) for r in rows])
            self.asked[job_id] += 1
            try:
                detail = await self.scheduler.job_status(job_id)
            except SchedulerError:
                return []
            job = detail.job
            if job.user != self.user or job.state.value not in WAITING:
                self._facts.pop(job_id, None)
                return []
            facts = self.scheduler.pending_facts(detail)
            self._facts[job_id] = (facts, self._monotonic(), job.reason)
            return await self._explained([facts])

    async def _explained(self, facts: list[PendingFacts]) -> list[Explanation]:
        context = await self._context_for(facts)
        return [self.scheduler.explain_pending(f, context(f)) for f in facts]

    async def _all_facts(self, jobs: list[Job]) -> list[PendingFacts]:
        asked = 0
        out: list[PendingFacts] = []
        pending: list[tuple[int, Job]] = []
        now = self._monotonic()
        for job in jobs:
            cached = self._facts.get(job.id)
            if cached is not None and now - cached[1] < self.interval and cached[2] == job.reason:
                out.append(cached[0])
                continue
            out.append(self._from_row(job))
            # An array's pending range ("12_[3-9]") has no record of its own.
            if "[" not in job.id and asked < self.max_jobs:
                asked += 1
                pending.append((len(out) - 1, job))
        gate = asyncio.Semaphore(4)

        async def ask(index: int, job: Job) -> None:
            async with gate:
                self.asked[job.id] += 1
                try:
                    detail = await self.scheduler.job_status(job.id)
                except SchedulerError:
                    return  # gone or not answering: the listing's row explains it
            facts = self.scheduler.pending_facts(detail)
            self._facts[job.id] = (facts, self._monotonic(), job.reason)
            out[index] = facts

        await asyncio.gather(*(ask(i, j) for i, j in pending))
        return out

    def _from_row(self, job: Job) -> PendingFacts:
        cached = self._facts.get(job.id)
        if cached is not None and cached[2] == job.reason:
            return cached[0]
        return self.scheduler.pending_facts(JobDetail(job=job, fields=[]))

    async def _context_for(
        self, facts: list[PendingFacts]
    ) -> Callable[[PendingFacts], PendingContext]:
        needs: set[str] = set()
        for f in facts:
            needs |= self.scheduler.explains_with(f.reason)
        summary = await self._free() if FREE in needs else None
        fetched = self.cluster.fetched_at if self.cluster is not None else None
        as_of = time.strftime("%H:%M:%S", time.localtime(fetched)) if fetched else None
        if QOS in needs:
            await self._refresh_qos()
        if PRIORITY in needs:
            await self._refresh_priorities()
        # The user's running jobs per QOS, from the shared listing (None: never listed).
        listed = self.snapshot.fetched_at is not None
        running: dict[str, int] = {}
        for r in self.snapshot.rows:
            if r[_USER] == self.user and r[_STATE] == JobState.RUNNING.value:
                running[r[_QOS]] = running.get(r[_QOS], 0) + 1

        def context(f: PendingFacts) -> PendingContext:
            return PendingContext(
                free_in(summary, f.partition, as_of),
                running.get(f.qos, 0) if listed else None,
                self._qos.get(f.qos),
                rank_in(self._priorities, f.job_id, f.partition) if PRIORITY in needs else None,
            )

        return context

    async def _free(self) -> ClusterSummary | None:
        cluster = self.cluster
        if cluster is None:
            return None
        await cluster.refresh()
        return cluster.summary

    async def _refresh_qos(self) -> None:
        now = self._monotonic()
        if self._qos_at is not None and now - self._qos_at < self.qos_interval:
            return
        self._qos_at = now
        try:
            self._qos = await self.scheduler.qos_limits()
        except SchedulerError:
            self._qos = {}

    async def _refresh_priorities(self) -> None:
        now = self._monotonic()
        if self._priorities_at is not None and now - self._priorities_at < self.interval:
            return
        self._priorities_at = now
        try:
            self._priorities = await self.scheduler.pending_priorities()
        except SchedulerError:
            self._priorities = None

    def body(self, explanations: list[Explanation]) -> dict[str, object]:
        return {
            "jobs": [e.to_dict() for e in explanations],
            "refresh_interval": self.interval,
        }
