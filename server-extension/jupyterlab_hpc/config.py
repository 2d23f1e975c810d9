"""Settings a site admin puts in ``jupyter_server_config.py`` (``c.HPCConfig.<name> = ...``)."""

from __future__ import annotations

from traitlets import CaselessStrEnum, Dict, Float, Unicode
from traitlets.config import Configurable


class HPCConfig(Configurable):
    """jupyterlab-hpc server settings."""

    scheduler = CaselessStrEnum(
        ["auto", "slurm", "pbs", "none"],
        default_value="auto",
        help=(
            "Which batch system to use: 'auto' finds the one installed (Slurm first, then "
            "OpenPBS / PBS Professional), 'slurm' or 'pbs' forces one, 'none' turns it off."
        ),
    ).tag(config=True)

    command_paths = Dict(
        per_key_traits=Unicode(),
        default_value={},
        help=(
            "Full paths of scheduler commands by name, e.g. {'squeue': '/opt/slurm/bin/squeue'} "
            "or {'qstat': '/opt/pbs/bin/qstat'}. "
            "Commands not listed are looked up on PATH."
        ),
    ).tag(config=True)

    command_timeout = Float(
        30.0, min=1.0, help="Seconds after which a scheduler command is killed."
    ).tag(config=True)

    poll_interval_floor = Float(
        2.0,
        min=0.5,
        help=(
            "The shortest time between two queue listings from the scheduler, in seconds. "
            "Every open panel shares one listing per interval, whatever the number of users' "
            "requests; raise it on a busy cluster to protect the scheduler."
        ),
    ).tag(config=True)
