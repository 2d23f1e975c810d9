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
    assert caps["scheduler"]["version"] == "6.1.2"
    assert caps["scheduler"]["cluster"] == "torque01"
    mine = await listing(jp_fetch, scope="mine")
    assert "14.torque01" not in mine  # bob's
    assert mine["15.torque01"]["state"] == "completed"
    assert mine["12.torque01"]["cpus"] == 8


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
    assert answer["job_id"] == "18.torque01"
    qsub = [c for c in torque_replay.calls() if c["argv"][0] == "qsub"]
    assert qsub[0]["argv"][:2] == ["qsub", "-N"]
    assert "nodes=1:ppn=2" in qsub[0]["argv"]
    assert ["-d", str(tmp_path)] == qsub[0]["argv"][-2:]
    assert qsub[0]["cwd"] == str(tmp_path)
    assert qsub[0]["stdin"] == SCRIPT
    jobs = await listing(jp_fetch, scope="mine")
    assert jobs["18.torque01"]["state"] == "held"

    detail = await get_json(jp_fetch, "jobs", "18.torque01")
    assert detail["job"]["stdout_path"] == str(out)
    assert detail["job"]["time_limit"] == 300
    out.write_text("hello from Torque\n")
    chunk = await get_json(jp_fetch, "jobs", "18.torque01", "output", stream="stdout")
    assert (chunk["exists"], chunk["data"]) == (True, "hello from Torque\n")

    assert (await act(jp_fetch, "release", "18.torque01"))[0]["ok"] is True
    assert (await get_json(jp_fetch, "jobs", "18.torque01"))["job"]["state"] == "pending"
    assert (await act(jp_fetch, "cancel", "18.torque01"))[0]["ok"] is True
    # Torque keeps the deleted job in state C, with no exit status (11_qdel_held, 33).
    cancelled = (await get_json(jp_fetch, "jobs", "18.torque01"))["job"]
    assert (cancelled["state"], cancelled["reason"]) == ("cancelled", "Deleted before it ran")
    await expect_error(jp_fetch, 404, "jobs", "999.torque01")
    refused = await act(jp_fetch, "cancel", "14.torque01")
    assert refused[0]["ok"] is False
    assert "bob" in refused[0]["message"]
    assert not [c for c in torque_replay.argvs() if c[0] == "qdel" and "14.torque01" in c]


async def test_array_test_only_and_refusals(jp_fetch: Any, torque_replay: TorqueReplay) -> None:
    checked = await post_submit(
        jp_fetch, {"script": SCRIPT, "options": {"array": "1-3"}, "test_only": True}
    )
    assert checked["job_id"] is None
    assert not [c for c in torque_replay.argvs() if c[0] == "qsub"]
    answer = await post_submit(jp_fetch, {"script": SCRIPT, "options": {"array": "1-3"}})
    assert answer["job_id"] == "18[].torque01"
    detail = await get_json(jp_fetch, "jobs", "18[].torque01")
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


async def test_history_is_not_kept(jp_fetch: Any) -> None:
    history = await get_json(jp_fetch, "history")
    assert history["available"] is False
    assert "keep_completed" in history["message"]


async def test_multi_select_hold_release_cancel(jp_fetch: Any, torque_replay: TorqueReplay) -> None:
    """Several ids in one action: the owners are read with one qstat of every id, which
    Torque answers with one XML document per id."""
    ids = ("12.torque01", "13.torque01")
    held = await act(jp_fetch, "hold", *ids)
    assert [r["ok"] for r in held] == [True, True], held
    assert ["qhold", *ids] in torque_replay.argvs()
    assert "<job_state>H</job_state>" in torque_replay.state()["jobs"]["13.torque01"]
    released = await act(jp_fetch, "release", *ids)
    assert [r["ok"] for r in released] == [True, True], released
    assert "<job_state>Q</job_state>" in torque_replay.state()["jobs"]["13.torque01"]
    cancelled = await act(jp_fetch, "cancel", *ids, "14.torque01")
    assert [r["ok"] for r in cancelled] == [True, True, False], cancelled
    assert "bob" in cancelled[2]["message"]
    assert ["qdel", *ids] in torque_replay.argvs()
    assert torque_replay.letter("12.torque01") == "C"
    assert torque_replay.letter("13.torque01") == "C"
    assert torque_replay.letter("14.torque01") == "H"


async def test_subjob_range_cancel_and_one_subjob_hold(
    jp_fetch: Any, torque_replay: TorqueReplay
) -> None:
    """A folded row (18[3-4]) is cancelled with Torque's ``qdel -t 3-4 18[].torque01``
    (its qdel refuses the range in the id); one subjob is held and released by itself."""
    answer = await post_submit(jp_fetch, {"script": SCRIPT, "options": {"array": "1-4"}})
    assert answer["job_id"] == "18[].torque01"
    assert "18[1-4].torque01" in await listing(jp_fetch, scope="mine")

    held = await act(jp_fetch, "hold", "18[2].torque01")
    assert held[0]["ok"] is True, held
    assert ["qhold", "18[2].torque01"] in torque_replay.argvs()
    jobs = torque_replay.state()["jobs"]
    assert "<job_state>H</job_state>" in jobs["18[2].torque01"]
    assert "<job_state>Q</job_state>" in jobs["18[3].torque01"]
    rows = await listing(jp_fetch, scope="mine")
    assert rows["18[2].torque01"]["state"] == "held"
    released = await act(jp_fetch, "release", "18[2].torque01")
    assert released[0]["ok"] is True, released
    assert ["qrls", "18[2].torque01"] in torque_replay.argvs()
    assert "<job_state>Q</job_state>" in torque_replay.state()["jobs"]["18[2].torque01"]

    cancelled = await act(jp_fetch, "cancel", "18[3-4].torque01", "13.torque01")
    assert [r["ok"] for r in cancelled] == [True, True], cancelled
    assert ["qdel", "-t", "3-4", "18[].torque01"] in torque_replay.argvs()
    assert ["qdel", "13.torque01"] in torque_replay.argvs()
    assert not [a for a in torque_replay.argvs() if "18[3-4].torque01" in a]
    letters = [torque_replay.letter(f"18[{i}].torque01") for i in range(1, 5)]
    assert letters == ["Q", "Q", "C", "C"]
    # A range is held and released the same way, with -t.
    assert (await act(jp_fetch, "hold", "18[1-2].torque01"))[0]["ok"] is True
    assert ["qhold", "-t", "1-2", "18[].torque01"] in torque_replay.argvs()
    assert "<job_state>H</job_state>" in torque_replay.state()["jobs"]["18[1].torque01"]
