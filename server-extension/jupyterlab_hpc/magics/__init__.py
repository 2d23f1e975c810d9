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

__all__ = ["JobHandle", "JobWaitTimeout", "load_ipython_extension"]


def load_ipython_extension(ipython: Any) -> None:
    context = MagicsContext(ipython)
    ipython.register_magics(
        SlurmMagics(ipython, context), PBSMagics(ipython, context), NeutralMagics(ipython, context)
    )
