"""The one place that gathers every feature's REST routes and hands them to the server.

Each feature keeps its handlers and its route list beside its services (``jobs/``,
``modules/``, ``kernels/``); they import the shared base (``base/handlers.py``), and
only this module imports them, so no feature and no base imports this one.
"""

from __future__ import annotations

from typing import Any

from jupyter_server.utils import url_path_join

from .base.handlers import NAMESPACE, HPCHandler
from .cluster.handlers import CLUSTER_ROUTES
from .jobs.handlers import JOB_ROUTES
from .jobs.history_handlers import HISTORY_ROUTES
from .jobs.queue_handlers import QUEUE_ROUTES
from .kernels.batch.handlers import BATCH_KERNEL_ROUTES
from .kernels.handlers import KERNEL_ROUTES
from .modules.handlers import MODULE_ROUTES
from .services import HPCServices
from .session.handlers import SESSION_ROUTES


def all_routes() -> list[tuple[str, type[HPCHandler]]]:
    """Every route, paths relative to ``{base_url}jupyterlab-hpc/``. The queue's come first:
    tornado takes the first match, and ``jobs/actions`` must win over ``jobs/{id}``."""
    return [
        *QUEUE_ROUTES,
        *JOB_ROUTES,
        *MODULE_ROUTES,
        *KERNEL_ROUTES,
        *HISTORY_ROUTES,
        *CLUSTER_ROUTES,
        *BATCH_KERNEL_ROUTES,
        *SESSION_ROUTES,
    ]


def setup_handlers(web_app: Any, services: HPCServices) -> None:
    web_app.settings["jupyterlab_hpc"] = services
    base_url = web_app.settings["base_url"]
    web_app.add_handlers(
        ".*$",
        [(url_path_join(base_url, NAMESPACE, path), handler) for path, handler in all_routes()],
    )
