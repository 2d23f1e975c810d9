"""REST handlers of the queue panel: capabilities, the shared listing, job actions, partitions."""

from __future__ import annotations

import json
import re
import time

import tornado.web

from ..base.handlers import BadRequest, HPCHandler
from ..schedulers.base import JOB_ACTIONS, InvalidJobId, JobState, SchedulerError, validate_job_id
from .states import MAX_IDS as MAX_STATE_IDS

MAX_JOB_IDS = 1000
_PARTITION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_STATES = {s.value for s in JobState}


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
        if partition and not _PARTITION.fullmatch(partition):
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


class JobStatesHandler(HPCHandler):
    """``POST jobs/states {"ids": [...], "max_age": seconds, "submitted": bool}``: the state
    of a few jobs from per-job queries (jobs/states.py), for watchers in the background;
    never a listing. ``submitted`` adds the jobs submitted through this server."""

    @tornado.web.authenticated
    async def post(self) -> None:
        body = self.json_body()
        job_ids = body.get("ids")
        submitted = body.get("submitted", False)
        if not isinstance(submitted, bool):
            raise BadRequest("submitted must be true or false.")
        if not isinstance(job_ids, list) or not (job_ids or submitted):
            raise BadRequest("ids must be a list of job ids (empty only with submitted).")
        if len(job_ids) > MAX_STATE_IDS:
            raise BadRequest(
                f"At most {MAX_STATE_IDS} jobs at a time: ask for the others in another request."
            )
        sched = self.hpc.scheduler
        validate = sched.validate_job_id if sched is not None else validate_job_id
        try:
            ids = [validate(j) for j in job_ids]
        except InvalidJobId as e:
            raise BadRequest(str(e)) from None
        max_age = body.get("max_age")
        if max_age is not None and (
            isinstance(max_age, bool)
            or not isinstance(max_age, int | float)
            or not 0 <= max_age <= 3600
        ):
            raise BadRequest("max_age must be a number of seconds between 0 and 3600.")
        states = self.hpc.states
        if states is None:
            raise BadRequest(self.hpc.no_scheduler_message, status=503)
        answers, error = await states.states(ids, max_age, submitted=submitted)
        self.set_header("Cache-Control", "no-store")
        self.finish(
            json.dumps(
                {
                    "jobs": {job_id: entry.to_dict() for job_id, entry in answers.items()},
                    "status": {"ok": error is None, "error": error, "now": time.time()},
                }
            )
        )


class PartitionsHandler(HPCHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        sched, _ = self.require_scheduler()
        try:
            partitions = await sched.partitions()
        except SchedulerError as e:
            raise BadRequest(e.message, status=503, detail=e.detail) from None
        self.finish(json.dumps({"partitions": [p.to_dict() for p in partitions]}))


class PendingHandler(HPCHandler):
    """``GET jobs/pending[?job=ID]``: the user's pending and held jobs, why each waits and
    when it is expected to start (jobs/pending.py); with ``job``, that one job alone (its
    own query, never a listing: a job's details tab asks this)."""

    @tornado.web.authenticated
    async def get(self) -> None:
        sched, _ = self.require_scheduler()
        explainer = self.hpc.pending
        if explainer is None:
            raise BadRequest(self.hpc.no_scheduler_message, status=503)
        job = self.get_query_argument("job", "")
        only: str | None = None
        if job:
            try:
                only = sched.validate_job_id(job)
            except InvalidJobId as e:
                raise BadRequest(str(e)) from None
        explanations = await (explainer.explain() if only is None else explainer.explain_one(only))
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(explainer.body(explanations)))


QUEUE_ROUTES: list[tuple[str, type[HPCHandler]]] = [
    ("capabilities", CapabilitiesHandler),
    ("jobs", JobsHandler),
    ("jobs/actions", JobActionsHandler),
    ("jobs/states", JobStatesHandler),
    ("jobs/pending", PendingHandler),
    ("partitions", PartitionsHandler),
]
