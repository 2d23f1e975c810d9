"""Tables and progress for the notebook: pandas DataFrames when pandas is there, else lists.

Values are typed before either form: durations as ``timedelta``, times as ``datetime``,
counts as integers, ids and names as strings.
"""

from __future__ import annotations

import datetime as dt
import html
import importlib
from collections.abc import Mapping, Sequence
from types import ModuleType
from typing import Any, Literal

Kind = Literal["str", "int", "float", "duration", "datetime", "bool"]

# How each job field is typed (fields not named here are strings).
JOB_KINDS: dict[str, Kind] = {
    "nodes": "int",
    "cpus": "int",
    "time_used": "duration",
    "time_limit": "duration",
    "submit_time": "datetime",
    "start_time": "datetime",
    "end_time": "datetime",
    "exit_code": "int",
    "exit_signal": "int",
}

# Job tables in a notebook: what a person looks at first comes first.
JOB_COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "user",
    "state",
    "reason",
    "partition",
    "nodes",
    "cpus",
    "time_used",
    "time_limit",
    "submit_time",
    "start_time",
    "nodelist",
    "account",
    "qos",
    "memory",
    "gres",
    "raw_state",
    "array_job_id",
    "array_task_id",
)

# History tables (%sacct): a job's columns, then how it ended and what it used.
HISTORY_COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "user",
    "state",
    "exit_code",
    "exit_signal",
    "elapsed",
    "total_cpu",
    "cpu_efficiency",
    "max_rss",
    "partition",
    "nodes",
    "cpus",
    "memory",
    "time_limit",
    "submit_time",
    "start_time",
    "end_time",
    "nodelist",
    "account",
    "qos",
    "work_dir",
    "raw_state",
    "array_job_id",
    "array_task_id",
)
HISTORY_KINDS: dict[str, Kind] = {
    **JOB_KINDS,
    "elapsed": "duration",
    "total_cpu": "duration",
    "cpu_efficiency": "float",
}

PARTITION_KINDS: dict[str, Kind] = {
    "default": "bool",
    "time_limit": "duration",
    "nodes": "int",
    "cpus_idle": "int",
    "cpus_total": "int",
}


def import_pandas() -> ModuleType | None:
    """pandas if it is installed (tests replace this to check the plain-list form)."""
    try:
        return importlib.import_module("pandas")
    except ImportError:
        return None


def typed(value: Any, kind: Kind) -> Any:
    if value is None or (value == "" and kind != "str"):
        return None
    if kind == "duration":
        return dt.timedelta(seconds=int(value))
    if kind == "datetime":
        return dt.datetime.fromisoformat(str(value))
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    if kind == "bool":
        return bool(value)
    return str(value)


class Records(list[dict[str, Any]]):
    """A list of dicts (one per row) that a notebook shows as a table."""

    def __init__(self, rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
        super().__init__(rows)
        self.columns = list(columns)

    def _repr_html_(self) -> str:
        return html_table(self.columns, ([row.get(c) for c in self.columns] for row in self))


def table(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str], kinds: Mapping[str, Kind]
) -> Any:
    """A DataFrame (pandas installed) or Records, with typed columns, in ``columns`` order."""
    pd = import_pandas()
    if pd is None:
        records = [{c: typed(row.get(c), kinds.get(c, "str")) for c in columns} for row in rows]
        return Records(records, columns)
    # Column by column, vectorized: 20,000 jobs in a fraction of a second.
    data: dict[str, Any] = {}
    for column in columns:
        kind = kinds.get(column, "str")
        values = [row.get(column) for row in rows]
        if kind == "duration":
            seconds = [None if v is None else float(v) for v in values]
            data[column] = pd.to_timedelta(pd.array(seconds, dtype="Float64"), unit="s")
        elif kind == "datetime":
            data[column] = pd.to_datetime(pd.Series(values, dtype=object), format="ISO8601")
        elif kind == "int":
            data[column] = pd.array(values, dtype="Int64")
        elif kind == "float":
            data[column] = pd.array(values, dtype="Float64")
        elif kind == "bool":
            data[column] = pd.array(values, dtype="boolean")
        else:
            data[column] = pd.array([None if v is None else str(v) for v in values], dtype="string")
    return pd.DataFrame(data, columns=list(columns))


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.timedelta):
        return format_duration(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return str(value)


def format_time(value: str | None) -> str | None:
    """'2026-11-22T01:02:22' -> '2026-11-22 01:02:22' for people."""
    return value.replace("T", " ") if value else value


def format_duration(value: dt.timedelta) -> str:
    """[D-]H:MM:SS, as Slurm writes durations."""
    total = int(value.total_seconds())
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    clock = f"{hours}:{minutes:02}:{seconds:02}"
    return f"{days}-{clock}" if days else clock


def html_table(columns: Sequence[str], rows: Any) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(text(v))}</td>" for v in row) + "</tr>" for row in rows
    )
    return (
        f'<table class="jp-hpc-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    )


def html_fields(title: str, fields: Sequence[tuple[str, Any]]) -> str:
    """A two-column key/value table under a title, for one job's detail."""
    body = "".join(
        f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
        f"<td style='text-align:left'>{html.escape(text(v))}</td></tr>"
        for k, v in fields
        if v not in (None, "")
    )
    return f"<div><strong>{html.escape(title)}</strong><table>{body}</table></div>"


class _Status:
    """One line of status, as HTML in a notebook and as text in a terminal."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __repr__(self) -> str:
        return self.message

    def _repr_html_(self) -> str:
        return f"<code>{html.escape(self.message)}</code>"


class Progress:
    """A status line updated in place (a notebook replaces the output; a terminal prints).

    In a terminal only changed messages print, so a long wait does not flood it.
    Does nothing outside IPython.
    """

    def __init__(self, live: bool | None = None) -> None:
        from IPython.core.getipython import get_ipython

        shell = get_ipython()
        self.enabled = shell is not None
        self.live = live if live is not None else type(shell).__name__ == "ZMQInteractiveShell"
        self._handle: Any = None
        self._last = ""

    def show(self, message: str, *, changed: bool = True) -> None:
        quiet = not changed and not self.live and self._handle is not None
        if not self.enabled or quiet or message == self._last:
            return
        self._last = message
        from IPython.display import display

        if self._handle is None:
            self._handle = display(_Status(message), display_id=True)  # type: ignore[no-untyped-call]
        elif self.live:
            self._handle.update(_Status(message))
        else:
            display(_Status(message))  # type: ignore[no-untyped-call]
