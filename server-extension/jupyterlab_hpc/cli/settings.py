"""The server's configuration, read the way ``jupyter server`` / ``jupyter lab`` read it.

``jupyter_config`` and ``jupyter_server_config`` (``.py`` and ``.json``) from every Jupyter
config folder (``jupyter --paths``: the user's, the environment's, the system's), later
ones overridden by earlier ones, so ``c.HPCConfig...`` set by a site admin applies to the
command line exactly as it does to the server.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from jupyter_core.application import JupyterApp
from traitlets.config import Config

from ..config import HPCConfig

SERVER_CONFIG_NAME = "jupyter_server_config"


@dataclass(frozen=True)
class ServerSettings:
    config: Config
    hpc: HPCConfig
    files: list[str]  # the config files that were read, in the order they were read


def read_server_settings(config_file: str | None = None) -> ServerSettings:
    """The server's settings; ``config_file`` (a ``jupyter_server_config.py`` elsewhere)
    replaces the search, as ``jupyter lab --config FILE`` does."""
    app = JupyterApp(config_file_name=SERVER_CONFIG_NAME, config_file=config_file or "")
    # A config file that fails to load is reported (on stderr), not fatal, as for the server.
    app.log = logging.getLogger("jupyter-hpc")
    app.load_config_file()
    return ServerSettings(app.config, HPCConfig(config=app.config), app.loaded_config_files)
