"""REST handlers under ``{base_url}jupyterlab-hpc/batch-kernels``: this server's kernels in
batch jobs, as the notebook shows them while one waits in the queue (and why one ended),
and Cancel for one that waits.

- ``GET batch-kernels``: ``{"kernels": [status, ...]}`` (registry.BatchKernelStatus).
- ``GET batch-kernels/{kernel_id}``: one status; 404 when this server has none for it.
- ``POST batch-kernels/{kernel_id}/cancel``: cancel a kernel whose job is still starting
  (its start then fails with "You cancelled..." and the job leaves the queue); 409 when it
  is not starting.
"""

from __future__ import annotations

import os
import re
from typing import Any

import tornado.web

from ...base.handlers import BadRequest, HPCHandler
from .registry import REGISTRY, BatchKernelStatus

_KERNEL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")


def _kernel_id(value: str) -> str:
    if not _KERNEL_ID.fullmatch(value):
        raise BadRequest(f"{value[:40]!r} is not a kernel id.")
    return value


class BatchKernelBase(HPCHandler):
    def shown(self, status: BatchKernelStatus) -> dict[str, Any]:
        """The status, with ``path``: the session's file relative to the server's root (as
        the notebook knows it), or None when it is elsewhere or not known."""
        out = status.to_dict()
        out.pop("session")
        root = os.path.realpath(self.settings.get("server_root_dir") or os.getcwd())
        path = None
        if status.session:
            full = os.path.realpath(status.session)
            if full.startswith(root.rstrip(os.sep) + os.sep):
                path = os.path.relpath(full, root).replace(os.sep, "/")
        out["path"] = path
        return out


class BatchKernelsHandler(BatchKernelBase):
    @tornado.web.authenticated
    def get(self) -> None:
        kernels = sorted(REGISTRY.all(), key=lambda s: s.updated, reverse=True)
        self.finish({"kernels": [self.shown(s) for s in kernels]})


class BatchKernelHandler(BatchKernelBase):
    @tornado.web.authenticated
    def get(self, kernel_id: str) -> None:
        status = REGISTRY.get(_kernel_id(kernel_id))
        if status is None:
            raise BadRequest(f"This server has no kernel {kernel_id} in a batch job.", 404)
        self.finish(self.shown(status))


class BatchKernelCancelHandler(HPCHandler):
    @tornado.web.authenticated
    def post(self, kernel_id: str) -> None:
        if not REGISTRY.request_cancel(_kernel_id(kernel_id)):
            raise BadRequest(
                f"Kernel {kernel_id} is not waiting for its job to start, so there is nothing "
                "to cancel: shut the kernel down instead.",
                409,
            )
        self.finish({"cancelled": True})


BATCH_KERNEL_ROUTES: list[tuple[str, type[HPCHandler]]] = [
    ("batch-kernels", BatchKernelsHandler),
    ("batch-kernels/([^/]+)/cancel", BatchKernelCancelHandler),
    ("batch-kernels/([^/]+)", BatchKernelHandler),
]
