"""The shared queue snapshot: one scheduler listing per interval per server.

However many panels poll, the scheduler is asked at most once per ``floor`` seconds and
concurrent requests share one in-flight listing. The version changes only when the data
does, so an unchanged poll is answered without sending rows. When the scheduler fails,
the last good rows stay, with the error and since when it has been failing.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

from .schedulers.base import COLUMN_INDEX, LISTING_COLUMNS, Row, Scheduler, SchedulerError

COLUMNS_JSON = json.dumps(list(LISTING_COLUMNS)).encode()
_USER = COLUMN_INDEX["user"]
_PARTITION = COLUMN_INDEX["partition"]
_STATE = COLUMN_INDEX["state"]
_NAME = COLUMN_INDEX["name"]

# (user or None for everyone, partition, state, lower-cased name substring)
RowFilter = tuple[str | None, str, str, str]


class QueueSnapshot:
    def __init__(
        self,
        scheduler: Scheduler,
        floor: float,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.scheduler = scheduler
        self.floor = floor
        self._monotonic = monotonic
        self._wall = wall
        # Starts from the clock so a client's version from before a server restart never
        # matches a new snapshot by accident.
        self.version = int(wall() * 1000)
        self.rows: list[Row] = []
        self.fetched_at: float | None = None
        self.error: str | None = None
        self.error_since: float | None = None
        self.fetch_count = 0
        self._last_attempt: float | None = None
        self._inflight: asyncio.Future[None] | None = None
        self._encoded: dict[RowFilter, bytes] = {}

    def invalidate(self) -> None:
        """The next request lists again, whatever the floor (after a job action)."""
        self._last_attempt = None

    def _is_fresh(self) -> bool:
        last = self._last_attempt
        return last is not None and self._monotonic() - last < self.floor

    async def refresh(self) -> None:
        """Bring the snapshot up to date unless it is younger than the floor."""
        if self._inflight is not None:
            await asyncio.shield(self._inflight)
            return
        if self._is_fresh():
            return
        self._inflight = asyncio.ensure_future(self._fetch())
        try:
            await asyncio.shield(self._inflight)
        finally:
            self._inflight = None

    async def _fetch(self) -> None:
        self.fetch_count += 1
        try:
            rows = await self.scheduler.list_rows()
        except SchedulerError as e:
            if self.error is None:
                self.error_since = self._wall()
            self.error = e.message
        else:
            self.fetched_at = self._wall()
            self.error = self.error_since = None
            if rows != self.rows:
                self.rows = rows
                self.version += 1
                self._encoded.clear()
        finally:
            self._last_attempt = self._monotonic()

    def status(self) -> dict[str, Any]:
        return {
            "ok": self.error is None,
            "fetched_at": self.fetched_at,
            "error": self.error,
            "error_since": self.error_since,
            "now": self._wall(),
        }

    def rows_json(self, row_filter: RowFilter) -> bytes:
        """The filtered rows as JSON, encoded once per version and filter."""
        cached = self._encoded.get(row_filter)
        if cached is None:
            if len(self._encoded) >= 64:
                self._encoded.clear()
            cached = json.dumps(select_rows(self.rows, row_filter), separators=(",", ":")).encode()
            self._encoded[row_filter] = cached
        return cached


def select_rows(rows: list[Row], row_filter: RowFilter) -> list[Row]:
    user, partition, state, name = row_filter
    out = rows
    if user is not None:
        out = [r for r in out if r[_USER] == user]
    if partition:
        out = [r for r in out if r[_PARTITION] == partition]
    if state:
        out = [r for r in out if r[_STATE] == state]
    if name:
        out = [r for r in out if name in r[_NAME].lower()]
    return out
