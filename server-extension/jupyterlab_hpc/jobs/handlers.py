"""REST handlers for submission, job details, output and submit templates.

Thin: each parses the request, calls JobService or TemplateStore, and turns their errors
into 4xx answers ``{"message", "detail"}`` (plus ``field`` for a refused submit option).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import tornado.web

from ..base.handlers import BadRequest, HPCHandler
from ..schedulers.base import (
    CommandFailed,
    InvalidJobId,
    InvalidOption,
    JobNotFound,
    NotPermitted,
    SchedulerError,
    Unsupported,
    validate_job_id,
)
from .output import MAX_OUTPUT_CHUNK, OutputUnreadable
from .service import STREAMS, JobService, NotYourJob
from .templates import TemplateError, TemplateStore

_ID = r"([^/]+)"
MAX_OFFSET = 2**62


class FieldRefused(BadRequest):
    """A 400 about one field of the request, which the form can point at."""

    def __init__(self, error: InvalidOption | TemplateError) -> None:
        status = error.status if isinstance(error, TemplateError) else 400
        super().__init__(error.message, status)
        self.field = error.field


class JobHandler(HPCHandler):
    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, FieldRefused):
            self.set_header("Content-Type", "application/json")
            self.finish(
                json.dumps({"message": exc.message, "detail": exc.detail, "field": exc.field})
            )
            return
        super().write_error(status_code, **kwargs)

    @property
    def jobs(self) -> JobService:
        if self.hpc.jobs is None:
            raise BadRequest(self.hpc.no_scheduler_message, status=503)
        return self.hpc.jobs

    def job_id(self, value: str) -> str:
        sched = self.hpc.scheduler
        validate = sched.validate_job_id if sched is not None else validate_job_id
        try:
            return validate(value)
        except InvalidJobId as e:
            raise BadRequest(str(e)) from None

    def int_argument(self, name: str, *, minimum: int) -> int | None:
        text = self.get_query_argument(name, "")
        if text == "":
            return None
        if not (text.isascii() and text.isdigit() and len(text) <= 19):
            raise BadRequest(f"{name} must be a whole number of bytes.")
        value = int(text)
        if not minimum <= value <= MAX_OFFSET:
            raise BadRequest(f"{name} must be at least {minimum}.")
        return value


@contextmanager
def answers() -> Iterator[None]:
    """Scheduler and validation errors as the answers the REST contract gives."""
    try:
        yield
    except (InvalidOption, TemplateError) as e:
        raise FieldRefused(e) from None
    except JobNotFound as e:
        raise BadRequest(e.message, status=404) from None
    except NotYourJob as e:
        raise BadRequest(str(e), status=403) from None
    except NotPermitted as e:
        # Another user's job on a server that shows each user only their own.
        raise BadRequest(e.message, status=403) from None
    except OutputUnreadable as e:
        raise BadRequest(str(e), status=409) from None
    except Unsupported as e:
        raise BadRequest(e.message, status=501) from None
    except SchedulerError as e:
        raise BadRequest(e.message, status=503, detail=e.detail) from None


class SubmitHandler(JobHandler):
    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.json_body()
        jobs = self.jobs
        with answers():
            try:
                result = await jobs.submit(body)
            except CommandFailed as e:
                # The batch system refused the job: its own words, the command as detail.
                raise BadRequest(e.output, detail=e.detail) from None
        self.finish(json.dumps(result.to_dict()))


class JobDetailHandler(JobHandler):
    @tornado.web.authenticated
    async def get(self, job_id: str) -> None:
        job_id = self.job_id(job_id)
        jobs = self.jobs
        with answers():
            detail = await jobs.detail(job_id)
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(detail.to_dict()))


class JobOutputHandler(JobHandler):
    @tornado.web.authenticated
    async def get(self, job_id: str) -> None:
        job_id = self.job_id(job_id)
        stream = self.get_query_argument("stream", "stdout")
        if stream not in STREAMS:
            raise BadRequest("stream must be 'stdout' or 'stderr'.")
        offset = self.int_argument("offset", minimum=0)
        before = self.int_argument("before", minimum=0)
        if offset is not None and before is not None:
            raise BadRequest("Give offset (read forward) or before (read back), not both.")
        limit = self.int_argument("limit", minimum=1) or MAX_OUTPUT_CHUNK
        jobs = self.jobs
        with answers():
            chunk = await jobs.output(job_id, stream, offset=offset, before=before, limit=limit)
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(chunk.to_dict()))


class TemplatesHandler(JobHandler):
    @tornado.web.authenticated
    def get(self) -> None:
        store = self.hpc.templates
        templates = store.list()
        self.finish(
            json.dumps({"templates": [t.to_dict() for t in templates], "warnings": store.warnings})
        )


class TemplateHandler(JobHandler):
    @property
    def store(self) -> TemplateStore:
        return self.hpc.templates

    @tornado.web.authenticated
    def put(self, name: str) -> None:
        body = self.json_body()
        with answers():
            template = self.store.save(name, body)
        self.finish(json.dumps(template.to_dict()))

    @tornado.web.authenticated
    def delete(self, name: str) -> None:
        with answers():
            self.store.delete(name)
        self.set_status(204)
        self.finish()


JOB_ROUTES: list[tuple[str, type[HPCHandler]]] = [
    ("jobs/submit", SubmitHandler),
    (f"jobs/{_ID}/output", JobOutputHandler),
    (f"jobs/{_ID}", JobDetailHandler),
    ("submit/templates", TemplatesHandler),
    (f"submit/templates/{_ID}", TemplateHandler),
]
