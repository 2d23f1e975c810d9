"""The base every REST handler of the extension stands on (under ``{base_url}jupyterlab-hpc/``):
authenticated JSON handlers whose errors are a sentence for a person.

Features import this module; it imports none of their handlers (routes.py gathers them).
"""

from __future__ import annotations

import json
from typing import Any

import tornado.web
from jupyter_server.base.handlers import APIHandler

from ..jobs.queue import QueueSnapshot
from ..schedulers.base import Scheduler
from ..services import HPCServices

NAMESPACE = "jupyterlab-hpc"


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
