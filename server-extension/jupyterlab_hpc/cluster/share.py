"""*My share* in the Cluster tab (issue 19): the user's fair-share, usage and allocation
per account (``Scheduler.my_share``: Slurm's ``sshare``), asked at most once per
``interval`` seconds for every tab of this server, and only while one asks."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from ..schedulers.base import Scheduler, SchedulerError


class MyShare:
    def __init__(
        self,
        scheduler: Scheduler,
        user: str,
        interval: float = 300.0,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.scheduler = scheduler
        self.user = user
        self.interval = interval
        self._monotonic = monotonic
        self._answer: dict[str, Any] | None = None
        self._at: float | None = None
        self._lock = asyncio.Lock()
        self.asked = 0  # how many times the batch system was asked (for tests)

    async def get(self) -> dict[str, Any]:
        async with self._lock:
            now = self._monotonic()
            if self._answer is None or self._at is None or now - self._at >= self.interval:
                self.asked += 1
                try:
                    accounts = await self.scheduler.my_share(self.user)
                except SchedulerError:
                    accounts = None
                self._at = now
                self._answer = {
                    "available": accounts is not None,
                    "user": self.user,
                    "accounts": [a.to_dict() for a in accounts or []],
                    "refresh_interval": self.interval,
                    "fetched_at": time.time(),
                }
            return self._answer
