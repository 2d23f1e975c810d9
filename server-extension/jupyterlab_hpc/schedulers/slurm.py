"""Slurm: argv for each operation, run through the runner, parsed by slurm_parse."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from ..runner import CommandNotFound, CommandResult, CommandRunner, CommandTimeout
from .base import (
    ActionResult,
    JobAction,
    Partition,
    Row,
    Scheduler,
    SchedulerError,
    base_job_id,
)
from .slurm_parse import (
    SINFO_FORMAT,
    SqueueReader,
    owner_format,
    parse_cluster_name,
    parse_owners,
    parse_sinfo,
    parse_version,
    squeue_format,
)

# What identifies Slurm on a machine.
SLURM_COMMANDS = ("squeue", "sbatch")

_ACTION_ARGV: dict[str, list[str]] = {
    "cancel": ["scancel"],
    # A user hold, which the owner can release; a plain "hold" run by an admin (or by a
    # server running as root) would set an admin hold the owner could not undo.
    "hold": ["scontrol", "uhold"],
    "release": ["scontrol", "release"],
}


def slurm_environment(base: Mapping[str, str]) -> dict[str, str]:
    """The environment for Slurm commands: the user's own, minus what changes output formats.

    A user's SQUEUE_FORMAT, SQUEUE_USERS or SLURM_TIME_FORMAT=relative would otherwise change
    what squeue prints and break parsing, or silently filter the listing.
    """
    prefixes = ("SQUEUE_", "SINFO_", "SACCT_", "SCANCEL_", "SCONTROL_")
    env = {k: v for k, v in base.items() if not k.startswith(prefixes)}
    env["SLURM_TIME_FORMAT"] = "standard"
    return env


class SlurmScheduler(Scheduler):
    kind = "slurm"

    def __init__(self, runner: CommandRunner, env: Mapping[str, str] | None = None) -> None:
        self.runner = runner
        self.env = slurm_environment(env if env is not None else os.environ)
        self._reader = SqueueReader()

    async def _run(self, argv: Sequence[str], *, check: bool = True) -> CommandResult:
        try:
            result = await self.runner.run(argv, env=self.env)
        except CommandNotFound as e:
            raise SchedulerError(str(e)) from e
        except CommandTimeout as e:
            raise SchedulerError(str(e)) from e
        if check and not result.ok:
            raise SchedulerError(f"{argv[0]} failed: {result.message}", " ".join(argv))
        return result

    async def version(self) -> str:
        return parse_version((await self._run(["sinfo", "--version"])).stdout)

    async def cluster_name(self) -> str | None:
        return parse_cluster_name((await self._run(["scontrol", "show", "config"])).stdout)

    async def list_rows(self) -> list[Row]:
        # --all: hidden partitions too; the panel filters by user itself.
        result = await self._run(["squeue", "--all", "--noheader", "--Format", squeue_format()])
        return self._reader.parse(result.stdout)

    async def job_owners(self, job_ids: Sequence[str]) -> dict[str, str]:
        bases = sorted({base_job_id(j) for j in job_ids})
        result = await self._run(
            [
                "squeue",
                "--noheader",
                "--states=all",
                "--jobs",
                ",".join(bases),
                "--Format",
                owner_format(),
            ],
            check=False,
        )
        if not result.ok:
            if "Invalid job id" in result.stderr:
                return {}
            raise SchedulerError(f"squeue failed: {result.message}")
        return parse_owners(result.stdout)

    async def act(self, action: JobAction, job_ids: Sequence[str]) -> list[ActionResult]:
        prefix = _ACTION_ARGV[action]
        # One command for all plain ids; a refusal is then attributed by asking per id.
        if all("[" not in j for j in job_ids):
            ids = [",".join(job_ids)] if action != "cancel" else list(job_ids)
            result = await self._run([*prefix, *ids], check=False)
            if result.ok:
                return [ActionResult(j, True) for j in job_ids]
        out = []
        for job_id in job_ids:
            result = await self._run([*prefix, job_id], check=False)
            out.append(ActionResult(job_id, result.ok, "" if result.ok else _clean(result.message)))
        return out

    async def partitions(self) -> list[Partition]:
        result = await self._run(["sinfo", "--noheader", "--all", "--format", SINFO_FORMAT])
        return parse_sinfo(result.stdout)


def _clean(message: str) -> str:
    """'scancel: error: Kill job error on job id 5: Access/permission denied' -> the reason."""
    lines = [ln.strip() for ln in message.splitlines() if ln.strip()]
    if not lines:
        return message
    return lines[-1].removeprefix("scancel: error: ").removeprefix("scontrol: error: ")
