"""Job actions end to end: the REST API against the real local Slurm."""

from __future__ import annotations

import json
import subprocess
import time
from typing import Any

import pytest

from .conftest import OTHER_USER, Submitter

pytestmark = pytest.mark.usefixtures("slurm")


def squeue(*job_ids: str) -> dict[str, tuple[str, str]]:
    """id -> (state, reason) straight from squeue, for the assertions."""
    out = subprocess.run(
        ["squeue", "-h", "-t", "all", "-j", ",".join(job_ids), "-o", "%i|%T|%r"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    rows = (line.split("|") for line in out.splitlines() if line)
    return {r[0]: (r[1], r[2]) for r in rows}


def wait_for(predicate: Any, timeout: float = 20.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


async def act(jp_fetch: Any, action: str, *job_ids: str) -> list[dict[str, Any]]:
    response = await jp_fetch(
        "jupyterlab-hpc",
        "jobs",
        "actions",
        method="POST",
        body=json.dumps({"action": action, "job_ids": list(job_ids)}),
    )
    results: list[dict[str, Any]] = json.loads(response.body)["results"]
    return results


async def listing(jp_fetch: Any) -> dict[str, dict[str, Any]]:
    body = json.loads((await jp_fetch("jupyterlab-hpc", "jobs", params={"scope": "all"})).body)
    return {r[0]: dict(zip(body["columns"], r, strict=True)) for r in body["rows"]}


async def test_hold_release_cancel(jp_fetch: Any, submit: Submitter) -> None:
    job = submit.sbatch("-p", "long", "--begin=now+1hour", "-J", "hold me", "--wrap", "sleep 60")
    jobs = await listing(jp_fetch)
    assert jobs[job]["state"] == "pending"
    assert jobs[job]["name"] == "hold me"

    assert await act(jp_fetch, "hold", job) == [{"job_id": job, "ok": True, "message": ""}]
    assert squeue(job)[job][1] == "JobHeldUser"
    assert (await listing(jp_fetch))[job]["state"] == "held"  # the action invalidated the snapshot

    assert (await act(jp_fetch, "release", job))[0]["ok"] is True
    assert squeue(job)[job][1] != "JobHeldUser"
    assert (await listing(jp_fetch))[job]["state"] == "pending"

    assert (await act(jp_fetch, "cancel", job))[0]["ok"] is True
    wait_for(lambda: squeue(job).get(job, ("CANCELLED",))[0] == "CANCELLED")
    assert (
        job not in await listing(jp_fetch) or (await listing(jp_fetch))[job]["state"] == "cancelled"
    )


async def test_cancel_one_array_task(jp_fetch: Any, submit: Submitter) -> None:
    array = submit.sbatch("-H", "--array=1-3", "-J", "array", "--wrap", "sleep 60")
    results = await act(jp_fetch, "cancel", f"{array}_2")
    assert results == [{"job_id": f"{array}_2", "ok": True, "message": ""}]
    jobs = await listing(jp_fetch)
    # The cancelled task is split out of the pending range; the others stay queued.
    assert f"{array}_2" not in jobs or jobs[f"{array}_2"]["state"] == "cancelled"
    remaining = {i for i, j in jobs.items() if j["array_job_id"] == array and j["state"] == "held"}
    assert remaining in ({f"{array}_1", f"{array}_3"}, {f"{array}_[1,3]"})


async def test_release_a_task_range_and_the_whole_array(jp_fetch: Any, submit: Submitter) -> None:
    array = submit.sbatch(
        "-H", "--array=1-4", "-p", "long", "--begin=now+1hour", "--wrap", "sleep 60"
    )
    assert (await act(jp_fetch, "release", f"{array}_[1-2]"))[0]["ok"] is True
    # Slurm 22.05 keeps the range in one record until a single task changes; releasing
    # task 3 splits it and shows what the range release did.
    assert (await act(jp_fetch, "release", f"{array}_3"))[0]["ok"] is True
    held = {i for i, (_, reason) in squeue(array).items() if reason == "JobHeldUser"}
    assert held == {f"{array}_4"}
    assert (await act(jp_fetch, "cancel", array))[0]["ok"] is True
    wait_for(lambda: all(s == "CANCELLED" for s, _ in squeue(array).values()))


async def test_someone_elses_job_is_refused(jp_fetch: Any, submit: Submitter) -> None:
    theirs = submit.sbatch("-H", "-J", "not yours", "--wrap", "sleep 1", user=OTHER_USER)
    mine = submit.sbatch("-H", "-J", "mine", "--wrap", "sleep 1")
    results = await act(jp_fetch, "cancel", theirs, mine)
    assert results[0]["ok"] is False
    assert f"belongs to {OTHER_USER}" in results[0]["message"]
    assert results[1]["ok"] is True
    assert squeue(theirs)[theirs][0] == "PENDING"  # untouched


async def test_unknown_job_is_named(jp_fetch: Any) -> None:
    (result,) = await act(jp_fetch, "hold", "987654321")
    assert result["ok"] is False
    assert "987654321 is not in the queue" in result["message"]


async def test_scheduler_refusal_is_reported(jp_fetch: Any, submit: Submitter) -> None:
    job = submit.sbatch("-H", "--wrap", "sleep 1")
    (result,) = await act(jp_fetch, "release", job)
    assert result["ok"] is True
    # Holding a finished-but-listed job is refused by Slurm itself; its words come back.
    subprocess.run(["scancel", job], check=True)
    wait_for(lambda: squeue(job).get(job, ("CANCELLED",))[0] == "CANCELLED")
    (result,) = await act(jp_fetch, "hold", job)
    assert result["ok"] is False
    assert result["message"]
