"""``GET {prefix}jobs[?since=VERSION]``: the listing, for user servers with a hub API
token. The same body as a user server's ``jobs`` (``columns``, ``rows``, ``version``,
``unchanged``, ``status``), with ``private`` (the rows are the asking user's alone) and
``user``. ``status`` adds ``listings``: how many times the service has listed the queue."""

from __future__ import annotations

import json
from typing import Any

import tornado.web

from ..jobs.queue import QueueSnapshot
from .auth import HubUsers, NotAllowed
from .privacy import Privacy


class ServiceHandler(tornado.web.RequestHandler):
    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        message = self._reason
        if isinstance(exc, tornado.web.HTTPError) and exc.log_message:
            message = exc.log_message
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"message": message}))

    def refuse(self, status: int, message: str) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"message": message}))


class JobsHandler(ServiceHandler):
    def initialize(self, snapshot: QueueSnapshot, users: HubUsers, privacy: Privacy) -> None:
        self.snapshot = snapshot
        self.users = users
        self.privacy = privacy

    async def get(self) -> None:
        try:
            user = await self.users.user_of(self.request.headers.get("Authorization", ""))
        except NotAllowed as e:
            self.refuse(e.status, e.message)
            return
        since_text = self.get_query_argument("since", "")
        if since_text and not (since_text.isdigit() and len(since_text) <= 20):
            self.refuse(400, "since must be a version number from an earlier answer.")
            return
        snapshot = self.snapshot
        await snapshot.refresh()
        private = await self.privacy.jobs_private()
        status = snapshot.status()
        status["listings"] = snapshot.listings
        status_json = json.dumps(status).encode()
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        extra = b'"private":%s,"user":%s,' % (
            b"true" if private else b"false",
            json.dumps(user).encode(),
        )
        if since_text and int(since_text) == snapshot.version:
            self.finish(
                b'{%s"version":%d,"unchanged":true,"status":%s}'
                % (extra, snapshot.version, status_json)
            )
            return
        encoded = snapshot.encoded((user if private else None, "", "", ""))
        tail = extra + b'"version":%d,"unchanged":false,"status":%s}' % (
            snapshot.version,
            status_json,
        )
        self.set_header("Vary", "Accept-Encoding")
        if "gzip" in self.request.headers.get("Accept-Encoding", ""):
            self.set_header("Content-Encoding", "gzip")
            self.finish(encoded.gzip_body(tail))
        else:
            self.finish(encoded.body(tail))


class HealthHandler(ServiceHandler):
    """``GET {prefix}health``: no token; the hub and tests see that the service is up."""

    def initialize(self, snapshot: QueueSnapshot) -> None:
        self.snapshot = snapshot

    def get(self) -> None:
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"ok": True, "listings": self.snapshot.listings}))
