"""``jupyter hpc jobs``: the job listing exactly as the server's queue panel gets it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Any

from ..jobs.queue import select_rows
from ..schedulers.base import COLUMN_INDEX, LISTING_COLUMNS, Row, SchedulerError
from ..services import HPCServices

# The columns of the readable table, and their headings (Slurm's words; see headings()).
TABLE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "JOBID"),
    ("name", "NAME"),
    ("user", "USER"),
    ("state", "STATE"),
    ("partition", "PARTITION"),
    ("time_used", "TIME"),
    ("time_limit", "LIMIT"),
    ("nodes", "NODES"),
    ("cpus", "CPUS"),
    ("reason", "REASON / NODES"),
)
MAX_NAME = 40
# PBS and Torque call a partition a queue, as the queue panel's column does.
_QUEUE_KINDS = frozenset({"pbs", "torque"})


def listing(services: HPCServices, everyone: bool) -> dict[str, Any]:
    """``{"scope", "user", "columns", "rows"}``: the rows the REST API's ``GET jobs`` sends.

    Raises SchedulerError when the batch system does not answer.
    """
    snapshot = services.snapshot
    if snapshot is None:
        raise SchedulerError(services.no_scheduler_message)
    asyncio.run(snapshot.refresh())
    if snapshot.error is not None:
        raise SchedulerError(f"The batch system did not list the jobs: {snapshot.error}")
    user = None if everyone else services.user
    rows = select_rows(snapshot.rows, (user, "", "", ""))
    return {
        "scope": "all" if everyone else "mine",
        "user": services.user,
        "columns": list(LISTING_COLUMNS),
        "rows": rows,
    }


def own_jobs_note(services: HPCServices, answer: dict[str, Any]) -> str | None:
    """For ``--all``: a sentence when the batch system showed the user only their own
    jobs (Torque with query_other_jobs off), so "everyone's" jobs are theirs alone."""
    sched = services.scheduler
    if answer["scope"] != "all" or sched is None or not asyncio.run(sched.own_jobs_only()):
        return None
    user = COLUMN_INDEX["user"]
    if any(r[user] != services.user for r in answer["rows"]):
        return None  # a manager or operator of the server sees every job anyway
    why = " (its query_other_jobs setting is off)" if sched.kind == "torque" else ""
    name = "Torque" if sched.kind == "torque" else "The batch system"
    return f"Only your own jobs are listed: {name} shows each user only their own jobs{why}."


def to_json(answer: dict[str, Any]) -> str:
    """One line, like the REST answer (pipe it to ``jq`` to read it)."""
    return json.dumps(answer) + "\n"


def duration(seconds: int | None, unlimited: str = "") -> str:
    """[D-]H:MM:SS, as Slurm writes durations."""
    if seconds is None:
        return unlimited
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    clock = f"{hours}:{minutes:02}:{secs:02}"
    return f"{days}-{clock}" if days else clock


def cell(row: Row, column: str) -> str:
    value = row[COLUMN_INDEX[column]]
    if column == "time_used":
        return duration(value)
    if column == "time_limit":
        return duration(value, "unlimited")
    if column == "reason":
        # Running jobs have no reason: their nodes say more.
        return str(value or row[COLUMN_INDEX["nodelist"]] or "")
    if column == "name" and len(str(value)) > MAX_NAME:
        return str(value)[: MAX_NAME - 1] + "…"
    return "" if value is None else str(value)


def headings(kind: str | None) -> list[str]:
    """The table's headings in the words of the batch system ``kind``."""
    queue = kind in _QUEUE_KINDS
    return ["QUEUE" if queue and name == "partition" else title for name, title in TABLE_COLUMNS]


def to_table(rows: Sequence[Row], kind: str | None = None) -> str:
    """Aligned columns for a terminal; the last column is not padded."""
    if not rows:
        return ""
    header = headings(kind)
    body = [[cell(r, name) for name, _ in TABLE_COLUMNS] for r in rows]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    lines = [
        "  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip()
        for line in [header, *body]
    ]
    return "\n".join(lines) + "\n"
