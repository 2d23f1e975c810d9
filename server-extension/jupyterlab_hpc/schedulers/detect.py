"""Which batch system this machine has, or what the admin's config says."""

from __future__ import annotations

from ..config import HPCConfig
from ..runner import CommandNotFound, CommandRunner, CommandTimeout
from .base import Scheduler
from .pbs import PBS_COMMANDS, PBSScheduler
from .slurm import SLURM_COMMANDS, SlurmScheduler


def no_scheduler_message() -> str:
    return (
        "No batch system found on this server: looked for "
        + ", ".join(SLURM_COMMANDS)
        + " (Slurm) and "
        + ", ".join(PBS_COMMANDS)
        + " (OpenPBS / PBS Professional) on PATH and in HPCConfig.command_paths."
    )


def qstat_is_pbs(runner: CommandRunner) -> bool:
    """Whether ``qstat --version`` is OpenPBS's or PBS Professional's (``pbs_version = ...``).

    Slurm's Torque wrappers also install a qstat; theirs does not answer like this.
    """
    try:
        result = runner.run_sync(["qstat", "--version"], timeout=10)
    except (CommandNotFound, CommandTimeout):
        return False
    return "pbs_version" in result.stdout + result.stderr


def detect_scheduler(config: HPCConfig, runner: CommandRunner) -> Scheduler | None:
    """The admin's choice, else Slurm when squeue and sbatch are there, else PBS.

    With both installed (a site moving from one to the other) Slurm wins unless
    ``HPCConfig.scheduler`` says "pbs".
    """
    choice = config.scheduler
    if choice == "none":
        return None
    if choice == "slurm":
        return SlurmScheduler(runner)
    if choice == "pbs":
        return PBSScheduler(runner)
    if all(runner.has(c) for c in SLURM_COMMANDS):
        return SlurmScheduler(runner)
    if all(runner.has(c) for c in PBS_COMMANDS) and qstat_is_pbs(runner):
        return PBSScheduler(runner)
    return None
