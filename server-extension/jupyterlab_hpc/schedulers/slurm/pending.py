"""One pending Slurm job's facts from ``scontrol show job ID`` and the QOS limits from
``sacctmgr show qos`` (issue 19). Pure: the backends run the argv.

``scontrol`` is the per-job query the watchers already use (one REQUEST_JOB_INFO_SINGLE);
its ``StartTime`` of a pending job is the start the backfill scheduler expects (Unknown
until it has looked at the job). ``sacctmgr`` asks slurmdbd, not slurmctld.
"""

from __future__ import annotations

import re

from ..base import JobDetail
from ..pending import PendingFacts, QosLimits

QOS_FIELDS = ("Name", "MaxJobsPU", "MaxSubmitPU", "GrpTRESMins", "MaxTRESPU")


def qos_argv() -> list[str]:
    return [
        "sacctmgr",
        "--noheader",
        "--parsable2",
        "show",
        "qos",
        f"format={','.join(QOS_FIELDS)}",
    ]


def _count(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def parse_qos(text: str) -> dict[str, QosLimits]:
    """Each QOS's limits from ``sacctmgr -n -P show qos format=<QOS_FIELDS>``."""
    out: dict[str, QosLimits] = {}
    for line in text.splitlines():
        parts = line.split("|")
        if len(parts) != len(QOS_FIELDS) or not parts[0]:
            continue
        name, max_jobs, max_submit, grp_mins, max_tres = parts
        out[name] = QosLimits(name, _count(max_jobs), _count(max_submit), grp_mins, max_tres)
    return out


def tres(text: str) -> dict[str, str]:
    """``cpu=8,mem=12G,gres/gpu=4`` -> {'cpu': '8', 'mem': '12G', 'gres/gpu': '4'}."""
    out: dict[str, str] = {}
    for part in text.split(","):
        key, eq, value = part.partition("=")
        if eq and key:
            out[key.strip()] = value.strip()
    return out


_SIZE = re.compile(r"(?P<n>\d+(?:\.\d+)?)(?P<unit>[KMGTP]?)")
_MIB = {"K": 1 / 1024, "": 1, "M": 1, "G": 1024, "T": 1024**2, "P": 1024**3}


def mebibytes(value: str) -> int | None:
    """Slurm's ``12052M``/``4G`` (MiB without a unit) in MiB; None when not a size."""
    m = _SIZE.fullmatch(value.strip())
    return round(float(m["n"]) * _MIB[m["unit"]]) if m else None


# gres:gpu:4, gres/gpu:a100=2, gpu:2 (TresPerNode / TresPerJob forms)
_GPU = re.compile(r"(?:gres[:/])?gpu(?::[^:,=]+)?[:=](?P<n>\d+)")


def gpu_count(text: str) -> int:
    """GPUs in a TRES or GRES list (any type), 0 when none."""
    return sum(int(m["n"]) for part in text.split(",") if (m := _GPU.fullmatch(part.strip())))


def _value(detail: JobDetail, key: str) -> str:
    return next((v for k, v in detail.fields if k == key), "")


def _shown(value: str) -> str:
    return "" if value in ("(null)", "N/A", "Unknown", "None") else value


def pending_facts(detail: JobDetail) -> PendingFacts:
    """The facts of a pending job's record; the requested amounts come from ``TRES=``
    (for a pending job the request) and ``TresPerNode``/``TresPerJob`` for GPUs."""
    job = detail.job
    asked = tres(_value(detail, "TRES"))
    gpus = int(asked["gres/gpu"]) if asked.get("gres/gpu", "").isdigit() else 0
    if not gpus:
        nodes = job.nodes or 1
        gpus = gpu_count(_value(detail, "TresPerJob")) or nodes * gpu_count(
            _value(detail, "TresPerNode")
        )
    cpus = _count(asked.get("cpu", "")) or job.cpus
    priority = _value(detail, "Priority")
    return PendingFacts(
        job_id=job.id,
        reason=job.reason or _value(detail, "Reason"),
        start_time=job.start_time,
        partition=job.partition,
        qos=job.qos,
        account=job.account,
        cpus=cpus,
        nodes=_count(asked.get("node", "")) or job.nodes,
        gpus=gpus,
        memory_mb=mebibytes(asked["mem"]) if "mem" in asked else None,
        dependency=_shown(_value(detail, "Dependency")),
        priority=int(priority) if priority.isdigit() else None,
    )


_DEPENDENCY = re.compile(r"(?P<kind>[a-z_]+):(?P<ids>[^(]+)\((?P<status>[a-z]+)\)")


def waits_for(dependency: str) -> list[tuple[str, str]]:
    """The unfulfilled parts of ``afterok:12(unfulfilled),afterany:13(failed)``: (kind,
    job id) pairs, ids split on ``:`` and with ``+time`` removed."""
    out: list[tuple[str, str]] = []
    for part in re.split(r"[,?]", dependency):
        m = _DEPENDENCY.fullmatch(part.strip())
        if m is None or m["status"] != "unfulfilled":
            continue
        for job_id in m["ids"].split(":"):
            if job_id:
                out.append((m["kind"], job_id.split("+", 1)[0]))
    return out


SPRIO_FORMAT = "%i|%r|%Y|%u"


def sprio_argv() -> list[str]:
    """Every pending job's priority and partition (one REQUEST_PRIORITY_FACTORS); fails
    with "not running a supported priority plugin" on priority/basic."""
    return ["sprio", "--noheader", f"--format={SPRIO_FORMAT}"]


def parse_sprio(text: str) -> list[tuple[str, str, int]]:
    """(job id, partition, priority) of each line of ``sprio`` with ``SPRIO_FORMAT``."""
    out: list[tuple[str, str, int]] = []
    for line in text.splitlines():
        parts = [p.strip() for p in line.split("|")]
        if len(parts) == 4 and parts[0] and parts[2].isdigit():
            out.append((parts[0], parts[1], int(parts[2])))
    return out
