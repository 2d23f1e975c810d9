"""The shared queue snapshot: one scheduler listing per interval per server.

However many panels poll, the scheduler is asked at most once per ``min_interval`` seconds
(the admin's floor, or more when a listing is slow: see ``COST_FACTOR``) and concurrent
requests share one in-flight listing. The version changes only when the data
does, so an unchanged poll is answered without sending rows. When the scheduler fails,
the last good rows stay, with the error and since when it has been failing.

The rows come from the scheduler, or from a ``RowSource`` (the hub's queue service, see
``jobs/hub_source.py``): then their age is the source's, and the status says where they
came from.
"""

from __future__ import annotations

import asyncio
import json
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from ..schedulers.base import (
    COLUMN_INDEX,
    FINAL_STATES,
    LISTING_COLUMNS,
    JobState,
    Row,
    Scheduler,
    SchedulerError,
)

COLUMNS_JSON = json.dumps(list(LISTING_COLUMNS)).encode()
_USER = COLUMN_INDEX["user"]
_PARTITION = COLUMN_INDEX["partition"]
_STATE = COLUMN_INDEX["state"]
_NAME = COLUMN_INDEX["name"]
_ARRAY = COLUMN_INDEX["array_job_id"]

# (user or None for everyone, partition, state, lower-cased name substring)
RowFilter = tuple[str | None, str, str, str]

# By default a server lists at most once per this many times the last listing's duration
# (HPCConfig.listing_cost_factor): listing takes at most 1/COST_FACTOR (5 %) of its time,
# however slow the scheduler gets. At 50,000 jobs a listing takes about 0.45 s here, so
# 9 s, under the panel's default 10 s.
COST_FACTOR = 20.0


@dataclass(frozen=True)
class SourcedRows:
    """A listing from a row source: the rows, how old they already were when they came
    (seconds), the shortest time between two listings where they were made, and whether
    this server listed them (the scheduler's time: listing_cost_factor applies) or got
    them made (a fetch from the hub's service: only the floor applies)."""

    rows: list[Row]
    age: float = 0.0
    min_interval: float = 0.0
    listed_here: bool = True


class RowSource(Protocol):
    """Where a snapshot's rows come from when it is not its scheduler."""

    async def fetch(self) -> SourcedRows:
        """The rows; raises SchedulerError when none can be had."""

    def describe(self) -> dict[str, Any]:
        """What the status says of the source (merged into ``status()``)."""


class QueueSnapshot:
    def __init__(
        self,
        scheduler: Scheduler,
        floor: float,
        *,
        cost_factor: float = COST_FACTOR,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        source: RowSource | None = None,
    ) -> None:
        self.scheduler = scheduler
        self.floor = floor
        self.cost_factor = cost_factor
        self.source = source
        # Listings asked of the scheduler or the source, failed ones included.
        self.listings = 0
        # The source's own shortest time between listings (the hub service's).
        self._source_interval = 0.0
        self._monotonic = monotonic
        self._wall = wall
        # Starts from the clock so a client's version from before a server restart never
        # matches a new snapshot by accident.
        self.version = int(wall() * 1000)
        self.rows: list[Row] = []
        self._row_json: list[bytes] = []  # each row's JSON, aligned with self.rows
        self.fetched_at: float | None = None
        self.error: str | None = None
        self.error_since: float | None = None
        self._last_attempt: float | None = None
        # How long the last listing took (the scheduler command and its parsing), seconds.
        self.listing_seconds: float | None = None
        self._inflight: asyncio.Future[None] | None = None
        self._last_good: float | None = None  # monotonic start of the last good listing
        self._encoded: dict[RowFilter, EncodedRows] = {}

    def invalidate(self) -> None:
        """The next request lists again, whatever the floor (after a job action)."""
        self._last_attempt = None
        self._last_good = None  # its rows may be out of date: no per-job answer from them

    @property
    def min_interval(self) -> float:
        """The shortest time between two listings: the floor, or cost_factor times the
        last listing's duration when that is longer."""
        return max(self.floor, self.cost_factor * (self.listing_seconds or 0.0))

    def _is_fresh(self) -> bool:
        last = self._last_attempt
        return last is not None and self._monotonic() - last < self.min_interval

    def age(self) -> float | None:
        """Seconds since the last successful listing; None without one or while failing."""
        if self.error is not None or self._last_good is None:
            return None
        return self._monotonic() - self._last_good

    async def refresh(self) -> None:
        """Bring the snapshot up to date unless it is younger than the floor."""
        if self._inflight is not None:
            # While the scheduler is failing, a listing can take long to fail again (squeue
            # gives up on an unreachable slurmctld after about 10 s): answer with the last
            # good data and the known error at once rather than wait for it.
            if self.error is None:
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
        started = self._monotonic()
        self.listings += 1
        try:
            if self.source is not None:
                sourced = await self.source.fetch()
            else:
                sourced = SourcedRows(await self.scheduler.list_rows())
        except SchedulerError as e:
            if self.error is None:
                self.error_since = self._wall()
            self.error = e.message
        else:
            rows = sourced.rows
            # Only this server's own listings cost the scheduler: the cost factor spaces
            # those alone (the service spaces its own).
            self.listing_seconds = self._monotonic() - started if sourced.listed_here else 0.0
            self._source_interval = sourced.min_interval
            self._last_good = started - sourced.age
            self.fetched_at = self._wall() - sourced.age
            self.error = self.error_since = None
            # Rows of unchanged lines are the very same objects (SqueueReader), so this
            # comparison and the re-encoding cost little on a large, mostly pending queue.
            if rows != self.rows:
                self._row_json = encode_rows(rows, self.rows, self._row_json)
                self.rows = rows
                self.version += 1
                self._encoded.clear()
        finally:
            self._last_attempt = self._monotonic()

    def status(self) -> dict[str, Any]:
        status = {
            "ok": self.error is None,
            "fetched_at": self.fetched_at,
            "error": self.error,
            "error_since": self.error_since,
            "now": self._wall(),
            # What one listing costs and how often this server lists at most: clients
            # space their polls by it (never under their own setting).
            "listing_seconds": self.listing_seconds,
            # A source's data changes no more often than it lists (the hub service's
            # interval): clients need not ask more often.
            "min_interval": max(self.min_interval, self._source_interval),
            "source": "scheduler",
        }
        if self.source is not None:
            status.update(self.source.describe())
        return status

    def live_rows_of(self, job_id: str, max_age: float) -> list[Row] | None:
        """The rows of ``job_id`` (an array's tasks too) from a listing younger than
        ``max_age``, when every one of them is live; None otherwise (not listed, ended: a
        per-job query then tells its final state with the exit code)."""
        age = self.age()
        if age is None or age > max_age:
            return None
        rows = [r for r in self.rows if r[0] == job_id or r[_ARRAY] == job_id]
        if not rows or any(JobState(r[_STATE]) in FINAL_STATES for r in rows):
            return None
        return rows

    def encoded(self, row_filter: RowFilter) -> EncodedRows:
        """The filtered rows as the start of a JSON body, built once per version and filter."""
        cached = self._encoded.get(row_filter)
        if cached is None:
            if len(self._encoded) >= 64:
                self._encoded.clear()
            match = row_matcher(row_filter)
            jsons = self._row_json
            if match is not None:
                jsons = [j for r, j in zip(self.rows, jsons, strict=True) if match(r)]
            cached = EncodedRows(
                b'{"columns":' + COLUMNS_JSON + b',"rows":[' + b",".join(jsons) + b"],"
            )
            self._encoded[row_filter] = cached
        return cached


class EncodedRows:
    """A listing's JSON up to its last members; each answer appends its own tail
    (version, status). The gzip state after the head is kept, so a compressed answer
    costs the compression of its tail only, however many clients ask."""

    def __init__(self, head: bytes) -> None:
        self.head = head
        self._gzip: tuple[Any, bytes] | None = None

    def body(self, tail: bytes) -> bytes:
        return self.head + tail

    def gzip_body(self, tail: bytes) -> bytes:
        if self._gzip is None:
            compressor = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
            self._gzip = (
                compressor,
                compressor.compress(self.head) + compressor.flush(zlib.Z_SYNC_FLUSH),
            )
        compressor, compressed_head = self._gzip
        finish = compressor.copy()
        return compressed_head + finish.compress(tail) + finish.flush()


_encode_row = json.JSONEncoder(separators=(",", ":")).encode


def encode_rows(rows: list[Row], old_rows: list[Row], old_json: list[bytes]) -> list[bytes]:
    """Each row's JSON, reusing the encoding of rows carried over from the last listing.

    Keyed by object identity: safe because old_rows keeps the old objects alive here.
    """
    known = {id(r): j for r, j in zip(old_rows, old_json, strict=True)}
    return [known.get(id(r)) or _encode_row(r).encode() for r in rows]


def row_matcher(row_filter: RowFilter) -> Callable[[Row], bool] | None:
    """A predicate for the filter, or None when it keeps every row."""
    user, partition, state, name = row_filter
    if user is None and not (partition or state or name):
        return None

    def match(r: Row) -> bool:
        return (
            (user is None or r[_USER] == user)
            and (not partition or r[_PARTITION] == partition)
            and (not state or r[_STATE] == state)
            and (not name or name in r[_NAME].lower())
        )

    return match


def select_rows(rows: list[Row], row_filter: RowFilter) -> list[Row]:
    match = row_matcher(row_filter)
    return rows if match is None else [r for r in rows if match(r)]
