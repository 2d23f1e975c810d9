"""The REST API on Torque: a real Jupyter server whose Torque commands are the replay."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .test_handlers import expect_error, get_json
from .test_pbs_handlers import act, listing, post_submit
from .torque_replay.fixtures import TorqueReplay


@pytest.fixture
def jp_server_config(torque_replay: TorqueReplay) -> dict[str, object]:
    return {
        "ServerApp": {"jpserver_extensions": {"jupyterlab_hpc": True}},
        "HPCConfig": {
            "scheduler": "torque",
            "command_paths": torque_replay.command_paths,
            "poll_interval_floor": 0.5,
            "listing_cost_factor": 0.0,  # the tests wait just past the floor
        },
    }


SCRIPT = "#!/bin/bash\n#PBS -l walltime=00:05:00\necho hello\n"


async def test_capabilities_and_listing(jp_fetch: Any) -> None:
    caps = await get_json(jp_fetch, "capabilities")
    assert caps["scheduler"]["kind"] == "torque"
    assert caps["scheduler"]["flavour"] == "Torque"
    assert caps["scheduler"]["version"] == "6.1-dev"
    assert caps["scheduler"]["cluster"] == "torque01"
    mine = await listing(jp_fetch, scope="mine")
    assert "19.torque01" not in mine  # bob's
    assert mine["1.torque01"]["state"] == "completed"
    assert mine["11.torque01"]["cpus"] == 2  # nodes=1:ppn=2


async def test_submit_detail_output_actions(
    jp_fetch: Any, torque_replay: TorqueReplay, tmp_path: Path
) -> None:
    out = tmp_path / "hello.out"
    answer = await post_submit(
        jp_fetch,
        {
            "script": SCRIPT,
            "options": {
                "name": "hello",
                "hold": True,
                "output": str(out),
                "nodes": 1,
                "cpus": 2,
                "workdir": str(tmp_path),
            },
        },
    )
    assert answer["job_id"] == "20.torque01"
    qsub = [c for c in torque_replay.calls() if c["argv"][0] == "qsub"]
    assert qsub[0]["argv"][:2] == ["qsub", "-N"]
    assert "nodes=1:ppn=2" in qsub[0]["argv"]
    assert ["-d", str(tmp_path)] == qsub[0]["argv"][-2:]
    assert qsub[0]["cwd"] == str(tmp_path)
    assert qsub[0]["stdin"] == SCRIPT
    jobs = await listing(jp_fetch, scope="mine")
    assert jobs["20.torque01"]["state"] == "held"

    detail = await get_json(jp_fetch, "jobs", "20.torque01")
    assert detail["job"]["stdout_path"] == str(out)
    assert detail["job"]["time_limit"] == 300
    out.write_text("hello from Torque\n")
    chunk = await get_json(jp_fetch, "jobs", "20.torque01", "output", stream="stdout")
    assert (chunk["exists"], chunk["data"]) == (True, "hello from Torque\n")

    assert (await act(jp_fetch, "release", "20.torque01"))[0]["ok"] is True
    assert (await get_json(jp_fetch, "jobs", "20.torque01"))["job"]["state"] == "pending"
    assert (await act(jp_fetch, "cancel", "20.torque01"))[0]["ok"] is True
    # Torque keeps the deleted job in state C, with no exit status (11_qdel_held, 43).
    cancelled = (await get_json(jp_fetch, "jobs", "20.torque01"))["job"]
    assert (cancelled["state"], cancelled["reason"]) == ("cancelled", "Deleted before it ran")
    await expect_error(jp_fetch, 404, "jobs", "999.torque01")
    refused = await act(jp_fetch, "cancel", "19.torque01")
    assert refused[0]["ok"] is False
    assert "another user's job" in refused[0]["message"]
    assert not [c for c in torque_replay.argvs() if c[0] == "qdel" and "19.torque01" in c]


async def test_array_test_only_and_refusals(jp_fetch: Any, torque_replay: TorqueReplay) -> None:
    checked = await post_submit(
        jp_fetch, {"script": SCRIPT, "options": {"array": "1-3"}, "test_only": True}
    )
    assert checked["job_id"] is None
    assert not [c for c in torque_replay.argvs() if c[0] == "qsub"]
    answer = await post_submit(jp_fetch, {"script": SCRIPT, "options": {"array": "1-3"}})
    assert answer["job_id"] == "20[].torque01"
    detail = await get_json(jp_fetch, "jobs", "20[].torque01")
    assert [t["array_task_id"] for t in detail["tasks"]] == ["1", "2", "3"]
    message = await expect_error(
        jp_fetch,
        400,
        "jobs",
        "submit",
        method="POST",
        body='{"script": "#!/bin/sh\\nhostname\\n", "options": {"array": "1-9:2"}}',
    )
    assert "Torque arrays have no step" in message
    message = await expect_error(
        jp_fetch,
        400,
        "jobs",
        "submit",
        method="POST",
        body='{"script": "#!/bin/sh\\nhostname\\n", "options": {"partition": "nosuch"}}',
    )
    assert "Unknown queue" in message


HIDDEN = (
    "Torque does not show job 19.torque01 to you: it is another user's job, and this Torque "
    "server shows each user only their own jobs (its query_other_jobs setting is off)."
)


async def test_another_users_job_is_refused_in_a_sentence(
    jp_fetch: Any, torque_replay: TorqueReplay
) -> None:
    """Torque's default query_other_jobs (off): qstat answers bob's job 19 with exit 159
    (98b). The details say so with 403, an action refuses that one job and does the
    others, and capabilities say that "All jobs" lists the user's own jobs alone."""
    caps = await get_json(jp_fetch, "capabilities")
    assert caps["scheduler"]["own_jobs_only"] is True
    assert caps["scheduler"]["message"] == ""
    everyone = await listing(jp_fetch, scope="all")
    assert "19.torque01" not in everyone
    assert {row["user"] for row in everyone.values()} == {caps["user"]}

    assert await expect_error(jp_fetch, 403, "jobs", "19.torque01") == HIDDEN
    assert await expect_error(jp_fetch, 403, "jobs", "19.torque01", "output") == HIDDEN
    results = await act(jp_fetch, "hold", "19.torque01", "11.torque01")
    assert results[0] == {
        "job_id": "19.torque01",
        "ok": False,
        "message": f"{HIDDEN} You can hold only your own jobs.",
    }
    assert results[1]["ok"] is True
    assert ["qhold", "11.torque01"] in torque_replay.argvs()
    assert not [a for a in torque_replay.argvs() if a[0] == "qhold" and "19.torque01" in a]


async def test_other_users_jobs_when_the_server_shows_them(
    jp_fetch: Any, torque_replay: TorqueReplay
) -> None:
    """query_other_jobs = True: bob's job is listed and refused by owner, as on OpenPBS."""
    torque_replay.show_other_users_jobs()
    caps = await get_json(jp_fetch, "capabilities")
    assert caps["scheduler"]["own_jobs_only"] is False
    assert (await listing(jp_fetch, scope="all"))["19.torque01"]["user"] == "bob"
    assert (await get_json(jp_fetch, "jobs", "19.torque01"))["job"]["user"] == "bob"
    refused = await act(jp_fetch, "cancel", "19.torque01")
    assert "belongs to bob" in refused[0]["message"]


async def test_history_is_not_kept(jp_fetch: Any) -> None:
    history = await get_json(jp_fetch, "history")
    assert history["available"] is False
    assert "keep_completed" in history["message"]


async def test_multi_select_hold_release_cancel(jp_fetch: Any, torque_replay: TorqueReplay) -> None:
    """Several ids in one action: the owners are read with one qstat of every id, which
    Torque answers with one XML document per id."""
    ids = ("6.torque01", "11.torque01")
    held = await act(jp_fetch, "hold", *ids)
    assert [r["ok"] for r in held] == [True, True], held
    assert ["qhold", *ids] in torque_replay.argvs()
    assert "<job_state>H</job_state>" in torque_replay.state()["jobs"]["11.torque01"]
    released = await act(jp_fetch, "release", *ids)
    assert [r["ok"] for r in released] == [True, True], released
    assert "<job_state>Q</job_state>" in torque_replay.state()["jobs"]["11.torque01"]
    cancelled = await act(jp_fetch, "cancel", *ids, "19.torque01")
    assert [r["ok"] for r in cancelled] == [True, True, False], cancelled
    assert "another user's job" in cancelled[2]["message"]
    assert ["qdel", *ids] in torque_replay.argvs()
    assert torque_replay.letter("6.torque01") == "C"
    assert torque_replay.letter("11.torque01") == "C"
    assert torque_replay.letter("19.torque01") == "H"  # bob's, untouched


async def test_subjob_range_cancel_and_one_subjob_hold(
    jp_fetch: Any, torque_replay: TorqueReplay
) -> None:
    """A folded row (20[3-4]) is cancelled with Torque's ``qdel -t 3-4 20[].torque01``
    (its qdel refuses the range in the id); one subjob is held and released by itself."""
    answer = await post_submit(jp_fetch, {"script": SCRIPT, "options": {"array": "1-4"}})
    assert answer["job_id"] == "20[].torque01"
    assert "20[1-4].torque01" in await listing(jp_fetch, scope="mine")

    held = await act(jp_fetch, "hold", "20[2].torque01")
    assert held[0]["ok"] is True, held
    assert ["qhold", "20[2].torque01"] in torque_replay.argvs()
    jobs = torque_replay.state()["jobs"]
    assert "<job_state>H</job_state>" in jobs["20[2].torque01"]
    assert "<job_state>Q</job_state>" in jobs["20[3].torque01"]
    rows = await listing(jp_fetch, scope="mine")
    assert rows["20[2].torque01"]["state"] == "held"
    released = await act(jp_fetch, "release", "20[2].torque01")
    assert released[0]["ok"] is True, released
    assert ["qrls", "20[2].torque01"] in torque_replay.argvs()
    assert "<job_state>Q</job_state>" in torque_replay.state()["jobs"]["20[2].torque01"]

    cancelled = await act(jp_fetch, "cancel", "20[3-4].torque01", "11.torque01")
    assert [r["ok"] for r in cancelled] == [True, True], cancelled
    assert ["qdel", "-t", "3-4", "20[].torque01"] in torque_replay.argvs()
    assert ["qdel", "11.torque01"] in torque_replay.argvs()
    assert not [a for a in torque_replay.argvs() if "20[3-4].torque01" in a]
    letters = [torque_replay.letter(f"20[{i}].torque01") for i in range(1, 5)]
    assert letters == ["Q", "Q", "C", "C"]
    # A range is held and released the same way, with -t.
    assert (await act(jp_fetch, "hold", "20[1-2].torque01"))[0]["ok"] is True
    assert ["qhold", "-t", "1-2", "20[].torque01"] in torque_replay.argvs()
    assert "<job_state>H</job_state>" in torque_replay.state()["jobs"]["20[1].torque01"]
