"""The REST API on PBS: a real Jupyter server whose PBS commands are the replay executables."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from jupyterlab_hpc.schedulers.base import LISTING_COLUMNS

from .pbs_replay.fixtures import PBSReplay
from .pbs_replay.recordings import stdout
from .test_handlers import expect_error, get_json


@pytest.fixture
def jp_server_config(pbs_replay: PBSReplay) -> dict[str, object]:
    return {
        "ServerApp": {"jpserver_extensions": {"jupyterlab_hpc": True}},
        "HPCConfig": {
            "scheduler": "pbs",
            "command_paths": pbs_replay.command_paths,
            "poll_interval_floor": 0.5,
            "listing_cost_factor": 0.0,  # the tests wait just past the floor
        },
    }


async def listing(jp_fetch: Any, scope: str = "all") -> dict[str, dict[str, Any]]:
    body = await get_json(jp_fetch, "jobs", scope=scope)
    assert body["columns"] == list(LISTING_COLUMNS)
    assert body["status"]["ok"] is True, body["status"]
    return {r[0]: dict(zip(body["columns"], r, strict=True)) for r in body["rows"]}


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


async def test_capabilities(jp_fetch: Any) -> None:
    caps = await get_json(jp_fetch, "capabilities")
    assert caps["scheduler"] == {
        "kind": "pbs",
        "flavour": "OpenPBS",
        "version": "23.06.06",
        "available": True,
        "message": "",
        "cluster": "pbs01",
        "own_jobs_only": False,
    }


async def test_listing_mine_and_all(jp_fetch: Any, pbs_replay: PBSReplay) -> None:
    everyone = await listing(jp_fetch)
    assert set(everyone) == {
        "1.pbs01",
        "2.pbs01",
        "3[1].pbs01",
        "3[2-3].pbs01",
        "4.pbs01",
        "5.pbs01",
        "6.pbs01",
        "8.pbs01",
    }
    mine = await listing(jp_fetch, scope="mine")
    assert "6.pbs01" not in mine
    assert "8.pbs01" not in mine
    assert "4.pbs01" in mine
    job = everyone["1.pbs01"]
    assert (job["name"], job["state"], job["raw_state"]) == ("basicjob", "running", "R")
    assert (job["nodelist"], job["time_limit"], job["partition"]) == ("pbs01", 900, "workq")
    assert everyone["6.pbs01"]["user"] == "alice"
    subjob = everyone["3[1].pbs01"]
    assert (subjob["array_job_id"], subjob["array_task_id"]) == ("3[].pbs01", "1")
    pending = everyone["3[2-3].pbs01"]
    assert (pending["array_task_id"], pending["state"]) == ("[2-3]", "pending")
    # however many requests, the snapshot asked qstat once per floor
    listings = [c for c in pbs_replay.calls() if c[:2] == ["qstat", "-f"]]
    assert listings == [["qstat", "-f", "-F", "json", "-t"]]


async def test_state_filter(jp_fetch: Any) -> None:
    body = await get_json(jp_fetch, "jobs", scope="all", state="held")
    assert [r[0] for r in body["rows"]] == ["2.pbs01"]


async def test_hold_release_cancel(jp_fetch: Any, pbs_replay: PBSReplay) -> None:
    assert await act(jp_fetch, "hold", "4.pbs01") == [
        {"job_id": "4.pbs01", "ok": True, "message": ""}
    ]
    job = (await listing(jp_fetch))["4.pbs01"]
    assert (job["state"], job["raw_state"]) == ("held", "H")
    assert job["reason"].startswith("Job held by ")
    assert pbs_replay.state()["jobs"]["4.pbs01"]["Hold_Types"] == "u"

    assert (await act(jp_fetch, "release", "4.pbs01"))[0]["ok"] is True
    job = (await listing(jp_fetch))["4.pbs01"]
    assert (job["state"], job["raw_state"]) == ("pending", "Q")

    assert (await act(jp_fetch, "cancel", "4.pbs01"))[0]["ok"] is True
    assert "4.pbs01" not in await listing(jp_fetch)
    assert ["qdel", "4.pbs01"] in pbs_replay.calls()


async def test_release_a_job_that_is_not_held(jp_fetch: Any) -> None:
    # 52_qrls_not_held: PBS says nothing and exits 0
    assert (await act(jp_fetch, "release", "5.pbs01"))[0]["ok"] is True


async def test_unknown_finished_and_others_jobs(jp_fetch: Any, pbs_replay: PBSReplay) -> None:
    results = await act(jp_fetch, "cancel", "9999.pbs01", "0.pbs01", "6.pbs01", "5")
    by_id = {r["job_id"]: r for r in results}
    assert by_id["9999.pbs01"]["ok"] is False
    assert "not in the queue" in by_id["9999.pbs01"]["message"]
    assert by_id["0.pbs01"]["ok"] is False  # finished: qstat without -x answers 35
    assert "not in the queue" in by_id["0.pbs01"]["message"]
    assert by_id["6.pbs01"]["ok"] is False
    assert "belongs to alice" in by_id["6.pbs01"]["message"]
    assert by_id["5"]["ok"] is True  # the short form of 5.pbs01
    qdels = [c for c in pbs_replay.calls() if c[0] == "qdel"]
    assert qdels == [["qdel", "5"]]  # only our own job reached qdel
    assert "6.pbs01" in await listing(jp_fetch)


async def test_array_subjobs(jp_fetch: Any, pbs_replay: PBSReplay) -> None:
    held = await act(jp_fetch, "hold", "3[1].pbs01")
    assert held[0]["ok"] is False
    assert "whole array" in held[0]["message"]
    pending = await act(jp_fetch, "hold", "3[2-3].pbs01")
    assert pending[0] == {
        "job_id": "3[2-3].pbs01",
        "ok": True,
        "message": "PBS held the whole array 3[].pbs01.",
    }
    jobs = await listing(jp_fetch)
    assert jobs["3[2-3].pbs01"]["state"] == "held"
    assert jobs["3[1].pbs01"]["state"] == "running"
    assert (await act(jp_fetch, "cancel", "3[1].pbs01"))[0]["ok"] is True
    jobs = await listing(jp_fetch)
    # a cancelled running subjob shows X until its array ends, as qstat -t shows it
    assert (jobs["3[1].pbs01"]["raw_state"], jobs["3[1].pbs01"]["state"]) == ("X", "cancelled")
    assert jobs["3[1].pbs01"]["reason"] == "Killed by signal 15 (exit status 271)"
    assert (await act(jp_fetch, "cancel", "3[].pbs01"))[0]["ok"] is True
    assert not [j for j in await listing(jp_fetch) if j.startswith("3[")]


@pytest.mark.parametrize("job_id", ["123_4", "-h", "1;rm -rf", "3[1", "1.pbs01 -x"])
async def test_ids_are_checked_by_pbs_rules(
    jp_fetch: Any, pbs_replay: PBSReplay, job_id: str
) -> None:
    message = await expect_error(
        jp_fetch,
        400,
        "jobs",
        "actions",
        method="POST",
        body=json.dumps({"action": "cancel", "job_ids": ["4.pbs01", job_id]}),
    )
    assert "not a valid PBS job id" in message
    assert not [c for c in pbs_replay.calls() if c[0] in ("qdel", "qhold", "qrls")]


async def test_partitions(jp_fetch: Any) -> None:
    body = await get_json(jp_fetch, "partitions")
    assert body["partitions"] == [
        {
            "name": "workq",
            "default": True,
            "available": "up",
            "time_limit": None,
            "nodes": 1,
            "cpus_idle": 0,
            "cpus_total": 2,
        }
    ]


async def test_qstat_failure_keeps_the_last_listing(
    jp_fetch: Any, pbs_replay: PBSReplay, tmp_path: Any
) -> None:
    await listing(jp_fetch)
    # The server goes away: the state file is gone, so qstat fails.
    pbs_replay.state_path.rename(tmp_path / "away.json")
    await asyncio.sleep(0.6)  # past the snapshot's floor
    body = await get_json(jp_fetch, "jobs", scope="all")
    assert body["status"]["ok"] is False
    assert body["status"]["error"]
    assert "1.pbs01" in {r[0] for r in body["rows"]}


# ---------------------------------------------------------------------------
# Submit, details, output and history (issue 7) through the REST API


async def post_submit(jp_fetch: Any, body: dict[str, Any]) -> dict[str, Any]:
    response = await jp_fetch(
        "jupyterlab-hpc", "jobs", "submit", method="POST", body=json.dumps(body)
    )
    answer: dict[str, Any] = json.loads(response.body)
    return answer


SCRIPT = "#!/bin/bash\n#PBS -l walltime=00:05:00\necho hello\n"


async def test_submit_detail_output_cancel_history(
    jp_fetch: Any, pbs_replay: PBSReplay, tmp_path: Path
) -> None:
    out = tmp_path / "hello.out"
    answer = await post_submit(
        jp_fetch,
        {
            "script": SCRIPT,
            "options": {"name": "hello", "hold": True, "output": str(out), "cpus": 2},
        },
    )
    assert answer["job_id"] == "10.pbs01"
    assert answer["test_only"] is False
    qsub = [c for c in pbs_replay.calls() if c[0] == "qsub"]
    assert qsub == [
        ["qsub", "-N", "hello", "-l", "select=1:ncpus=2", "-h", "-o", str(out), "-j", "oe"]
    ]
    jobs = await listing(jp_fetch, scope="mine")
    assert jobs["10.pbs01"]["state"] == "held"

    detail = await get_json(jp_fetch, "jobs", "10.pbs01")
    assert detail["job"]["stdout_path"] == str(out)
    assert detail["job"]["stderr_path"] == str(out)  # -j oe
    assert detail["requested"]["cpus"] == "2"
    assert detail["script"] is None
    assert ["Job_Name", "hello"] in detail["fields"]

    out.write_text("hello from PBS\n")
    chunk = await get_json(jp_fetch, "jobs", "10.pbs01", "output", stream="stdout")
    assert (chunk["exists"], chunk["data"]) == (True, "hello from PBS\n")

    assert (await act(jp_fetch, "cancel", "10.pbs01"))[0]["ok"] is True
    detail = await get_json(jp_fetch, "jobs", "10.pbs01")
    assert detail["job"]["state"] == "cancelled"
    assert detail["job"]["raw_state"] == "F"
    assert ["qstat", "-f", "-F", "json", "-x", "10.pbs01"] in pbs_replay.calls()

    history = await get_json(jp_fetch, "history", start="2000-01-01T00:00:00")
    assert history["available"] is True
    by_id = {j["id"]: j for j in history["jobs"]}
    assert by_id["10.pbs01"]["state"] == "cancelled"
    assert by_id["0.pbs01"]["exit_code"] == 0
    assert "6.pbs01" not in by_id  # alice's job


async def test_output_of_a_job_whose_output_is_a_folder(
    jp_fetch: Any, pbs_replay: PBSReplay, tmp_path: Path
) -> None:
    """-o naming a folder (here without its /, as in the release recording 57, with -j
    oe): PBS copies the spool file <job id>.OU into it (53-55); the output view reads it."""
    results = tmp_path / "results"
    results.mkdir()
    answer = await post_submit(
        jp_fetch, {"script": SCRIPT, "options": {"output": str(results), "hold": True}}
    )
    job_id = answer["job_id"]
    detail = await get_json(jp_fetch, "jobs", job_id)
    assert detail["job"]["stdout_path"] == f"{results}/{job_id}.OU"
    assert detail["job"]["stderr_path"] == f"{results}/{job_id}.OU"  # -j oe
    (results / f"{job_id}.OU").write_text("quick out\nquick err\n")
    for stream in ("stdout", "stderr"):
        chunk = await get_json(jp_fetch, "jobs", job_id, "output", stream=stream)
        assert (chunk["exists"], chunk["data"]) == (True, "quick out\nquick err\n")


async def test_submit_array_and_test_only(jp_fetch: Any, pbs_replay: PBSReplay) -> None:
    answer = await post_submit(
        jp_fetch, {"script": SCRIPT, "options": {"array": "1-4"}, "test_only": True}
    )
    assert answer["job_id"] is None
    assert "1 #PBS directive(s) are valid" in answer["message"]
    assert not [c for c in pbs_replay.calls() if c[0] == "qsub"]
    answer = await post_submit(jp_fetch, {"script": SCRIPT, "options": {"array": "1-4"}})
    assert answer["job_id"] == "10[].pbs01"
    detail = await get_json(jp_fetch, "jobs", "10[].pbs01")
    assert [t["array_task_id"] for t in detail["tasks"]] == ["1", "2", "3", "4"]
    jobs = await listing(jp_fetch, scope="mine")
    assert jobs["10[1-4].pbs01"]["state"] == "pending"


async def test_submit_refusals(jp_fetch: Any, pbs_replay: PBSReplay) -> None:
    # PBS's own words and the command line, 400
    with pytest.raises(HTTPClientError) as info:
        await post_submit(jp_fetch, {"script": SCRIPT, "options": {"partition": "nosuch"}})
    assert info.value.code == 400
    assert info.value.response is not None
    body = json.loads(info.value.response.body)
    assert body["message"].startswith("qsub: Unknown queue")
    assert body["detail"] == "qsub -q nosuch"
    # What PBS cannot express: 400 naming the field, and qsub never runs
    for options, field in (({"qos": "high"}, "qos"), ({"array": "1,3"}, "array")):
        with pytest.raises(HTTPClientError) as info:
            await post_submit(jp_fetch, {"script": SCRIPT, "options": options})
        assert info.value.code == 400
        assert info.value.response is not None
        assert json.loads(info.value.response.body)["field"] == field
    bad_directive = "#!/bin/sh\n#PBS -l walltime=soon\n"
    message = await expect_error(
        jp_fetch,
        400,
        "jobs",
        "submit",
        method="POST",
        body=json.dumps({"script": bad_directive, "options": {}, "test_only": True}),
    )
    assert message.startswith("Line 2: the walltime 'soon'")
    assert [c for c in pbs_replay.calls() if c[0] == "qsub"] == [["qsub", "-q", "nosuch"]]


async def test_submit_with_qsubs_own_options(jp_fetch: Any, pbs_replay: PBSReplay) -> None:
    """The extra options follow qsub's rules, not sbatch's: -V (accepted by the release,
    recording 61), -W umask=022 (60), -W group_list=, -u and -P project all reach qsub."""
    extra = ["-V", "-Wumask=022", "-W", "group_list=physics", "-u", "alice", "-P", "proj"]
    answer = await post_submit(jp_fetch, {"script": SCRIPT, "options": {"extra": extra}})
    assert answer["job_id"] == "10.pbs01"
    assert [c for c in pbs_replay.calls() if c[0] == "qsub"] == [["qsub", *extra]]
    # As the release recorded them (62): "umask":22, and -V exported nothing.
    job = pbs_replay.state()["jobs"]["10.pbs01"]
    recorded = json.loads(stdout("release-23.06.06/62_qstat_x_f_F_json_umask_and_V_finished"))
    assert job["umask"] == recorded["Jobs"]["4070.pbs01"]["umask"] == 22
    for variables in (recorded["Jobs"]["4071.pbs01"]["Variable_List"], job["Variable_List"]):
        assert all(name.startswith("PBS_O_") for name in variables)
    # A word that is no option is refused in PBS's words, before qsub runs.
    with pytest.raises(HTTPClientError) as info:
        await post_submit(jp_fetch, {"script": SCRIPT, "options": {"extra": ["proj"]}})
    assert info.value.response is not None
    body = json.loads(info.value.response.body)
    assert (info.value.code, body["field"]) == (400, "extra")
    assert "-P myproject" in body["message"]
    # A template keeps qsub's options too.
    saved = await jp_fetch(
        "jupyterlab-hpc",
        "submit",
        "templates",
        "with -V",
        method="PUT",
        body=json.dumps({"script": SCRIPT, "options": {"extra": ["-V", "-P", "proj"]}}),
    )
    assert json.loads(saved.body)["options"] == {"extra": ["-V", "-P", "proj"]}


async def test_gpus_on_a_server_without_ngpus(jp_fetch: Any, pbs_replay: PBSReplay) -> None:
    """A default OpenPBS defines no ngpus resource: qsub refuses the select statement's
    ngpus= (release recording 48, exit 187). That is the GPU field's fault: 400 on it."""
    with pytest.raises(HTTPClientError) as info:
        await post_submit(jp_fetch, {"script": SCRIPT, "options": {"gpus": 1}})
    assert info.value.response is not None
    body = json.loads(info.value.response.body)
    assert (info.value.code, body["field"]) == (400, "gpus")
    assert "qsub: Unknown resource: ngpus" in body["message"]
    assert [c for c in pbs_replay.calls() if c[0] == "qsub"] == [
        ["qsub", "-l", "select=1:ncpus=1:ngpus=1"]
    ]
    pbs_replay.update(custom_resources=["ngpus"])  # a site that added ngpus
    answer = await post_submit(jp_fetch, {"script": SCRIPT, "options": {"gpus": 1}})
    assert answer["job_id"] == "10.pbs01"


async def test_detail_of_unknown_and_finished_jobs(jp_fetch: Any) -> None:
    message = await expect_error(jp_fetch, 404, "jobs", "9999.pbs01")
    assert "9999.pbs01" in message
    detail = await get_json(jp_fetch, "jobs", "0.pbs01")
    assert (detail["job"]["state"], detail["job"]["exit_code"]) == ("completed", 0)
    assert detail["job"]["end_time"] == "2026-11-22T00:07:34"
    await expect_error(jp_fetch, 400, "jobs", "123_4")


async def test_history_without_job_history_enable(jp_fetch: Any, pbs_replay: PBSReplay) -> None:
    attrs = pbs_replay.state()["server_attrs"]
    del attrs["job_history_enable"]
    pbs_replay.update(server_attrs=attrs)
    history = await get_json(jp_fetch, "history")
    assert history["available"] is False
    assert "job_history_enable" in history["message"]
    assert history["jobs"] == []


async def test_job_history_switched_off_and_on_without_a_restart(
    jp_fetch: Any, pbs_replay: PBSReplay
) -> None:
    """An administrator switching job_history_enable with qmgr (release recordings 66, 71)
    while the server runs: the history and the details follow at once."""
    history = await get_json(jp_fetch, "history", start="2000-01-01T00:00:00")
    assert history["available"] is True
    pbs_replay.set_job_history(False)
    history = await get_json(jp_fetch, "history", start="2000-01-01T00:00:00")
    assert history["available"] is False
    assert "job_history_enable" in history["message"]
    detail = await get_json(jp_fetch, "jobs", "1.pbs01")
    assert detail["job"]["state"] == "running"  # asked without -x first
    message = await expect_error(jp_fetch, 404, "jobs", "0.pbs01")
    assert "keeps no job history (job_history_enable is off)" in message
    pbs_replay.set_job_history(True)
    history = await get_json(jp_fetch, "history", start="2000-01-01T00:00:00")
    assert history["available"] is True
    # Only the -x answers told: the server's attributes were not read again for it.
    assert not [c for c in pbs_replay.calls() if c[:3] == ["qstat", "-B", "-f"]]


# ---------------------------------------------------------------------------
# One qdel naming a subjob (or range) with another id crashes the released 23.06.06 server


def deleted(pbs_replay: PBSReplay, job_id: str) -> bool:
    """Gone from the queue, or a subjob marked X (expired) until its array ends."""
    state = pbs_replay.state()
    attrs = state["jobs"].get(job_id)
    if attrs is None:
        return job_id in state["history"]
    return bool(attrs["job_state"] == "X")


async def test_cancel_a_subjob_with_another_job(jp_fetch: Any, pbs_replay: PBSReplay) -> None:
    results = await act(jp_fetch, "cancel", "3[1].pbs01", "4.pbs01")
    assert results == [
        {"job_id": "3[1].pbs01", "ok": True, "message": ""},
        {"job_id": "4.pbs01", "ok": True, "message": ""},
    ]
    assert deleted(pbs_replay, "3[1].pbs01")
    assert deleted(pbs_replay, "4.pbs01")
    qdels = [c for c in pbs_replay.calls() if c[0] == "qdel"]
    assert qdels == [["qdel", "4.pbs01"], ["qdel", "3[1].pbs01"]]
    assert not pbs_replay.state().get("server_down")


async def test_cancel_a_job_with_a_subjob_range(jp_fetch: Any, pbs_replay: PBSReplay) -> None:
    results = await act(jp_fetch, "cancel", "5.pbs01", "3[2-3].pbs01", "2.pbs01")
    assert [(r["job_id"], r["ok"]) for r in results] == [
        ("5.pbs01", True),
        ("3[2-3].pbs01", True),
        ("2.pbs01", True),
    ]
    for job_id in ("5.pbs01", "3[2].pbs01", "3[3].pbs01", "2.pbs01"):
        assert deleted(pbs_replay, job_id), job_id
    qdels = [c for c in pbs_replay.calls() if c[0] == "qdel"]
    # plain jobs may share a call; the range goes alone
    assert qdels == [["qdel", "5.pbs01", "2.pbs01"], ["qdel", "3[2-3].pbs01"]]


async def test_history_is_newest_first_and_limit_keeps_the_newest(
    jp_fetch: Any, pbs_replay: PBSReplay
) -> None:
    """The contract, as on Slurm: newest first by submit time; ``limit`` keeps the newest.
    The recorded jobs were submitted on 2026-11-22; three new ones come after them."""
    for name in ("first", "second", "third"):
        answer = await post_submit(jp_fetch, {"script": SCRIPT, "options": {"name": name}})
        assert answer["job_id"]
    history = await get_json(jp_fetch, "history", start="2000-01-01T00:00:00", limit="3")
    assert history["available"] is True
    assert [j["id"] for j in history["jobs"]] == ["12.pbs01", "11.pbs01", "10.pbs01"]
    everything = await get_json(jp_fetch, "history", start="2000-01-01T00:00:00")
    ids = [j["id"] for j in everything["jobs"]]
    assert ids[:3] == ["12.pbs01", "11.pbs01", "10.pbs01"]
    assert ids[-1] == "0.pbs01"  # the oldest, submitted at 00:07:33
