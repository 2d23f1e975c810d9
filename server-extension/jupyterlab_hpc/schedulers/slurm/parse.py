"""Pure parsers from Slurm command output to rows, jobs and partitions.

The listing asks squeue for delimited fields (``-O``), separated by the ASCII unit
separator, which no job name, path or reason contains in practice. The job name comes
last and takes the rest of the line, so even a name with that character parses.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from ..base import Job, JobState, Partition, Row

SEP = "\x1f"

# squeue --Format fields, in the order the parser reads them. Name must stay last.
SQUEUE_FIELDS: tuple[str, ...] = (
    "JobArrayID",
    "UserName",
    "Account",
    "Partition",
    "QOS",
    "State",
    "Reason",
    "NodeList",
    "NumNodes",
    "NumCPUs",
    "MinMemory",
    "tres-per-node",
    "TimeUsed",
    "TimeLimit",
    "SubmitTime",
    "StartTime",
    "Name",
)


def squeue_format() -> str:
    """The --Format argument: every field with the separator as its suffix, no width."""
    return ",".join(f"{f}:{SEP}" if f != "Name" else f"{f}:" for f in SQUEUE_FIELDS)


_STATES: dict[str, JobState] = {
    "PENDING": JobState.PENDING,
    "CONFIGURING": JobState.PENDING,
    "REQUEUED": JobState.PENDING,
    "REQUEUE_FED": JobState.PENDING,
    "REQUEUE_HOLD": JobState.HELD,
    "RESV_DEL_HOLD": JobState.HELD,
    "SPECIAL_EXIT": JobState.HELD,
    "RUNNING": JobState.RUNNING,
    "RESIZING": JobState.RUNNING,
    "SIGNALING": JobState.RUNNING,
    "SUSPENDED": JobState.SUSPENDED,
    "STOPPED": JobState.SUSPENDED,
    "COMPLETING": JobState.COMPLETING,
    "STAGE_OUT": JobState.COMPLETING,
    "COMPLETED": JobState.COMPLETED,
    "FAILED": JobState.FAILED,
    "BOOT_FAIL": JobState.FAILED,
    "NODE_FAIL": JobState.FAILED,
    "OUT_OF_MEMORY": JobState.FAILED,
    "CANCELLED": JobState.CANCELLED,
    "PREEMPTED": JobState.CANCELLED,
    "REVOKED": JobState.CANCELLED,
    "TIMEOUT": JobState.TIMEOUT,
    "DEADLINE": JobState.TIMEOUT,
}


def normalize_state(raw_state: str, reason: str = "") -> JobState:
    # sacct writes "CANCELLED by 1000"; the first word is the state.
    word = raw_state.split(" ", 1)[0].rstrip("+")
    state = _STATES.get(word, JobState.UNKNOWN)
    if state is JobState.PENDING and reason.startswith("JobHeld"):
        return JobState.HELD
    return state


_DURATION = re.compile(r"(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+)")
_NO_LIMIT = frozenset({"UNLIMITED", "INFINITE", "NOT_SET", "INVALID", "N/A", "Partition_Limit", ""})


@functools.lru_cache(maxsize=8192)
def parse_duration(text: str) -> int | None:
    """Slurm's [days-][hours:]minutes:seconds as seconds; None for no limit or no value.

    Cached: a queue repeats the same few limits and young run times thousands of times.
    """
    if text in _NO_LIMIT:
        return None
    m = _DURATION.fullmatch(text)
    if m is None:
        # A bare number of minutes (how limits are written in options and some outputs).
        return int(text) * 60 if text.isdigit() else None
    days, hours, minutes, seconds = m.groups()
    return ((int(days or 0) * 24 + int(hours or 0)) * 60 + int(minutes)) * 60 + int(seconds)


def _text(value: str) -> str:
    return "" if value in ("(null)", "N/A", "None") else value


def _time(value: str) -> str | None:
    return None if value in ("N/A", "Unknown", "None", "(null)", "") else value


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() else None


_NFIELDS = len(SQUEUE_FIELDS)


def parse_squeue_line(line: str) -> Row | None:
    """One row (in LISTING_COLUMNS order) from a line of ``squeue -h -O <squeue_format()>``;
    None for a line without every field (a truncated output, the final newline)."""
    parts = line.split(SEP, _NFIELDS - 1)
    if len(parts) != _NFIELDS:
        return None
    (
        job_array_id,
        user,
        account,
        partition,
        qos,
        raw_state,
        reason,
        nodelist,
        nodes,
        cpus,
        memory,
        gres,
        time_used,
        time_limit,
        submit_time,
        start_time,
        name,
    ) = parts
    array_job_id: str | None = None
    array_task_id: str | None = None
    if "_" in job_array_id:
        array_job_id, array_task_id = job_array_id.split("_", 1)
    state = _STATES.get(raw_state)
    if state is None:
        state = normalize_state(raw_state, reason)
    elif state is JobState.PENDING and reason.startswith("JobHeld"):
        state = JobState.HELD
    return [
        job_array_id,
        array_job_id,
        array_task_id,
        name,
        user,
        _text(account),
        _text(partition),
        _text(qos),
        state.value,
        raw_state,
        _text(reason),
        nodelist,
        _int(nodes),
        _int(cpus),
        "" if memory == "0" else _text(memory),
        _text(gres),
        parse_duration(time_used),
        parse_duration(time_limit),
        _time(submit_time),
        _time(start_time),
    ]


def parse_squeue(text: str) -> list[Row]:
    """Rows from a whole ``squeue -h -O <squeue_format()>`` output."""
    return SqueueReader().parse(text)


class SqueueReader:
    """Parses successive squeue outputs of one poller.

    Between two polls of a busy queue nearly every line is the same (pending jobs do not
    change), so the row of a line seen in the previous output is reused as is: the same
    object, which also lets the snapshot reuse that row's JSON. Rows are shared between
    listings and must not be mutated.
    """

    def __init__(self) -> None:
        self._previous: dict[str, Row] = {}

    def parse(self, text: str) -> list[Row]:
        previous = self._previous
        current: dict[str, Row] = {}
        rows: list[Row] = []
        for line in text.split("\n"):
            row = previous.get(line)
            if row is None:
                row = parse_squeue_line(line)
                if row is None:
                    continue
            current[line] = row
            rows.append(row)
        self._previous = current
        return rows


OWNER_FIELDS = ("JobID", "ArrayJobID", "UserName")


def owner_format() -> str:
    return ",".join(f"{f}:{SEP}" if f != "UserName" else f"{f}:" for f in OWNER_FIELDS)


def parse_owners(text: str) -> dict[str, str]:
    """Job number -> owner from ``squeue -h -O <owner_format()>``.

    Both the unique job id and the array's job id map to the owner, so ``6`` (the unique
    id of array task ``3_1``) and ``3`` both find it.
    """
    owners: dict[str, str] = {}
    for line in text.split("\n"):
        parts = line.split(SEP)
        if len(parts) != len(OWNER_FIELDS):
            continue
        job_id, array_job_id, user = parts
        owners[job_id] = user
        if array_job_id.isdigit():
            owners.setdefault(array_job_id, user)
    return owners


SINFO_FORMAT = SEP.join(("%P", "%a", "%l", "%D", "%C"))


def parse_sinfo(text: str) -> list[Partition]:
    """Partitions from ``sinfo -h -a -o <SINFO_FORMAT>``; lines of one partition are summed."""
    merged: dict[str, Partition] = {}
    for line in text.split("\n"):
        parts = line.split(SEP)
        if len(parts) != 5:
            continue
        raw_name, avail, limit, nodes, cpus = parts
        default = raw_name.endswith("*")
        name = raw_name.rstrip("*")
        # %C is allocated/idle/other/total
        counts = [int(c) if c.isdigit() else 0 for c in cpus.split("/")]
        idle, total = (counts[1], counts[3]) if len(counts) == 4 else (0, 0)
        n = int(nodes) if nodes.isdigit() else 0
        seen = merged.get(name)
        if seen is not None:
            n, idle, total = n + seen.nodes, idle + seen.cpus_idle, total + seen.cpus_total
            default = default or seen.default
        merged[name] = Partition(name, default, avail, parse_duration(limit), n, idle, total)
    return list(merged.values())


_VERSION = re.compile(r"(\d+\.\d+(?:\.\d+)?)")


def parse_version(text: str) -> str:
    """'slurm-wlm 22.05.8' or 'slurm 23.11.1' -> '22.05.8'."""
    m = _VERSION.search(text)
    return m.group(1) if m else text.strip()


def parse_cluster_name(scontrol_config: str) -> str | None:
    for line in scontrol_config.splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "ClusterName":
            return value.strip() or None
    return None


# ``scontrol show job`` (multi-line form). Values of these keys may contain spaces and
# always sit alone on their line, so the rest of the line is the value.
_WHOLE_LINE_KEYS = (
    "Command",
    "WorkDir",
    "Comment",
    "AdminComment",
    "SystemComment",
    "StdErr",
    "StdIn",
    "StdOut",
)


def _scontrol_record(lines: list[str]) -> dict[str, str]:
    """key -> value for one job record of ``scontrol show job``.

    The first line ends with ``JobName=``, whose value (which may hold spaces and ``=``)
    runs to the end of the line; other values have no spaces except the whole-line keys.
    """
    fields: dict[str, str] = {}
    head, sep, name = lines[0].partition(" JobName=")
    if sep:
        fields["JobName"] = name
    for token in head.split():
        key, _, value = token.partition("=")
        fields[key] = value
    for line in lines[1:]:
        text = line.strip(" ")
        key, _, value = text.partition("=")
        if key in _WHOLE_LINE_KEYS:
            fields[key] = value.rstrip(" ")
            continue
        for token in text.split():
            key, _, value = token.partition("=")
            fields[key] = value
    return fields


def _exit_code(value: str) -> tuple[int | None, int | None]:
    """'3:0' -> (3, 0): the exit code and the signal that ended the job."""
    code, _, signal = value.partition(":")
    return _int(code), _int(signal)


def _job_from_scontrol(fields: dict[str, str]) -> Job:
    array_job_id = fields.get("ArrayJobId")
    task = fields.get("ArrayTaskId")
    array_task_id: str | None = None
    if array_job_id and task is not None:
        array_task_id = task if task.isdigit() else f"[{task}]"
        job_id = f"{array_job_id}_{array_task_id}"
    else:
        array_job_id = None
        job_id = fields.get("JobId", "")
    raw_state = fields.get("JobState", "")
    reason = _text(fields.get("Reason", ""))
    stdout, stderr = fields.get("StdOut", ""), fields.get("StdErr", "")
    if array_task_id is not None and not array_task_id.isdigit():
        # Tasks not yet split have no file yet: Slurm fills %a with a placeholder number.
        stdout = stderr = ""
    memory = fields.get("MinMemoryNode", "")
    if memory in ("", "0") and fields.get("MinMemoryCPU"):
        memory = f"{fields['MinMemoryCPU']}/cpu"
    code, signal = _exit_code(fields.get("ExitCode", ""))
    return Job(
        id=job_id,
        name=fields.get("JobName", ""),
        user=fields.get("UserId", "").split("(", 1)[0],
        state=normalize_state(raw_state, reason),
        raw_state=raw_state,
        array_job_id=array_job_id,
        array_task_id=array_task_id,
        account=_text(fields.get("Account", "")),
        partition=_text(fields.get("Partition", "")),
        qos=_text(fields.get("QOS", "")),
        reason=reason,
        nodelist=_text(fields.get("NodeList", "")),
        nodes=_int(fields.get("NumNodes", "")),
        cpus=_int(fields.get("NumCPUs", "")),
        memory="" if memory == "0" else _text(memory),
        gres=_text(fields.get("TresPerNode", "")),
        time_used=parse_duration(fields.get("RunTime", "")),
        time_limit=parse_duration(fields.get("TimeLimit", "")),
        submit_time=_time(fields.get("SubmitTime", "")),
        start_time=_time(fields.get("StartTime", "")),
        end_time=_time(fields.get("EndTime", "")),
        work_dir=_text(fields.get("WorkDir", "")),
        stdout_path=_text(stdout),
        stderr_path=_text(stderr),
        exit_code=code,
        exit_signal=signal,
    )


def parse_scontrol_jobs(text: str) -> list[Job]:
    """Jobs from ``scontrol show job [ID]``: one per record (an array gives one per task).

    Records are separated by blank lines; the first line of each starts with ``JobId=``.
    """
    jobs: list[Job] = []
    record: list[str] = []
    for line in [*text.split("\n"), ""]:
        if line.strip():
            record.append(line)
        elif record:
            if record[0].startswith("JobId="):
                jobs.append(_job_from_scontrol(_scontrol_record(record)))
            record = []
    return jobs


def parse_sbatch_job_id(text: str) -> str:
    """The job id from ``sbatch --parsable`` (``123`` or ``123;cluster``)."""
    for line in text.splitlines():
        job_id = line.strip().split(";", 1)[0]
        if job_id.isdigit():
            return job_id
    raise ValueError(f"sbatch did not print a job id: {text.strip()[:200]!r}")


_GRANTED = re.compile(r"Granted job allocation (\d+)")


def parse_salloc_job_id(text: str) -> str | None:
    """The allocation's job id from salloc's messages ('Granted job allocation 123')."""
    m = _GRANTED.search(text)
    return m.group(1) if m else None


def accounting_disabled(message: str) -> bool:
    """Whether a Slurm message says there is no accounting database (no slurmdbd)."""
    return "accounting storage is disabled" in message.lower()


@dataclass
class ScancelOutcome:
    """What ``scancel --verbose`` said, job by job (without --verbose, scancel is silent
    about ids it does not know and about jobs that already ended)."""

    asked: list[str] = field(default_factory=list)  # "Terminating job N"
    unknown: list[str] = field(default_factory=list)  # Invalid job id specified
    ended: list[str] = field(default_factory=list)  # already completing or completed
    refused: list[tuple[str, str]] = field(default_factory=list)  # (id, Slurm's reason)
    # "No active jobs match ALL job filters, including: job_name=x": the filters, as said.
    unmatched_filters: str | None = None
    other_errors: list[str] = field(default_factory=list)


_SCANCEL_TERMINATING = re.compile(r"scancel: Terminating job (\S+)")
_SCANCEL_KILL_ERROR = re.compile(r"scancel: error: Kill job error on job id (\S+): (.+)")
_SCANCEL_NO_MATCH = re.compile(
    r"scancel: error: No active jobs match ALL job filters(?:, including: (.*))?"
)
_SCANCEL_ERROR = re.compile(r"scancel: error: (.+)")


def parse_scancel_verbose(stderr: str) -> ScancelOutcome:
    outcome = ScancelOutcome()
    for line in stderr.splitlines():
        line = line.rstrip()
        if m := _SCANCEL_TERMINATING.fullmatch(line):
            outcome.asked.append(m.group(1))
        elif m := _SCANCEL_KILL_ERROR.fullmatch(line):
            job_id, reason = m.groups()
            if "Invalid job id" in reason:
                outcome.unknown.append(job_id)
            elif "already completing or completed" in reason:
                outcome.ended.append(job_id)
            else:
                outcome.refused.append((job_id, reason))
        elif m := _SCANCEL_NO_MATCH.fullmatch(line):
            outcome.unmatched_filters = (m.group(1) or "").strip()
        elif m := _SCANCEL_ERROR.fullmatch(line):
            outcome.other_errors.append(m.group(1))
    return outcome
