"""Submit, job details and output through the REST API, against the real local Slurm."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from jupyterlab_hpc.jobs.memory import JobMemory
from jupyterlab_hpc.jobs.service import JobService
from jupyterlab_hpc.services import job_paths_file

from .conftest import OTHER_USER, FinishedJobs, Submitter, ensure_accounting, wait_until_forgotten

pytestmark = pytest.mark.usefixtures("slurm")

SCRIPT = "#!/bin/bash\necho hello\n"


def scontrol(job_id: str) -> dict[str, str]:
    """key -> value of ``scontrol show job`` straight from Slurm, for the assertions."""
    out = subprocess.run(
        ["scontrol", "show", "job", "-o", job_id], capture_output=True, text=True, check=True
    ).stdout
    line = out.splitlines()[0]
    fields: dict[str, str] = {}
    # -o puts one record on one line; values with spaces are not used in these tests.
    for token in line.split(" "):
        key, _, value = token.partition("=")
        fields.setdefault(key, value)
    return fields


def config_text() -> str:
    return subprocess.run(
        ["scontrol", "show", "config"], capture_output=True, text=True, check=True
    ).stdout


def accounting_on() -> bool:
    return "accounting_storage/slurmdbd" in config_text()


def sstat_max_rss(job_id: str) -> str:
    """The job's batch step MaxRSS straight from sstat; "" before the first sample."""
    out = subprocess.run(
        ["sstat", "-n", "-P", "-a", "-j", job_id, "--format=MaxRSS"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    return next((line for line in out.split() if line), "")


def job_state(job_id: str) -> str:
    out = subprocess.run(
        ["squeue", "-h", "-t", "all", "-j", job_id, "-o", "%T"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return out.splitlines()[0] if out else ""


def wait_for(predicate: Any, timeout: float = 60.0, what: str = "condition") -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.3)
    raise AssertionError(f"{what} not met within {timeout:g} s")


async def post_submit(jp_fetch: Any, body: dict[str, Any]) -> dict[str, Any]:
    response = await jp_fetch(
        "jupyterlab-hpc", "jobs", "submit", method="POST", body=json.dumps(body)
    )
    answer: dict[str, Any] = json.loads(response.body)
    return answer


async def refused(jp_fetch: Any, *path: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("jupyterlab-hpc", *path, **kwargs)
    response = info.value.response
    assert response is not None
    return info.value.code, json.loads(response.body)


async def submit_via_api(
    jp_fetch: Any, submitter: Submitter, script: str = SCRIPT, **options: Any
) -> str:
    options.setdefault("extra", [f"--comment={submitter.tag}"])
    answer = await post_submit(jp_fetch, {"script": script, "options": options})
    job_id: str = answer["job_id"]
    assert job_id.isdigit(), answer
    assert answer["test_only"] is False
    submitter.ids.append(job_id)  # cancelled at the end of the test
    return job_id


async def test_submit_maps_every_form_field(
    jp_fetch: Any, submit: Submitter, jp_root_dir: Path
) -> None:
    (jp_root_dir / "runs").mkdir()
    first = submit.sbatch("-H", "-t", "1", "--wrap", "true")
    job = await submit_via_api(
        jp_fetch,
        submit,
        name="form job",
        partition="long",
        account="demo",
        qos="normal",
        nodes=1,
        ntasks=2,
        cpus=2,
        memory="100M",
        time_limit="0-00:02:00",
        gres="gpu:0",
        dependency=f"afterany:{first}",
        workdir="runs",
        output="out-%j.txt",
        error="err-%j.txt",
        mail_type="END,FAIL",
        mail_user="someone@example.org",
        hold=True,
        extra=[f"--comment={submit.tag}"],
    )
    f = scontrol(job)
    runs = str(jp_root_dir / "runs")
    assert f["JobName"] == "form", f  # -o splits at spaces: the name starts with "form"
    assert f["Partition"] == "long"
    assert f["Account"] == "demo"
    # Without accounting (slurmdbd) Slurm keeps no QOS at all.
    assert f["QOS"] == ("normal" if accounting_on() else "(null)")
    assert f["NumNodes"] in ("1", "1-1")
    assert f["NumTasks"] == "2"
    assert f["CPUs/Task"] == "2"
    assert f["MinMemoryNode"] == "100M"
    assert f["TimeLimit"] == "00:02:00"
    assert f["TresPerNode"] == "gres:gpu:0"
    assert f["Dependency"] == f"afterany:{first}(unfulfilled)"
    assert f["WorkDir"] == runs
    assert f["StdOut"] == f"{runs}/out-{job}.txt"
    assert f["StdErr"] == f"{runs}/err-{job}.txt"
    assert f["MailType"] == "END,FAIL"
    assert f["MailUser"] == "someone@example.org"
    assert f["Reason"] == "JobHeldUser"
    assert f["Comment"] == submit.tag
    # The job's name with its space, as the detail endpoint reports it.
    detail = json.loads((await jp_fetch("jupyterlab-hpc", "jobs", job)).body)
    assert detail["job"]["name"] == "form job"
    assert detail["script"] == SCRIPT


async def test_submit_array_and_default_workdir(
    jp_fetch: Any, submit: Submitter, jp_root_dir: Path
) -> None:
    job = await submit_via_api(jp_fetch, submit, array="1-3%2", time_limit="1", hold=True)
    f = scontrol(job)
    assert f["ArrayTaskId"] == "1-3%2"
    assert f["ArrayTaskThrottle"] == "2"
    assert f["TimeLimit"] == "00:01:00"
    # No working folder given: the server's root folder, not the server process's cwd.
    assert f["WorkDir"] == str(jp_root_dir)


async def test_test_only_checks_without_creating_a_job(jp_fetch: Any, submit: Submitter) -> None:
    name = f"check-{submit.tag}"
    answer = await post_submit(
        jp_fetch,
        {"script": SCRIPT, "options": {"name": name, "time_limit": "1"}, "test_only": True},
    )
    assert answer["test_only"] is True
    assert answer["job_id"] is None
    assert (
        answer["nodes"]
        == subprocess.run(["hostname"], capture_output=True, text=True).stdout.strip()
    )
    assert answer["estimated_start"]
    assert answer["estimated_start"][:2] == "20"
    assert "to start at" in answer["message"]
    listed = subprocess.run(
        ["squeue", "-h", "-t", "all", "-n", name, "-o", "%i"], capture_output=True, text=True
    ).stdout
    assert listed.strip() == ""


async def test_bad_partition_answers_sbatch_message(jp_fetch: Any) -> None:
    code, body = await refused(
        jp_fetch,
        "jobs",
        "submit",
        method="POST",
        body=json.dumps({"script": SCRIPT, "options": {"partition": "nosuchpartition"}}),
    )
    assert code == 400
    assert "invalid partition specified: nosuchpartition" in body["message"]
    assert body["detail"].startswith("sbatch --parsable")
    assert "--partition=nosuchpartition" in body["detail"]


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"partition": "-h"}, "partition"),
        ({"time_limit": "soon"}, "time_limit"),
        ({"memory": "4 GB"}, "memory"),
        ({"nodes": 0}, "nodes"),
        ({"cpus": "2"}, "cpus"),
        ({"array": "1-3;id"}, "array"),
        ({"dependency": "--uid=0"}, "dependency"),
        ({"workdir": "no/such/folder"}, "workdir"),
        ({"mail_type": "SOMETIMES"}, "mail_type"),
        ({"extra": ["--wrap=id"]}, "extra"),
        ({"extra": ["--pars"]}, "extra"),
        ({"extra": ["-vW"]}, "extra"),
        ({"extra": ["not-an-option"]}, "extra"),
        ({"colour": "red"}, "colour"),
    ],
)
async def test_bad_options_are_refused_by_field(
    jp_fetch: Any, options: dict[str, Any], field: str
) -> None:
    code, body = await refused(
        jp_fetch,
        "jobs",
        "submit",
        method="POST",
        body=json.dumps({"script": SCRIPT, "options": options}),
    )
    assert code == 400
    assert body["field"] == field
    assert body["message"].endswith(".")


async def test_script_must_start_with_an_interpreter_line(jp_fetch: Any) -> None:
    code, body = await refused(
        jp_fetch, "jobs", "submit", method="POST", body=json.dumps({"script": "echo hi\n"})
    )
    assert code == 400
    assert body["field"] == "script"
    assert "#!" in body["message"]


async def test_detail_of_a_running_job_with_its_script(
    jp_fetch: Any, submit: Submitter, jp_root_dir: Path
) -> None:
    script = "#!/bin/bash\n#SBATCH --mem=20M\necho started\nsleep 60\n"
    job = await submit_via_api(jp_fetch, submit, script, time_limit="2", name="detail me")
    wait_for(lambda: job_state(job) == "RUNNING", what=f"job {job} running")
    detail = json.loads((await jp_fetch("jupyterlab-hpc", "jobs", job)).body)
    assert detail["job"]["id"] == job
    assert detail["job"]["state"] == "running"
    assert detail["job"]["name"] == "detail me"
    assert detail["job"]["work_dir"] == str(jp_root_dir)
    assert detail["job"]["stdout_path"] == f"{jp_root_dir}/slurm-{job}.out"
    assert detail["job"]["end_time"]  # the time limit's end while running
    assert detail["script"] == script
    keys = [k for k, _ in detail["fields"]]
    assert keys[:2] == ["JobId", "JobName"]
    assert "Nodes" in keys
    assert "CPU_IDs" in keys
    assert dict(detail["fields"])["JobState"] == "RUNNING"
    assert detail["requested"]["memory"] == "20M"
    assert detail["requested"]["time"] == "00:02:00"
    assert detail["used"]["nodes"]
    assert detail["used"]["allocated"].startswith("cpu=1,")
    # What the job uses now (sstat), once Slurm has sampled it (JobAcctGatherFrequency
    # after the start; before that sstat prints no MaxRSS): the API shows what sstat shows.
    end = time.monotonic() + 45
    while time.monotonic() < end and job_state(job) == "RUNNING":
        if sstat_max_rss(job):
            used = json.loads((await jp_fetch("jupyterlab-hpc", "jobs", job)).body)["used"]
            assert used["max_rss"][-1] in "KMG"
            break
        time.sleep(1)
    assert detail["tasks"] == []


async def test_unknown_job_is_404(jp_fetch: Any) -> None:
    code, body = await refused(jp_fetch, "jobs", "99999999")
    assert code == 404
    assert "99999999" in body["message"]
    code, body = await refused(jp_fetch, "jobs", "99999999", "output")
    assert code == 404
    code, _ = await refused(jp_fetch, "jobs", "-h")
    assert code == 400


async def output(jp_fetch: Any, job: str, **params: Any) -> dict[str, Any]:
    response = await jp_fetch(
        "jupyterlab-hpc", "jobs", job, "output", params={k: str(v) for k, v in params.items()}
    )
    chunk: dict[str, Any] = json.loads(response.body)
    return chunk


async def test_follow_output_while_the_job_writes_it(
    jp_fetch: Any, submit: Submitter, jp_root_dir: Path
) -> None:
    # Lines appear one by one; "é" (2 bytes) and "漢" (3 bytes) give cuts inside characters.
    script = (
        "#!/bin/bash\n"
        'for i in 1 2 3 4 5 6; do echo "line $i é漢"; sleep 0.5; done\n'
        "echo 'to stderr' >&2\n"
    )
    job = await submit_via_api(jp_fetch, submit, script, time_limit="1", name="follow me")
    expected = "".join(f"line {i} é漢\n" for i in range(1, 7))

    # Pending: no file yet, which is not an error.
    first = await output(jp_fetch, job, stream="stdout", offset=0)
    if not first["exists"]:
        assert first["data"] == ""
        assert first["size"] == 0

    # Follow: each call starts where the previous ended, in small windows that cut characters.
    seen, offset, calls, grew = "", 0, 0, set()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        chunk = await output(jp_fetch, job, stream="stdout", offset=offset, limit=5)
        calls += 1
        assert chunk["start"] == offset
        assert chunk["path"] == f"{jp_root_dir}/slurm-{job}.out"
        seen += chunk["data"]
        offset = chunk["end"]
        grew.add(chunk["size"])
        if seen == expected:
            break
        if chunk["end"] == chunk["size"]:
            time.sleep(0.2)
    assert seen == expected
    assert len(grew) > 2, "the file was read while it grew"
    assert "\ufffd" not in seen  # no character was ever split

    wait_for(lambda: job_state(job) in ("COMPLETED", ""), what="job completed")
    # Slurm's default: stderr goes to the same file as stdout.
    data = (expected + "to stderr\n").encode()
    tail = await output(jp_fetch, job, stream="stdout", limit=12)
    # The last 12 bytes begin inside "漢" of the last line: the cut character is skipped,
    # never half-shown.
    assert tail["end"] == len(data) == tail["size"]
    assert data[tail["start"] :].decode() == tail["data"]
    assert tail["start"] > len(data) - 12
    assert tail["data"] == "\nto stderr\n"

    earlier = await output(jp_fetch, job, stream="stdout", before=tail["start"], limit=12)
    assert earlier["end"] == tail["start"]
    assert data[earlier["start"] : earlier["end"]].decode() == earlier["data"]

    err = await output(jp_fetch, job, stream="stderr")
    assert err["data"].endswith("to stderr\n")


async def test_output_survives_slurm_forgetting_the_job(
    jp_fetch: Any, jp_serverapp: Any, submit: Submitter, clean_env: None
) -> None:
    """Paths are remembered: a finished job's output is read without asking Slurm again,
    so it stays readable once slurmctld forgets the job (MinJobAge after its end)."""
    # A variable set in the server after it started (as a module load does) reaches the job.
    os.environ["HPC_SUBMIT_PROBE"] = "remembered"
    os.environ["JPY_SESSION_NAME"] = "not for jobs"
    script = "#!/bin/bash\necho $HPC_SUBMIT_PROBE ${JPY_SESSION_NAME:-}\n"
    job = await submit_via_api(jp_fetch, submit, script, time_limit="1")
    wait_for(lambda: job_state(job) in ("COMPLETED", ""), what="job completed")
    chunk = await output(jp_fetch, job)
    assert chunk["data"] == "remembered\n"
    service = jp_serverapp.web_app.settings["jupyterlab_hpc"].jobs
    known = service.memory.get(job)
    assert known is not None
    assert known.final
    calls = service.scheduler.runner.calls.get("scontrol", 0)
    again = await output(jp_fetch, job)
    assert again["data"] == "remembered\n"
    assert service.scheduler.runner.calls.get("scontrol", 0) == calls  # not asked again
    # A server started later (a new JupyterLab job on the cluster) reads the paths kept in
    # the data folder, so it needs neither slurmctld nor accounting to find the output.
    restarted = JobService(
        service.scheduler,
        service.user,
        service.root_dir,
        memory=JobMemory(file=job_paths_file(), owner=service.user),
    )
    chunk_after_restart = await restarted.output(job, "stdout")
    assert chunk_after_restart.data == "remembered\n"
    assert service.scheduler.runner.calls.get("scontrol", 0) == calls


async def test_other_users_output_and_script_are_refused(jp_fetch: Any, submit: Submitter) -> None:
    theirs = submit.sbatch("-H", "-t", "1", "--wrap", "echo secret", user=OTHER_USER)
    detail = json.loads((await jp_fetch("jupyterlab-hpc", "jobs", theirs)).body)
    assert detail["job"]["user"] == OTHER_USER
    assert detail["script"] is None
    assert detail["fields"]  # the fields anyone may see
    for stream in ("stdout", "stderr"):
        code, body = await refused(jp_fetch, "jobs", theirs, "output", params={"stream": stream})
        assert code == 403
        assert OTHER_USER in body["message"]


@pytest.mark.parametrize(
    "params",
    [
        {"stream": "stdin"},
        {"offset": "-1"},
        {"offset": "1", "before": "2"},
        {"limit": "0"},
        {"limit": "ten"},
        {"before": "9" * 30},
    ],
)
async def test_bad_output_ranges_are_400(jp_fetch: Any, params: dict[str, str]) -> None:
    code, body = await refused(jp_fetch, "jobs", "1", "output", params=params)
    assert code == 400
    assert body["message"]


async def test_detail_of_a_forgotten_job_comes_from_accounting(
    jp_fetch: Any, finished_jobs: FinishedJobs
) -> None:
    job = finished_jobs.ids["failed"]
    wait_until_forgotten(job)
    ensure_accounting()
    detail = json.loads((await jp_fetch("jupyterlab-hpc", "jobs", job)).body)
    assert detail["job"]["id"] == job
    assert detail["job"]["state"] in ("completed", "failed", "cancelled", "timeout")
    assert detail["fields"][0] == ["JobID", job]
    assert detail["script"] is None
    chunk = await output(jp_fetch, job)
    assert chunk["exists"] is False  # accounting keeps no output path


async def test_gpus_reach_sbatch(jp_fetch: Any) -> None:
    """The local node has four GPUs (GRES): one is granted, five are refused by Slurm
    itself, in its own words."""
    answer = await post_submit(
        jp_fetch, {"script": SCRIPT, "options": {"gpus": 1}, "test_only": True}
    )
    assert answer["test_only"] is True
    assert answer["nodes"] == "vm"
    code, body = await refused(
        jp_fetch,
        "jobs",
        "submit",
        method="POST",
        body=json.dumps({"script": SCRIPT, "options": {"gpus": 5}, "test_only": True}),
    )
    assert code == 400
    assert body["message"] == "allocation failure: Requested node configuration is not available"
    assert "--gpus=5" in body["detail"]
