from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

pytest_plugins = [
    "pytest_jupyter.jupyter_server",
    "tests.pbs_replay.fixtures",
    "tests.torque_replay.fixtures",
]

FIXTURES = Path(__file__).parent / "fixtures"
TEST_BIN = Path(__file__).parent / "bin"
OTHER_USER = "hpcdemo"  # created by scripts/local-cluster up
CLUSTER = Path(__file__).resolve().parents[2] / "scripts" / "local-cluster"


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


class FinishedJobs:
    """Jobs that ended in different ways early in the session, for the history tests."""

    def __init__(self, start: str, ids: dict[str, str]) -> None:
        self.start = start  # ISO local time just before they were submitted
        self.ids = ids  # completed, failed (exit 3), cancelled -> job id


def _squeue_ids(ids: list[str]) -> str:
    return subprocess.run(
        ["squeue", "-h", "-o", "%i", "-j", ",".join(ids)],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()


# What this checkout's scripts/local-cluster configures, in `scontrol show config`'s words
# and in slurm.conf's: accounting, enforced limits, GPUs as GRES.
_CONFIGURED = (
    ("accounting_storage/slurmdbd", "accounting_storage/slurmdbd"),
    ("associations,limits,qos", "AccountingStorageEnforce=associations,limits,qos"),
    ("GresTypes               = gpu", "GresTypes=gpu"),
)


def ensure_accounting() -> None:
    """slurmctld and slurm.conf as this checkout's scripts/local-cluster sets them up
    (accounting, enforced limits, GPUs). A scripts/local-cluster of another checkout sharing
    this machine may have rewritten slurm.conf; this one's `up` puts it back (restarting
    slurmctld only because its configuration changed)."""
    config = subprocess.run(
        ["scontrol", "show", "config"], capture_output=True, text=True, check=False
    ).stdout
    on_disk = Path("/etc/slurm/slurm.conf").read_text()
    if all(live in config and conf in on_disk for live, conf in _CONFIGURED):
        return
    up = subprocess.run([str(CLUSTER), "up"], capture_output=True, text=True, check=False)
    if up.returncode != 0:
        pytest.fail(f"slurmctld runs without accounting and `up` failed: {up.stderr}")


def _sacct_ended(ids: set[str]) -> set[str]:
    """Which of these jobs accounting knows in a final state."""
    out = subprocess.run(
        ["sacct", "-X", "-n", "-P", "-o", "JobID,State", "-j", ",".join(sorted(ids))],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    running = ("PENDING", "RUNNING", "REQUEUED", "SUSPENDED")
    return {
        line.split("|")[0]
        for line in out.splitlines()
        if "|" in line and not line.split("|")[1].startswith(running)
    }


@pytest.fixture(scope="session")
def finished_jobs(slurm: None) -> Iterator[FinishedJobs]:
    """A job that completes (after some CPU work), one that fails with exit code 3 and one
    cancelled while running; waits until all ended and accounting has their records.

    Session-scoped: by the end of the session slurmctld has forgotten them (MinJobAge),
    which the %job test uses.
    """
    ensure_accounting()
    start = (datetime.now() - timedelta(seconds=5)).strftime("%Y-%m-%dT%H:%M:%S")
    s = Submitter(f"jupyterlab-hpc-test-{uuid.uuid4().hex[:8]}")
    burn = 'end=$(($(date +%s)+3)); while [ "$(date +%s)" -lt "$end" ]; do :; done'
    ids = {
        "completed": s.sbatch("-J", "history: completes", "-t", "1", "--wrap", burn),
        "failed": s.sbatch("-J", "history: fails", "-t", "1", "--wrap", "exit 3"),
        "cancelled": s.sbatch("-J", "history: cancelled", "-t", "1", "--wrap", "sleep 120"),
    }
    deadline = time.monotonic() + 120
    while (
        subprocess.run(
            ["squeue", "-h", "-t", "R", "-j", ids["cancelled"]], capture_output=True, text=True
        ).stdout.strip()
        == ""
        and time.monotonic() < deadline
    ):
        time.sleep(0.5)
    subprocess.run(["scancel", ids["cancelled"]], check=True)
    while _squeue_ids(list(ids.values())):
        if time.monotonic() > deadline:
            s.cleanup()
            pytest.fail("the history test jobs did not end in 2 minutes")
        time.sleep(1)
    # slurmctld hands the final records to slurmdbd a moment after the jobs end.
    wanted = set(ids.values())
    while _sacct_ended(wanted) != wanted:
        if time.monotonic() > deadline:
            s.cleanup()
            pytest.fail(
                f"accounting has no final record of jobs {sorted(wanted)}: was slurmctld "
                "restarted without accounting while they ran?"
            )
        time.sleep(1)
    yield FinishedJobs(start, ids)
    s.cleanup()


@pytest.fixture
def jp_server_config() -> dict[str, object]:
    return {
        "ServerApp": {"jpserver_extensions": {"jupyterlab_hpc": True}},
        # The listing's cost is off: the tests wait just past the floor (test_job_states
        # checks it on a snapshot of its own).
        "HPCConfig": {"poll_interval_floor": 0.5, "listing_cost_factor": 0.0},
    }


@pytest.fixture
def clean_env() -> Iterator[None]:
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def forgotten(job_id: str) -> bool:
    out = subprocess.run(
        ["scontrol", "show", "job", job_id], capture_output=True, text=True, check=False
    )
    return "Invalid job id" in out.stderr


def wait_until_forgotten(job_id: str) -> None:
    """slurmctld drops a job MinJobAge (120 s) after it ended, at its next purge."""
    deadline = time.monotonic() + 300
    while not forgotten(job_id):
        if time.monotonic() > deadline:
            pytest.fail(f"slurmctld still knows job {job_id} after 5 minutes")
        time.sleep(2)
