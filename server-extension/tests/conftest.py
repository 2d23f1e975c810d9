from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest_plugins = ["pytest_jupyter.jupyter_server", "tests.pbs_replay.fixtures"]

FIXTURES = Path(__file__).parent / "fixtures"
TEST_BIN = Path(__file__).parent / "bin"
OTHER_USER = "hpcdemo"  # created by scripts/local-cluster up


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text()


@pytest.fixture(scope="session")
def slurm() -> None:
    """The real local cluster must be up: these tests never run against a stand-in."""
    if shutil.which("sinfo") is None:
        pytest.fail("Slurm is not installed: run `make test` (or scripts/local-cluster up).")
    result = subprocess.run(
        ["sinfo", "-h", "-o", "%t"], capture_output=True, text=True, check=False
    )
    if result.returncode != 0 or not result.stdout.strip():
        pytest.fail(
            f"The local Slurm cluster is not up ({result.stderr.strip()}): "
            "run scripts/local-cluster up"
        )


class Submitter:
    """Submits real jobs with sbatch and cancels whatever it submitted at the end."""

    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.ids: list[str] = []

    def sbatch(self, *args: str, user: str | None = None) -> str:
        argv = ["sbatch", "--parsable", "--output=/dev/null", f"--comment={self.tag}", *args]
        if user:
            argv.insert(1, f"--uid={user}")
        out = subprocess.run(argv, capture_output=True, text=True, check=True, cwd="/tmp").stdout
        job_id = out.strip().split(";")[0]
        self.ids.append(job_id)
        return job_id

    def cleanup(self) -> None:
        if self.ids:
            subprocess.run(["scancel", *self.ids], capture_output=True, check=False)


@pytest.fixture
def submit(slurm: None) -> Iterator[Submitter]:
    s = Submitter(f"jupyterlab-hpc-test-{uuid.uuid4().hex[:8]}")
    yield s
    s.cleanup()


@pytest.fixture
def jp_server_config() -> dict[str, object]:
    return {
        "ServerApp": {"jpserver_extensions": {"jupyterlab_hpc": True}},
        "HPCConfig": {"poll_interval_floor": 0.5},
    }


@pytest.fixture
def clean_env() -> Iterator[None]:
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)
