"""Which batch system this machine has, or what the admin's config says."""

from __future__ import annotations

from ..config import HPCConfig
from ..runner import CommandRunner
from .base import Scheduler
from .slurm import SLURM_COMMANDS, SlurmScheduler


def no_scheduler_message() -> str:
    return (
        "No batch system found on this server: looked for "
        + ", ".join(SLURM_COMMANDS)
        + " (Slurm) on PATH and in HPCConfig.command_paths."
    )


def detect_scheduler(config: HPCConfig, runner: CommandRunner) -> Scheduler | None:
    choice = config.scheduler
    if choice == "none":
        return None
    if choice == "slurm" or all(runner.has(c) for c in SLURM_COMMANDS):
        return SlurmScheduler(runner)
    return None
