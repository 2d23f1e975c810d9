"""What the server keeps of the jobs it has seen: owner, output paths, whether final.

Output paths come only from the batch system's record of a job; they are kept so a
finished job's output stays readable after the batch system forgets the job. The user's
own jobs with paths are also kept in a file (``{jupyter_data_dir}/jupyterlab-hpc/
job-paths.json``), so a restarted server (on a cluster, JupyterLab often runs as a batch
job of its own) still finds the output of jobs it saw before.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..atomic_write import write_atomic
from ..schedulers.base import FINAL_STATES, Job

REMEMBERED_JOBS = 20_000
# Jobs kept in the file: the most recently seen.
PERSISTED_JOBS = 5_000
FILE_VERSION = 1
MAX_PATH_LENGTH = 4096

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class KnownJob:
    """What the service keeps of a job it has seen: enough to find and guard its output."""

    user: str
    stdout_path: str
    stderr_path: str
    final: bool

    @classmethod
    def of(cls, job: Job) -> KnownJob:
        return cls(job.user, job.stdout_path, job.stderr_path, job.state in FINAL_STATES)

    def path(self, stream: str) -> str:
        return self.stdout_path if stream == "stdout" else self.stderr_path


class JobMemory:
    """The last ``capacity`` jobs seen, by id (least recently seen dropped first).

    With ``file``, ``owner``'s jobs that have output paths are read from it at start and
    written back by ``save()`` when they changed.
    """

    def __init__(
        self,
        capacity: int = REMEMBERED_JOBS,
        *,
        file: Path | None = None,
        owner: str | None = None,
        logger: logging.Logger | None = None,
    ) -> None:
        self.capacity = capacity
        self._jobs: OrderedDict[str, KnownJob] = OrderedDict()
        # Where the owner's jobs are kept: (file, owner), or None.
        self._store = (file, owner) if file is not None and owner else None
        self._log = logger or log
        self._dirty = False
        if self._store is not None:
            self._jobs.update(self._read(*self._store))

    def get(self, job_id: str) -> KnownJob | None:
        known = self._jobs.get(job_id)
        if known is not None:
            self._jobs.move_to_end(job_id)
        return known

    def remember(self, job_id: str, job: Job) -> KnownJob:
        known = KnownJob.of(job)
        earlier = self._jobs.get(job_id)
        if earlier is not None and not (known.stdout_path or known.stderr_path):
            # A record from accounting has no paths: keep those slurmctld gave earlier.
            known = KnownJob(known.user, earlier.stdout_path, earlier.stderr_path, known.final)
        if known != earlier and self._kept_in_file(known):
            self._dirty = True
        self._jobs[job_id] = known
        self._jobs.move_to_end(job_id)
        while len(self._jobs) > self.capacity:
            self._jobs.popitem(last=False)
        return known

    def __len__(self) -> int:
        return len(self._jobs)

    def _kept_in_file(self, known: KnownJob) -> bool:
        return (
            self._store is not None
            and known.user == self._store[1]
            and bool(known.stdout_path or known.stderr_path)
        )

    def save(self) -> None:
        """Write the owner's jobs to the file if they changed since the last save.

        What another server wrote meanwhile (the same home folder on several login nodes)
        is kept; this server's records win. A write that fails leaves the old file whole
        and is logged: the jobs stay remembered in memory.
        """
        if not self._dirty or self._store is None:
            return
        self._dirty = False
        file, owner = self._store
        jobs = self._read(file, owner)
        for job_id, known in self._jobs.items():
            if self._kept_in_file(known):
                jobs.pop(job_id, None)
                jobs[job_id] = known
        kept = list(jobs.items())[-PERSISTED_JOBS:]
        data = {
            "version": FILE_VERSION,
            "user": owner,
            "jobs": {i: [k.stdout_path, k.stderr_path, k.final] for i, k in kept},
        }
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(file, json.dumps(data).encode(), 0o600)
        except OSError as e:
            self._log.warning("jupyterlab-hpc: could not save the jobs' output paths: %s", e)

    def _read(self, file: Path, owner: str) -> OrderedDict[str, KnownJob]:
        """The owner's jobs in the file; none when it is missing or unreadable (logged)."""
        jobs: OrderedDict[str, KnownJob] = OrderedDict()
        try:
            data: Any = json.loads(file.read_text())
        except FileNotFoundError:
            return jobs
        except (OSError, ValueError) as e:
            self._log.warning("jupyterlab-hpc: %s is not readable, ignored: %s", file, e)
            return jobs
        if (
            not isinstance(data, dict)
            or data.get("version") != FILE_VERSION
            or data.get("user") != owner
            or not isinstance(data.get("jobs"), dict)
        ):
            return jobs
        for job_id, entry in list(data["jobs"].items())[-self.capacity :]:
            known = file_entry(entry, owner)
            if known is not None and isinstance(job_id, str) and len(job_id) <= 200:
                jobs[job_id] = known
        return jobs


# What a PBS array's paths hold in place of a subjob's index until it starts. Files
# written by earlier versions kept such paths for subjobs that had not started: they name
# no file, so the job is asked of the batch system again.
PBS_INDEX_PLACEHOLDER = "^array_index^"


def file_entry(entry: object, owner: str) -> KnownJob | None:
    """``[stdout_path, stderr_path, final]`` with absolute paths (or ""), else None."""
    if not isinstance(entry, list) or len(entry) != 3:
        return None
    out, err, final = entry
    for path in (out, err):
        if not isinstance(path, str) or len(path) > MAX_PATH_LENGTH or "\0" in path:
            return None
        if path and not path.startswith("/"):
            return None
        if PBS_INDEX_PLACEHOLDER in path:
            return None
    if not isinstance(final, bool) or not (out or err):
        return None
    return KnownJob(owner, out, err, final)
