"""``%job ID`` explains why a waiting job waits (issue 19), on the real local Slurm."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

from .conftest import Submitter
from .magic_shell import run, scontrol_fields, shell_with_magics
from .test_pending_slurm import scontrol

pytestmark = pytest.mark.usefixtures("slurm")


@pytest.fixture
def shell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[InteractiveShell]:
    monkeypatch.chdir(tmp_path)
    ip = shell_with_magics()
    yield ip
    ip.user_ns.pop("_", None)


def test_job_shows_the_explained_reason(shell: InteractiveShell, submit: Submitter) -> None:
    first = submit.sbatch("-H", "-t", "1", "--wrap", "true")
    dep = submit.sbatch("-t", "1", f"--dependency=afterok:{first}", "--wrap", "true")
    deadline = time.monotonic() + 30
    while scontrol_fields(dep)["Reason"] != "Dependency":
        assert time.monotonic() < deadline
        time.sleep(0.5)
    handle = run(shell, f"%job {dep}")
    explanation = handle.pending()
    assert explanation is not None
    assert explanation.summary == f"Waits for job {first}"
    html = handle._repr_html_()
    assert "why it waits" in html
    assert f"Waits for job {first}" in html
    assert "what you can do" in html
    held = run(shell, f"%job {first}")._repr_html_()
    assert "Held by you: it will not start until you release it" in held
    assert "Release it" in held


def test_job_shows_what_is_free_and_the_expected_start(
    shell: InteractiveShell, submit: Submitter
) -> None:
    cpus = int(
        subprocess.run(
            ["sinfo", "-h", "-p", "debug", "-o", "%c"], capture_output=True, text=True, check=True
        ).stdout.split()[0]
    )
    submit.sbatch("-p", "debug", "-c", "2", "-t", "3", "--wrap", "sleep 120")
    big = submit.sbatch("-p", "debug", "-c", str(cpus), "-t", "2", "--wrap", "true")
    deadline = time.monotonic() + 70
    while scontrol(big)["StartTime"] == "Unknown" or scontrol(big)["Reason"] not in (
        "Resources",
        "Priority",
    ):
        assert time.monotonic() < deadline, "no reason and start from Slurm"
        time.sleep(1)
    explanation = run(shell, f"%job {big}").pending()
    assert explanation is not None
    assert f"for {cpus} CPUs on debug; " in explanation.summary
    assert explanation.summary.endswith("free now")
    assert explanation.expected_start == scontrol(big)["StartTime"]
