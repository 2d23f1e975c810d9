"""What the handlers stand on: the scheduler, the shared snapshot, and the rules around them."""

from __future__ import annotations

import logging
import os
import pwd
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jupyter_core.paths import jupyter_data_dir

from .cluster.service import ClusterSnapshot
from .cluster.share import MyShare
from .config import HPCConfig
from .jobs.hub_source import source_from
from .jobs.memory import JobMemory
from .jobs.pending import PendingExplainer
from .jobs.queue import QueueSnapshot
from .jobs.service import JobService
from .jobs.states import JobStates
from .jobs.templates import TemplateStore, site_templates
from .modules import ModuleSession, detect_module_system, no_module_system_message
from .runner import CommandRunner
from .schedulers.base import (
    HIDDEN_OWNER,
    ActionResult,
    JobAction,
    Scheduler,
    SchedulerError,
    base_job_id,
)
from .schedulers.detect import detect_scheduler, no_scheduler_message
from .session.detect import no_session_message, session_job
from .session.service import SessionService

log = logging.getLogger(__name__)


def user_templates_file() -> Path:
    return Path(jupyter_data_dir()) / "jupyterlab-hpc" / "templates.json"


def job_paths_file() -> Path:
    """Where the output paths of the user's jobs are kept between server runs."""
    return Path(jupyter_data_dir()) / "jupyterlab-hpc" / "job-paths.json"


def current_user() -> str:
    return pwd.getpwuid(os.geteuid()).pw_name


class HPCServices:
    def __init__(
        self,
        config: HPCConfig,
        runner: CommandRunner | None = None,
        scheduler: Scheduler | None = None,
        user: str | None = None,
        module_session: ModuleSession | None = None,
        root_dir: str | None = None,
        logger: logging.Logger | None = None,
    ) -> None:
        self.config = config
        self.runner = runner or CommandRunner(config.command_paths, config.command_timeout)
        self.scheduler = (
            scheduler if scheduler is not None else detect_scheduler(config, self.runner)
        )
        # The listing comes from the hub's queue service where the hub runs one.
        self.snapshot = (
            QueueSnapshot(
                self.scheduler,
                config.poll_interval_floor,
                cost_factor=config.listing_cost_factor,
                source=source_from(config.queue_service_url, dict(os.environ), self.scheduler),
            )
            if self.scheduler
            else None
        )
        # Per-job states for watchers in the background, shared by every tab.
        self.states = (
            JobStates(self.scheduler, self.snapshot, config.poll_interval_floor)
            if self.scheduler
            else None
        )
        # The cluster view's summary, shared by every request of this server.
        self.cluster = (
            ClusterSnapshot(self.scheduler, config.cluster_refresh_interval)
            if self.scheduler
            else None
        )
        self.user = user or current_user()
        # The user's fair-share and allocation (the Cluster tab's *My share*).
        self.share = MyShare(self.scheduler, self.user) if self.scheduler is not None else None
        # The user's pending jobs explained, shared by every tab of this server.
        self.pending = (
            PendingExplainer(
                self.scheduler,
                self.snapshot,
                self.cluster,
                self.user,
                interval=config.pending_refresh_interval,
            )
            if self.scheduler is not None and self.snapshot is not None
            else None
        )
        self.no_scheduler_message = no_scheduler_message()
        self.log = logger or log
        # Relative working folders of submissions are taken from the server's root folder.
        self.root_dir = os.path.abspath(root_dir or os.getcwd())
        self.jobs = (
            JobService(
                self.scheduler,
                self.user,
                self.root_dir,
                self._submitted,
                JobMemory(file=job_paths_file(), owner=self.user, logger=self.log),
            )
            if self.scheduler is not None
            else None
        )
        kind = self.scheduler.kind if self.scheduler is not None else None
        self.templates = TemplateStore(
            site_templates(config.submit_templates, self.log, kind),
            user_templates_file(),
            self.log,
            kind,
        )
        self._version: str | None = None
        self._cluster: str | None = None
        if module_session is None:
            system = detect_module_system(config)
            if system is not None:
                module_session = ModuleSession(
                    system,
                    CommandRunner(timeout=config.module_command_timeout),
                    timeout=config.module_command_timeout,
                )
        self.modules = module_session
        # The batch job this server runs in (issue 16), from the environment it started with.
        job = session_job(os.environ, kind, config.session_job)
        self.session = (
            SessionService(
                self.scheduler,
                job,
                self.runner,
                record_interval=config.session_record_interval,
                memory_interval=config.session_memory_interval,
            )
            if job is not None and self.scheduler is not None
            else None
        )
        self.no_session_message = no_session_message(kind, config.session_job)
        self.no_module_system_message = no_module_system_message(config)

    def start_modules(self) -> list[str]:
        """Apply the admin's MODULEPATH additions and start-up modules; the errors, if any."""
        if self.modules is None:
            return []
        if self.config.module_paths or self.config.modules_at_start:
            self.modules.start(self.config.module_paths, self.config.modules_at_start)
        return self.modules.start_errors

    async def capabilities(self) -> dict[str, Any]:
        sched = self.scheduler
        info: dict[str, Any] = {
            "kind": None,
            "flavour": None,
            "version": None,
            "available": False,
            "message": self.no_scheduler_message,
            "cluster": None,
            "own_jobs_only": False,
        }
        if sched is not None:
            # Asked once: neither changes while the server runs. A failure is retried next time.
            own_jobs_only = False
            try:
                if self._version is None:
                    self._version = await sched.version()
                if self._cluster is None:
                    self._cluster = await sched.cluster_name()
                own_jobs_only = await sched.own_jobs_only()
                message = ""
            except SchedulerError as e:
                message = e.message
            info = {
                "kind": sched.kind,
                "flavour": sched.flavour(self._version) if self._version else None,
                "version": self._version,
                "available": True,
                "message": message,
                "cluster": self._cluster,
                # The "All jobs" view then says that it shows the user's jobs alone.
                "own_jobs_only": own_jobs_only,
            }
        return {
            "scheduler": info,
            "user": self.user,
            "poll_interval_floor": self.config.poll_interval_floor,
        }

    def _submitted(self, job_id: str) -> None:
        if self.snapshot is not None:
            self.snapshot.invalidate()
        if self.states is not None:
            self.states.watch(job_id)

    async def act(self, action: JobAction, job_ids: Sequence[str]) -> list[ActionResult]:
        """Run an action on the user's own jobs; others' and unknown jobs are refused by name."""
        sched, snapshot = self.scheduler, self.snapshot
        if sched is None or snapshot is None:
            raise SchedulerError(self.no_scheduler_message)
        owners = await sched.job_owners(job_ids)
        refused: dict[str, ActionResult] = {}
        allowed: list[str] = []
        for job_id in job_ids:
            owner = owners.get(base_job_id(job_id))
            if owner is None:
                refused[job_id] = ActionResult(
                    job_id, False, f"Job {job_id} is not in the queue (it may have finished)."
                )
            elif owner == HIDDEN_OWNER:
                message = f"{sched.hidden_job_message(job_id)} You can {action} only your own jobs."
                refused[job_id] = ActionResult(job_id, False, message)
            elif owner != self.user:
                message = f"Job {job_id} belongs to {owner}; you can {action} only your own jobs."
                refused[job_id] = ActionResult(job_id, False, message)
            else:
                allowed.append(job_id)
        done = {r.job_id: r for r in await sched.act(action, allowed)} if allowed else {}
        snapshot.invalidate()
        if self.states is not None:
            self.states.forget(allowed)
        return [refused.get(j) or done[j] for j in job_ids]
