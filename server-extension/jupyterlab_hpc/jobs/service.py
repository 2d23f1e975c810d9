"""Submission, job details and output for the REST handlers (which stay thin).

Who may see what: anyone's job detail (as ``scontrol show job`` allows), but the batch
script and the output files only of the user's own jobs. Output paths always come from
the batch system's record of the job, never from the request, and are remembered per job
so a finished job's output stays readable after the batch system forgets the job.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any

from ..schedulers.base import InvalidOption, JobDetail, JobNotFound, Scheduler, SubmitResult
from .memory import JobMemory, KnownJob
from .output import MAX_OUTPUT_CHUNK, OutputChunk, read_output
from .submit_checks import validate_options, validate_script

STREAMS = ("stdout", "stderr")


class NotYourJob(Exception):
    """The job belongs to someone else; ``str()`` says so in a sentence."""


def parse_submission(
    body: Mapping[str, Any], root_dir: str, kind: str = "slurm"
) -> tuple[str, Any, bool]:
    """(script, SubmitRequest, test_only) from a ``POST jobs/submit`` body; ``kind``: the
    batch system whose rules the native ``extra`` options follow."""
    script = validate_script(body.get("script"))
    request = validate_options(body.get("options"), root_dir=root_dir, kind=kind)
    test_only = body.get("test_only", False)
    if not isinstance(test_only, bool):
        raise InvalidOption("test_only", "test_only must be true or false.")
    return script, request, test_only


class JobService:
    def __init__(
        self,
        scheduler: Scheduler,
        user: str,
        root_dir: str,
        on_submitted: Callable[[str], None] = lambda job_id: None,
        memory: JobMemory | None = None,
    ) -> None:
        self.scheduler = scheduler
        self.user = user
        self.root_dir = root_dir
        self.on_submitted = on_submitted
        self.memory = memory if memory is not None else JobMemory()  # an empty one is falsy

    async def submit(self, body: Mapping[str, Any]) -> SubmitResult:
        """Validate and submit (or only check); InvalidOption, CommandFailed, SchedulerError."""
        script, request, test_only = parse_submission(body, self.root_dir, self.scheduler.kind)
        result = await self.scheduler.submit(script, request, test_only=test_only)
        if result.job_id is not None:
            self.on_submitted(result.job_id)
        return result

    async def detail(self, job_id: str) -> JobDetail:
        """The job's detail; the script only for the user's own job. JobNotFound."""
        detail = await self.scheduler.job_detail(job_id)
        self._remember(job_id, detail)
        if detail.job.user != self.user:
            detail.script = None
        return detail

    def _remember(self, asked: str, detail: JobDetail) -> KnownJob:
        known = self.memory.remember(asked, detail.job)
        if detail.job.id != asked:
            self.memory.remember(detail.job.id, detail.job)
        for task in detail.tasks:
            self.memory.remember(task.id, task)
        self.memory.save()
        return known

    async def _known(self, job_id: str, stream: str) -> KnownJob:
        known = self.memory.get(job_id)
        # Owner and paths never change once Slurm set them, so a known path is reused
        # without asking the batch system again (follow mode polls every second or two).
        if known is not None and (known.path(stream) or known.final):
            return known
        try:
            detail = await self.scheduler.job_detail(job_id)
        except JobNotFound:
            if known is not None:
                return known
            raise JobNotFound(
                f"Job {job_id} is not known to the batch system any more, and this server did "
                "not see it while it was queued, so where its output went is unknown."
            ) from None
        return self._remember(job_id, detail)

    async def output(
        self,
        job_id: str,
        stream: str,
        *,
        offset: int | None = None,
        before: int | None = None,
        limit: int = MAX_OUTPUT_CHUNK,
    ) -> OutputChunk:
        """A window of the user's own job's stdout or stderr. NotYourJob, JobNotFound."""
        known = await self._known(job_id, stream)
        if known.user != self.user:
            raise NotYourJob(
                f"Job {job_id} belongs to {known.user}; only your own jobs' output can be read."
            )
        path = known.path(stream)
        return await asyncio.to_thread(
            read_output, path, offset=offset, before=before, limit=min(limit, MAX_OUTPUT_CHUNK)
        )
