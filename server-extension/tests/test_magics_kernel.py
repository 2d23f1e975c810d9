"""A notebook's view: a real ipykernel (through jupyter_client) loads the magics and submits."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jupyter_client.blocking.client import BlockingKernelClient
from jupyter_client.manager import KernelManager

from .conftest import Submitter

pytestmark = pytest.mark.usefixtures("slurm")


@pytest.fixture
def kernel(tmp_path: Path) -> Iterator[BlockingKernelClient]:
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(cwd=str(tmp_path))
    client = manager.blocking_client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        yield client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


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
