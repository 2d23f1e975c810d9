"""sacct (Slurm accounting): the argv of a history query and the parser of its output.

sacct prints one line per allocation (the job, ``123`` or ``123_4``) and one per step
(``123.batch``, ``123.extern``, ``123.0``). The allocation line carries the state, the exit
code and the TotalCPU summed over the steps; MaxRSS is only known per step, so the parser
keeps the largest. Fields are separated by the ASCII unit separator (``--delimiter``),
which no job name or path holds in practice; the job name comes last and takes the rest of
the line, so even a name holding it parses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..base import HistoryQuery, HistoryRecord, Job, JobState, Usage
from .parse import SEP, normalize_state, parse_duration

# The fields asked for, in the order the parser reads them. JobName must stay last.
SACCT_FIELDS: tuple[str, ...] = (
    "JobID",
    "User",
    "Account",
    "Partition",
    "QOS",
    "State",
    "Reason",
    "ExitCode",
    "NodeList",
    "NNodes",
    "AllocCPUS",
    "ReqMem",
    "Timelimit",
    "Submit",
    "Start",
    "End",
    "ElapsedRaw",
    "TotalCPU",
    "MaxRSS",
    "WorkDir",
    "NTasks",
    "JobName",
)
_NFIELDS = len(SACCT_FIELDS)

# The sacct state names each normalized state stands for (sacct -s takes these).
SACCT_STATES: dict[JobState, tuple[str, ...]] = {
    JobState.PENDING: ("PENDING", "REQUEUED"),
    JobState.HELD: ("PENDING",),
    JobState.RUNNING: ("RUNNING",),
    JobState.SUSPENDED: ("SUSPENDED",),
    JobState.COMPLETING: ("RUNNING",),
    JobState.COMPLETED: ("COMPLETED",),
    JobState.FAILED: ("FAILED", "NODE_FAIL", "OUT_OF_MEMORY", "BOOT_FAIL"),
    JobState.CANCELLED: ("CANCELLED", "PREEMPTED", "REVOKED"),
    JobState.TIMEOUT: ("TIMEOUT", "DEADLINE"),
}


def history_argv(query: HistoryQuery) -> list[str]:
    """sacct for a history query: allocations and their steps, between start and end."""
    argv = [
        "sacct",
        "--noheader",
        "--parsable2",
        f"--delimiter={SEP}",
        f"--format={','.join(SACCT_FIELDS)}",
        f"--starttime={query.start}",
        f"--endtime={query.end or 'now'}",
    ]
    argv.append(f"--user={query.user}" if query.user else "--allusers")
    if query.states:
        names = sorted({name for s in query.states for name in SACCT_STATES.get(s, ())})
        if names:
            argv.append(f"--state={','.join(names)}")
    return argv


def accounting_unavailable(returncode: int, stderr: str) -> str | None:
    """A sentence when sacct failed because the site keeps no accounting or slurmdbd is not
    answering; None for any other outcome."""
    if returncode == 0:
        return None
    if "accounting storage is disabled" in stderr:
        return (
            "Job history needs Slurm accounting (slurmdbd), which this cluster does not "
            "keep: only jobs still in the queue are known."
        )
    if "Problem talking to the database" in stderr or "persistent connection" in stderr:
        return (
            "Job history is unavailable right now: Slurm's accounting daemon (slurmdbd) "
            "is not answering. Try again in a few minutes."
        )
    return None


_CPU_TIME = re.compile(r"(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+)(?:\.(\d+))?")


def parse_cpu_time(text: str) -> float | None:
    """sacct's TotalCPU ([days-][hours:]minutes:seconds[.fraction]) as seconds."""
    m = _CPU_TIME.fullmatch(text.strip())
    if m is None:
        return None
    days, hours, minutes, seconds, fraction = m.groups()
    whole = ((int(days or 0) * 24 + int(hours or 0)) * 60 + int(minutes)) * 60 + int(seconds)
    return whole + (float(f"0.{fraction}") if fraction else 0.0)


_SIZE = re.compile(r"(\d+(?:\.\d+)?)([KMGTP]?)")
_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40, "P": 1 << 50}


def size_bytes(text: str) -> float | None:
    """'1234K' -> 1263616.0; None for an empty or unknown size."""
    m = _SIZE.fullmatch(text.strip())
    return float(m.group(1)) * _UNITS[m.group(2)] if m else None


_REQ_MEM = re.compile(r"(\d+(?:\.\d+)?)([KMGTP]?)([nc]?)")


def requested_memory(text: str) -> tuple[int | None, str]:
    """sacct's ReqMem as bytes and what it is per: ``1000M`` -> (1048576000, 'job') (Slurm
    21.08 and later print the whole job's), ``4000Mn`` per node and ``2000Mc`` per CPU
    (older releases); (None, '') for none. A bare number is megabytes, as in Slurm."""
    m = _REQ_MEM.fullmatch(text.strip())
    if m is None or float(m.group(1)) == 0:
        return None, ""
    number, unit, per = m.groups()
    size = float(number) * _UNITS[unit or "M"]
    return round(size), {"n": "node", "c": "cpu"}.get(per, "job")


def parse_exit_code(text: str) -> tuple[int | None, int | None]:
    """'2:0' -> (2, 0): the exit code and the signal that ended the job."""
    code, _, signal = text.partition(":")
    return (int(code) if code.isdigit() else None, int(signal) if signal.isdigit() else None)


def _text(value: str) -> str:
    return "" if value in ("(null)", "None", "None assigned", "Unknown") else value


def _time(value: str) -> str | None:
    return None if value in ("", "None", "Unknown", "N/A") else value


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() else None


@dataclass
class _Allocation:
    fields: dict[str, str]
    max_rss: float | None = None
    max_rss_text: str = ""
    rss_tasks_per_node: int = 1
    step_cpu: list[float] = field(default_factory=list)


def _record(alloc: _Allocation) -> HistoryRecord:
    f = alloc.fields
    job_id = f["JobID"]
    array_job_id: str | None = None
    array_task_id: str | None = None
    if "_" in job_id:
        array_job_id, array_task_id = job_id.split("_", 1)
    raw_state = f["State"]
    reason = _text(f["Reason"])
    state = normalize_state(raw_state, reason)
    code, signal = parse_exit_code(f["ExitCode"])
    elapsed = _int(f["ElapsedRaw"])
    total_cpu = parse_cpu_time(f["TotalCPU"])
    cpus = _int(f["AllocCPUS"])
    efficiency: float | None = None
    # Only a finished job's usage is complete: sacct adds a step's CPU time when it ends.
    if state in _FINISHED and total_cpu is not None and elapsed and cpus:
        efficiency = round(min(total_cpu / (elapsed * cpus), 1.0), 4)
    job = Job(
        id=job_id,
        name=f["JobName"],
        user=f["User"],
        state=state,
        raw_state=raw_state,
        array_job_id=array_job_id,
        array_task_id=array_task_id,
        account=_text(f["Account"]),
        partition=_text(f["Partition"]),
        qos=_text(f["QOS"]),
        reason=reason,
        nodelist=_text(f["NodeList"]),
        nodes=_int(f["NNodes"]),
        cpus=cpus,
        memory=_text(f["ReqMem"]),
        time_used=elapsed,
        time_limit=parse_duration(f["Timelimit"]),
        submit_time=_time(f["Submit"]),
        start_time=_time(f["Start"]),
        end_time=_time(f["End"]),
        work_dir=_text(f["WorkDir"]),
        exit_code=code,
        exit_signal=signal,
    )
    memory, per = requested_memory(f["ReqMem"])
    usage = Usage(
        ended=state in _FINISHED,
        elapsed=elapsed,
        time_limit=job.time_limit,
        cpus=cpus,
        nodes=job.nodes,
        total_cpu=total_cpu,
        memory_requested=memory,
        memory_per=per,
        max_rss=round(alloc.max_rss) if alloc.max_rss is not None else None,
        rss_tasks_per_node=alloc.rss_tasks_per_node,
    )
    return HistoryRecord(
        job=job,
        elapsed=elapsed,
        total_cpu=round(total_cpu) if total_cpu is not None else None,
        cpu_efficiency=efficiency,
        max_rss=alloc.max_rss_text,
        usage=usage,
    )


_FINISHED = frozenset({JobState.COMPLETED, JobState.FAILED, JobState.CANCELLED, JobState.TIMEOUT})


def _tasks_per_node(step: dict[str, str]) -> int:
    """How many tasks a step ran on each node (its NTasks over its NNodes, rounded up)."""
    tasks, nodes = _int(step["NTasks"]), _int(step["NNodes"])
    if not tasks:
        return 1
    return max(1, -(-tasks // (nodes or 1)))


def parse_sacct(text: str) -> list[HistoryRecord]:
    """History records from ``sacct`` run with history_argv(): one per allocation, in
    sacct's order, each with its steps' largest MaxRSS."""
    allocations: dict[str, _Allocation] = {}
    for line in text.split("\n"):
        parts = line.split(SEP, _NFIELDS - 1)
        if len(parts) != _NFIELDS:
            continue
        fields = dict(zip(SACCT_FIELDS, parts, strict=True))
        job_id, dot, _step = fields["JobID"].partition(".")
        if not dot:
            allocations[job_id] = _Allocation(fields)
            continue
        alloc = allocations.get(job_id)
        if alloc is None:
            continue  # a step whose allocation fell outside the query
        rss = size_bytes(fields["MaxRSS"])
        if rss is not None and (alloc.max_rss is None or rss > alloc.max_rss):
            alloc.max_rss, alloc.max_rss_text = rss, fields["MaxRSS"]
            alloc.rss_tasks_per_node = _tasks_per_node(fields)
    return [_record(a) for a in allocations.values()]


def select(
    records: Iterable[HistoryRecord], states: tuple[JobState, ...], limit: int
) -> list[HistoryRecord]:
    """The records in ``states`` (all when empty), newest first, at most ``limit``.

    sacct's --state selects jobs that were in a state at some time of the window; this
    keeps those whose final (normalized) state is one asked for.
    """
    wanted = set(states)
    kept = [r for r in records if not wanted or r.job.state in wanted]
    kept.sort(key=lambda r: (r.job.submit_time or "", _id_key(r.job.id)), reverse=True)
    return kept[:limit]


def _id_key(job_id: str) -> tuple[int, int]:
    number, _, task = job_id.partition("_")
    return (int(number) if number.isdigit() else 0, int(task) if task.isdigit() else -1)
