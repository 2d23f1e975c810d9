"""Job history on the real local cluster: sacct through slurmdbd and its MariaDB, the REST
endpoint and the scheduler, with accounting disabled and slurmdbd down (a copy of
slurm.conf through SLURM_CONF, so the shared cluster is not touched)."""

from __future__ import annotations

import json
import os
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from jupyterlab_hpc.runner import CommandRunner
from jupyterlab_hpc.schedulers.base import HistoryQuery, JobState
from jupyterlab_hpc.schedulers.slurm.scheduler import SlurmScheduler

from .conftest import FinishedJobs

SLURM_CONF = "/etc/slurm/slurm.conf"


async def history(jp_fetch: Any, **params: str) -> dict[str, Any]:
    response = await jp_fetch("jupyterlab-hpc", "history", params=params)
    assert response.code == 200
    body: dict[str, Any] = json.loads(response.body)
    return body


def by_id(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {job["id"]: job for job in body["jobs"]}


async def test_history_has_exit_codes_elapsed_and_efficiency(
    jp_fetch: Any, finished_jobs: FinishedJobs
) -> None:
    body = await history(jp_fetch, start=finished_jobs.start)
    assert body["available"] is True
    assert body["message"] == ""
    jobs = by_id(body)
    ids = finished_jobs.ids
    done, failed, cancelled = (jobs[ids[k]] for k in ("completed", "failed", "cancelled"))
    assert (done["state"], done["exit_code"], done["exit_signal"]) == ("completed", 0, 0)
    assert (failed["state"], failed["raw_state"], failed["exit_code"]) == ("failed", "FAILED", 3)
    assert cancelled["state"] == "cancelled"
    assert cancelled["raw_state"].startswith("CANCELLED by ")
    assert done["name"] == "history: completes"
    assert done["user"] == "root" or done["user"] == os.environ.get("USER")
    # The completing job burnt CPU for 2 to 3 s (whole seconds of `date`) on 1 CPU.
    assert done["cpus"] == 1
    assert done["elapsed"] >= 2
    assert done["total_cpu"] is not None
    assert 0 < done["cpu_efficiency"] <= 1
    for job in (done, failed, cancelled):
        assert job["end_time"]
        assert job["start_time"]
        assert job["submit_time"]
        assert isinstance(job["elapsed"], int)
        assert job["partition"] == "debug"
    # Newest first.
    submitted = [j["submit_time"] for j in body["jobs"]]
    assert submitted == sorted(submitted, reverse=True)


async def test_history_filters_by_state(jp_fetch: Any, finished_jobs: FinishedJobs) -> None:
    ids = finished_jobs.ids
    failed = by_id(await history(jp_fetch, start=finished_jobs.start, state="failed"))
    assert ids["failed"] in failed
    assert ids["completed"] not in failed
    assert ids["cancelled"] not in failed
    assert {j["state"] for j in failed.values()} == {"failed"}
    two = by_id(await history(jp_fetch, start=finished_jobs.start, state="completed,cancelled"))
    assert ids["completed"] in two
    assert ids["cancelled"] in two
    assert ids["failed"] not in two


async def test_history_filters_by_time_range(jp_fetch: Any, finished_jobs: FinishedJobs) -> None:
    ids = set(finished_jobs.ids.values())
    start = datetime.fromisoformat(finished_jobs.start)
    before = by_id(
        await history(
            jp_fetch,
            start=(start - timedelta(hours=2)).isoformat(),
            end=(start - timedelta(hours=1)).isoformat(),
        )
    )
    assert not ids & set(before)
    later = by_id(await history(jp_fetch, start=(datetime.now() + timedelta(hours=1)).isoformat()))
    assert not ids & set(later)
    # A date alone and a time with a zone are ISO 8601 too.
    day = by_id(await history(jp_fetch, start=start.date().isoformat()))
    assert ids <= set(day)
    zoned = start.astimezone().isoformat()
    assert ids <= set(by_id(await history(jp_fetch, start=zoned)))


async def test_history_limit_keeps_the_newest(jp_fetch: Any, finished_jobs: FinishedJobs) -> None:
    body = await history(jp_fetch, start=finished_jobs.start, limit="1")
    assert len(body["jobs"]) == 1
    everything = await history(jp_fetch, start=finished_jobs.start)
    assert body["jobs"][0]["id"] == everything["jobs"][0]["id"]


async def test_history_is_the_users_own(jp_fetch: Any, finished_jobs: FinishedJobs) -> None:
    body = await history(jp_fetch, start=finished_jobs.start)
    assert {j["user"] for j in body["jobs"]} == {body["jobs"][0]["user"]}


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"start": "yesterday"}, "ISO 8601"),
        ({"start": "2026-13-01"}, "ISO 8601"),
        ({"end": "now"}, "ISO 8601"),
        ({"start": "0001-01-01T00:00:00+05:00"}, "between"),
        ({"start": "2026-11-22", "end": "2026-11-21"}, "before start"),
        ({"state": "done"}, "comma-separated list"),
        ({"state": "completed,-x"}, "comma-separated list"),
        ({"limit": "0"}, "1 to 20000"),
        ({"limit": "20001"}, "1 to 20000"),
        ({"limit": "ten"}, "1 to 20000"),
    ],
)
async def test_history_refuses_bad_queries(
    jp_fetch: Any, params: dict[str, str], words: str
) -> None:
    with pytest.raises(HTTPClientError) as e:
        await jp_fetch("jupyterlab-hpc", "history", params=params)
    assert e.value.code == 400
    assert e.value.response is not None
    assert words in json.loads(e.value.response.body)["message"]


def conf_copy(tmp_path: Path, change: str) -> dict[str, str]:
    """The environment of a Slurm client reading a changed copy of the cluster's slurm.conf:
    accounting "disabled", or slurmdbd "down" (its port one where nothing listens)."""
    conf = re.sub(r"(?m)^AccountingStorage(Type|Port)=.*\n", "", Path(SLURM_CONF).read_text())
    if change == "disabled":
        conf += "AccountingStorageType=accounting_storage/none\n"
    else:
        conf += "AccountingStorageType=accounting_storage/slurmdbd\nAccountingStoragePort=9\n"
    path = tmp_path / "slurm.conf"
    path.write_text(conf)
    return {**os.environ, "SLURM_CONF": str(path)}


@pytest.mark.parametrize(
    ("change", "words"), [("disabled", "does not keep"), ("down", "not answering")]
)
async def test_history_without_accounting_says_so(
    slurm: None, tmp_path: Path, change: str, words: str
) -> None:
    sched = SlurmScheduler(CommandRunner(), env=conf_copy(tmp_path, change))
    result = await sched.history(HistoryQuery(start="2026-01-01T00:00:00", user="root"))
    assert result.available is False
    assert words in result.message
    assert result.message.endswith(".")
    assert result.records == []


async def test_scheduler_history_states_and_user(finished_jobs: FinishedJobs) -> None:
    sched = SlurmScheduler(CommandRunner())
    query = HistoryQuery(start=finished_jobs.start, user="root", states=(JobState.FAILED,))
    result = await sched.history(query)
    assert result.available
    assert finished_jobs.ids["failed"] in {r.job.id for r in result.records}
    assert {r.job.state for r in result.records} == {JobState.FAILED}
