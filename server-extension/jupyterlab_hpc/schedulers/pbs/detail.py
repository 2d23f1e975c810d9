"""One PBS job's details and the history, from ``qstat -f`` attributes (JSON or text form).

Pure functions: the backend runs qstat and hands the parsed attributes here.

- Paths: ``Output_Path`` is ``host:/path``; the host is dropped. When ``-o``/``-e`` named
  a folder, the path is that folder (qsub adds the ``/`` when the folder exists), and PBS
  copies the job's spool files into it under their own names: ``<job id>.OU`` and
  ``<job id>.ER`` (``out/4066.pbs01.OU``, ``out/4067[1].pbs01.ER``; the release
  recordings 53-55). ``Join_Path`` ``oe`` sends errors to the output file (``eo`` the
  other way round).
  An array's paths hold ``^array_index^``, which PBS replaces (its first occurrence) by
  the subjob's index when the subjob starts; a subjob that has not started still shows
  it, so the index is put in here the same way, and the array itself has no path.
- Arrays: an ended array's state sums up its subjobs' (the worst ending wins, as the
  magics and the end-of-job notifications sum up an array), not its ``Exit_status``,
  which is only the category (0, 1, 2) of the subjob that ended last.
- Exit status: ``exit_code`` is PBS's ``Exit_status`` as it is (negative: PBS's own
  codes; above 256: killed by signal status - 256, which is then ``exit_signal``).
"""

from __future__ import annotations

import datetime
import os
import re
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from ..base import (
    FINAL_STATES,
    HistoryQuery,
    HistoryRecord,
    Job,
    JobDetail,
    JobState,
    Usage,
)
from .cluster import memory_bytes
from .parse import (
    Ending,
    array_parent_id,
    is_array_parent,
    job_row,
    owner_name,
    parse_duration,
    parse_time,
    subjob_part,
    to_int,
    unstarted_subjob,
)

# A job killed by a signal ends with 256 + the signal number.
SIGNAL_BASE = 256
# In an array's Output_Path and Error_Path: where a subjob's index goes.
ARRAY_INDEX_TAG = "^array_index^"
# An array's ending: the worst of its subjobs' (magics/job.py and the notifications agree).
_ENDINGS = (JobState.FAILED, JobState.TIMEOUT, JobState.CANCELLED, JobState.COMPLETED)

# Resource_List / resources_used names in the words of JobDetail.requested and .used.
_RESOURCE_NAMES = {
    "ncpus": "cpus",
    "mem": "memory",
    "walltime": "time",
    "nodect": "nodes",
    "ngpus": "gpus",
    "cput": "cpu_time",
    "nodes": "node_spec",  # Torque's (and old PBS's) nodes=2:ppn=4
}


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return ",".join(f"{k}={_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    return str(value)


def flat_fields(attrs: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Every attribute, in qstat's order; nested groups as ``Resource_List.ncpus``
    (``Variable_List`` stays one ``NAME=value,...`` field, as ``qstat -f`` prints it)."""
    out: list[tuple[str, str]] = []
    for key, value in attrs.items():
        if isinstance(value, dict) and key != "Variable_List":
            out.extend((f"{key}.{sub}", _text(v)) for sub, v in value.items())
        else:
            out.append((key, _text(value)))
    return out


def resources(group: Mapping[str, Any]) -> dict[str, str]:
    """``{"ncpus": 1, "mem": "4gb", "walltime": "00:15:00", "select": ...}`` ->
    ``{"cpus": "1", "memory": "4gb", "time": "00:15:00", "select": ...}``."""
    return {_RESOURCE_NAMES.get(k, k): _text(v) for k, v in group.items()}


def _nested(attrs: Mapping[str, Any], group: str) -> Mapping[str, Any]:
    value = attrs.get(group)
    return value if isinstance(value, dict) else {}


def job_variables(value: Any) -> Mapping[str, Any]:
    """``Variable_List``: an object in JSON, ``NAME=value,...`` in ``-f`` text (where a
    comma inside a value is written ``\\,``)."""
    if isinstance(value, dict):
        return value
    if not isinstance(value, str):
        return {}
    out: dict[str, str] = {}
    for item in re.split(r"(?<!\\),", value):
        name, sep, text = item.partition("=")
        if sep:
            out[name.strip()] = text.replace("\\,", ",")
    return out


def strip_host(path: str) -> str:
    """``pbs01:/home/alice/x.out`` -> ``/home/alice/x.out`` (a path without a host stays)."""
    host, sep, rest = path.partition(":")
    return rest if sep and "/" not in host else path


# The names of a job's spool files, which PBS copies into a folder named by -o / -e.
_SPOOL_SUFFIX = {"stdout": ".OU", "stderr": ".ER"}


def output_path(
    job_id: str,
    attrs: Mapping[str, Any],
    stream: str,
    is_folder: Callable[[str], bool] = os.path.isdir,
) -> str:
    """Where PBS writes the job's ``stdout`` or ``stderr`` (``""`` when unknown).

    ``is_folder``: a path without the trailing ``/`` is a folder too when it is one here
    (qsub adds the ``/`` only for a folder that existed when the job was submitted; the
    copy at the job's end puts the file into a folder either way).
    """
    join = str(attrs.get("Join_Path", "n"))
    if stream == "stderr" and join == "oe":
        stream = "stdout"
    elif stream == "stdout" and join == "eo":
        stream = "stderr"
    raw = attrs.get("Output_Path" if stream == "stdout" else "Error_Path")
    if not raw:
        return ""
    path = strip_host(str(raw))
    if ARRAY_INDEX_TAG in path:
        index = subjob_part(job_id)
        if index is None or not index.isdigit():
            return ""  # the array itself, or a range: each subjob writes its own file
        path = path.replace(ARRAY_INDEX_TAG, index, 1)  # as PBS's subst_array_index
    if path.endswith("/") or is_folder(path):
        return os.path.join(path, job_id + _SPOOL_SUFFIX[stream])
    return path


def to_job(job_id: str, attrs: Mapping[str, Any], ending: Ending | None = None) -> Job:
    """The normalized job with what only the full record knows: end time, folders,
    output paths and exit status. ``ending``: how a finished job reads, where the batch
    system's exit statuses mean other things than OpenPBS's (Torque)."""
    parent = attrs.get("array_id")
    if parent is None and "[" in job_id and "[]" not in job_id:
        parent = array_parent_id(job_id)
    index = to_int(attrs.get("array_index"))
    task = str(index) if index is not None else subjob_part(job_id)
    job = Job.from_row(
        job_row(job_id, attrs, str(parent) if parent is not None else None, task, ending)
    )
    letter = str(attrs.get("job_state", ""))
    # A subjob that never started has the array's times, end and exit status: not its own.
    unstarted = unstarted_subjob(job_id, attrs)
    if letter in ("F", "X", "C") and not unstarted:  # C: Torque's completed job
        job.end_time = parse_time(attrs.get("obittime") or attrs.get("mtime"))
    variables = job_variables(attrs.get("Variable_List"))
    job.work_dir = str(variables.get("PBS_O_WORKDIR", ""))
    job.stdout_path = output_path(job_id, attrs, "stdout")
    job.stderr_path = output_path(job_id, attrs, "stderr")
    status = None if unstarted else to_int(attrs.get("Exit_status"))
    if status is not None:
        job.exit_code = status
        if status > SIGNAL_BASE:
            job.exit_signal = status - SIGNAL_BASE
    return job


def job_detail(
    job_id: str, jobs: Mapping[str, Mapping[str, Any]], ending: Ending | None = None
) -> JobDetail | None:
    """The detail of ``job_id`` from qstat's answer (the job, and for an array its
    subjobs from ``-t``); None when the answer does not hold the job."""
    attrs = jobs.get(job_id)
    if attrs is None:
        # qstat qualifies short ids (12 -> 12.pbs01) and a server may answer a longer name.
        short = job_id.split(".", 1)[0]
        match = next((k for k in jobs if k.split(".", 1)[0] == short), None)
        if match is None:
            return None
        job_id, attrs = match, jobs[match]
    # Every subjob, started or not (those that have not started carry no array_id).
    tasks = [
        to_job(other, other_attrs, ending)
        for other, other_attrs in jobs.items()
        if other != job_id and _array_of(other, other_attrs) == job_id
    ]
    job = to_job(job_id, attrs, ending)
    sum_up_array(job, tasks)
    return JobDetail(
        job=job,
        fields=flat_fields(attrs),
        tasks=tasks,
        script=None,  # PBS keeps the script where only root reads it (printjob)
        requested=resources(_nested(attrs, "Resource_List")),
        used=resources(_nested(attrs, "resources_used")),
        usage=usage(job, attrs),
    )


def _array_of(job_id: str, attrs: Mapping[str, Any]) -> str | None:
    parent = attrs.get("array_id")
    if parent is not None:
        return str(parent)
    return array_parent_id(job_id) if subjob_part(job_id) is not None else None


def sum_up_array(array: Job, subjobs: list[Job]) -> None:
    """An ended OpenPBS array (``F``) takes the worst ending of its subjobs, and says how
    many ended how: an array whose subjobs were all deleted is cancelled, whatever its
    ``Exit_status`` says (1 once a running subjob was killed)."""
    if array.raw_state != "F" or not subjobs:
        return
    counts = Counter(s.state for s in subjobs)
    if not set(counts) <= FINAL_STATES:
        return
    array.state = next(s for s in _ENDINGS if s in counts)
    said = ", ".join(f"{counts[s]} {s.value}" for s in reversed(_ENDINGS) if s in counts)
    array.reason = f"Subjobs: {said}"


def to_jobs(jobs: Mapping[str, Mapping[str, Any]]) -> list[Job]:
    """Every record of a qstat answer as a job, ended arrays summed up from their
    subjobs in the answer (``-t``)."""
    out = {job_id: to_job(job_id, attrs) for job_id, attrs in jobs.items()}
    subjobs: dict[str, list[Job]] = {}
    for job_id, attrs in jobs.items():
        parent = _array_of(job_id, attrs)
        if parent is not None:
            subjobs.setdefault(parent, []).append(out[job_id])
    for job_id, job in out.items():
        if is_array_parent(job_id, jobs[job_id]):
            sum_up_array(job, subjobs.get(job_id, []))
    return list(out.values())


# ---------------------------------------------------------------------------
# History


def _local(iso: str) -> datetime.datetime | None:
    try:
        value = datetime.datetime.fromisoformat(iso)
    except ValueError:
        return None
    # Times from PBS are local and naive; compare like with like.
    return value.astimezone().replace(tzinfo=None) if value.tzinfo else value


def usage(job: Job, attrs: Mapping[str, Any]) -> Usage | None:
    """What the job asked for (``Resource_List``) and used (``resources_used``) in plain
    numbers; None before it started. ``mem`` is the whole job's in both (PBS sums the
    select chunks' and the processes' memory); Torque's ``pmem`` is per process, taken
    as per CPU."""
    used = _nested(attrs, "resources_used")
    if not used:
        return None
    asked = _nested(attrs, "Resource_List")
    memory, per = memory_bytes(asked.get("mem")), "job"
    if not memory:
        memory, per = memory_bytes(asked.get("pmem")), "cpu"
    total_cpu = _seconds(used.get("cput"))
    return Usage(
        ended=job.state in FINAL_STATES,
        elapsed=_seconds(used.get("walltime")),
        time_limit=job.time_limit,
        cpus=to_int(used.get("ncpus")) or job.cpus,
        nodes=job.nodes,
        total_cpu=float(total_cpu) if total_cpu is not None else None,
        memory_requested=memory or None,
        memory_per=per if memory else "",
        # A job too short for a sample says 0kb: no peak known.
        max_rss=memory_bytes(used.get("mem")) or None,
    )


def history_record(job_id: str, attrs: Mapping[str, Any]) -> HistoryRecord:
    job = to_job(job_id, attrs)
    used = _nested(attrs, "resources_used")
    elapsed = _seconds(used.get("walltime"))
    total_cpu = _seconds(used.get("cput"))
    cpus = to_int(used.get("ncpus")) or job.cpus
    efficiency = None
    # Only an ended job's usage is complete, so only it has an efficiency (as on Slurm).
    if job.state in FINAL_STATES and elapsed and total_cpu is not None and cpus:
        efficiency = min(total_cpu / (elapsed * cpus), 1.0)
    mem = used.get("mem")
    return HistoryRecord(
        job=job,
        elapsed=elapsed,
        total_cpu=total_cpu,
        cpu_efficiency=efficiency,
        max_rss=str(mem) if mem is not None else "",
        usage=usage(job, attrs),
    )


def _seconds(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return parse_duration(str(value))


def history_records(
    jobs: Mapping[str, Mapping[str, Any]], query: HistoryQuery, user: str
) -> list[HistoryRecord]:
    """The user's jobs of ``qstat -x -f`` that overlap the query's time range, in its
    states, newest first (by submit time, as Slurm's history), the newest ``query.limit``.

    A job belongs to the range when it was submitted before the range ends and has not
    ended before it starts (so a job still running counts). Array subjobs are left out:
    the array stands for them, as in the queue panel, and an ended array is summed up
    from those in the answer (``qstat -x -t``).
    """
    start = _local(query.start)
    end = _local(query.end) if query.end else None
    wanted = set(query.states)
    subjobs: dict[str, list[str]] = {}
    for job_id, attrs in jobs.items():
        parent = _array_of(job_id, attrs)
        if parent is not None:
            subjobs.setdefault(parent, []).append(job_id)
    out: list[HistoryRecord] = []
    for job_id, attrs in jobs.items():
        if _array_of(job_id, attrs) is not None or owner_name(attrs.get("Job_Owner")) != user:
            continue
        record = history_record(job_id, attrs)
        job = record.job
        if job_id in subjobs:
            sum_up_array(job, [to_job(s, jobs[s]) for s in subjobs[job_id]])
        if wanted and job.state not in wanted:
            continue
        submitted = _local(job.submit_time) if job.submit_time else None
        ended = _local(job.end_time) if job.end_time else None
        if end is not None and submitted is not None and submitted > end:
            continue
        if start is not None and ended is not None and job.state in FINAL_STATES and ended < start:
            continue
        out.append(record)
    # Newest first, and the limit keeps the newest: as Slurm's history (sacct.select), by
    # submit time, then by job number (jobs submitted within one second).
    out.sort(key=lambda r: (r.job.submit_time or "", _number(r.job.id)), reverse=True)
    return out[: query.limit]


def _number(job_id: str) -> int:
    """``12.pbs01`` and ``12[].pbs01`` -> 12 (0 when the id has no number)."""
    head = job_id.split(".", 1)[0].split("[", 1)[0]
    return int(head) if head.isdigit() else 0
