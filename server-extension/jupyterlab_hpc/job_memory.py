"""What the server keeps of the jobs it has seen: owner, output paths, whether final.

Output paths come only from the batch system's record of a job; they are kept so a
finished job's output stays readable after the batch system forgets the job.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from .schedulers.base import FINAL_STATES, Job

REMEMBERED_JOBS = 20_000


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
    """The last ``capacity`` jobs seen, by id (least recently seen dropped first)."""

    def __init__(self, capacity: int = REMEMBERED_JOBS) -> None:
        self.capacity = capacity
        self._jobs: OrderedDict[str, KnownJob] = OrderedDict()

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
        self._jobs[job_id] = known
        self._jobs.move_to_end(job_id)
        while len(self._jobs) > self.capacity:
            self._jobs.popitem(last=False)
        return known

    def __len__(self) -> int:
        return len(self._jobs)
