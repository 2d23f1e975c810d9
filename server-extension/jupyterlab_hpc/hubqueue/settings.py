"""The queue service's settings (``c.HubQueue.<name>`` in its config file, or
``--HubQueue.<name>=...`` on its command line). The batch system's settings are
``HPCConfig``'s, as in a user server's config (scheduler, command_paths, command_timeout,
listing_cost_factor)."""

from __future__ import annotations

from traitlets import CaselessStrEnum, Float
from traitlets.config import Configurable


class HubQueue(Configurable):
    """jupyterlab-hpc's queue service for JupyterHub."""

    interval = Float(
        10.0,
        min=1.0,
        help=(
            "The shortest time between two listings of the queue, in seconds, for every "
            "user of the hub together (the queue panel polls every 10 s by default). A slow "
            "listing spaces them more (HPCConfig.listing_cost_factor)."
        ),
    ).tag(config=True)

    private_jobs = CaselessStrEnum(
        ["auto", "yes", "no"],
        default_value="auto",
        help=(
            "Whether each user gets only their own jobs. 'auto': when Slurm's PrivateData "
            "includes jobs (scontrol show config), or PBS/Torque's query_other_jobs is off; "
            "'yes' or 'no' forces it."
        ),
    ).tag(config=True)

    privacy_recheck = Float(
        600.0,
        min=10.0,
        help="Seconds after which the batch system's privacy setting is read again.",
    ).tag(config=True)
