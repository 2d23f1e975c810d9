"""Pure parsers for one job's detail on Slurm: ``scontrol show job -dd``, the batch script
(``scontrol write batch_script ID -``) and what ``sbatch --test-only`` says.

Outputs recorded from Slurm 22.05.8 are in tests/fixtures/slurm/.
"""

from __future__ import annotations

import re

from ..base import Job, JobDetail, Usage
from .parse import _WHOLE_LINE_KEYS, SEP, _job_from_scontrol, _scontrol_record
from .sacct import SACCT_FIELDS, parse_sacct

Fields = list[tuple[str, str]]


def _record_fields(lines: list[str]) -> Fields:
    """Every ``key=value`` of one record, in the order scontrol printed them.

    Keys may repeat (``-dd`` prints one ``Nodes=... CPU_IDs=...`` line per node). The job
    name and the whole-line keys (paths, comments) keep their spaces.
    """
    out: Fields = []
    head, sep, name = lines[0].partition(" JobName=")
    for token in head.split():
        key, _, value = token.partition("=")
        out.append((key, value))
    if sep:
        out.append(("JobName", name))
    for line in lines[1:]:
        text = line.strip(" ")
        key, _, value = text.partition("=")
        if key in _WHOLE_LINE_KEYS:
            out.append((key, value.rstrip(" ")))
            continue
        for token in text.split():
            key, eq, value = token.partition("=")
            if eq:
                out.append((key, value))
            elif out:
                # A value with a space scontrol did not put on its own line (e.g. a
                # reservation's or a feature's text): it belongs to the previous key.
                last_key, last_value = out[-1]
                out[-1] = (last_key, f"{last_value} {token}")
    return out


def split_records(text: str) -> list[list[str]]:
    """The job records of a ``scontrol show job`` output (blank-line separated)."""
    records: list[list[str]] = []
    record: list[str] = []
    for line in [*text.split("\n"), ""]:
        if line.strip():
            record.append(line)
        elif record:
            if record[0].startswith("JobId="):
                records.append(record)
            record = []
    return records


def _value(fields: Fields, key: str) -> str:
    for k, v in fields:
        if k == key:
            return v
    return ""


def _shown(value: str) -> bool:
    return value not in ("", "(null)", "N/A", "None", "Unknown", "0")


def requested_resources(fields: Fields) -> dict[str, str]:
    """What the job asked for, in words the details view shows as they are."""
    memory = _value(fields, "MinMemoryNode")
    if not _shown(memory) and _shown(_value(fields, "MinMemoryCPU")):
        memory = f"{_value(fields, 'MinMemoryCPU')} per CPU"
    pairs = (
        ("nodes", _value(fields, "NumNodes")),
        ("tasks", _value(fields, "NumTasks")),
        ("cpus_per_task", _value(fields, "CPUs/Task")),
        ("cpus", _value(fields, "NumCPUs")),
        ("memory", memory),
        ("time", _value(fields, "TimeLimit")),
        ("gres", _value(fields, "TresPerNode")),
        ("partition", _value(fields, "Partition")),
        ("qos", _value(fields, "QOS")),
        ("account", _value(fields, "Account")),
    )
    return {k: v for k, v in pairs if _shown(v)}


def used_resources(fields: Fields) -> dict[str, str]:
    """What the job was given and has used so far (empty before it starts).

    Without job accounting, Slurm knows the allocation (TRES) and the run time; memory and
    CPU actually consumed need sacct/sstat (see the history view).
    """
    if not _shown(_value(fields, "NodeList")) and not _shown(_value(fields, "BatchHost")):
        return {}
    pairs = (
        ("time", _value(fields, "RunTime")),
        ("allocated", _value(fields, "TRES")),
        ("nodes", _value(fields, "NodeList")),
        ("cpus", _value(fields, "NumCPUs")),
        ("exit_code", _value(fields, "ExitCode")),
    )
    return {k: v for k, v in pairs if v and v != "(null)"}


SSTAT_FORMAT = "JobID,MaxRSS,AveCPU"


def _kib(size: str) -> float:
    units = {"K": 1.0, "M": 1024.0, "G": 1024.0**2, "T": 1024.0**3}
    try:
        return float(size[:-1]) * units[size[-1]] if size[-1:] in units else float(size) / 1024
    except ValueError:
        return 0.0


def parse_sstat(text: str) -> dict[str, str]:
    """Memory and CPU a running job's steps use, from ``sstat -n -P -a --format=SSTAT_FORMAT``.

    ``max_rss`` is the largest step's peak resident memory (the batch step for a plain
    job), ``cpu_time`` that step's average CPU time per task.
    """
    best: tuple[float, str, str] | None = None
    for line in text.splitlines():
        parts = line.split("|")
        if len(parts) != 3 or not parts[1]:
            continue
        _, rss, cpu = parts
        if best is None or _kib(rss) > best[0]:
            best = (_kib(rss), rss, cpu)
    if best is None:
        return {}
    return {"max_rss": best[1], "cpu_time": best[2]}


def parse_job_detail(text: str, job_id: str) -> JobDetail | None:
    """The detail of ``job_id`` from ``scontrol show job -dd <job_id>``; None when empty.

    For an array, the record whose own id or task id is ``job_id`` is the job and every
    other record is in ``tasks``; when no record matches (``123`` for an array whose task
    kept another id) the first record is the job.
    """
    records = split_records(text)
    if not records:
        return None
    parsed = [(_record_fields(r), _job_from_scontrol(_scontrol_record(r))) for r in records]
    chosen = 0
    for i, (fields, job) in enumerate(parsed):
        if job.id == job_id or _value(fields, "JobId") == job_id:
            chosen = i
            break
    fields, job = parsed[chosen]
    tasks: list[Job] = [j for i, (_, j) in enumerate(parsed) if i != chosen]
    return JobDetail(
        job=job,
        fields=fields,
        tasks=tasks,
        requested=requested_resources(fields),
        used=used_resources(fields),
    )


def batch_script(stdout: str, stderr: str) -> str | None:
    """The script from ``scontrol write batch_script ID -``; None when Slurm has none.

    On 22.05 a job Slurm does not know (or an interactive one) answers exit code 0 with
    ``job script retrieval failed: ...`` on stderr and nothing on stdout.
    """
    if "retrieval failed" in stderr or not stdout:
        return None
    return stdout


# sbatch: Job 162464 to start at 2026-11-22T02:58:34 using 1 processors on nodes vm
# in partition debug (one line)
_TEST_ONLY = re.compile(
    r"Job \d+ to start at (?P<start>\S+) using \d+ processors on nodes (?P<nodes>\S+)"
)


def parse_test_only(text: str) -> tuple[str | None, str | None, str]:
    """(estimated start, nodes, the message) from what ``sbatch --test-only`` printed.

    The message is sbatch's line without its ``sbatch: `` prefix. The job number in it is
    not a job: a check creates none.
    """
    lines = [ln.strip().removeprefix("sbatch: ") for ln in text.splitlines() if ln.strip()]
    for line in lines:
        m = _TEST_ONLY.search(line)
        if m:
            return m.group("start"), m.group("nodes"), line
    return None, None, " ".join(lines)


def rejection_message(text: str) -> str:
    """sbatch's refusal in its own words, without the ``sbatch: error:`` prefixes."""
    lines = []
    for raw in text.splitlines():
        line = raw.strip().removeprefix("sbatch: ").removeprefix("error: ").strip()
        if line and line not in lines:
            lines.append(line)
    return "\n".join(lines) or text.strip()


def usage_from_sacct(text: str, job_id: str) -> Usage | None:
    """The job's usage from ``sacct`` run with history_argv() and ``--jobs``; None when
    accounting does not know the job."""
    records = parse_sacct(text)
    chosen = next((r for r in records if r.job.id == job_id), None)
    return chosen.usage if chosen else None


def detail_from_sacct(text: str, job_id: str) -> JobDetail | None:
    """A forgotten job's detail from accounting (``sacct`` run with history_argv() and
    ``--jobs``); None when accounting does not know it either.

    ``fields`` are sacct's columns of the job's allocation line; an array's other tasks
    are ``tasks``. No batch script and no output paths: accounting keeps neither here.
    """
    records = parse_sacct(text)
    if not records:
        return None
    chosen = next((r for r in records if r.job.id == job_id), records[0])
    fields: Fields = []
    for line in text.split("\n"):
        parts = line.split(SEP, len(SACCT_FIELDS) - 1)
        if len(parts) == len(SACCT_FIELDS) and parts[0] == chosen.job.id:
            fields = list(zip(SACCT_FIELDS, parts, strict=True))
            break
    raw = dict(fields)
    requested = {
        k: v
        for k, v in (
            ("nodes", raw.get("NNodes", "")),
            ("cpus", raw.get("AllocCPUS", "")),
            ("memory", raw.get("ReqMem", "")),
            ("time", raw.get("Timelimit", "")),
            ("partition", raw.get("Partition", "")),
            ("qos", raw.get("QOS", "")),
            ("account", raw.get("Account", "")),
        )
        if _shown(v)
    }
    used = {
        k: v
        for k, v in (
            ("time", raw.get("ElapsedRaw", "") and f"{raw['ElapsedRaw']} s"),
            ("total_cpu", raw.get("TotalCPU", "")),
            ("max_rss", chosen.max_rss),
            (
                "cpu_efficiency",
                f"{chosen.cpu_efficiency:.0%}" if chosen.cpu_efficiency is not None else "",
            ),
            ("nodes", raw.get("NodeList", "")),
            ("exit_code", raw.get("ExitCode", "")),
        )
        if v and v not in ("None assigned", "(null)")
    }
    return JobDetail(
        job=chosen.job,
        fields=fields,
        tasks=[r.job for r in records if r is not chosen],
        requested=requested,
        used=used,
        usage=chosen.usage,
    )
