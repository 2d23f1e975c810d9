"""REST handlers of the cluster view: ``GET cluster`` and ``GET cluster/partitions/{name}/nodes``.

Both answer from the server's shared ``ClusterSnapshot`` (service.py): a request never
makes the batch system answer more than once per refresh interval.
"""

from __future__ import annotations

import json
import re

import tornado.web

from ..base.handlers import BadRequest, HPCHandler
from .service import ClusterSnapshot

# Slurm partition and PBS queue names: letters, digits, . _ - (PBS: at most 15).
PARTITION_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class ClusterBaseHandler(HPCHandler):
    async def snapshot(self) -> ClusterSnapshot:
        """The shared snapshot, refreshed if older than the interval; 503 without a batch
        system, 501 when this one has no cluster summary, 503 when it never answered."""
        snapshot = self.hpc.cluster
        if snapshot is None:
            raise BadRequest(self.hpc.no_scheduler_message, status=503)
        await snapshot.refresh()
        if snapshot.unsupported is not None:
            raise BadRequest(snapshot.unsupported, status=501)
        if snapshot.summary is None:
            raise BadRequest(
                f"The batch system did not answer: {snapshot.error}",
                status=503,
                detail=snapshot.error_detail,
            )
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        return snapshot


class ClusterHandler(ClusterBaseHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        since_text = self.get_query_argument("since", "")
        if since_text and not (since_text.isdigit() and len(since_text) <= 20):
            raise BadRequest("since must be a version number from an earlier answer.")
        snapshot = await self.snapshot()
        self.finish(snapshot.body(int(since_text) if since_text else None))


class PartitionNodesHandler(ClusterBaseHandler):
    @tornado.web.authenticated
    async def get(self, name: str) -> None:
        if not PARTITION_NAME.fullmatch(name):
            raise BadRequest(
                "The partition name must be 1 to 64 letters, digits, dots, underscores "
                "and dashes, starting with a letter or digit.",
                detail=name[:100],
            )
        snapshot = await self.snapshot()
        body = snapshot.nodes_body(name)
        if body is None:
            raise BadRequest(f"There is no partition {name} (or you may not see it).", 404)
        self.finish(body)


class MyShareHandler(HPCHandler):
    """``GET cluster/share``: the user's fair-share, usage and allocation per account;
    ``available`` false where the batch system computes none."""

    @tornado.web.authenticated
    async def get(self) -> None:
        share = self.hpc.share
        if share is None:
            raise BadRequest(self.hpc.no_scheduler_message, status=503)
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(await share.get()))


CLUSTER_ROUTES: list[tuple[str, type[HPCHandler]]] = [
    ("cluster", ClusterHandler),
    ("cluster/share", MyShareHandler),
    (r"cluster/partitions/([^/]+)/nodes", PartitionNodesHandler),
]
