"""What a batch kernel asks of the batch system: submit its job, look at that one job, signal
its batch step, cancel it. Through runner.py (argv lists, timeouts), with the argv builders
and parsers of ``schedulers/``.

Only ever one job at a time is looked at (``scontrol show job ID``: slurmctld answers it from
its job table, about 0.15 ms), never the whole queue.
"""

from __future__ import annotations

import abc
import dataclasses
import os
import re
from collections.abc import Mapping
from typing import Any

from ...runner import CommandNotFound, CommandResult, CommandRunner, CommandTimeout
from ...schedulers.base import (
    CommandFailed,
    InvalidOption,
    Job,
    JobNotFound,
    JobState,
    Scheduler,
    SchedulerError,
    SubmitRequest,
    validate_job_id,
)
from ...schedulers.pbs.commands import validate_pbs_job_id
from ...schedulers.pbs.scheduler import PBSScheduler
from ...schedulers.slurm.commands import (
    detail_argv,
    request_options,
    slurm_environment,
    submit_argv,
)
from ...schedulers.slurm.detail import rejection_message
from ...schedulers.slurm.parse import parse_sbatch_job_id, parse_scontrol_jobs
from ...schedulers.slurm.reasons import reason_in_words
from .options import BatchKernelError

# What the kernel must not take from the server's environment: Jupyter's own (ipykernel
# would watch JPY_PARENT_PID, a process of another machine, and end), the server's tokens
# (Slurm keeps a job's environment, and with AccountingStoreFlags=job_env so does its
# database), and the variables of a job the server itself may run in (a server started by
# batchspawner inside a job would hand its SLURM_* to sbatch, which reads some of them).
_DROPPED = (
    "JPY_PARENT_PID",
    "JPY_INTERRUPT_EVENT",
    "JUPYTER_TOKEN",
    "JPY_API_TOKEN",
    "JUPYTERHUB_API_TOKEN",
)
_KEPT_SLURM = ("SLURM_CONF",)


def job_environment(env: Mapping[str, str]) -> dict[str, str]:
    out = {}
    for name, value in env.items():
        if name in _DROPPED:
            continue
        if name.startswith(("SLURM_", "PBS_")) and name not in _KEPT_SLURM:
            continue
        out[name] = value
    return out


class JobsUnavailable(Exception):
    """The batch system did not answer this time (the caller asks again later)."""


class KernelJobs(abc.ABC):
    """One batch system's commands for a kernel's job."""

    kind: str
    name: str

    def __init__(self, runner: CommandRunner, env: Mapping[str, str] | None = None) -> None:
        self.runner = runner
        self.env = dict(os.environ if env is None else env)

    @abc.abstractmethod
    async def submit(
        self, script: str, request: SubmitRequest, env: Mapping[str, str], *, output: str
    ) -> str:
        """Submit the kernel's job; its id. BatchKernelError when it is refused."""

    @abc.abstractmethod
    async def status(self, job_id: str) -> Job | None:
        """The job as the batch system sees it now; None when it no longer knows it.
        JobsUnavailable when it does not answer."""

    @abc.abstractmethod
    async def signal(self, job_id: str, signal_name: str) -> str | None:
        """Send a signal (INT, USR1, USR2) to the job's batch step; the refusal, if any."""

    @abc.abstractmethod
    async def cancel(self, job_id: str) -> str | None:
        """End the job; the refusal, if any (a job already ended is not one)."""

    def started(self, ready: Mapping[str, Any]) -> None:
        """What the node side wrote once its kernel listened (its ready.json); only a
        step in an allocation needs it (its step id)."""
        return None

    def reason_in_words(self, reason: str) -> str:
        return reason

    def never_starts(self, job: Job) -> bool:
        """Whether a waiting job waits for something that will not come."""
        return False

    async def _run(
        self,
        argv: list[str],
        *,
        env: Mapping[str, str] | None = None,
        stdin: str | None = None,
        cwd: str | None = None,
    ) -> CommandResult:
        try:
            return await self.runner.run(argv, env=env, stdin=stdin, cwd=cwd)
        except CommandNotFound as e:
            raise JobsUnavailable(str(e)) from None
        except CommandTimeout as e:
            raise JobsUnavailable(str(e)) from None


_NEVER = frozenset(
    {
        "PartitionConfig",
        "PartitionNodeLimit",
        "PartitionTimeLimit",
        "BadConstraints",
        "DependencyNeverSatisfied",
        "InvalidAccount",
        "InvalidQOS",
    }
)
_PER_JOB_LIMIT = re.compile(r"(Assoc|QOS)Max[A-Za-z]*PerJob(Limit|MinLimit)?")
_UNREACHABLE = ("Unable to contact slurm controller", "Socket timed out", "Connection refused")
_ALREADY_ENDED = (
    "already completing or completed",
    "Invalid job id",
    "Job has finished",
    "Unknown Job Id",
)


class SlurmKernelJobs(KernelJobs):
    kind = "slurm"
    name = "Slurm"

    def _env(self) -> dict[str, str]:
        return slurm_environment(self.env)

    async def submit(
        self, script: str, request: SubmitRequest, env: Mapping[str, str], *, output: str
    ) -> str:
        options = [*request_options(request), "--no-requeue", f"--output={output}"]
        argv = submit_argv(options)
        try:
            environment = slurm_environment(job_environment(env))
            result = await self._run(argv, env=environment, stdin=script)
        except JobsUnavailable as e:
            raise BatchKernelError(
                f"The kernel's job could not be submitted: {e}", status=503
            ) from None
        if not result.ok:
            message = rejection_message(result.message)
            if any(text in message for text in _UNREACHABLE):
                raise BatchKernelError(
                    f"Slurm does not answer, so the kernel's job was not submitted: {message}",
                    status=503,
                )
            raise BatchKernelError(
                f"Slurm refused the kernel's job, so nothing was queued: {message}"
            )
        try:
            return parse_sbatch_job_id(result.stdout)
        except ValueError as e:
            raise BatchKernelError(str(e)) from None

    async def status(self, job_id: str) -> Job | None:
        result = await self._run(detail_argv(job_id), env=self._env())
        if not result.ok:
            if "Invalid job id" in result.message:
                return None
            raise JobsUnavailable(result.message)
        jobs = parse_scontrol_jobs(result.stdout)
        return jobs[0] if jobs else None

    async def signal(self, job_id: str, signal_name: str) -> str | None:
        argv = ["scancel", f"--signal={signal_name}", "--batch", validate_job_id(job_id)]
        return refusal(await self._run(argv, env=self._env()))

    async def cancel(self, job_id: str) -> str | None:
        result = await self._run(["scancel", validate_job_id(job_id)], env=self._env())
        return refusal(result)

    def reason_in_words(self, reason: str) -> str:
        return reason_in_words(reason)

    def never_starts(self, job: Job) -> bool:
        # Slurm queues a job its partition can never run unless EnforcePartLimits says
        # otherwise, and says why in these reasons; a per-job limit does not change either.
        return job.state is JobState.PENDING and (
            job.reason in _NEVER or _PER_JOB_LIMIT.fullmatch(job.reason) is not None
        )


def refusal(result: CommandResult) -> str | None:
    if result.ok or any(text in result.message for text in _ALREADY_ENDED):
        return None
    lines = [ln.strip() for ln in result.message.splitlines() if ln.strip()]
    return (lines[-1] if lines else result.message).removeprefix("scancel: error: ")


class PBSKernelJobs(KernelJobs):
    """OpenPBS / PBS Professional and Torque, through their backend (schedulers/pbs,
    schedulers/torque): qsub in the notebook's folder, one job's ``qstat -f``, qsig, qdel.
    A PBS job gets PBS's default environment: the kernel's comes from environment.json."""

    def __init__(self, runner: CommandRunner, scheduler: PBSScheduler) -> None:
        super().__init__(runner)
        self.scheduler = scheduler
        self.kind = scheduler.kind
        self.name = "Torque" if scheduler.kind == "torque" else "PBS"

    async def submit(
        self, script: str, request: SubmitRequest, env: Mapping[str, str], *, output: str
    ) -> str:
        # -o alone: the error stream joins it (-j oe), as Slurm's does.
        asked = dataclasses.replace(request, output=output, error=None)
        try:
            result = await self.scheduler.submit(script, asked)
        except InvalidOption as e:
            raise BatchKernelError(e.message, e.field) from None
        except CommandFailed as e:
            raise BatchKernelError(
                f"{self.name} refused the kernel's job, so nothing was queued: {e.output}"
            ) from None
        except SchedulerError as e:
            raise BatchKernelError(
                f"The kernel's job could not be submitted: {e.message}", status=503
            ) from None
        if result.job_id is None:
            raise BatchKernelError(f"qsub did not say the job's id: {result.message}")
        return result.job_id

    async def status(self, job_id: str) -> Job | None:
        try:
            detail = await self.scheduler.job_detail(job_id)
        except JobNotFound:
            return None
        except SchedulerError as e:
            raise JobsUnavailable(e.message) from None
        return detail.job

    async def signal(self, job_id: str, signal_name: str) -> str | None:
        argv = ["qsig", "-s", f"SIG{signal_name}", validate_pbs_job_id(job_id)]
        return refusal(await self._run(argv, env=self.scheduler.env))

    async def cancel(self, job_id: str) -> str | None:
        try:
            (result,) = await self.scheduler.act("cancel", [job_id])
        except SchedulerError as e:
            raise JobsUnavailable(e.message) from None
        if result.ok or "finished" in result.message or "Unknown Job" in result.message:
            return None
        return result.message

    def never_starts(self, job: Job) -> bool:
        # PBS Professional's scheduler comments a job it can never run so.
        return job.state is JobState.PENDING and job.reason.startswith("Can Never Run")


def kernel_jobs(scheduler: Scheduler, runner: CommandRunner) -> KernelJobs:
    """The commands of the server's batch system for a kernel's job."""
    if scheduler.kind == "slurm":
        return SlurmKernelJobs(runner)
    if isinstance(scheduler, PBSScheduler):
        return PBSKernelJobs(runner, scheduler)
    raise BatchKernelError(
        f"Kernels in batch jobs are not available on {scheduler.kind}.", status=501
    )
