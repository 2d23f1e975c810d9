"""The session job's figures, shared by every tab of this server.

What it costs the batch system, whatever the number of tabs (each asks ``GET session``
every ``memory_interval`` seconds or so):

- the job's record (``scontrol --local show job ID`` on Slurm: one
  REQUEST_JOB_INFO_SINGLE; ``qstat -f ID`` on PBS and Torque) at most once per
  ``record_interval`` (300 s): the end time changes only when an admin updates the job;
- memory: the job's cgroup when the batch system made one (a file read on the node,
  nothing asked of the batch system), else on Slurm ``sstat`` of the job's steps (slurmd
  answers; slurmctld is asked where the steps run) at most once per ``memory_interval``
  (30 s), else on PBS the record's ``resources_used.mem``, the record then being read at
  the memory interval.

Concurrent requests share one command in flight. A failure keeps the last figures, with
the error beside them.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from ..runner import CommandNotFound, CommandRunner, CommandTimeout
from ..schedulers.base import Scheduler, SchedulerError
from ..schedulers.slurm.commands import slurm_environment
from .cgroup import job_memory
from .detect import SessionJob
from .figures import SSTAT_FIELDS, JobFigures, pbs_figures, slurm_figures, sstat_memory

T = TypeVar("T")


@dataclass
class _Timed:
    """A value, when it was fetched (monotonic) and the last error."""

    value: Any = None
    at: float | None = None
    wall: float | None = None
    error: str | None = None
    inflight: asyncio.Future[None] | None = None


def sstat_argv(job_id: str) -> list[str]:
    return [
        "sstat",
        "--noheader",
        "--parsable2",
        "--allsteps",
        "--jobs",
        job_id,
        f"--format={SSTAT_FIELDS}",
    ]


class SessionService:
    def __init__(
        self,
        scheduler: Scheduler,
        job: SessionJob,
        runner: CommandRunner,
        *,
        record_interval: float = 300.0,
        memory_interval: float = 30.0,
        proc: Path = Path("/proc/self"),
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.scheduler = scheduler
        self.job = job
        self.runner = runner
        self.record_interval = record_interval
        self.memory_interval = memory_interval
        self.proc = proc
        self._monotonic = monotonic
        self._wall = wall
        self._record = _Timed()
        self._sstat = _Timed()
        self._cgroup = _Timed()
        # Commands run, by kind (what the tests and the figures count).
        self.asked: dict[str, int] = {"record": 0, "sstat": 0}

    def _due(self, timed: _Timed, interval: float) -> bool:
        return timed.at is None or self._monotonic() - timed.at >= interval

    async def _refresh(
        self, timed: _Timed, interval: float, fetch: Callable[[], Awaitable[T]]
    ) -> None:
        if timed.inflight is not None:
            await asyncio.shield(timed.inflight)
            return
        if not self._due(timed, interval):
            return

        async def run() -> None:
            try:
                timed.value = await fetch()
                timed.wall = self._wall()
                timed.error = None
            except SchedulerError as e:
                timed.error = e.message
            finally:
                timed.at = self._monotonic()

        timed.inflight = asyncio.ensure_future(run())
        try:
            await asyncio.shield(timed.inflight)
        finally:
            timed.inflight = None

    async def _fetch_record(self) -> JobFigures:
        self.asked["record"] += 1
        detail = await self.scheduler.job_status(self.job.job_id)
        if self.job.family == "pbs":
            return pbs_figures(detail)
        return slurm_figures(detail)

    async def _fetch_sstat(self) -> int | None:
        self.asked["sstat"] += 1
        argv = sstat_argv(self.job.job_id)
        try:
            result = await self.runner.run(argv, env=slurm_environment(os.environ))
        except (CommandNotFound, CommandTimeout) as e:
            raise SchedulerError(str(e)) from e
        if not result.ok:
            raise SchedulerError(f"sstat failed: {result.message}")
        return sstat_memory(result.stdout)

    def _memory_from_cgroup(self) -> dict[str, Any] | None:
        """The cgroup's figures, read at most once per 5 s."""
        if self._due(self._cgroup, 5.0):
            self._cgroup.value = job_memory(self.job.job_id, self.proc)
            self._cgroup.at = self._monotonic()
            self._cgroup.wall = self._wall()
        found = self._cgroup.value
        if found is None:
            return None
        return {
            "used": found.used,
            "limit": found.limit,
            "source": f"cgroup v{found.version}",
            "measured_at": self._cgroup.wall,
            "error": None,
        }

    async def state(self) -> dict[str, Any]:
        """The answer to ``GET session`` for the job this server runs in."""
        cgroup = self._memory_from_cgroup()
        # PBS without a cgroup: the record holds the memory, so it is read as often.
        record_interval = (
            self.memory_interval
            if cgroup is None and self.job.family == "pbs"
            else self.record_interval
        )
        # A failure (JobNotFound too) is kept as the record's error.
        await self._refresh(self._record, record_interval, self._fetch_record)
        figures: JobFigures | None = self._record.value
        memory = cgroup
        if memory is None and figures is not None:
            if self.job.family == "slurm":
                await self._refresh(self._sstat, self.memory_interval, self._fetch_sstat)
                memory = {
                    "used": self._sstat.value,
                    "limit": figures.memory_limit,
                    "source": "sstat",
                    "measured_at": self._sstat.wall,
                    "error": self._sstat.error,
                }
            else:
                memory = {
                    "used": figures.memory_used,
                    "limit": figures.memory_limit,
                    "source": "qstat",
                    "measured_at": self._record.wall,
                    "error": None,
                }
        elif memory is not None and memory["limit"] is None and figures is not None:
            memory["limit"] = figures.memory_limit
        now = self._wall()
        job: dict[str, Any] = {
            "id": self.job.job_id,
            "kind": self.scheduler.kind,
            "node": self.job.node,
            "step": self.job.step,
            "record_at": self._record.wall,
            "error": self._record.error,
            "memory": memory,
        }
        if figures is not None:
            job.update(
                name=figures.name,
                partition=figures.partition,
                state=figures.state,
                raw_state=figures.raw_state,
                nodes=figures.nodes,
                start=figures.start,
                end=figures.end,
                time_limit=figures.time_limit,
                seconds_left=max(figures.end - now, 0.0) if figures.end is not None else None,
                cpus=figures.cpus,
                gpus=figures.gpus,
            )
        return {"job": job, "now": now, "refresh": self.memory_interval}
