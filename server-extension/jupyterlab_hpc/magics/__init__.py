"""IPython magics for batch systems; ``%load_ext jupyterlab_hpc`` registers them.

- ``slurm_magics``: Slurm's commands (%sbatch / %%sbatch, %squeue, %sinfo, %scancel, ...)
- ``pbs_magics``: OpenPBS / PBS Professional's commands (%qsub / %%qsub, %qstat, %qdel, ...)
- ``neutral_magics``: any batch system (%%submit, %jobs, %job)
- ``job``: the Job handle a submission returns
- ``display``: typed tables (pandas DataFrame or list of dicts) and the progress line
"""

from __future__ import annotations

from typing import Any

from .context import MagicsContext
from .job import JobHandle, JobWaitTimeout
from .neutral_magics import NeutralMagics
from .pbs_magics import PBSMagics
from .slurm_magics import SlurmMagics

__all__ = ["JobHandle", "JobWaitTimeout", "load_ipython_extension", "unload_ipython_extension"]


_OURS = (SlurmMagics, PBSMagics, NeutralMagics)


def load_ipython_extension(ipython: Any) -> None:
    """The neutral magics, and those of the batch systems this machine has (or the site's
    ``HPCConfig.scheduler`` names): no %qsub on a Slurm cluster, no %sbatch on a PBS one.
    Loading again (new settings) replaces what an earlier load registered."""
    unload_ipython_extension(ipython)
    context = MagicsContext(ipython)
    families = context.magic_families()
    magics: list[Any] = [NeutralMagics(ipython, context)]
    if "slurm" in families:
        magics.append(SlurmMagics(ipython, context))
    if "pbs" in families:
        magics.append(PBSMagics(ipython, context))
    ipython.register_magics(*magics)


def unload_ipython_extension(ipython: Any) -> None:
    """``%unload_ext``: remove every magic this package registered."""
    manager = ipython.magics_manager
    for table in manager.magics.values():
        for name, func in list(table.items()):
            if isinstance(getattr(func, "__self__", None), _OURS):
                del table[name]
    for key, instance in list(manager.registry.items()):
        if isinstance(instance, _OURS):
            del manager.registry[key]
