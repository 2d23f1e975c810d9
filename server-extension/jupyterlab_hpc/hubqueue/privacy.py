"""Whether the batch system shows each user only their own jobs. The service lists as a
privileged user (root, SlurmUser, a PBS manager) who sees every job, so where users may
see only theirs it serves each user only theirs.

Slurm: ``PrivateData`` in ``scontrol show config`` (``jobs`` or ``all``). PBS and Torque:
the server's ``query_other_jobs`` (``Scheduler.own_jobs_only``)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from ..runner import CommandNotFound, CommandRunner, CommandTimeout
from ..schedulers.base import Scheduler, SchedulerError

_PRIVATE_DATA = re.compile(r"PrivateData\s*=\s*(\S*)\s*")


def private_data_hides_jobs(show_config: str) -> bool:
    """From ``scontrol show config``: whether PrivateData hides other users' jobs."""
    for line in show_config.splitlines():
        match = _PRIVATE_DATA.fullmatch(line.strip())
        if match is not None:
            words = {w.strip().lower() for w in match.group(1).split(",")}
            return bool(words & {"jobs", "all"})
    return False


class Privacy:
    """The setting ('auto', 'yes', 'no') and, for 'auto', the batch system's answer,
    asked again after ``recheck`` seconds; while it cannot be asked, jobs are private."""

    def __init__(
        self,
        setting: str,
        scheduler: Scheduler,
        runner: CommandRunner,
        recheck: float,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.setting = setting
        self.scheduler = scheduler
        self.runner = runner
        self.recheck = recheck
        self._monotonic = monotonic
        self._known: bool | None = None
        self._asked: float | None = None

    async def jobs_private(self) -> bool:
        if self.setting != "auto":
            return self.setting == "yes"
        asked = self._asked
        if self._known is None or asked is None or self._monotonic() - asked >= self.recheck:
            try:
                self._known = await self._ask()
            except (SchedulerError, CommandNotFound, CommandTimeout):
                if self._known is None:
                    return True  # unknown: the safe answer, asked again next time
            else:
                self._asked = self._monotonic()
        return bool(self._known)

    async def _ask(self) -> bool:
        if self.scheduler.kind == "slurm":
            result = await self.runner.run(["scontrol", "show", "config"])
            if not result.ok:
                raise SchedulerError(f"scontrol show config failed: {result.message}")
            return private_data_hides_jobs(result.stdout)
        return await self.scheduler.own_jobs_only()
