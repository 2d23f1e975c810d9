"""A batch kernel as a step of a job the user already runs (Slurm): ``srun --jobid=ID
--overlap`` instead of ``sbatch``.

Users who ``salloc`` an allocation for the day (``salloc --no-shell -N1 -c8 -t 8:00:00``)
start kernels in it rather than queueing a job per kernel. The step runs the same node side
as a submitted job (the same script, kept in the kernel's private folder, so the key is on no
command line); ``srun`` runs on the server for as long as the step does, and its own messages
and the step's output go to the folder's output file.

The allocation is the user's, not the kernel's: ending the kernel ends its step only
(``scancel ID.STEP``), never the job. Signals go to the step the same way. The allocation
ending (its time limit, ``scancel ID``) ends the kernel, with the reason, as for a job of
its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pwd
import signal
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ...runner import CommandNotFound, CommandRunner, signal_group
from ...schedulers.base import Job, JobState, SubmitRequest
from ...schedulers.slurm.commands import slurm_environment
from .jobs import JobsUnavailable, SlurmKernelJobs, job_environment, refusal
from .options import BatchKernelError

# The step's script, beside the output file in the private folder (mode 0700).
STEP_SCRIPT = "step.sh"
# Seconds the step has to end after scancel before srun's process group is killed.
_STEP_GRACE = 10.0


def step_argv(allocation: str, request: SubmitRequest, *, output: str, script: str) -> list[str]:
    """srun's argv for one kernel step: one task on one node of the allocation, sharing its
    CPUs with the allocation's other steps (--overlap), with the CPUs, memory and GPUs the
    kernel asks for."""
    argv = [
        "srun",
        f"--jobid={allocation}",
        "--overlap",
        "--nodes=1",
        "--ntasks=1",
        "--input=none",
        f"--output={output}",
        "--open-mode=append",
        "--kill-on-bad-exit=1",
    ]
    if request.name:
        argv.append(f"--job-name={request.name}")
    if request.cpus:
        argv.append(f"--cpus-per-task={request.cpus}")
    if request.memory:
        argv.append(f"--mem={request.memory}")
    if request.gpus:
        argv.append(f"--gpus={request.gpus}")
    return [*argv, "/bin/bash", script]


class AllocationSteps(SlurmKernelJobs):
    """A kernel's step in the allocation ``allocation``. ``submit`` starts it and answers the
    allocation's id (what status looks at); ``signal`` and ``cancel`` act on the step."""

    def __init__(
        self, runner: CommandRunner, allocation: str, env: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(runner, env)
        self.allocation = allocation
        self.step_id: str | None = None
        self.process: asyncio.subprocess.Process | None = None

    def started(self, ready: Mapping[str, Any]) -> None:
        step = str(ready.get("step_id") or "")
        if step.isdigit():
            self.step_id = step

    async def submit(
        self, script: str, request: SubmitRequest, env: Mapping[str, str], *, output: str
    ) -> str:
        await self._check_allocation()
        await self._end_step()
        self.step_id = None
        path = Path(output).with_name(STEP_SCRIPT)
        # The private folder is the user's alone (0700); the script holds no key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(script)
        argv = step_argv(self.allocation, request, output=output, script=str(path))
        environment = slurm_environment(job_environment(env))
        try:
            self.process = await self.runner.start(
                argv, env=environment, cwd=request.workdir or None, output=output
            )
        except CommandNotFound as e:
            raise BatchKernelError(
                f"The kernel's step could not be started: {e}", status=503
            ) from None
        return self.allocation

    async def _check_allocation(self) -> Job:
        """The allocation runs and is the user's; else a sentence that says what it is."""
        allocation = self.allocation
        try:
            job = await self.status(allocation)
        except JobsUnavailable as e:
            raise BatchKernelError(
                f"Slurm does not answer, so the kernel was not started in job {allocation}: {e}",
                status=503,
            ) from None
        if job is None:
            raise BatchKernelError(
                f"Job {allocation} is not in Slurm's queue, so the kernel cannot join it: "
                "start an allocation (salloc --no-shell ...) and put its id in allocation."
            )
        # Who this server runs as (not $USER, which the environment may say otherwise).
        if job.user and job.user != pwd.getpwuid(os.getuid()).pw_name:
            raise BatchKernelError(
                f"Job {allocation} is {job.user}'s, not yours: a kernel joins only an "
                "allocation of your own."
            )
        if job.state is not JobState.RUNNING:
            raise BatchKernelError(
                f"Job {allocation} is {job.raw_state.lower() or 'not running'}"
                + (f" ({self.reason_in_words(job.reason)})" if job.reason else "")
                + ": a kernel joins an allocation once it runs."
            )
        return job

    async def signal(self, job_id: str, signal_name: str) -> str | None:
        if self.step_id is not None:
            argv = ["scancel", f"--signal={signal_name}", f"{self.allocation}.{self.step_id}"]
            return refusal(await self._run(argv, env=self._env()))
        proc = self.process
        if proc is None or proc.returncode is not None:
            return f"the kernel's step in job {self.allocation} is not running"
        # Before the step said its id: srun passes these on to the step's task.
        if signal_name in ("USR1", "USR2", "TERM"):
            signal_group(proc.pid, getattr(signal, f"SIG{signal_name}"))
            return None
        return f"the kernel's step in job {self.allocation} has not started yet"

    async def cancel(self, job_id: str) -> str | None:
        """Ends the kernel's step, never the allocation."""
        await self._end_step()
        return None

    async def _end_step(self) -> None:
        proc = self.process
        if proc is None:
            return
        if proc.returncode is None:
            if self.step_id is not None:
                with contextlib.suppress(JobsUnavailable):
                    await self._run(
                        ["scancel", f"{self.allocation}.{self.step_id}"], env=self._env()
                    )
            else:
                signal_group(proc.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), _STEP_GRACE)
            except asyncio.TimeoutError:
                signal_group(proc.pid, signal.SIGKILL)
                await proc.wait()
        self.process = None

    def never_starts(self, job: Job) -> bool:
        return False
