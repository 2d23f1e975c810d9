"""Pure: what the status bar item shows, read from the session job's record (a
``JobDetail`` from one ``scontrol show job ID`` or ``qstat -f ID``) and from ``sstat``.

Sizes are bytes, times are epoch seconds. Slurm's record holds the end time itself
(``EndTime``, which an admin's ``scontrol update`` moves); PBS's holds the start
(``stime``) and the walltime asked for, whose sum is the end.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from ..schedulers.base import JobDetail, JobState

_SIZE = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*([KMGTP]?)(i?B?|W)?", re.IGNORECASE)
_UNIT = {"": 0, "K": 1, "M": 2, "G": 3, "T": 4, "P": 5}


def parse_size(text: str, default_unit: str = "") -> int | None:
    """Bytes of ``1G``, ``12052M``, ``312340K`` (Slurm, 1024-based), ``1gb``, ``524288kb``
    (PBS, 1024-based too), ``2048`` in ``default_unit``; None when it is not a size."""
    m = _SIZE.fullmatch(text.strip())
    if m is None or (m.group(3) or "").upper() == "W":
        return None
    unit = m.group(2).upper() or default_unit
    return int(float(m.group(1)) * 1024 ** _UNIT[unit])


def tres(text: str) -> dict[str, str]:
    """``cpu=4,mem=8G,node=1,billing=4,gres/gpu=2`` as a dict."""
    out: dict[str, str] = {}
    for part in text.split(","):
        key, eq, value = part.partition("=")
        if eq:
            out[key.strip()] = value.strip()
    return out


def _count(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def local_epoch(iso: str | None) -> float | None:
    """An ISO 8601 local time (how the parsers give times) as epoch seconds."""
    if not iso:
        return None
    try:
        return datetime.datetime.fromisoformat(iso).timestamp()
    except ValueError:
        return None


@dataclass(frozen=True)
class JobFigures:
    """The session job's figures from its record."""

    state: str
    raw_state: str
    name: str
    partition: str
    nodes: str
    start: float | None
    end: float | None
    time_limit: int | None
    cpus: int | None
    gpus: int | None
    memory_limit: int | None
    # PBS's resources_used.mem, from the same record (None on Slurm).
    memory_used: int | None


def slurm_figures(detail: JobDetail) -> JobFigures:
    """From ``scontrol show job ID``: EndTime, TRES (cpu, mem, gres/gpu) over NumNodes.

    The memory limit is the node's share: TRES ``mem`` is the job's total over its nodes
    (``--mem`` per node times nodes, or ``--mem-per-cpu`` times CPUs). Where memory is not
    a consumable resource (``SelectTypeParameters=CR_Core``, as on the local cluster) the
    allocation has no ``mem``: then the request is the limit, ``MinMemoryNode`` or
    ``MinMemoryCPU`` times the CPUs."""
    job = detail.job
    fields = dict(detail.fields)
    allocated = tres(fields.get("TRES", ""))
    nodes = job.nodes or 1
    memory = parse_size(allocated.get("mem", ""), "M")
    if memory is None:
        per_node = parse_size(fields.get("MinMemoryNode", ""), "M")
        per_cpu = parse_size(fields.get("MinMemoryCPU", ""), "M")
        cpus = _count(allocated.get("cpu", "")) or job.cpus
        if per_node:
            memory = per_node * nodes
        elif per_cpu and cpus:
            memory = per_cpu * cpus
    gpus = _count(allocated.get("gres/gpu", ""))
    return JobFigures(
        state=job.state.value,
        raw_state=job.raw_state,
        name=job.name,
        partition=job.partition,
        nodes=job.nodelist,
        start=local_epoch(job.start_time),
        end=local_epoch(job.end_time) if job.state is JobState.RUNNING else None,
        time_limit=job.time_limit,
        cpus=_count(allocated.get("cpu", "")) or job.cpus,
        gpus=gpus if gpus is not None else 0,
        memory_limit=memory // nodes if memory is not None else None,
        memory_used=None,
    )


def pbs_figures(detail: JobDetail) -> JobFigures:
    """From ``qstat -f ID``: stime + Resource_List.walltime, ncpus, ngpus, mem, and
    resources_used.mem (what the MoM measured last)."""
    job = detail.job
    start = local_epoch(job.start_time) if job.state is JobState.RUNNING else None
    end = start + job.time_limit if start is not None and job.time_limit else None
    requested = parse_size(detail.requested.get("memory", ""))
    nodes = job.nodes or 1
    gpus = _count(detail.requested.get("gpus", ""))
    return JobFigures(
        state=job.state.value,
        raw_state=job.raw_state,
        name=job.name,
        partition=job.partition,
        nodes=job.nodelist,
        start=start,
        end=end,
        time_limit=job.time_limit,
        cpus=job.cpus,
        gpus=gpus if gpus is not None else 0,
        memory_limit=requested // nodes if requested is not None else None,
        memory_used=parse_size(detail.used.get("memory", "")),
    )


SSTAT_FIELDS = "JobID,TRESUsageInTot"


def sstat_memory(text: str) -> int | None:
    """The memory the job's steps hold now, summed, from ``sstat -n -P -a
    --format=JobID,TRESUsageInTot``: ``mem=`` of TRESUsageInTot is each step's tasks'
    resident memory at jobacct_gather's last sample (MaxRSS is the peak). None when no
    step has a sample."""
    total: int | None = None
    for line in text.splitlines():
        parts = line.split("|")
        if len(parts) != 2:
            continue
        size = parse_size(tres(parts[1]).get("mem", ""))
        if size is not None:
            total = (total or 0) + size
    return total
