"""The service's process: ``python -m jupyterlab_hpc.hubqueue [--config FILE]
[--HubQueue.interval=10] [--HPCConfig.scheduler=slurm] ...``.

JupyterHub starts it with ``JUPYTERHUB_SERVICE_URL`` (where it listens),
``JUPYTERHUB_SERVICE_PREFIX`` (its path, e.g. ``/services/hpc-queue/``),
``JUPYTERHUB_API_URL`` and ``JUPYTERHUB_API_TOKEN`` (for verifying users' tokens)."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from typing import Any
from urllib.parse import urlparse

import tornado.web
from traitlets import Unicode
from traitlets.config import Application

from ..config import HPCConfig
from ..jobs.queue import QueueSnapshot
from ..runner import CommandRunner
from ..schedulers.detect import detect_scheduler, no_scheduler_message
from .auth import HubUsers
from .handlers import HealthHandler, JobsHandler
from .privacy import Privacy
from .settings import HubQueue


class HubQueueApp(Application):
    name = "jupyterlab-hpc-hubqueue"
    description = "jupyterlab-hpc's queue service for JupyterHub: one listing per interval."
    classes = [HubQueue, HPCConfig]  # noqa: RUF012 (traitlets' own form)

    config_file = Unicode("", help="A Python config file (c.HubQueue..., c.HPCConfig...).").tag(
        config=True
    )
    aliases = {"config": "HubQueueApp.config_file"}  # noqa: RUF012

    def initialize(self, argv: Any = None) -> None:
        super().initialize(argv)
        if self.config_file:
            self.load_config_file(self.config_file)
        self.log.setLevel(logging.INFO)

    def make_app(self) -> tornado.web.Application:
        settings = HubQueue(parent=self)
        config = HPCConfig(parent=self)
        runner = CommandRunner(config.command_paths, config.command_timeout)
        scheduler = detect_scheduler(config, runner)
        if scheduler is None:
            raise SystemExit(f"hpc-queue: {no_scheduler_message()}")
        floor = max(settings.interval, config.poll_interval_floor)
        snapshot = QueueSnapshot(scheduler, floor, cost_factor=config.listing_cost_factor)
        privacy = Privacy(settings.private_jobs, scheduler, runner, settings.privacy_recheck)
        prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/hpc-queue/")
        self.log.info(
            "hpc-queue: %s, listing at most every %.0f s, private jobs: %s, under %s",
            scheduler.kind,
            floor,
            settings.private_jobs,
            prefix,
        )
        jobs_args = {"snapshot": snapshot, "users": HubUsers(), "privacy": privacy}
        return tornado.web.Application(
            [
                (prefix + "jobs", JobsHandler, jobs_args),
                (prefix + "health", HealthHandler, {"snapshot": snapshot}),
            ]
        )

    def start(self) -> None:
        url = urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:8765"))
        app = self.make_app()
        asyncio.run(self._serve(app, url.hostname or "127.0.0.1", url.port or 8765))

    async def _serve(self, app: tornado.web.Application, host: str, port: int) -> None:
        app.listen(port, host, xheaders=True)
        self.log.info("hpc-queue: listening on %s:%d", host, port)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()


def main() -> None:
    HubQueueApp.launch_instance()
