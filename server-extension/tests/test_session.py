"""The job that hosts this server (issue 16): found in the environment, its figures from
one record of the real local Slurm (a job whose script runs the service) and from sstat,
from a real memory cgroup with Slurm's layout, and from the PBS and Torque stand-ins;
``GET session`` through a real Jupyter server."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from jupyterlab_hpc.runner import CommandRunner
from jupyterlab_hpc.schedulers.pbs.scheduler import PBSScheduler
from jupyterlab_hpc.schedulers.torque.scheduler import TorqueScheduler
from jupyterlab_hpc.session.cgroup import job_memory, job_part
from jupyterlab_hpc.session.detect import SessionJob, no_session_message, session_job
from jupyterlab_hpc.session.figures import parse_size, sstat_memory, tres
from jupyterlab_hpc.session.service import SessionService

from .conftest import Submitter
from .pbs_replay.fixtures import PBSReplay
from .torque_replay.fixtures import TorqueReplay

SERVER_EXTENSION = Path(__file__).resolve().parents[1]
MiB = 1024**2


# --- which job hosts the server ---------------------------------------------------------


def test_the_job_comes_from_the_batch_systems_variable() -> None:
    env = {"SLURM_JOB_ID": "123", "SLURM_STEP_ID": "0", "SLURMD_NODENAME": "c1"}
    assert session_job(env, "slurm") == SessionJob("123", "slurm", "0", "c1")
    # Started by the batch script itself: no step variable.
    assert session_job({"SLURM_JOB_ID": "9"}, "slurm").step == "batch"  # type: ignore[union-attr]
    pbs = session_job({"PBS_JOBID": "4.pbs01"}, "pbs")
    assert pbs is not None
    assert (pbs.job_id, pbs.family, pbs.step) == ("4.pbs01", "pbs", "")
    assert session_job({"PBS_JOBID": "7[2].torque01"}, "torque") is not None
    # Another batch system's variable, none, no batch system, or the site's "none".
    assert session_job({"PBS_JOBID": "4.pbs01"}, "slurm") is None
    assert session_job({"SLURM_JOB_ID": "123"}, "pbs") is None
    assert session_job({}, "slurm") is None
    assert session_job(env, None) is None
    assert session_job(env, "slurm", "none") is None
    # The site names the job.
    assert session_job({}, "slurm", "77") == SessionJob("77", "slurm", "batch", ANY_NODE)


class _AnyNode(str):
    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and bool(other)

    __hash__ = str.__hash__


ANY_NODE = _AnyNode("node")


@pytest.mark.parametrize(
    "value", ["", "-h", "1;rm", "$(id)", "123_4", "123_[1-3]", "1+1", "12 3", "1" * 13]
)
def test_a_slurm_id_that_is_not_one_job_is_refused(value: str) -> None:
    assert session_job({"SLURM_JOB_ID": value}, "slurm") is None


@pytest.mark.parametrize("value", ["", "-W", "1;rm", "4.pbs01 ", "a.pbs01", "4[].pbs01"])
def test_a_pbs_id_that_is_not_one_job_is_refused(value: str) -> None:
    assert session_job({"PBS_JOBID": value}, "pbs") is None


def test_why_there_is_none() -> None:
    assert "SLURM_JOB_ID is not set" in no_session_message("slurm", "auto")
    assert "PBS_JOBID is not set" in no_session_message("torque", "auto")
    assert "session_job = 'none'" in no_session_message("slurm", "none")
    assert "no batch system" in no_session_message(None, "auto")


# --- pure parts -------------------------------------------------------------------------


def test_sizes_of_slurm_and_pbs() -> None:
    assert parse_size("1G") == 1024**3
    assert parse_size("12052M") == 12052 * MiB
    assert parse_size("312340K") == 312340 * 1024
    assert parse_size("2048", "M") == 2048 * MiB
    assert parse_size("1gb") == 1024**3
    assert parse_size("524288kb") == 512 * MiB
    assert parse_size("0kb") == 0
    assert parse_size("1.5G") == 3 * 512 * MiB
    assert parse_size("") is None
    assert parse_size("16w") is None
    assert tres("cpu=4,mem=8G,node=1,billing=4,gres/gpu=2") == {
        "cpu": "4",
        "mem": "8G",
        "node": "1",
        "billing": "4",
        "gres/gpu": "2",
    }


def test_sstat_memory_sums_the_steps() -> None:
    text = (
        "124337.extern|cpu=00:00:00,energy=0,fs/disk=2332,mem=0,pages=0,vmem=0\n"
        "124337.batch|cpu=00:00:00,energy=0,fs/disk=8866,mem=4220K,pages=0,vmem=0\n"
        "124337.0|cpu=00:00:01,energy=0,fs/disk=5318,mem=309204K,pages=0,vmem=0\n"
    )
    assert sstat_memory(text) == (4220 + 309204) * 1024
    assert sstat_memory("") is None


# --- the real local Slurm ---------------------------------------------------------------

PROBE = """
import asyncio, json, os, sys, time
from jupyterlab_hpc.runner import CommandRunner
from jupyterlab_hpc.schedulers.slurm.scheduler import SlurmScheduler
from jupyterlab_hpc.session.detect import session_job
from jupyterlab_hpc.session.service import SessionService

# 200 MiB held and touched, so it is resident; jobacct_gather samples every 5 s.
hold = bytearray(200 * 2**20)
for i in range(0, len(hold), 4096):
    hold[i] = 1
time.sleep(12)
job = session_job(os.environ, "slurm")
runner = CommandRunner()
service = SessionService(SlurmScheduler(runner), job, runner)

async def main():
    first = await service.state()
    second = await service.state()
    names = ("SLURM_JOB_ID", "SLURM_STEP_ID", "SLURMD_NODENAME")
    return {"first": first, "second": second, "asked": service.asked,
            "env": {k: os.environ.get(k) for k in names}}

out = asyncio.run(main())
with open(sys.argv[1] + ".tmp", "w") as f:
    json.dump(out, f)
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(60)
"""


def _wait_for(path: Path, job_id: str, seconds: float) -> Any:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if time.monotonic() > deadline:
            state = subprocess.run(
                ["squeue", "-h", "-j", job_id, "-o", "%T %R"], capture_output=True, text=True
            ).stdout
            pytest.fail(f"job {job_id} wrote nothing in {seconds} s (squeue: {state!r})")
        time.sleep(0.5)
    return json.loads(path.read_text())


def _scontrol(job_id: str) -> dict[str, str]:
    out = subprocess.run(
        ["scontrol", "--local", "show", "job", job_id], capture_output=True, text=True
    ).stdout
    return dict(t.split("=", 1) for t in out.split() if "=" in t)


@pytest.mark.usefixtures("slurm")
def test_a_job_whose_server_runs_the_service_sees_its_own_figures(
    submit: Submitter, tmp_path: Path
) -> None:
    tmp_path.chmod(0o755)
    probe = tmp_path / "probe.py"
    probe.write_text(PROBE)
    out = tmp_path / "state.json"
    job_id = submit.sbatch(
        "-J",
        "session probe",
        "-t",
        "5",
        "--mem=1G",
        "-c",
        "2",
        f"--export=ALL,PYTHONPATH={SERVER_EXTENSION}",
        "--wrap",
        f"srun {sys.executable} {probe} {out}",
    )
    got = _wait_for(out, job_id, 600)
    record = _scontrol(job_id)
    job = got["first"]["job"]
    assert got["env"]["SLURM_JOB_ID"] == job_id
    assert job["id"] == job_id
    assert job["kind"] == "slurm"
    # The server runs in the srun step, on the job's node.
    assert job["step"] == "0"
    assert job["node"] == record["NodeList"] == job["nodes"]
    assert job["state"] == "running"
    assert job["error"] is None
    # Time: the limit is the record's, the end is its EndTime.
    assert job["time_limit"] == 300
    end = datetime.fromisoformat(record["EndTime"]).timestamp()
    start = datetime.fromisoformat(record["StartTime"]).timestamp()
    assert job["end"] == end
    assert job["end"] - job["start"] == 300 == end - start
    assert 240 < job["seconds_left"] <= 300
    assert job["seconds_left"] == pytest.approx(end - got["first"]["now"], abs=1)
    # What it holds: two CPUs, no GPU, 1 GiB.
    assert (job["cpus"], job["gpus"]) == (2, 0)
    memory = job["memory"]
    assert memory["source"] == "sstat"  # task/none: Slurm made no cgroup on this cluster
    assert memory["limit"] == 1024**3
    assert 200 * MiB <= memory["used"] < 1024**3
    assert memory["error"] is None
    # Asked once each: the second answer comes from what the first fetched.
    assert got["asked"] == {"record": 1, "sstat": 1}
    assert got["second"]["job"]["record_at"] == job["record_at"]


# --- a real memory cgroup with Slurm's layout -------------------------------------------

V1_MEMORY = Path("/sys/fs/cgroup/memory")


@pytest.fixture
def slurm_like_cgroup() -> Iterator[tuple[Path, subprocess.Popen[bytes]]]:
    """A cgroup v1 memory folder as Slurm's task/cgroup makes it (``slurm/uid_N/job_ID/
    step_0``) under a test folder, with a limit on the job folder and a real process in
    the step; removed after."""
    if not os.access(V1_MEMORY, os.W_OK):
        pytest.skip("no writable cgroup v1 memory hierarchy on this machine")
    root = V1_MEMORY / f"jupyterlab-hpc-test-{uuid.uuid4().hex[:8]}"
    job = root / "slurm" / f"uid_{os.getuid()}" / "job_4242"
    step = job / "step_0"
    step.mkdir(parents=True)
    (job / "memory.limit_in_bytes").write_text(str(512 * MiB))
    # It allocates once it is in the step: cgroup v1 charges memory where it was
    # allocated, and does not move charges with the process.
    code = (
        "import sys, time; sys.stdin.readline(); b = bytearray(40 * 2**20); "
        "b[::4096] = b'x' * len(b[::4096]); print('ok', flush=True); time.sleep(60)"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        (step / "cgroup.procs").write_text(str(proc.pid))
        assert proc.stdin is not None
        assert proc.stdout is not None
        proc.stdin.write(b"go\n")
        proc.stdin.flush()
        assert proc.stdout.readline() == b"ok\n"
        yield job, proc
    finally:
        proc.kill()
        proc.wait()
        for folder in (step, job, job.parent, job.parent.parent, root):
            for _ in range(50):
                try:
                    folder.rmdir()
                    break
                except OSError:
                    time.sleep(0.1)


def test_memory_from_the_jobs_cgroup(
    slurm_like_cgroup: tuple[Path, subprocess.Popen[bytes]],
) -> None:
    folder, proc = slurm_like_cgroup
    found = job_memory("4242", Path(f"/proc/{proc.pid}"))
    assert found is not None
    assert found.folder == str(folder)
    assert found.version == 1
    assert found.limit == 512 * MiB
    assert 40 * MiB <= found.used < 512 * MiB
    # The same process asked about another job: its cgroup names that job nowhere.
    assert job_memory("4243", Path(f"/proc/{proc.pid}")) is None


def test_a_cgroup_that_names_no_job_is_not_the_jobs() -> None:
    # This test's own cgroup (a container's, or none of Slurm's).
    assert job_memory("4242") is None
    assert job_part("/slurm/uid_0/job_12/step_0/task_0", "12") == "/slurm/uid_0/job_12"
    assert (
        job_part("/system.slice/slurmstepd.scope/job_12/step_batch/user/task_0", "12")
        == "/system.slice/slurmstepd.scope/job_12"
    )
    assert job_part("/pbs_jobs.service/jobid/12.pbs01", "12.pbs01") == (
        "/pbs_jobs.service/jobid/12.pbs01"
    )
    assert job_part("/torque/12.torque01", "12.torque01") == "/torque/12.torque01"
    assert job_part("/slurm/uid_0/job_123/step_0", "12") is None


# --- PBS and Torque (the stand-ins replay recorded servers) ----------------------------


def _epoch(text: str) -> float:
    return datetime.strptime(text, "%a %b %d %H:%M:%S %Y").timestamp()


async def test_pbs_figures_come_from_one_qstat(pbs_replay: PBSReplay) -> None:
    runner = CommandRunner(pbs_replay.command_paths, timeout=10)
    start = _epoch("Sun Nov 22 00:08:19 2026")  # 1.pbs01's stime, walltime 00:15:00
    service = SessionService(
        PBSScheduler(runner),
        SessionJob("1.pbs01", "pbs", "", "pbs01"),
        runner,
        wall=lambda: start + 300,
    )
    pbs_replay.clear_calls()
    body = await service.state()
    job = body["job"]
    assert job["kind"] == "pbs"
    assert job["state"] == "running"
    assert (job["start"], job["end"], job["time_limit"]) == (start, start + 900, 900)
    assert job["seconds_left"] == 600
    assert (job["cpus"], job["gpus"]) == (1, 0)
    assert job["nodes"] == "pbs01"
    assert job["memory"] == {
        "used": 0,
        "limit": None,
        "source": "qstat",
        "measured_at": start + 300,
        "error": None,
    }
    await service.state()
    calls = pbs_replay.calls()
    assert len(calls) == 1
    assert calls[0][0] == "qstat"
    assert calls[0][-1] == "1.pbs01"


async def test_pbs_job_that_is_gone_keeps_the_error(pbs_replay: PBSReplay) -> None:
    runner = CommandRunner(pbs_replay.command_paths, timeout=10)
    service = SessionService(
        PBSScheduler(runner), SessionJob("99.pbs01", "pbs", "", "pbs01"), runner
    )
    job = (await service.state())["job"]
    assert job["id"] == "99.pbs01"
    assert "99.pbs01" in job["error"]
    assert "seconds_left" not in job


async def test_torque_figures(torque_replay: TorqueReplay) -> None:
    runner = CommandRunner(torque_replay.command_paths, timeout=10)
    service = SessionService(
        TorqueScheduler(runner), SessionJob("6.torque01", "pbs", "", "torque01"), runner
    )
    job = (await service.state())["job"]
    assert job["kind"] == "torque"
    assert job["error"] is None
    assert job["state"] == "running"
    assert job["end"] - job["start"] == job["time_limit"] > 0
    assert job["memory"]["source"] == "qstat"


# --- GET session through a real server --------------------------------------------------


async def test_no_session_job(jp_fetch: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    response = await jp_fetch("jupyterlab-hpc", "session")
    body = json.loads(response.body)
    assert body["job"] is None
    assert "SLURM_JOB_ID is not set" in body["message"]


@pytest.fixture
def running_job(submit: Submitter, monkeypatch: pytest.MonkeyPatch) -> str:
    """A real running job, named to the server as the one it runs in (SLURM_JOB_ID)."""
    job_id = submit.sbatch("-J", "session endpoint", "-t", "3", "--wrap", "sleep 170")
    # The cluster is shared: another test's jobs may hold the node a while.
    deadline = time.monotonic() + 600
    while _scontrol(job_id).get("JobState") != "RUNNING":
        if time.monotonic() > deadline:
            pytest.fail(f"job {job_id} did not start in 600 s")
        time.sleep(0.5)
    monkeypatch.setenv("SLURM_JOB_ID", job_id)
    monkeypatch.delenv("SLURM_STEP_ID", raising=False)
    return job_id


async def test_session_endpoint(running_job: str, jp_fetch: Any) -> None:
    response = await jp_fetch("jupyterlab-hpc", "session")
    assert response.headers["Cache-Control"] == "no-store"
    body = json.loads(response.body)
    job = body["job"]
    assert job["id"] == running_job
    assert job["step"] == "batch"
    assert job["time_limit"] == 180
    assert 0 < job["seconds_left"] <= 180
    assert job["cpus"] == 1
    assert body["refresh"] == 30.0
    assert asyncio.get_running_loop() is not None
