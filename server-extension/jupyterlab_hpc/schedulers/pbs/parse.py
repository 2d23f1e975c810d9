"""Pure parsers from OpenPBS / PBS Professional command output to rows and queues.

The listing reads ``qstat -f -F json -t``: one JSON document with every job and array
subjob, parsed once. Older PBS Professional releases have no ``-F json``; for them the
same attributes come from the ``qstat -f -t`` text form, turned into the same nested
dicts by :func:`parse_qstat_text`, so one row builder serves both. The JSON is read by
``pbs_json.py`` into the text form's strings (the released OpenPBS prints numeric-looking
values, job names included, as bare tokens, sometimes as invalid JSON), so both forms give
the same rows.

Array subjobs are shown the way Slurm's listing shows tasks: a subjob that has started
(running, exiting, finished) is a row of its own (``3[1].pbs01``, array job ``3[].pbs01``,
task ``1``); subjobs that have not started are folded, per state, into range rows
(``3[2-9].pbs01``, task ``[2-9]``), which is the form ``qdel`` accepts. The array's own
``3[]`` row is shown only when none of its subjobs is listed (a server that does not
list subjobs, or the text form without ``-t``).

A subjob that has not started does not exist yet as a job of its own: qstat shows it with
its array's attributes (no ``array_id``/``array_index``, the array's ``stime``, comment,
``Exit_status``, ``Hold_Types`` and ``^array_index^`` paths), so those are not read as
the subjob's (:func:`unstarted_subjob`). A held array (``qsub -h -J``) is ``H`` and its
subjobs are ``Q`` with the array's ``Hold_Types``: they are held.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..base import JobState, Partition, Row
from .pbs_json import load_pbs_json

# The project every job has when the user asked for none.
DEFAULT_PROJECT = "_pbs_project_default"

# PBS's one-letter job states. W waits for its Execution_Time (qsub -a) and T moves
# between queues or servers: both wait to run, so pending. B is an array with at least
# one subjob started, so running. X is a subjob that has finished. M is a job moved to
# another server: it lives on there and this server no longer knows its state.
STATE_LETTERS: dict[str, JobState] = {
    "Q": JobState.PENDING,
    "W": JobState.PENDING,
    "T": JobState.PENDING,
    "H": JobState.HELD,
    "R": JobState.RUNNING,
    "B": JobState.RUNNING,
    "E": JobState.COMPLETING,
    "S": JobState.SUSPENDED,
    "U": JobState.SUSPENDED,  # suspended while the workstation's owner is busy
    "X": JobState.COMPLETED,
    "F": JobState.COMPLETED,
    "C": JobState.COMPLETED,  # Torque's finished job (kept keep_completed seconds)
    "M": JobState.UNKNOWN,
}
_FINISHED = frozenset("XFC")
_NOT_STARTED = frozenset("QHWT")  # subjobs in these states fold into range rows
_RUNNING = frozenset("RBE")

# The exit statuses PBS itself sets (negative), from OpenPBS's job.h. Those not listed
# are reported by number.
PBS_EXIT_CODES: dict[int, str] = {
    -1: "the job could not start (JOB_EXEC_FAIL1)",
    -2: "the job could not start after its files were set up (JOB_EXEC_FAIL2)",
    -3: "the job could not start and will be retried (JOB_EXEC_RETRY)",
    -4: "the execution host could not start it (JOB_EXEC_INITABT)",
    -8: "its user or group is not valid on the execution host (JOB_EXEC_FAILUID)",
    -9: "it was requeued to run again (JOB_EXEC_RERUN)",
    -10: "it was checkpointed and stopped (JOB_EXEC_CHKP)",
    -11: "its password was not accepted (JOB_EXEC_FAIL_PASSWORD)",
    -15: "a hook rejected it (JOB_EXEC_FAILHOOK_DELETE)",
    -17: "a hook deleted it (JOB_EXEC_HOOK_DELETE)",
    -20: "a hook failed (JOB_EXEC_HOOKERROR)",
    -24: "it used more CPUs than it asked for (JOB_EXEC_KILL_NCPUS_BURST)",
    -25: "it used more CPUs than it asked for (JOB_EXEC_KILL_NCPUS_SUM)",
    -26: "it used more virtual memory than it asked for (JOB_EXEC_KILL_VMEM)",
    -27: "it used more memory than it asked for (JOB_EXEC_KILL_MEM)",
    -28: "it used more CPU time than it asked for (JOB_EXEC_KILL_CPUT)",
    -29: "it ran past its walltime (JOB_EXEC_KILL_WALLTIME)",
}
_WALLTIME_EXCEEDED = -29
# A job killed by a signal ends with 256 + the signal number; qdel sends SIGTERM, then SIGKILL.
_SIGNAL_BASE = 256
_CANCEL_SIGNALS = frozenset({9, 15})
# substate of a finished job deleted before it ran (JOB_SUBSTATE_TERMINATED)
_SUBSTATE_TERMINATED = 91
# The note PBS puts on an array when its first subjob starts ("Job Array Began at Fri Dec
# 04 at 17:10"); its subjobs that have not started show it too. It says nothing of them.
_ARRAY_BEGAN = "Job Array Began at "

_HOLD_TYPES = {"u": "user", "o": "operator", "s": "system", "p": "bad password"}

# How a finished job ended, (state, reason), from its id and attributes, where a batch
# system reads exit statuses its own way (Torque: torque/exits.py); None: OpenPBS's way.
Ending = Callable[[str, Mapping[str, Any]], tuple[JobState, str]]


class PBSParseError(ValueError):
    """The output is not what this PBS command prints."""


@dataclass(frozen=True)
class QstatJobs:
    """What ``qstat -f`` says: the server, its version and the jobs in output order."""

    server: str | None
    version: str | None
    jobs: dict[str, dict[str, Any]]


def parse_qstat_json(text: str) -> QstatJobs:
    """``qstat -f -F json [-t] [-x] [ids]``. When nothing matches PBS leaves out "Jobs"."""
    data = _load_json(text, "qstat -f -F json")
    jobs = data.get("Jobs") or {}
    if not isinstance(jobs, dict):
        raise PBSParseError("qstat -F json printed a 'Jobs' member that is not an object")
    return QstatJobs(_str_or_none(data.get("pbs_server")), _version_text(data), jobs)


def _load_json(text: str, command: str) -> dict[str, Any]:
    try:
        # Values as the text form shows them, numbers included (see pbs_json.py).
        data = load_pbs_json(text)
    except ValueError as e:
        raise PBSParseError(f"{command} printed invalid JSON: {e}") from None
    if not isinstance(data, dict):
        raise PBSParseError(f"{command} printed JSON that is not an object")
    return data


def _version_text(data: Mapping[str, Any]) -> str | None:
    version = data.get("pbs_version")
    return None if version is None else str(version)


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)


# ---------------------------------------------------------------------------
# The -f text form: "Job Id: 1.pbs01" then "    key = value" lines; long values continue
# on lines that start with a TAB, sometimes mid-word.

_BLOCK_HEADS = ("Job Id: ", "Queue: ", "Server: ", "Reservation Id: ")


def parse_full_text(text: str) -> dict[str, dict[str, Any]]:
    """Blocks of ``qstat -f`` / ``qstat -Q -f`` / ``qstat -B -f`` / ``pbsnodes -a`` text.

    Dotted names (``Resource_List.ncpus``) become nested dicts, as in the JSON form; values
    stay strings. Blocks are keyed by their name (job id, queue, server or node).
    """
    blocks: dict[str, dict[str, Any]] = {}
    current: dict[str, Any] | None = None
    # Wrapped values: a newline followed by a TAB joins the two lines, with nothing between.
    for line in text.replace("\n\t", "").split("\n"):
        if not line.strip():
            continue
        if line[0] not in " \t":
            name = line.rstrip()
            for head in _BLOCK_HEADS:
                if name.startswith(head):
                    name = name[len(head) :]
                    break
            current = blocks.setdefault(name.strip(), {})
            continue
        if current is None:
            continue
        key, sep, value = line.strip().partition(" = ")
        if not sep:
            key, value = key.rstrip(" ="), ""
        group, dot, sub = key.partition(".")
        if dot:
            nested = current.setdefault(group, {})
            if isinstance(nested, dict):
                nested[sub] = value
        else:
            current[key] = value
    return blocks


def parse_qstat_text(text: str) -> QstatJobs:
    """``qstat -f [-t]`` text: the fallback where ``-F json`` is not supported."""
    jobs = parse_full_text(text)
    server = next((str(j["server"]) for j in jobs.values() if "server" in j), None)
    return QstatJobs(server, None, jobs)


def json_unsupported(stderr: str, returncode: int) -> bool:
    """Whether qstat refused ``-F json`` as an unknown option (older PBS Professional).

    That qstat answers like any bad option: exit code 2, "invalid option -- 'F'" or
    "illegal option", then its usage, which does not offer ``-F``.
    """
    if returncode != 2:
        return False
    lowered = stderr.lower()
    if "option -- 'f'" in lowered or "option -- f" in lowered:
        return True
    return "usage" in lowered and "-F format" not in stderr and "[-F" not in stderr


# ---------------------------------------------------------------------------
# Values


def to_int(value: object) -> int | None:
    """A JSON number or a text number; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("-").isdigit():
            return int(text)
    return None


@functools.lru_cache(maxsize=8192)
def parse_duration(value: str | int) -> int | None:
    """PBS durations: ``[[HH:]MM:]SS`` (hours may exceed 24) or seconds; None when unknown.

    Cached: a queue repeats the same few limits and young run times thousands of times.
    """
    if isinstance(value, int):
        return value
    parts = str(value).strip().split(":")
    if len(parts) > 3:
        return None
    total = 0
    for part in parts:
        seconds = part.split(".", 1)[0]  # "10.5" seconds in some outputs
        if not seconds.isdigit():
            return None
        total = total * 60 + int(seconds)
    return total


def _duration(value: object) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        return int(value)
    if isinstance(value, int | str):
        return parse_duration(value)
    return None


_MONTHS = {
    m: i
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}


@functools.lru_cache(maxsize=8192)
def _ctime_to_iso(text: str) -> str | None:
    parts = text.split()
    if len(parts) != 5 or parts[1] not in _MONTHS or not parts[2].isdigit():
        return None
    _, month, day, hms, year = parts
    if not year.isdigit() or hms.count(":") != 2:
        return None
    h, m, s = hms.split(":")
    return f"{year}-{_MONTHS[month]:02d}-{int(day):02d}T{int(h):02d}:{int(m):02d}:{int(s):02d}"


def parse_time(value: object) -> str | None:
    """``Sun Nov 22 00:08:19 2026`` (PBS's local time) or epoch seconds -> ISO 8601 local time."""
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return datetime.datetime.fromtimestamp(value).isoformat(timespec="seconds")
    if isinstance(value, str):
        if value.isdigit():
            return datetime.datetime.fromtimestamp(int(value)).isoformat(timespec="seconds")
        return _ctime_to_iso(value)
    return None


@functools.lru_cache(maxsize=4096)
def exec_hosts(exec_host: str) -> str:
    """``pbs01/0+pbs01/1*2+node2/0`` -> ``pbs01,node2`` (hosts in order, once each)."""
    hosts = dict.fromkeys(part.split("/", 1)[0] for part in exec_host.split("+") if part)
    return ",".join(h for h in hosts if h)


def owner_name(job_owner: object) -> str:
    """``alice@pbs01`` -> ``alice``."""
    return str(job_owner).split("@", 1)[0] if job_owner is not None else ""


# ---------------------------------------------------------------------------
# Jobs that never ran


def subjob_part(job_id: str) -> str | None:
    """What is inside a subjob's brackets: ``3[1].pbs01`` -> ``1``, ``3[2-5]`` -> ``2-5``;
    None for a plain job and for the array itself (``3[]``)."""
    parts = split_array_id(job_id)
    return parts[1] if parts is not None and parts[1] else None


def is_array_parent(job_id: str, attrs: Mapping[str, Any]) -> bool:
    parts = split_array_id(job_id)
    return (parts is not None and not parts[1]) or str(attrs.get("array", "")) == "True"


def unstarted_subjob(job_id: str, attrs: Mapping[str, Any]) -> bool:
    """A subjob (or a range of them) PBS has not started.

    Until a subjob starts, PBS keeps only its state in the array's table, and qstat shows
    it with the array's attributes: no ``array_id``, ``array_index`` or ``exec_host`` of
    its own, the array's ``stime`` and comment while the array runs, the array's
    ``Exit_status`` once it ended (release recordings 29, 39, 40, 42, 49). A subjob that
    started has all three (Torque's subjobs always carry their index).
    """
    return (
        subjob_part(job_id) is not None and "array_index" not in attrs and "exec_host" not in attrs
    )


def never_ran(job_id: str, attrs: Mapping[str, Any]) -> bool:
    """Whether a job never started: an array none of whose subjobs started (no ``stime``),
    a subjob PBS has not started, a job with neither ``stime`` nor ``exec_host``."""
    if is_array_parent(job_id, attrs):
        return "stime" not in attrs
    if subjob_part(job_id) is not None:
        return unstarted_subjob(job_id, attrs)
    return "stime" not in attrs and "exec_host" not in attrs


def unstarted_end(job_id: str, attrs: Mapping[str, Any]) -> tuple[JobState, str] | None:
    """How an ended OpenPBS job (``F``, or a subjob's ``X``) that never ran came to its end;
    None when it ran (its exit status then says how it ended).

    - qdel of a job before it ran: ``substate`` 91 (75_qstat_x_f_F_json_deleted_while_queued).
    - A subjob that never started ended only by a deletion (its own, or its array's); it
      shows ``substate`` 70 or 92 and, once the array ended, the array's ``Exit_status``
      (release 42, 49), which is not its own.
    - PBS deleted the job itself: ``substate`` 92 and no ``Exit_status``, e.g. for a
      dependency that can never be met (``-W depend=afterok:<a job that does not exist>``:
      ``F`` at once, ``Hold_Types`` s, no comment; release 44-46).
    """
    if not never_ran(job_id, attrs):
        return None
    if to_int(attrs.get("substate")) == _SUBSTATE_TERMINATED or subjob_part(job_id) is not None:
        return JobState.CANCELLED, "Deleted before it ran"
    if attrs.get("Exit_status") is not None:
        return None
    if is_array_parent(job_id, attrs) and not attrs.get("depend"):
        # No recording shows how an array deleted before it began ends: say no more.
        return JobState.CANCELLED, "Deleted before it ran"
    return JobState.CANCELLED, deleted_by_pbs(attrs)


def deleted_by_pbs(attrs: Mapping[str, Any]) -> str:
    """Why PBS deleted a job before it ran, as far as its record says."""
    depend = re.sub(r"@[^:,]+", "", str(attrs.get("depend") or ""))  # ids without @server
    if depend:
        return (
            f"Deleted by PBS before it ran: its dependency {depend} cannot be met (a job it "
            "names does not exist, or did not end as the dependency requires)"
        )
    comment = attrs.get("comment")
    return f"Deleted by PBS before it ran: {comment}" if comment else "Deleted by PBS before it ran"


def held_in_queue(job_id: str, letter: str, attrs: Mapping[str, Any]) -> bool:
    """A ``Q`` subjob of a held array: PBS shows it queued with the array's hold (release
    29; a plain job that is held is ``H``)."""
    return (
        letter == "Q"
        and subjob_part(job_id) is not None
        and any(c in _HOLD_TYPES for c in str(attrs.get("Hold_Types") or ""))
    )


def finished_state(exit_status: int | None, substate: int | None, comment: str) -> JobState:
    """A finished job (F) or subjob (X) by how it ended.

    No exit status: deleted before it ran (substate 91) -> cancelled. Exit 0 -> completed;
    1-255, the script's own failure -> failed; 256 + N, killed by signal N: SIGTERM or
    SIGKILL is what qdel sends -> cancelled, any other signal -> failed; negative, PBS's
    own codes: -29 (past its walltime) -> timeout, the others -> failed.
    """
    if exit_status is None:
        return JobState.CANCELLED if substate == _SUBSTATE_TERMINATED else JobState.COMPLETED
    if exit_status == _WALLTIME_EXCEEDED or "exceeded resource walltime" in comment:
        return JobState.TIMEOUT
    if exit_status == 0:
        return JobState.COMPLETED
    if exit_status > _SIGNAL_BASE:
        signal = exit_status - _SIGNAL_BASE
        return JobState.CANCELLED if signal in _CANCEL_SIGNALS else JobState.FAILED
    return JobState.FAILED


def exit_description(exit_status: int | None, substate: int | None) -> str:
    """Why a finished job ended, in words (the reason column of F and X rows)."""
    if exit_status is None:
        return "Deleted before it ran" if substate == _SUBSTATE_TERMINATED else ""
    if exit_status == 0:
        return "Exit status 0"
    if exit_status > _SIGNAL_BASE:
        return f"Killed by signal {exit_status - _SIGNAL_BASE} (exit status {exit_status})"
    if exit_status < 0:
        meaning = PBS_EXIT_CODES.get(exit_status, "PBS could not run it to the end")
        return f"Exit status {exit_status}: {meaning}"
    return f"Exit status {exit_status}"


def hold_description(hold_types: object) -> str:
    """``u`` -> ``User hold``; ``uo`` -> ``User, operator hold``; Torque's ``l``, the
    subjobs an array's slot limit (``-t 1-4%2``) keeps waiting, says so (46)."""
    if "l" in str(hold_types or ""):
        return "Held by the array's slot limit: it starts when a running subjob ends"
    names = [_HOLD_TYPES[c] for c in str(hold_types or "") if c in _HOLD_TYPES]
    if not names:
        return "Held"
    return (", ".join(names) + " hold").capitalize()


def _reason(
    letter: str, attrs: Mapping[str, Any], exit_status: int | None, unstarted: bool, held: bool
) -> str:
    if letter in _RUNNING:
        return ""
    if letter in _FINISHED:
        return exit_description(exit_status, to_int(attrs.get("substate")))
    comment = attrs.get("comment")
    if comment and not (unstarted and str(comment).startswith(_ARRAY_BEGAN)):
        # "Not Running: Not enough free nodes available": the state column already says so.
        return str(comment).removeprefix("Not Running: ")
    if letter == "H" or held:
        return hold_description(attrs.get("Hold_Types"))
    if letter == "W":
        when = parse_time(attrs.get("Execution_Time"))
        return f"Waiting for its start time {when}" if when else "Waiting for its start time"
    if letter == "T":
        return "In transit to another queue or server"
    if letter == "M":
        return "Moved to another server"
    return ""


def _nested(attrs: Mapping[str, Any], group: str) -> Mapping[str, Any]:
    value = attrs.get(group)
    return value if isinstance(value, dict) else {}


def job_row(
    job_id: str,
    attrs: Mapping[str, Any],
    array_job_id: str | None = None,
    array_task_id: str | None = None,
    ending: Ending | None = None,
) -> Row:
    """One row in LISTING_COLUMNS order from a job's ``qstat -f`` attributes."""
    letter = str(attrs.get("job_state", ""))
    unstarted = unstarted_subjob(job_id, attrs)
    # An unstarted subjob's Exit_status is its array's (once the array ended).
    exit_status = None if unstarted else to_int(attrs.get("Exit_status"))
    # F and X are OpenPBS's (Torque's finished jobs are C).
    ended = unstarted_end(job_id, attrs) if letter in ("F", "X") else None
    held = held_in_queue(job_id, letter, attrs)
    if ended is not None:
        state, reason = ended
    else:
        if letter in _FINISHED:
            state = finished_state(
                exit_status, to_int(attrs.get("substate")), str(attrs.get("comment", ""))
            )
        else:
            state = JobState.HELD if held else STATE_LETTERS.get(letter, JobState.UNKNOWN)
        reason = _reason(letter, attrs, exit_status, unstarted, held)
    if ending is not None and letter in _FINISHED:
        state, reason = ending(job_id, attrs)
    wanted = _nested(attrs, "Resource_List")
    used = _nested(attrs, "resources_used")
    account = attrs.get("Account_Name")
    if not account:
        project = attrs.get("project")
        account = project if project and project != DEFAULT_PROJECT else ""
    exec_host = attrs.get("exec_host")
    gpus = to_int(wanted.get("ngpus"))
    # An unstarted subjob's stime is its array's start.
    start = None if unstarted else attrs.get("stime")
    if start is None and letter in ("Q", "W"):
        start = _nested(attrs, "estimated").get("start_time")
    mem = wanted.get("mem")
    return [
        job_id,
        array_job_id,
        array_task_id,
        str(attrs.get("Job_Name", "")),
        owner_name(attrs.get("Job_Owner")),
        str(account),
        str(attrs.get("queue", "")),
        "",  # PBS has no QOS
        state.value,
        letter,
        reason,
        exec_hosts(str(exec_host)) if exec_host else "",
        to_int(wanted.get("nodect")),
        to_int(wanted.get("ncpus")),
        str(mem) if mem is not None else "",
        f"gpu:{gpus}" if gpus else "",
        _duration(used.get("walltime")),
        _duration(wanted.get("walltime")),
        parse_time(attrs.get("ctime") or attrs.get("qtime")),
        parse_time(start),
    ]


# ---------------------------------------------------------------------------
# Ids


def split_array_id(job_id: str) -> tuple[str, str, str] | None:
    """``3[1].pbs01`` -> (``3``, ``1``, ``.pbs01``); None for an id without brackets."""
    open_at = job_id.find("[")
    close_at = job_id.find("]", open_at + 1)
    if open_at <= 0 or close_at < 0:
        return None
    return job_id[:open_at], job_id[open_at + 1 : close_at], job_id[close_at + 1 :]


def array_parent_id(job_id: str) -> str | None:
    """The array a subjob or subjob range belongs to: ``3[2-5].pbs01`` -> ``3[].pbs01``."""
    parts = split_array_id(job_id)
    if parts is None:
        return None
    number, _, suffix = parts
    return f"{number}[]{suffix}"


def index_runs(indices: Iterable[int]) -> list[tuple[int, int, int]]:
    """Sorted indices as (first, last, step) runs: 1,2,3,5,7,9 -> (1,3,1), (5,9,2)."""
    ordered = sorted(set(indices))
    runs: list[tuple[int, int, int]] = []
    i, n = 0, len(ordered)
    while i < n:
        first = ordered[i]
        if i + 1 < n:
            step = ordered[i + 1] - first
            j = i + 1
            while j + 1 < n and ordered[j + 1] - ordered[j] == step:
                j += 1
            # Consecutive indices, or three and more with one step; two lone indices
            # with a gap stay apart.
            if step == 1 or j - i >= 2:
                runs.append((first, ordered[j], step))
                i = j + 1
                continue
        runs.append((first, first, 1))
        i += 1
    return runs


def run_text(first: int, last: int, step: int) -> str:
    """PBS's range syntax: ``2-9``, ``1-9:2``, or one index."""
    if first == last:
        return str(first)
    return f"{first}-{last}" if step == 1 else f"{first}-{last}:{step}"


# ---------------------------------------------------------------------------
# The listing


def _named_as_array(
    first: Mapping[str, Any], index: int, array: Mapping[str, Any] | None
) -> Mapping[str, Any]:
    """A folded row's attributes: its first subjob's, under its array's name. OpenPBS
    lists the array with its subjobs, under the same name; Torque's ``-t`` listing has
    no array (34), and Torque names subjob i of array NAME ``NAME-i`` (``arr4-2``)."""
    name = str(first.get("Job_Name", ""))
    if array is not None and array.get("Job_Name") is not None:
        array_name = str(array["Job_Name"])
    else:
        array_name = name.removesuffix(f"-{index}")
    return first if array_name == name else {**first, "Job_Name": array_name}


def listing_rows(jobs: Mapping[str, Mapping[str, Any]], ending: Ending | None = None) -> list[Row]:
    """Every row of the listing, with arrays laid out as the module docstring says."""
    return ListingReader(ending).rows(jobs)


class ListingReader:
    """Builds the rows of successive listings of one poller.

    A row equal to the previous listing's row for the same id is replaced by that very
    object, so the snapshot reuses its JSON and compares unchanged listings by identity.
    Rows are shared between listings and must not be mutated.
    """

    def __init__(self, ending: Ending | None = None) -> None:
        self._previous: dict[str, Row] = {}
        self._ending = ending

    def rows(self, jobs: Mapping[str, Mapping[str, Any]]) -> list[Row]:
        previous = self._previous
        current: dict[str, Row] = {}
        # Slots keep the output order; a slot is a row or the key of a folded group:
        # (array, state letter, held), its members by index.
        slots: list[Row | tuple[str, str, bool]] = []
        groups: dict[tuple[str, str, bool], dict[int, Mapping[str, Any]]] = {}
        parents_with_subjobs: set[str] = set()
        for job_id, attrs in jobs.items():
            parent = attrs.get("array_id")
            index = to_int(attrs.get("array_index"))
            if parent is None and "[]" not in job_id and "[" in job_id:
                parent = array_parent_id(job_id)
            if parent is not None:
                parent = str(parent)
                parents_with_subjobs.add(parent)
                if index is None:
                    parts = split_array_id(job_id)
                    index = to_int(parts[1]) if parts else None
                letter = str(attrs.get("job_state", ""))
                if letter in _NOT_STARTED and index is not None:
                    key = (parent, letter, held_in_queue(job_id, letter, attrs))
                    group = groups.get(key)
                    if group is None:
                        groups[key] = group = {}
                        slots.append(key)
                    group[index] = attrs
                    continue
                task = str(index) if index is not None else None
                slots.append(job_row(job_id, attrs, parent, task, self._ending))
            else:
                slots.append(job_row(job_id, attrs, ending=self._ending))
        rows: list[Row] = []
        for slot in slots:
            if isinstance(slot, tuple):
                members = groups[slot]
                parent = slot[0]
                number, _, suffix = split_array_id(parent) or (parent, "", "")
                for first, last, step in index_runs(members):
                    text = run_text(first, last, step)
                    task = text if first == last else f"[{text}]"
                    run = [members[i] for i in range(first, last + 1, step)]
                    attrs = run[0] if len(run) == 1 else _shared_facts(run)
                    attrs = _named_as_array(attrs, first, jobs.get(parent))
                    rows.append(
                        job_row(f"{number}[{text}]{suffix}", attrs, parent, task, self._ending)
                    )
            elif slot[0] not in parents_with_subjobs:
                rows.append(slot)
        for i, row in enumerate(rows):
            old = previous.get(row[0])
            if old is not None and old == row:
                rows[i] = row = old
            current[row[0]] = row
        self._previous = current
        return rows


# What differs between subjobs that have not started (a requeued subjob keeps its own).
_OWN_FACTS = ("comment", "stime", "estimated")


def _shared_facts(run: list[Mapping[str, Any]]) -> Mapping[str, Any]:
    """The first subjob's attributes for a range row, without the facts (comment, start
    time, estimate) that not every subjob of the range shares."""
    first = run[0]
    differing = [k for k in _OWN_FACTS if any(a.get(k) != first.get(k) for a in run[1:])]
    if not differing:
        return first
    return {k: v for k, v in first.items() if k not in differing}


def parse_owners(jobs: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """Job id -> owner, from ``qstat -f`` attributes."""
    return {job_id: owner_name(attrs.get("Job_Owner")) for job_id, attrs in jobs.items()}


# ---------------------------------------------------------------------------
# Queues, nodes, server, version


@dataclass(frozen=True)
class ServerInfo:
    name: str | None
    version: str | None
    default_queue: str | None
    # job_history_enable: whether qstat -x can show finished jobs (None: not reported).
    history_enabled: bool | None = None
    # query_other_jobs: whether users see each other's jobs (None: not reported).
    others_shown: bool | None = None


def _flag(attrs: Mapping[str, Any], name: str) -> bool | None:
    value = attrs.get(name)
    return None if value is None else str(value).strip().lower() in ("true", "1", "t", "y")


def _history_enabled(attrs: Mapping[str, Any]) -> bool | None:
    return _flag(attrs, "job_history_enable")


def parse_server_json(text: str) -> ServerInfo:
    """``qstat -B -f -F json``."""
    data = _load_json(text, "qstat -B -f -F json")
    servers = data.get("Server") or {}
    name = _str_or_none(data.get("pbs_server"))
    attrs: Mapping[str, Any] = {}
    if isinstance(servers, dict) and servers:
        name = name or next(iter(servers))
        attrs = servers.get(name) or next(iter(servers.values()))
    return ServerInfo(
        name,
        _version_text(data),
        _str_or_none(attrs.get("default_queue")),
        _history_enabled(attrs),
        _flag(attrs, "query_other_jobs"),
    )


def parse_server_text(text: str) -> ServerInfo:
    """``qstat -B -f``."""
    blocks = parse_full_text(text)
    if not blocks:
        return ServerInfo(None, None, None)
    name, attrs = next(iter(blocks.items()))
    return ServerInfo(
        name,
        _str_or_none(attrs.get("pbs_version")),
        _str_or_none(attrs.get("default_queue")),
        _history_enabled(attrs),
        _flag(attrs, "query_other_jobs"),
    )


def parse_queues_json(text: str) -> dict[str, dict[str, Any]]:
    """``qstat -Q -f -F json`` -> queue name -> attributes."""
    queues = _load_json(text, "qstat -Q -f -F json").get("Queue") or {}
    return queues if isinstance(queues, dict) else {}


def parse_nodes_json(text: str) -> dict[str, dict[str, Any]]:
    """``pbsnodes -av -F json`` -> node name -> attributes."""
    nodes = _load_json(text, "pbsnodes -av -F json").get("nodes") or {}
    return nodes if isinstance(nodes, dict) else {}


# Node states in which a node's free CPUs cannot take a job.
_UNUSABLE_NODE_STATES = frozenset(
    {
        "down",
        "offline",
        "unknown",
        "stale",
        "state-unknown",
        "unresolvable",
        "maintenance",
        "provisioning",
        "wait-provisioning",
        "sleep",
        "resv-exclusive",
        "job-exclusive",
    }
)


def _availability(attrs: Mapping[str, Any]) -> str:
    """In Slurm's words: enabled (takes jobs) and started (runs them) -> up."""
    enabled = str(attrs.get("enabled", "True")) == "True"
    started = str(attrs.get("started", "True")) == "True"
    if enabled and started:
        return "up"
    if started:
        return "drain"  # runs what it has, takes no new jobs
    return "inactive" if enabled else "down"


def parse_partitions(
    queues: Mapping[str, Mapping[str, Any]],
    nodes: Mapping[str, Mapping[str, Any]],
    default_queue: str | None,
) -> list[Partition]:
    """Queues as partitions, with the CPUs of the nodes that serve each.

    A node whose ``queue`` attribute is set serves only that queue; the other nodes serve
    every execution queue that has no nodes of its own. Route queues run nothing.
    """
    dedicated: dict[str, list[Mapping[str, Any]]] = {}
    shared: list[Mapping[str, Any]] = []
    for attrs in nodes.values():
        queue = attrs.get("queue")
        if queue:
            dedicated.setdefault(str(queue), []).append(attrs)
        else:
            shared.append(attrs)
    out: list[Partition] = []
    for name, attrs in queues.items():
        execution = str(attrs.get("queue_type", "Execution")).lower().startswith("e")
        members = (dedicated.get(name) or shared) if execution else []
        total = idle = 0
        for node in members:
            cpus = to_int(_nested(node, "resources_available").get("ncpus")) or 0
            busy = to_int(_nested(node, "resources_assigned").get("ncpus")) or 0
            total += cpus
            states = set(str(node.get("state", "")).split(","))
            if not states & _UNUSABLE_NODE_STATES:
                idle += max(cpus - busy, 0)
        limit = _duration(_nested(attrs, "resources_max").get("walltime"))
        out.append(
            Partition(
                name=name,
                default=name == default_queue,
                available=_availability(attrs),
                time_limit=limit,
                nodes=len(members),
                cpus_idle=idle,
                cpus_total=total,
            )
        )
    return out


_VERSION = re.compile(r"pbs_version\s*=\s*(\S+)")


def parse_version(text: str) -> str:
    """``pbs_version = 23.06.06`` -> ``23.06.06``."""
    m = _VERSION.search(text)
    return m.group(1) if m else text.strip()


def flavour(version: str) -> str:
    """Which PBS a version number belongs to.

    OpenPBS numbers its releases 20.0 and up (``23.06.06``); Altair's PBS Professional
    numbers them by year (``2022.1.3``) and before the split both were PBS Pro (``19.1.3``).
    """
    head = version.split(".", 1)[0]
    if not head.isdigit():
        return "PBS"
    major = int(head)
    return "OpenPBS" if 20 <= major < 1000 else "PBS Professional"
