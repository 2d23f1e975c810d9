"""A notebook's view: a real ipykernel (through jupyter_client) loads the magics and submits."""

from __future__ import annotations

import queue
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jupyter_client.blocking.client import BlockingKernelClient
from jupyter_client.manager import KernelManager

from .conftest import Submitter

pytestmark = pytest.mark.usefixtures("slurm")


@pytest.fixture
def manager(tmp_path: Path) -> Iterator[KernelManager]:
    km = KernelManager(kernel_name="python3")
    km.start_kernel(cwd=str(tmp_path))
    try:
        yield km
    finally:
        km.shutdown_kernel(now=True)


@pytest.fixture
def kernel(manager: KernelManager) -> Iterator[BlockingKernelClient]:
    client = manager.blocking_client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        yield client
    finally:
        client.stop_channels()


def execute(client: BlockingKernelClient, code: str) -> list[dict[str, Any]]:
    """Run a cell; the outputs a notebook would show, as (msg_type, content) dicts."""
    outputs: list[dict[str, Any]] = []

    def keep(msg: dict[str, Any]) -> None:
        if msg["msg_type"] in ("stream", "execute_result", "display_data", "error"):
            outputs.append({"type": msg["msg_type"], **msg["content"]})

    reply = client.execute_interactive(code, output_hook=keep, timeout=60)
    assert reply["content"]["status"] in ("ok", "error")
    return outputs


def test_sbatch_cell_in_a_kernel_shows_the_job_id(
    kernel: BlockingKernelClient, submit: Submitter
) -> None:
    assert not [o for o in execute(kernel, "%load_ext jupyterlab_hpc") if o["type"] == "error"]
    outputs = execute(kernel, "%%sbatch -H -t 1 -J from-a-kernel\necho hi\n")
    [result] = [o for o in outputs if o["type"] == "execute_result"]
    text = result["data"]["text/plain"]
    match = re.fullmatch(r"Job\(id='(\d+)', state='held', scheduler='slurm'\)", text)
    assert match, text
    submit.ids.append(match.group(1))
    html = result["data"]["text/html"]
    assert f"Job {match.group(1)} (slurm)" in html
    assert "from-a-kernel" in html

    # A failing submission: a short error with the command, no traceback.
    [error] = [o for o in execute(kernel, "%sbatch -p nope --wrap true") if o["type"] == "error"]
    assert error["ename"] == "BatchError"
    assert error["traceback"][0] == "BatchError: sbatch failed (exit code 1)."
    assert "Invalid partition name specified" in "\n".join(error["traceback"])


def test_interrupting_the_kernel_stops_waiting_and_keeps_the_job(
    manager: KernelManager, kernel: BlockingKernelClient, submit: Submitter
) -> None:
    job_id = submit.sbatch("-H", "-t", "1", "--wrap", "true")
    execute(kernel, "%load_ext jupyterlab_hpc")
    msg_id = kernel.execute(f"%job wait {job_id}")
    messages: list[dict[str, Any]] = []
    interrupted = False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            msg = kernel.get_iopub_msg(timeout=1)
        except queue.Empty:
            continue
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        messages.append(msg)
        if msg["msg_type"] == "display_data" and not interrupted:
            time.sleep(1.5)  # a poll or two into the wait, like a person pressing stop
            manager.interrupt_kernel()
            interrupted = True
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    kinds = [m["msg_type"] for m in messages]
    assert "display_data" in kinds  # the progress line
    first = next(m for m in messages if m["msg_type"] == "display_data")
    said = first["content"]["data"]["text/plain"]
    assert f"Job {job_id} (slurm): held (held by its owner: release it to let it run)" in said
    stream = "".join(m["content"]["text"] for m in messages if m["msg_type"] == "stream")
    assert f"Stopped waiting: job {job_id} is held (not cancelled)." in stream
    [result] = [m for m in messages if m["msg_type"] == "execute_result"]
    assert "held" in result["content"]["data"]["text/plain"]
    assert "error" not in kinds
    state = subprocess.run(
        ["squeue", "-h", "-j", job_id, "-o", "%T"], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert state == "PENDING"
