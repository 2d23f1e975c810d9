"""What every magic stands on: settings, the runner, the batch system, the job environment."""

from __future__ import annotations

import contextlib
import os
from typing import Any

from ..config import HPCConfig
from ..runner import CommandRunner
from ..schedulers.base import BlockingScheduler, SchedulerError
from ..schedulers.detect import detect_scheduler, no_scheduler_message, qstat_family
from ..schedulers.pbs.blocking import BlockingPBS
from ..schedulers.pbs.commands import PBS_COMMANDS
from ..schedulers.pbs.scheduler import PBSScheduler
from ..schedulers.slurm.blocking import BlockingSlurm
from ..schedulers.slurm.commands import SLURM_COMMANDS
from ..schedulers.torque.blocking import BlockingTorque
from .errors import BatchError
from .job import JobHandle


def job_environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """The kernel's environment minus what only makes sense inside a kernel.

    sbatch hands the submitting environment to the job; a Python job that inherited
    ipykernel's MPLBACKEND would try to draw figures inline, and JPY_*/PYDEVD_* belong to
    this kernel's process alone.
    """
    env = dict(os.environ if base is None else base)
    if env.get("MPLBACKEND", "").startswith("module://matplotlib_inline"):
        del env["MPLBACKEND"]
    return {k: v for k, v in env.items() if not k.startswith(("JPY_", "PYDEVD_"))}


class MagicsContext:
    """Settings come from the IPython config (``c.HPCConfig.command_paths`` etc. in
    ``ipython_config.py`` or ``ipython_kernel_config.py``), like the server's."""

    def __init__(self, shell: Any) -> None:
        self.config = HPCConfig(parent=shell)
        self.runner = CommandRunner(self.config.command_paths, self.config.command_timeout)
        self._scheduler: BlockingScheduler | None = None
        self._pbs: BlockingPBS | None = None

    def scheduler(self) -> BlockingScheduler:
        """Whichever batch system this machine has (found once, on first use)."""
        if self._scheduler is None:
            found = detect_scheduler(self.config, self.runner)
            if found is None:
                raise BatchError(no_scheduler_message())
            if isinstance(found, PBSScheduler):  # Torque too
                # Detection already told OpenPBS from Torque: no second qstat --version.
                if self._pbs is None:
                    self._pbs = found.blocking()
                self._scheduler = self._pbs
            else:
                self._scheduler = found.blocking()
        return self._scheduler

    def magic_families(self) -> tuple[str, ...]:
        """Whose magics to register: "slurm" and/or "pbs" (OpenPBS, PBS Pro and Torque).

        The site's ``HPCConfig.scheduler`` decides; on "auto", the families whose commands
        are here. A qstat beside Slurm counts only if it is PBS's or Torque's own (Slurm's
        Torque wrappers install one too).
        """
        choice = self.config.scheduler
        if choice == "none":
            return ()
        if choice == "slurm":
            return ("slurm",)
        if choice in ("pbs", "torque"):
            return ("pbs",)
        slurm = all(self.runner.has(c) for c in SLURM_COMMANDS)
        pbs = all(self.runner.has(c) for c in PBS_COMMANDS)
        if pbs and slurm:
            pbs = qstat_family(self.runner) is not None
        return tuple(f for f, here in (("slurm", slurm), ("pbs", pbs)) if here)

    def slurm(self) -> BlockingSlurm:
        return BlockingSlurm(self.runner)

    def pbs(self) -> BlockingPBS:
        """OpenPBS / PBS Professional or Torque: the admin's choice, else whichever answers
        ``qstat --version``. Kept: it remembers whether this qstat takes -F json."""
        if self._pbs is None:
            choice = self.config.scheduler
            family = choice if choice in ("pbs", "torque") else qstat_family(self.runner)
            torque = family == "torque"
            self._pbs = BlockingTorque(self.runner) if torque else BlockingPBS(self.runner)
        return self._pbs

    def handle(self, scheduler: BlockingScheduler, job_id: str) -> JobHandle:
        """A handle for a job just submitted, with its state if the scheduler answers."""
        handle = JobHandle(scheduler, job_id)
        with contextlib.suppress(SchedulerError):
            handle.refresh()
        return handle
