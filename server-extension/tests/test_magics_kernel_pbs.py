"""A notebook's view on PBS: a real ipykernel whose site config (ipython_kernel_config.py)
loads the magics in every kernel and points them at the PBS replay executables."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from jupyter_client.blocking.client import BlockingKernelClient
from jupyter_client.manager import KernelManager

from .pbs_replay.fixtures import PBSReplay
from .test_magics_kernel import execute


@pytest.fixture
def kernel(tmp_path: Path, pbs_replay: PBSReplay) -> Iterator[BlockingKernelClient]:
    profile = tmp_path / "ipython" / "profile_default"
    profile.mkdir(parents=True)
    (profile / "ipython_kernel_config.py").write_text(
        'c.InteractiveShellApp.extensions = ["jupyterlab_hpc"]\n'
        'c.HPCConfig.scheduler = "pbs"\n'
        f"c.HPCConfig.command_paths = {json.dumps(pbs_replay.command_paths)}\n"
    )
    km = KernelManager(kernel_name="python3")
    km.start_kernel(cwd=str(tmp_path), env={**os.environ, "IPYTHONDIR": str(profile.parent)})
    client = km.blocking_client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        yield client
    finally:
        client.stop_channels()
        km.shutdown_kernel(now=True)


def test_qsub_cell_in_a_kernel_shows_the_job_id(
    kernel: BlockingKernelClient, pbs_replay: PBSReplay
) -> None:
    # No %load_ext: the site's kernel config loads the magics.
    outputs = execute(kernel, "%%qsub -h -N from-a-kernel\nhostname\n")
    [result] = [o for o in outputs if o["type"] == "execute_result"]
    text = result["data"]["text/plain"]
    assert re.fullmatch(r"Job\(id='10\.pbs01', state='held', scheduler='pbs'\)", text), text
    html = result["data"]["text/html"]
    assert "Job 10.pbs01 (pbs)" in html
    assert "from-a-kernel" in html
    assert pbs_replay.state()["jobs"]["10.pbs01"]["Job_Name"] == "from-a-kernel"

    listing = execute(kernel, "%jobs -s held")
    [table] = [o for o in listing if o["type"] == "execute_result"]
    assert "10.pbs01" in table["data"]["text/html"]

    # A failing deletion: a short error with the command and PBS's words, no traceback.
    [error] = [o for o in execute(kernel, "%qdel 9999") if o["type"] == "error"]
    assert error["ename"] == "BatchError"
    assert error["traceback"] == [
        "BatchError: qdel failed (exit code 153).",
        "command: qdel 9999",
        "  qdel: Unknown Job Id 9999.pbs01",
    ]
