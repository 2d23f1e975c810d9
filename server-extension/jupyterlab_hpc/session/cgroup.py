"""The session job's memory from its cgroup, where the batch system made one per job.

Reading files on the node costs the batch system nothing, so it comes first; it needs
the site's cgroup plugin (Slurm's ``TaskPlugin=task/cgroup`` or ``ProctrackType=
proctrack/cgroup``, PBS's cgroup hook). The job's cgroup is found from the server's own
(``/proc/self/cgroup``), walking up to the folder that names the job:

- Slurm, cgroup v1: ``/slurm/uid_1000/job_123/step_0/task_0`` (the memory controller's)
- Slurm, cgroup v2: ``/system.slice/slurmstepd.scope/job_123/step_0/user/task_0``
- PBS's cgroup hook: ``/pbs_jobs.service/jobid/123.server`` (or ``/pbspro/123.server``)
- Torque: ``/torque/123.server``

A cgroup that names no job (the local cluster's ``task/none``, a container's own) gives
None, and the service asks the batch system instead. Used memory is the cgroup's usage
less its inactive page cache (what the kernel drops before it reaches the limit), as
``docker stats`` and the OOM killer see it; the limit is the job folder's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# A limit at or above this is "no limit" (cgroup v1 writes PAGE_COUNTER_MAX pages).
_NO_LIMIT = 1 << 60


@dataclass(frozen=True)
class CgroupMemory:
    folder: str
    used: int
    limit: int | None
    version: int


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except OSError:
        return None


def _stat(text: str | None, key: str) -> int:
    for line in (text or "").splitlines():
        name, _, value = line.partition(" ")
        if name == key and value.strip().isdigit():
            return int(value)
    return 0


def job_part(path: str, job_id: str) -> str | None:
    """The leading part of a cgroup path up to the folder that names ``job_id``; None
    when no folder does."""
    parts = path.split("/")
    names = {f"job_{job_id}", job_id}
    for i in range(len(parts) - 1, 0, -1):
        if parts[i] in names:
            return "/".join(parts[: i + 1])
    return None


def _mounts(proc: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(cgroup v1 memory mounts, cgroup2 mounts) as (root, mount point) pairs."""
    v1: list[tuple[str, str]] = []
    v2: list[tuple[str, str]] = []
    for line in (_read(proc / "mountinfo") or "").splitlines():
        head, sep, tail = line.partition(" - ")
        fields, rest = head.split(), tail.split()
        if not sep or len(fields) < 5 or len(rest) < 3:
            continue
        root, point = fields[3], fields[4].replace("\\040", " ")
        if rest[0] == "cgroup2":
            v2.append((root, point))
        elif rest[0] == "cgroup" and "memory" in rest[2].split(","):
            v1.append((root, point))
    return v1, v2


def _folder(mounts: list[tuple[str, str]], path: str) -> Path | None:
    for root, point in mounts:
        if root == "/" or path == root or path.startswith(root.rstrip("/") + "/"):
            inner = path[len(root) :] if root != "/" else path
            folder = Path(point + inner)
            if folder.is_dir():
                return folder
    return None


def job_memory(job_id: str, proc: Path = Path("/proc/self")) -> CgroupMemory | None:
    """The job's memory from the cgroup the process ``proc`` runs in; None when that
    cgroup names no job or its files cannot be read."""
    text = _read(proc / "cgroup")
    if text is None:
        return None
    v1_path = v2_path = None
    for line in text.splitlines():
        hierarchy, _, rest = line.partition(":")
        controllers, _, path = rest.partition(":")
        if hierarchy == "0" and controllers == "":
            v2_path = path
        elif "memory" in controllers.split(","):
            v1_path = path
    v1_mounts, v2_mounts = _mounts(proc)
    if v1_path is not None:
        part = job_part(v1_path, job_id)
        folder = _folder(v1_mounts, part) if part else None
        if folder is not None:
            usage = _read(folder / "memory.usage_in_bytes")
            limit = _read(folder / "memory.limit_in_bytes")
            if usage is not None and usage.strip().isdigit():
                inactive = _stat(_read(folder / "memory.stat"), "total_inactive_file")
                bound = int(limit) if limit and limit.strip().isdigit() else None
                return CgroupMemory(
                    str(folder),
                    max(int(usage) - inactive, 0),
                    bound if bound is not None and bound < _NO_LIMIT else None,
                    1,
                )
    if v2_path is not None:
        part = job_part(v2_path, job_id)
        folder = _folder(v2_mounts, part) if part else None
        if folder is not None:
            usage = _read(folder / "memory.current")
            limit = (_read(folder / "memory.max") or "").strip()
            if usage is not None and usage.strip().isdigit():
                inactive = _stat(_read(folder / "memory.stat"), "inactive_file")
                return CgroupMemory(
                    str(folder),
                    max(int(usage) - inactive, 0),
                    int(limit) if limit.isdigit() else None,
                    2,
                )
    return None
