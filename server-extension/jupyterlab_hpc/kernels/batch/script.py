"""The job script of a batch kernel (pure).

The script is handed to the batch system on stdin, so it is on no command line; it holds
paths and the kernel's argv, never the connection key (which stays in the private folder's
connection file). It replaces itself (``exec``) with the node side, so the job's batch step
*is* the node side: a signal sent to the batch step (``scancel --signal=INT --batch``)
reaches it, and it passes it on to the kernel.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Sequence

NODE_MODULE = "jupyterlab_hpc.kernels.batch.node"
# When the script started (bash's $EPOCHREALTIME), for the node side's timings.
STARTED_VARIABLE = "JUPYTERLAB_HPC_JOB_STARTED"


def node_argv(
    folder: str,
    address: str,
    kernel_argv: Sequence[str],
    *,
    keep_seconds: float,
    start_timeout: float,
    lease_timeout: float = 0.0,
    python: str | None = None,
) -> list[str]:
    """What the job runs: the node side, then ``--`` and the kernel's own argv."""
    return [
        python or sys.executable,
        "-m",
        NODE_MODULE,
        "--folder",
        folder,
        "--address",
        address,
        "--keep",
        f"{keep_seconds:g}",
        "--start-timeout",
        f"{start_timeout:g}",
        "--lease-timeout",
        f"{lease_timeout:g}",
        "--",
        *kernel_argv,
    ]


def job_script(argv: Sequence[str], *, title: str, shell: str = "/bin/bash") -> str:
    """``#!/bin/bash`` and one ``exec`` line, every word quoted for the shell."""
    comment = "".join(c if c.isprintable() else " " for c in title)[:200]
    return (
        f"#!{shell}\n"
        f"# {comment}\n"
        "# Started by jupyterlab-hpc: the node side picks the kernel's address and ports,\n"
        "# starts it, and passes the job's signals on to it.\n"
        f"{STARTED_VARIABLE}=$EPOCHREALTIME exec {shlex.join(argv)}\n"
    )
