"""The cluster summary one server shares with every request (issue 19).

However many Cluster tabs are open, in however many windows, the batch system is asked
at most once per ``interval`` seconds (``HPCConfig.cluster_refresh_interval``, 60 s by
default), and only while someone asks: a summary nobody requests is never refreshed.
Concurrent requests share one refresh in flight. The answer is encoded once per
version; the version changes only when the summary does, so a client that sends the
version it has gets a small "unchanged" answer. When the batch system fails, the last
good summary stays, with the error and since when it has been failing.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

from ..schedulers.base import Scheduler, SchedulerError, Unsupported
from ..schedulers.cluster import ClusterSummary

_encode = json.JSONEncoder(separators=(",", ":")).encode


class ClusterSnapshot:
    def __init__(
        self,
        scheduler: Scheduler,
        interval: float,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.scheduler = scheduler
        self.interval = interval
        self._monotonic = monotonic
        self._wall = wall
        # From the clock, so a version from before a server restart never matches.
        self.version = int(wall() * 1000)
        self.summary: ClusterSummary | None = None
        self.fetched_at: float | None = None
        self.error: str | None = None
        self.error_detail = ""
        self.error_since: float | None = None
        self.unsupported: str | None = None
        self.refreshes = 0  # how many times the batch system was asked (for tests, figures)
        self._last_attempt: float | None = None
        self._inflight: asyncio.Future[None] | None = None
        self._summary_json = b""
        self._nodes_json: dict[str, bytes] = {}

    def _is_fresh(self) -> bool:
        last = self._last_attempt
        return last is not None and self._monotonic() - last < self.interval

    async def refresh(self) -> None:
        """Bring the summary up to date unless it is younger than the interval."""
        if self._inflight is not None:
            # While the batch system fails, answer with the last data and the error at
            # once rather than wait for another failure.
            if self.error is None:
                await asyncio.shield(self._inflight)
            return
        if self._is_fresh() or self.unsupported is not None:
            return
        self._inflight = asyncio.ensure_future(self._fetch())
        try:
            await asyncio.shield(self._inflight)
        finally:
            self._inflight = None

    async def _fetch(self) -> None:
        self.refreshes += 1
        try:
            summary = await self.scheduler.cluster()
        except Unsupported as e:
            self.unsupported = e.message
        except SchedulerError as e:
            if self.error is None:
                self.error_since = self._wall()
            self.error, self.error_detail = e.message, e.detail
        else:
            self.fetched_at = self._wall()
            self.error, self.error_detail, self.error_since = None, "", None
            encoded = _encode(summary.to_dict()).encode()
            if encoded != self._summary_json:
                self._summary_json = encoded
                self.summary = summary
                self.version += 1
                self._nodes_json.clear()
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

    def _tail(self) -> bytes:
        return _encode(
            {
                "version": self.version,
                "kind": self.scheduler.kind,
                "refresh_interval": self.interval,
                "status": self.status(),
            }
        ).encode()[1:]

    def body(self, since: int | None = None) -> bytes:
        """The answer to ``GET cluster``: the summary (encoded once per version) and the
        status; only the version and status when ``since`` is the current version."""
        if since is not None and since == self.version:
            return b'{"unchanged":true,' + self._tail()
        return b'{"unchanged":false,' + self._summary_json[1:-1] + b"," + self._tail()

    def nodes_body(self, partition: str) -> bytes | None:
        """The answer to ``GET cluster/partitions/{name}/nodes``; None for a partition the
        summary does not have."""
        summary = self.summary
        if summary is None or summary.partition(partition) is None:
            return None
        cached = self._nodes_json.get(partition)
        if cached is None:
            nodes = [n.to_dict() for n in summary.nodes_of(partition)]
            cached = _encode({"partition": partition, "nodes": nodes}).encode()[:-1]
            self._nodes_json[partition] = cached
        return cached + b"," + self._tail()
