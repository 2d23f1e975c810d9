"""Right-size on the real local cluster: jobs that use known memory, CPU and time, read back
through the REST endpoints (``GET history`` and ``GET jobs/{id}``) as the figures the
frontend's right-sizing works from (``usage``)."""

from __future__ import annotations

import json
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from .conftest import Submitter, _sacct_ended, _squeue_ids, ensure_accounting

MIB = 1 << 20

# 200 MiB resident (bytes filled, so every page is touched) for 12 s: jobacct_gather
# samples every 5 s (JobAcctGatherFrequency=task=5).
MEMORY_SCRIPT = """#!/bin/bash
#SBATCH --job-name=rightsize-memory
#SBATCH --mem=1G
#SBATCH --time=2
/usr/bin/python3 -c 'import time; b = b"x" * (200 << 20); time.sleep(12)'
"""

# One of its two CPUs busy for 8 s: about half its CPU time used.
CPU_SCRIPT = """#!/bin/bash
#SBATCH --job-name=rightsize-cpu
#SBATCH --cpus-per-task=2
#SBATCH --time=2
end=$((SECONDS + 8)); while [ "$SECONDS" -lt "$end" ]; do :; done
"""

TIMEOUT_SCRIPT = """#!/bin/bash
#SBATCH --job-name=rightsize-timeout
#SBATCH --time=1
sleep 300
"""


@dataclass
class RightsizeJobs:
    start: str
    ids: dict[str, str]


@pytest.fixture(scope="module")
def rightsize_jobs(slurm: None) -> Iterator[RightsizeJobs]:
    """The three jobs, ended, with their final records in accounting."""
    ensure_accounting()
    start = (datetime.now() - timedelta(seconds=5)).strftime("%Y-%m-%dT%H:%M:%S")
    s = Submitter(f"jupyterlab-hpc-test-{uuid.uuid4().hex[:8]}")
    ids: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as folder:
        for name, text in (("cpu", CPU_SCRIPT), ("timeout", TIMEOUT_SCRIPT)):
            path = Path(folder, f"{name}.sh")
            path.write_text(text)
            ids[name] = s.sbatch(str(path))
        # The memory job ends last, so slurmctld still knows it (MinJobAge) when the
        # first test asks for its details.
        path = Path(folder, "memory.sh")
        path.write_text(MEMORY_SCRIPT)
        after = f"--dependency=afterany:{ids['cpu']}:{ids['timeout']}"
        ids["memory"] = s.sbatch(after, str(path))
        # The cluster is shared: the jobs may wait for CPUs before their minute or two.
        deadline = time.monotonic() + 420
        while _squeue_ids(list(ids.values())):
            if time.monotonic() > deadline:
                s.cleanup()
                pytest.fail("the right-size test jobs did not end in 7 minutes")
            time.sleep(2)
        wanted = set(ids.values())
        while _sacct_ended(wanted) != wanted:
            if time.monotonic() > deadline:
                s.cleanup()
                pytest.fail(f"accounting has no final record of jobs {sorted(wanted)}")
            time.sleep(1)
    yield RightsizeJobs(start, ids)
    s.cleanup()


async def get(jp_fetch: Any, *path: str, **params: str) -> dict[str, Any]:
    response = await jp_fetch("jupyterlab-hpc", *path, params=params)
    assert response.code == 200
    body: dict[str, Any] = json.loads(response.body)
    return body


async def test_an_ended_job_s_details_carry_its_usage_and_script(
    jp_fetch: Any, rightsize_jobs: RightsizeJobs
) -> None:
    """Right after the end slurmctld still knows the job (MinJobAge): the details come from
    scontrol with the script, and the usage from accounting (one sacct, at slurmdbd)."""
    job_id = rightsize_jobs.ids["memory"]
    detail = await get(jp_fetch, "jobs", job_id)
    assert detail["job"]["state"] == "completed"
    assert 'b"x" * (200 << 20)' in detail["script"]
    usage = detail["usage"]
    assert usage is not None
    assert usage["ended"] is True
    assert (usage["memory_requested"], usage["memory_per"]) == (1024 * MIB, "job")
    assert 200 * MIB <= usage["max_rss"] < 300 * MIB
    assert usage["rss_tasks_per_node"] == 1
    assert usage["time_limit"] == 120
    assert 12 <= usage["elapsed"] < 60


async def test_history_usage_memory_cpu_and_time(
    jp_fetch: Any, rightsize_jobs: RightsizeJobs
) -> None:
    body = await get(jp_fetch, "history", start=rightsize_jobs.start)
    jobs = {job["id"]: job for job in body["jobs"]}
    ids = rightsize_jobs.ids
    memory = jobs[ids["memory"]]["usage"]
    # 200 MiB of the 1 GiB asked: about 20 %.
    assert 0.19 < memory["max_rss"] / memory["memory_requested"] < 0.3
    assert memory["cpus"] == 1
    assert memory["nodes"] == 1

    cpu = jobs[ids["cpu"]]["usage"]
    assert cpu["cpus"] == 2
    share = cpu["total_cpu"] / (cpu["elapsed"] * cpu["cpus"])
    assert 0.3 < share < 0.7  # one of two CPUs busy

    timeout = jobs[ids["timeout"]]
    assert timeout["state"] == "timeout"
    usage = timeout["usage"]
    assert usage["time_limit"] == 60
    assert usage["elapsed"] >= 60  # it ran to its limit
    assert usage["ended"] is True


async def test_a_forgotten_job_s_details_carry_its_usage(
    jp_fetch: Any, rightsize_jobs: RightsizeJobs
) -> None:
    """The timeout job, once slurmctld has forgotten it: the details from accounting."""
    job_id = rightsize_jobs.ids["timeout"]
    deadline = time.monotonic() + 300
    while (
        "Invalid job id"
        not in subprocess.run(
            ["scontrol", "show", "job", job_id], capture_output=True, text=True, check=False
        ).stderr
    ):
        if time.monotonic() > deadline:
            pytest.fail(f"slurmctld still knows job {job_id} after 5 minutes")
        time.sleep(3)
    detail = await get(jp_fetch, "jobs", job_id)
    assert detail["script"] is None
    assert detail["usage"]["time_limit"] == 60
    assert detail["usage"]["elapsed"] >= 60
