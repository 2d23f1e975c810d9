"""Thin authenticated REST handlers under ``{base_url}jupyterlab-hpc/``."""

from __future__ import annotations

import json
import re
from typing import Any

import tornado.web
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join

from .queue import QueueSnapshot
from .schedulers.base import (
    JOB_ACTIONS,
    InvalidJobId,
    JobState,
    Scheduler,
    SchedulerError,
    validate_job_id,
)
from .services import HPCServices

NAMESPACE = "jupyterlab-hpc"
MAX_JOB_IDS = 1000
_PARTITION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_STATES = {s.value for s in JobState}


class BadRequest(tornado.web.HTTPError):
    def __init__(self, message: str, status: int = 400, detail: str = "") -> None:
        super().__init__(status, message)
        self.message = message
        self.detail = detail


class HPCHandler(APIHandler):
    @property
    def hpc(self) -> HPCServices:
        services: HPCServices = self.settings["jupyterlab_hpc"]
        return services

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """Errors are ``{"message": ..., "detail": ...}``: a sentence for a person first."""
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, BadRequest):
            body = {"message": exc.message, "detail": exc.detail}
        elif isinstance(exc, tornado.web.HTTPError) and exc.log_message:
            body = {"message": exc.log_message % exc.args if exc.args else exc.log_message}
        else:
            body = {"message": self._reason or "Internal server error"}
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))

    def json_body(self) -> dict[str, Any]:
        """The request body as a JSON object, or a 400 that says what is wrong with it."""
        try:
            body = json.loads(self.request.body or b"null")
        except ValueError as e:
            raise BadRequest("The request body is not valid JSON.", detail=str(e)) from None
        if not isinstance(body, dict):
            raise BadRequest("The request body must be a JSON object.")
        return body

    def require_scheduler(self) -> tuple[Scheduler, QueueSnapshot]:
        sched, snapshot = self.hpc.scheduler, self.hpc.snapshot
        if sched is None or snapshot is None:
            raise BadRequest(self.hpc.no_scheduler_message, status=503)
        return sched, snapshot


class CapabilitiesHandler(HPCHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        self.finish(json.dumps(await self.hpc.capabilities()))


class JobsHandler(HPCHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        scope = self.get_query_argument("scope", "mine")
        if scope not in ("mine", "all"):
            raise BadRequest("scope must be 'mine' or 'all'.")
        since_text = self.get_query_argument("since", "")
        if since_text and not (since_text.isdigit() and len(since_text) <= 20):
            raise BadRequest("since must be a version number from an earlier answer.")
        partition = self.get_query_argument("partition", "")
        if partition and not _PARTITION.match(partition):
            raise BadRequest("partition must be a partition name (letters, digits, . _ -).")
        state = self.get_query_argument("state", "")
        if state and state not in _STATES:
            raise BadRequest(f"state must be one of: {', '.join(sorted(_STATES))}.")
        name = self.get_query_argument("name", "")
        if len(name) > 200:
            raise BadRequest("name is too long (200 characters at most).")
        _, snapshot = self.require_scheduler()
        await snapshot.refresh()
        status = json.dumps(snapshot.status()).encode()
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        if since_text and int(since_text) == snapshot.version:
            self.finish(b'{"version":%d,"unchanged":true,"status":%s}' % (snapshot.version, status))
            return
        user = self.hpc.user if scope == "mine" else None
        encoded = snapshot.encoded((user, partition, state, name.lower()))
        tail = b'"version":%d,"unchanged":false,"status":%s}' % (snapshot.version, status)
        self.set_header("Vary", "Accept-Encoding")
        if "gzip" in self.request.headers.get("Accept-Encoding", ""):
            self.set_header("Content-Encoding", "gzip")
            self.finish(encoded.gzip_body(tail))
        else:
            self.finish(encoded.body(tail))


class JobActionsHandler(HPCHandler):
    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.json_body()
        action = body.get("action")
        if action not in JOB_ACTIONS:
            raise BadRequest(f"action must be one of: {', '.join(JOB_ACTIONS)}.")
        job_ids = body.get("job_ids")
        if not isinstance(job_ids, list) or not job_ids:
            raise BadRequest("job_ids must be a non-empty list of job ids.")
        if len(job_ids) > MAX_JOB_IDS:
            raise BadRequest(f"At most {MAX_JOB_IDS} jobs at a time.")
        # Ids are checked by the batch system's own rules (Slurm 123_4, PBS 3[1].server).
        sched = self.hpc.scheduler
        validate = sched.validate_job_id if sched is not None else validate_job_id
        try:
            ids = [validate(j) for j in job_ids]
        except InvalidJobId as e:
            raise BadRequest(str(e)) from None
        self.require_scheduler()
        try:
            results = await self.hpc.act(action, list(dict.fromkeys(ids)))
        except SchedulerError as e:
            raise BadRequest(e.message, status=503, detail=e.detail) from None
        self.finish(json.dumps({"results": [r.to_dict() for r in results]}))


class PartitionsHandler(HPCHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        sched, _ = self.require_scheduler()
        try:
            partitions = await sched.partitions()
        except SchedulerError as e:
            raise BadRequest(e.message, status=503, detail=e.detail) from None
        self.finish(json.dumps({"partitions": [p.to_dict() for p in partitions]}))


ROUTES: list[tuple[str, type[HPCHandler]]] = [
    ("capabilities", CapabilitiesHandler),
    ("jobs", JobsHandler),
    ("jobs/actions", JobActionsHandler),
    ("partitions", PartitionsHandler),
]


def all_routes() -> list[tuple[str, type[HPCHandler]]]:
    """ROUTES plus the routes of the feature packages (imported here: they import this module)."""
    from .history_handlers import HISTORY_ROUTES
    from .job_handlers import JOB_ROUTES
    from .kernelspecs.handlers import ROUTES as KERNELSPEC_ROUTES
    from .module_handlers import MODULE_ROUTES

    return [*ROUTES, *JOB_ROUTES, *MODULE_ROUTES, *KERNELSPEC_ROUTES, *HISTORY_ROUTES]


def setup_handlers(web_app: Any, services: HPCServices) -> None:
    web_app.settings["jupyterlab_hpc"] = services
    base_url = web_app.settings["base_url"]
    web_app.add_handlers(
        ".*$",
        [(url_path_join(base_url, NAMESPACE, path), handler) for path, handler in all_routes()],
    )
