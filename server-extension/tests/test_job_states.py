"""Job states for watchers in the background (issue 17): per-job queries against the real
local Slurm through a real Jupyter server, never a listing of the whole queue; one cache
shared by the tabs of a server; bounded; the listing's cost spaces the listings."""

from __future__ import annotations

import asyncio
import json
import subprocess
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from jupyterlab_hpc.jobs import states as states_module
from jupyterlab_hpc.jobs.queue import COST_FACTOR, QueueSnapshot
from jupyterlab_hpc.jobs.states import MAX_IDS, JobStates
from jupyterlab_hpc.runner import CommandRunner
from jupyterlab_hpc.schedulers.base import Row
from jupyterlab_hpc.schedulers.slurm.commands import status_argv
from jupyterlab_hpc.schedulers.slurm.scheduler import SlurmScheduler

from .conftest import TEST_BIN, Submitter

pytestmark = pytest.mark.usefixtures("slurm")


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def runner_of(jp_serverapp: Any) -> CommandRunner:
    runner: CommandRunner = jp_serverapp.web_app.settings["jupyterlab_hpc"].runner
    return runner


async def post_states(jp_fetch: Any, ids: list[str], max_age: float | None = None) -> Any:
    body: dict[str, Any] = {"ids": ids}
    if max_age is not None:
        body["max_age"] = max_age
    response = await jp_fetch(
        "jupyterlab-hpc", "jobs", "states", method="POST", body=json.dumps(body)
    )
    assert response.headers["Cache-Control"] == "no-store"
    return json.loads(response.body)


async def expect_400(jp_fetch: Any, body: object) -> str:
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("jupyterlab-hpc", "jobs", "states", method="POST", body=json.dumps(body))
    assert info.value.code == 400
    assert info.value.response is not None
    return str(json.loads(info.value.response.body)["message"])


async def test_states_come_from_per_job_queries_never_a_listing(
    jp_fetch: Any, jp_serverapp: Any, submit: Submitter
) -> None:
    runner = runner_of(jp_serverapp)
    plain = submit.sbatch("-H", "-J", "states plain", "--wrap", "true")
    array = submit.sbatch("-H", "-J", "states array", "--array=1-3", "--wrap", "true")
    before = dict(runner.calls)

    answer = await post_states(jp_fetch, [plain, array, "99999999"], max_age=60)

    assert answer["status"]["ok"] is True
    jobs = answer["jobs"]
    assert jobs[plain]["found"] is True
    assert jobs[plain]["final"] is False
    assert jobs[plain]["job"]["id"] == plain
    assert jobs[plain]["job"]["state"] == "held"
    assert jobs[plain]["job"]["name"] == "states plain"
    assert jobs[plain]["source"] == "scheduler"
    assert jobs[array]["found"] is True
    assert jobs[array]["job"]["array_job_id"] == array
    assert jobs["99999999"]["found"] is False
    assert "does not know job 99999999" in jobs["99999999"]["message"]
    # Three scontrol show job (REQUEST_JOB_INFO_SINGLE), no squeue (REQUEST_JOB_INFO); with
    # --local, no REQUEST_FED_INFO before each.
    assert status_argv(plain) == ["scontrol", "--local", "show", "job", plain]
    assert runner.calls.get("squeue", 0) == before.get("squeue", 0)
    assert runner.calls.get("scontrol", 0) - before.get("scontrol", 0) == 3

    # A second tab asking within max_age: answered from the shared cache, nothing runs.
    again = await post_states(jp_fetch, [plain, array], max_age=60)
    assert again["jobs"][plain]["job"]["state"] == "held"
    assert runner.calls.get("scontrol", 0) - before.get("scontrol", 0) == 3


async def test_an_ended_job_is_asked_once_then_kept(
    jp_fetch: Any, jp_serverapp: Any, submit: Submitter
) -> None:
    runner = runner_of(jp_serverapp)
    job = submit.sbatch("-H", "-J", "states ends", "--wrap", "true")
    first = await post_states(jp_fetch, [job], max_age=0)
    assert first["jobs"][job]["job"]["state"] == "held"
    subprocess.run(["scancel", job], check=True)
    await asyncio.sleep(0.6)  # past the test server's floor (0.5 s)
    ended = await post_states(jp_fetch, [job], max_age=0)
    assert ended["jobs"][job]["job"]["state"] == "cancelled"
    assert ended["jobs"][job]["final"] is True
    calls = runner.calls.get("scontrol", 0)
    await asyncio.sleep(0.6)
    kept = await post_states(jp_fetch, [job], max_age=0)
    assert kept["jobs"][job]["final"] is True
    assert runner.calls.get("scontrol", 0) == calls  # a final state never changes


async def test_live_jobs_in_a_fresh_listing_cost_nothing(
    jp_fetch: Any, jp_serverapp: Any, submit: Submitter
) -> None:
    runner = runner_of(jp_serverapp)
    job = submit.sbatch("-H", "-J", "states listed", "--wrap", "true")
    # Some tab has the panel open: the shared listing was just taken.
    listing = json.loads((await jp_fetch("jupyterlab-hpc", "jobs", params={"scope": "mine"})).body)
    assert listing["status"]["listing_seconds"] > 0
    assert listing["status"]["min_interval"] == 0.5  # listing_cost_factor 0: the floor
    before = dict(runner.calls)
    answer = await post_states(jp_fetch, [job], max_age=30)
    assert answer["jobs"][job]["source"] == "listing"
    assert answer["jobs"][job]["job"]["state"] == "held"
    assert runner.calls == before


async def test_jobs_submitted_through_the_server_are_watched_until_they_end(
    jp_fetch: Any, jp_serverapp: Any, submit: Submitter
) -> None:
    """A reloaded page (or another tab) asks with submitted: true and finds the jobs the
    submit tab sent, with no id of its own to give."""
    body = {"script": "#!/bin/bash\ntrue\n", "options": {"hold": True, "name": "states sub"}}
    response = await jp_fetch(
        "jupyterlab-hpc", "jobs", "submit", method="POST", body=json.dumps(body)
    )
    job = json.loads(response.body)["job_id"]
    submit.ids.append(job)  # cancelled at the end
    before = dict(runner_of(jp_serverapp).calls)
    answer = await post_states_submitted(jp_fetch)
    assert answer["jobs"][job]["job"]["state"] == "held"
    assert runner_of(jp_serverapp).calls.get("squeue", 0) == before.get("squeue", 0)
    subprocess.run(["scancel", job], check=True)
    await asyncio.sleep(0.6)
    ended = await post_states_submitted(jp_fetch)
    assert ended["jobs"][job]["final"] is True
    # Said once that it ended: no longer among the submitted ones.
    assert job not in (await post_states_submitted(jp_fetch))["jobs"]


async def post_states_submitted(jp_fetch: Any) -> Any:
    body = {"ids": [], "submitted": True, "max_age": 0}
    response = await jp_fetch(
        "jupyterlab-hpc", "jobs", "states", method="POST", body=json.dumps(body)
    )
    return json.loads(response.body)


async def test_requests_are_bounded_and_checked(jp_fetch: Any) -> None:
    too_many = [str(1000 + i) for i in range(MAX_IDS + 1)]
    assert f"At most {MAX_IDS} jobs" in await expect_400(jp_fetch, {"ids": too_many})
    assert "empty only with submitted" in await expect_400(jp_fetch, {"ids": []})
    assert "list of job ids" in await expect_400(jp_fetch, {"ids": "123"})
    assert "true or false" in await expect_400(jp_fetch, {"ids": [], "submitted": 1})
    assert "not a valid job id" in await expect_400(jp_fetch, {"ids": ["123\n"]})
    assert "not a valid job id" in await expect_400(jp_fetch, {"ids": ["-h"]})
    for bad in (-1, 3601, "10", True, [1]):
        assert "max_age" in await expect_400(jp_fetch, {"ids": ["1"], "max_age": bad})
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("jupyterlab-hpc", "jobs", "states")
    assert info.value.code == 405  # read with POST only; never jobs/{id} with id "states"


async def test_concurrent_askers_share_one_query_and_the_cache_is_bounded(
    submit: Submitter, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CommandRunner()
    clock = Clock()
    states = JobStates(SlurmScheduler(runner), None, floor=2.0, monotonic=clock)
    job = submit.sbatch("-H", "-J", "states shared", "--wrap", "true")
    results = await asyncio.gather(*(states.states([job], 10) for _ in range(10)))
    assert runner.calls["scontrol"] == 1
    assert all(r[0][job].detail is not None for r in results)
    clock.t += 9.9
    await states.states([job], 10)
    assert runner.calls["scontrol"] == 1  # younger than max_age
    clock.t += 0.2
    await states.states([job], 10)
    assert runner.calls["scontrol"] == 2
    # max_age under the admin's floor is the floor.
    clock.t += 1.9
    await states.states([job], 0)
    assert runner.calls["scontrol"] == 2
    # After an action on the job, it is asked again.
    states.forget([job])
    await states.states([job], 10)
    assert runner.calls["scontrol"] == 3

    monkeypatch.setattr(states_module, "MAX_ENTRIES", 3)
    await states.states(["99999991", "99999992", "99999993", "99999994"], 10)
    assert len(states) == 3
    with pytest.raises(ValueError, match="at most"):
        await states.states([str(i) for i in range(MAX_IDS + 1)], 10)


async def test_a_failing_scheduler_keeps_the_last_answer_and_says_so(submit: Submitter) -> None:
    runner = CommandRunner()
    clock = Clock()
    states = JobStates(SlurmScheduler(runner), None, floor=1.0, monotonic=clock)
    job = submit.sbatch("-H", "-J", "states down", "--wrap", "true")
    good, error = await states.states([job], 1)
    assert error is None
    runner.command_paths["scontrol"] = str(TEST_BIN / "squeue-down")
    clock.t += 2
    answers, error = await states.states([job, "99999995"], 1)
    assert error is not None
    assert "Unable to contact slurm controller" in error
    assert answers[job] is good[job]  # the last good answer, with its fetched_at
    assert "99999995" not in answers


class SlowSlurm(SlurmScheduler):
    """The real Slurm, on a clock where each listing takes ``seconds``."""

    def __init__(self, runner: CommandRunner, clock: Clock, seconds: float) -> None:
        super().__init__(runner)
        self.clock = clock
        self.seconds = seconds

    async def list_rows(self) -> list[Row]:
        rows = await super().list_rows()
        self.clock.t += self.seconds
        return rows


async def test_a_slow_listing_spaces_the_listings() -> None:
    runner = CommandRunner()
    clock = Clock()
    snap = QueueSnapshot(SlowSlurm(runner, clock, 0.5), floor=2.0, monotonic=clock)
    assert snap.min_interval == 2.0  # nothing measured yet: the admin's floor
    await snap.refresh()
    assert snap.listing_seconds == 0.5
    assert snap.min_interval == COST_FACTOR * 0.5
    status = snap.status()
    assert status["listing_seconds"] == 0.5
    assert status["min_interval"] == COST_FACTOR * 0.5
    clock.t += COST_FACTOR * 0.5 - 0.1  # past the floor, not 20 listings past the last
    await snap.refresh()
    assert runner.calls["squeue"] == 1
    clock.t += 0.2
    await snap.refresh()
    assert runner.calls["squeue"] == 2
    # A fast listing: the floor again.
    snap.scheduler = SlowSlurm(runner, clock, 0.01)
    snap.invalidate()
    await snap.refresh()
    assert snap.min_interval == 2.0
