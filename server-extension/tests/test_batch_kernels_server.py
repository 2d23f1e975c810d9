"""Kernels inside batch jobs through a real Jupyter server (issue 18): what a notebook sees.

The notebook's start request (POST /api/sessions) waits while the job does; a refusal comes
back as the request's answer, in our words (not "Unhandled error"); the kernel's status
(waiting, running, why it ended) is at ``jupyterlab-hpc/batch-kernels``, found by the
notebook's path, and Cancel there ends a start that waits in the queue.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

pytestmark = pytest.mark.slurm


@pytest.fixture
def jp_server_config() -> dict[str, object]:
    return {
        "ServerApp": {"jpserver_extensions": {"jupyterlab_hpc": True}},
        "BatchKernelProvisioner": {"node_address": "loopback"},
    }


def batch_spec(jp_data_dir: Path, name: str, config: dict[str, Any]) -> str:
    folder = Path(jp_data_dir) / "kernels" / name
    folder.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": f"Batch {name}",
        "language": "python",
        "interrupt_mode": "signal",
        "metadata": {"kernel_provisioner": {"provisioner_name": "hpc-batch", "config": config}},
    }
    (folder / "kernel.json").write_text(json.dumps(spec))
    return name


async def api(jp_fetch: Any, method: str, *path: str, body: Any = None) -> Any:
    response = await jp_fetch(
        *path, method=method, body=json.dumps(body) if body is not None else None
    )
    return json.loads(response.body) if response.body else None


async def open_notebook(jp_fetch: Any, path: str, kernel: str) -> Any:
    body = {"path": path, "name": path, "type": "notebook", "kernel": {"name": kernel}}
    return await api(jp_fetch, "POST", "api", "sessions", body=body)


def squeue_state(job_id: str) -> str:
    result = subprocess.run(
        ["squeue", "-h", "-j", job_id, "-o", "%T"], capture_output=True, text=True, check=False
    )
    return result.stdout.strip()


async def until(check: Any, within: float) -> Any:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        value = await check()
        if value:
            return value
        await asyncio.sleep(0.3)
    raise AssertionError(f"not within {within} s")


async def test_a_notebook_runs_on_a_batch_kernel(
    slurm: None, jp_fetch: Any, jp_data_dir: Path
) -> None:
    kernel = batch_spec(jp_data_dir, "batch-nb", {"partition": "debug", "cpus": 2})
    session = await open_notebook(jp_fetch, "work.ipynb", kernel)
    kernel_id = session["kernel"]["id"]
    status = await api(jp_fetch, "GET", "jupyterlab-hpc", "batch-kernels", kernel_id)
    job_id = status["job_id"]
    try:
        assert status["phase"] == "running"
        assert status["path"] == "work.ipynb"
        assert status["state"] == "RUNNING"
        assert status["partition"] == "debug"
        assert status["resources"] == "debug, 2 CPUs"
        assert status["node"]
        assert squeue_state(job_id) == "RUNNING"
        listed = await api(jp_fetch, "GET", "jupyterlab-hpc", "batch-kernels")
        mine = [k["kernel_id"] for k in listed["kernels"] if k["path"] == "work.ipynb"]
        assert mine == [kernel_id]
        # Cancel is for a kernel that waits, not a running one.
        with pytest.raises(HTTPClientError) as refused:
            await api(
                jp_fetch, "POST", "jupyterlab-hpc", "batch-kernels", kernel_id, "cancel", body={}
            )
        assert refused.value.code == 409
    finally:
        await jp_fetch("api", "sessions", session["id"], method="DELETE")

    async def left() -> bool:
        return squeue_state(job_id) == ""

    await until(left, 30)
    status = await api(jp_fetch, "GET", "jupyterlab-hpc", "batch-kernels", kernel_id)
    assert status["phase"] == "ended"
    assert status["message"] == "The kernel was shut down."
    assert status["unexpected"] is False


async def test_a_refused_start_answers_the_notebook_in_words(
    slurm: None, jp_fetch: Any, jp_data_dir: Path
) -> None:
    kernel = batch_spec(jp_data_dir, "batch-bad", {"partition": "nosuchpartition"})
    said = "Slurm refused the kernel's job, so nothing was queued: invalid partition specified"
    # A notebook starts its kernel through the sessions API, which answers any failure of
    # the start as a 500 with the exception's text: ours.
    with pytest.raises(HTTPClientError) as raised:
        await open_notebook(jp_fetch, "bad.ipynb", kernel)
    assert raised.value.code == 500
    assert raised.value.response is not None
    answer = json.loads(raised.value.response.body)
    assert answer["message"].startswith(said)
    # The kernels API answers other exceptions "Unhandled error"; ours is a 400 in words.
    with pytest.raises(HTTPClientError) as raised:
        await api(jp_fetch, "POST", "api", "kernels", body={"name": kernel})
    assert raised.value.code == 400
    assert raised.value.response is not None
    assert json.loads(raised.value.response.body)["message"].startswith(said)
    listed = await api(jp_fetch, "GET", "jupyterlab-hpc", "batch-kernels")
    (status,) = [k for k in listed["kernels"] if k["path"] == "bad.ipynb"]
    assert status["phase"] == "failed"
    assert status["message"] == answer["message"]


async def test_cancel_from_the_notebook_while_the_job_waits(
    slurm: None, jp_fetch: Any, jp_data_dir: Path
) -> None:
    kernel = batch_spec(jp_data_dir, "batch-wait", {"extra": ["--begin=now+3600"]})
    start = asyncio.ensure_future(open_notebook(jp_fetch, "waits.ipynb", kernel))

    async def waiting() -> Any:
        listed = await api(jp_fetch, "GET", "jupyterlab-hpc", "batch-kernels")
        found = [k for k in listed["kernels"] if k["path"] == "waits.ipynb"]
        return found[0] if found and found[0]["phase"] == "pending" and found[0]["reason"] else None

    status = await until(waiting, 20)
    job_id = status["job_id"]
    try:
        assert status["state"] == "PENDING"
        assert status["reason"] == "waiting for the start time it asked for (--begin)"
        assert status["expected_start"]
        assert squeue_state(job_id) == "PENDING"
        answer = await api(
            jp_fetch,
            "POST",
            "jupyterlab-hpc",
            "batch-kernels",
            status["kernel_id"],
            "cancel",
            body={},
        )
        assert answer == {"cancelled": True}
        with pytest.raises(HTTPClientError) as raised:
            await start
        assert raised.value.response is not None
        message = json.loads(raised.value.response.body)["message"]
        assert message.startswith(f"You cancelled the kernel's job {job_id} while it waited")
        assert squeue_state(job_id) == ""
    finally:
        start.cancel()
        subprocess.run(["scancel", job_id], capture_output=True, check=False)


async def test_a_job_cancelled_from_the_queue_ends_the_notebooks_kernel(
    slurm: None, jp_fetch: Any, jp_data_dir: Path, jp_serverapp: Any
) -> None:
    kernel = batch_spec(jp_data_dir, "batch-gone", {})
    session = await open_notebook(jp_fetch, "gone.ipynb", kernel)
    kernel_id = session["kernel"]["id"]
    status = await api(jp_fetch, "GET", "jupyterlab-hpc", "batch-kernels", kernel_id)
    job_id = status["job_id"]
    subprocess.run(["scancel", job_id], check=True)

    async def ended() -> Any:
        status = await api(jp_fetch, "GET", "jupyterlab-hpc", "batch-kernels", kernel_id)
        return status if status["phase"] == "ended" else None

    status = await until(ended, 30)
    assert status["message"].startswith(f"Job {job_id} was cancelled")
    assert status["unexpected"] is True

    # jupyter_server's restarter gave up at once (no new job) and dropped the kernel.
    async def dropped() -> bool:
        return kernel_id not in jp_serverapp.kernel_manager

    await until(dropped, 15)
    await asyncio.sleep(4)
    listed = await api(jp_fetch, "GET", "jupyterlab-hpc", "batch-kernels")
    assert [k["job_id"] for k in listed["kernels"] if k["path"] == "gone.ipynb"] == [job_id]
    assert squeue_state(job_id) == ""
