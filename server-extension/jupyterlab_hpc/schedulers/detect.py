"""Which batch system this machine has, or what the admin's config says."""

from __future__ import annotations

from ..config import HPCConfig
from ..runner import CommandNotFound, CommandRunner, CommandTimeout
from .base import Scheduler
from .pbs.commands import PBS_COMMANDS
from .pbs.scheduler import PBSScheduler
from .slurm.commands import SLURM_COMMANDS
from .slurm.scheduler import SlurmScheduler
from .torque.parse import parse_torque_version
from .torque.scheduler import TorqueScheduler


def no_scheduler_message() -> str:
    return (
        "No batch system found on this server: looked for "
        + ", ".join(SLURM_COMMANDS)
        + " (Slurm) and "
        + ", ".join(PBS_COMMANDS)
        + " (OpenPBS / PBS Professional or Torque) on PATH and in HPCConfig.command_paths."
    )


def qstat_family(runner: CommandRunner) -> str | None:
    """Which PBS ``qstat --version`` belongs to: "pbs" for OpenPBS / PBS Professional
    (``pbs_version = 23.06.06``), "torque" for Torque (``Version: 6.1-dev`` and
    ``Commit:``, on stdout in Torque 6.1; Torque 4 wrote ``version: 4.2.10``), None for
    anything else (Slurm's Torque wrappers install a qstat too; theirs answers neither
    way). Both streams are read: which one a release writes to is not the question.
    """
    try:
        result = runner.run_sync(["qstat", "--version"], timeout=10)
    except (CommandNotFound, CommandTimeout):
        return None
    said = result.stdout + result.stderr
    if "pbs_version" in said:
        return "pbs"
    if result.ok and parse_torque_version(said) is not None:
        return "torque"
    return None


def qstat_is_pbs(runner: CommandRunner) -> bool:
    """Whether ``qstat --version`` is OpenPBS's or PBS Professional's."""
    return qstat_family(runner) == "pbs"


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
    if choice == "torque":
        return TorqueScheduler(runner)
    if all(runner.has(c) for c in SLURM_COMMANDS):
        return SlurmScheduler(runner)
    if all(runner.has(c) for c in PBS_COMMANDS):
        family = qstat_family(runner)
        if family == "pbs":
            return PBSScheduler(runner)
        if family == "torque":
            return TorqueScheduler(runner)
    return None
