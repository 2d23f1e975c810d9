"""jupyterlab-hpc: Slurm and PBS jobs, kernels and modules for HPC users, in JupyterLab."""

from __future__ import annotations

from typing import Any

from ._version import __version__
from .config import HPCConfig
from .routes import setup_handlers
from .services import HPCServices

__all__ = ["__version__"]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "jupyterlab-hpc"}]


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "jupyterlab_hpc"}]


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext jupyterlab_hpc``: the batch-system magics (%sbatch, %squeue, %job, ...)."""
    from .magics import load_ipython_extension as load_magics

    load_magics(ipython)


def _load_jupyter_server_extension(server_app: Any) -> None:
    config = HPCConfig(config=server_app.config)
    services = HPCServices(config, root_dir=server_app.root_dir, logger=server_app.log)
    for error in services.start_modules():
        server_app.log.warning("jupyterlab_hpc: %s", error)
    setup_handlers(server_app.web_app, services)
    kind = services.scheduler.kind if services.scheduler else "none"
    modules = services.modules.system.label if services.modules else "none"
    server_app.log.info(
        "jupyterlab_hpc %s loaded (batch system: %s, modules: %s)", __version__, kind, modules
    )
