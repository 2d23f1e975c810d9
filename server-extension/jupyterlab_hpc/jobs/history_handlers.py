"""``GET {base_url}jupyterlab-hpc/history``: the user's own finished jobs from accounting."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import tornado.web

from ..base.handlers import BadRequest, HPCHandler
from ..schedulers.base import HistoryQuery, HistoryResult, JobState, SchedulerError

MAX_LIMIT = 20000
DEFAULT_LIMIT = 5000
# Without a start, the last week (sacct's own default is midnight today).
DEFAULT_DAYS = 7
_STATES = {s.value: s for s in JobState}


def parse_time(name: str, text: str) -> datetime:
    """An ISO 8601 date or date-time as a naive local time (what Slurm takes)."""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise BadRequest(
            f"{name} must be an ISO 8601 date or time, such as 2026-11-22 or 2026-11-22T09:30:00.",
            detail=text[:100],
        ) from None
    if not 1970 < when.year < 9999:
        raise BadRequest(f"{name} must be a date between 1971 and 9998.", detail=text[:100])
    if when.tzinfo is not None:
        when = when.astimezone().replace(tzinfo=None)
    return when


def parse_states(text: str) -> tuple[JobState, ...]:
    names = [s.strip() for s in text.split(",") if s.strip()]
    unknown = [n for n in names if n not in _STATES]
    if unknown:
        raise BadRequest(
            f"state must be a comma-separated list of: {', '.join(_STATES)}.",
            detail=", ".join(unknown)[:200],
        )
    return tuple(dict.fromkeys(_STATES[n] for n in names))


def parse_limit(text: str) -> int:
    if not (text.isdigit() and 1 <= int(text) <= MAX_LIMIT):
        raise BadRequest(f"limit must be a whole number from 1 to {MAX_LIMIT}.", detail=text[:100])
    return int(text)


class HistoryHandler(HPCHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        now = datetime.now()
        start_text = self.get_query_argument("start", "")
        end_text = self.get_query_argument("end", "")
        start = parse_time("start", start_text) if start_text else now - timedelta(DEFAULT_DAYS)
        end = parse_time("end", end_text) if end_text else None
        if end is not None and end < start:
            raise BadRequest("end must not be before start.")
        states = parse_states(self.get_query_argument("state", ""))
        limit = parse_limit(self.get_query_argument("limit", str(DEFAULT_LIMIT)))
        sched, _ = self.require_scheduler()
        query = HistoryQuery(
            start=start.strftime("%Y-%m-%dT%H:%M:%S"),
            end=end.strftime("%Y-%m-%dT%H:%M:%S") if end else None,
            user=self.hpc.user,
            states=states,
            limit=limit,
        )
        try:
            # sacct refuses a start after now; nothing can have run then.
            result = await sched.history(query) if start <= now else HistoryResult(True)
        except SchedulerError as e:
            raise BadRequest(e.message, status=503, detail=e.detail) from None
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(
            json.dumps(
                {
                    "available": result.available,
                    "message": result.message,
                    "jobs": [r.to_dict() for r in result.records],
                }
            )
        )


HISTORY_ROUTES: list[tuple[str, type[HPCHandler]]] = [("history", HistoryHandler)]
