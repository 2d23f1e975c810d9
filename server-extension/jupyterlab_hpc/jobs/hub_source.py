"""The user server's side of the hub's queue service (``jupyterlab_hpc.hubqueue``): the
rows of the shared snapshot come from the service, which lists the queue once per
interval for every server of the hub; when it cannot be reached or answers with an
error, the server lists the queue itself (and tries the service again after
``RETRY_AFTER`` seconds). The server authenticates with its hub API token
(``JUPYTERHUB_API_TOKEN``); the service knows from it which user asks.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, Literal
from urllib.parse import urlencode

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

from ..schedulers.base import LISTING_COLUMNS, Row, Scheduler
from .queue import SourcedRows

URL_ENV = "JUPYTERLAB_HPC_QUEUE_SERVICE_URL"
TOKEN_ENV = "JUPYTERHUB_API_TOKEN"  # noqa: S105 (a variable's name)
# After the service failed, the server lists the queue itself this long before trying
# the service again (seconds).
RETRY_AFTER = 30.0

Origin = Literal["hub", "scheduler"]


class HubUnavailable(Exception):
    """The service could not be used; the message says why, in a sentence."""


class HubQueueSource:
    def __init__(
        self,
        url: str,
        token: str,
        scheduler: Scheduler,
        *,
        timeout: float = 10.0,
        retry_after: float = RETRY_AFTER,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url.rstrip("/") + "/jobs"
        self._token = token
        self.scheduler = scheduler
        self.timeout = timeout
        self.retry_after = retry_after
        self._monotonic = monotonic
        self.origin: Origin = "hub"
        self.hub_error: str | None = None
        self.private: bool | None = None  # the service serves each user their own jobs
        self._failed_at: float | None = None
        self._version: int | None = None
        self._rows: list[Row] = []

    async def fetch(self) -> SourcedRows:
        failed = self._failed_at
        if failed is None or self._monotonic() - failed >= self.retry_after:
            try:
                listing = await self._from_hub()
            except HubUnavailable as e:
                self.hub_error = str(e)
                self._failed_at = self._monotonic()
                self._version = None
            else:
                self.origin = "hub"
                self.hub_error = None
                self._failed_at = None
                return listing
        self.origin = "scheduler"
        return SourcedRows(await self.scheduler.list_rows())

    def describe(self) -> dict[str, Any]:
        return {
            "source": self.origin,
            "hub_service": True,
            "source_error": self.hub_error if self.origin == "scheduler" else None,
            "hub_private": self.private,
        }

    async def _from_hub(self) -> SourcedRows:
        query = f"?{urlencode({'since': self._version})}" if self._version is not None else ""
        request = HTTPRequest(
            self.url + query,
            headers={"Authorization": f"token {self._token}", "Accept-Encoding": "gzip"},
            connect_timeout=min(self.timeout, 3.0),
            request_timeout=self.timeout,
            decompress_response=True,
        )
        try:
            response = await AsyncHTTPClient().fetch(request, raise_error=True)
        except HTTPClientError as e:
            raise HubUnavailable(_http_problem(e)) from None
        except OSError as e:  # refused, unreachable, name not known
            raise HubUnavailable(f"it cannot be reached ({e.strerror or e}).") from None
        try:
            body = json.loads(response.body)
            return self._read(body)
        except (ValueError, KeyError, TypeError) as e:
            raise HubUnavailable(f"it answered something that is not a listing ({e}).") from None

    def _read(self, body: dict[str, Any]) -> SourcedRows:
        status = body["status"]
        if not status["ok"]:
            raise HubUnavailable(f"it cannot list the queue: {status['error']}")
        self.private = bool(body.get("private"))
        if not body["unchanged"]:
            if body["columns"] != list(LISTING_COLUMNS):
                raise ValueError("its columns are not this server's")
            rows = body["rows"]
            if not all(isinstance(r, list) and len(r) == len(LISTING_COLUMNS) for r in rows):
                raise ValueError("a row has the wrong shape")
            self._rows = rows
        elif self._version != body["version"]:
            raise ValueError("unchanged, but not the version asked about")
        self._version = int(body["version"])
        age = max(0.0, float(status["now"]) - float(status["fetched_at"]))
        return SourcedRows(self._rows, age, float(status["min_interval"]), listed_here=False)


def _http_problem(e: HTTPClientError) -> str:
    if e.code == 599:
        return f"it cannot be reached ({e.message})."
    message = ""
    if e.response is not None:
        try:
            message = str(json.loads(e.response.body).get("message", ""))
        except (ValueError, AttributeError):
            message = ""
    return f"it answered {e.code}" + (f": {message}" if message else ".")


def source_from(
    config_url: str, env: dict[str, str], scheduler: Scheduler
) -> HubQueueSource | None:
    """The service's source when a URL is set (``HPCConfig.queue_service_url``, or the
    hub's ``JUPYTERLAB_HPC_QUEUE_SERVICE_URL``) and the server has a hub token."""
    url = config_url or env.get(URL_ENV, "")
    token = env.get(TOKEN_ENV, "")
    if not url or not token:
        return None
    return HubQueueSource(url, token, scheduler)
