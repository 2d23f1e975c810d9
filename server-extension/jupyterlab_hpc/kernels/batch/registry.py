"""The batch kernels of this server process, as the notebook and the queue panel see them:
which job each one is, whether it waits in the queue (and why), runs, or ended (and why).

The provisioners write it; the server's REST routes read it and pass a user's Cancel of a
waiting kernel back. One per server process (provisioners live in the server's process).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

Phase = Literal["submitting", "pending", "starting", "running", "ended", "failed"]
# How long an ended kernel's record is kept, so a notebook can still read why.
KEEP_ENDED_SECONDS = 3600.0


@dataclass(frozen=True)
class BatchKernelStatus:
    kernel_id: str
    kind: str
    phase: Phase
    job_id: str | None = None
    kernel_name: str = ""
    # The notebook (or console) the kernel was started for: the Jupyter server's
    # JPY_SESSION_NAME, an absolute path (the REST route answers it relative to the root).
    session: str = ""
    partition: str = ""
    resources: str = ""
    state: str = ""  # the batch system's own state word (PENDING, RUNNING, TIMEOUT...)
    reason: str = ""  # why it waits, in words
    expected_start: str | None = None
    node: str = ""
    message: str = ""  # why it ended or failed
    # Ended without being asked to (the job ended, the kernel exited): news for the notebook.
    unexpected: bool = False
    submitted: float | None = None
    updated: float = field(default_factory=time.time)

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


class Registry:
    def __init__(self) -> None:
        self._kernels: dict[str, BatchKernelStatus] = {}
        self._cancel: dict[str, asyncio.Event] = {}

    def set(self, status: BatchKernelStatus) -> None:
        self._forget_old()
        self._kernels[status.kernel_id] = status

    def update(self, kernel_id: str, **changes: Any) -> BatchKernelStatus | None:
        old = self._kernels.get(kernel_id)
        if old is None:
            return None
        new = replace(old, updated=time.time(), **changes)
        self._kernels[kernel_id] = new
        return new

    def get(self, kernel_id: str) -> BatchKernelStatus | None:
        return self._kernels.get(kernel_id)

    def all(self) -> list[BatchKernelStatus]:
        self._forget_old()
        return list(self._kernels.values())

    def cancel_event(self, kernel_id: str) -> asyncio.Event:
        """What the provisioner waits on while its job is in the queue."""
        event = asyncio.Event()
        self._cancel[kernel_id] = event
        return event

    def drop_cancel_event(self, kernel_id: str) -> None:
        self._cancel.pop(kernel_id, None)

    def request_cancel(self, kernel_id: str) -> bool:
        """Cancel a kernel that is still starting; False when it is not starting."""
        event = self._cancel.get(kernel_id)
        if event is None:
            return False
        event.set()
        return True

    def _forget_old(self) -> None:
        limit = time.time() - KEEP_ENDED_SECONDS
        for kernel_id, status in list(self._kernels.items()):
            if status.phase in ("ended", "failed") and status.updated < limit:
                del self._kernels[kernel_id]


REGISTRY = Registry()
