"""Torque arrays: ``qstat -t`` lists an array's subjobs and never the array's own record;
without ``-t`` the array's id lists every job in the queue (recordings 52, 53). The
details of an array and of a folded row of its subjobs are read from both answers, in
the REST API and the blocking backend; the stand-ins answer as the recordings do."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

from jupyterlab_hpc.runner import CommandRunner
from jupyterlab_hpc.schedulers.base import JobNotFound, JobState
from jupyterlab_hpc.schedulers.pbs.detail import job_detail
from jupyterlab_hpc.schedulers.torque.parse import parse_qstat_xml
from jupyterlab_hpc.schedulers.torque.scheduler import TorqueScheduler

from .test_handlers import expect_error, get_json
from .test_pbs_handlers import post_submit
from .torque_replay.fixtures import REPLAY_BIN, TorqueReplay, recorded


def stand_in(*argv: str) -> tuple[int, str, str]:
    done = subprocess.run(
        [str(REPLAY_BIN / argv[0]), *argv[1:]], capture_output=True, text=True, check=False
    )
    return done.returncode, done.stdout, done.stderr


def job_ids(xml: str) -> list[str]:
    return list(parse_qstat_xml(xml).jobs)


def test_recorded_array_answers() -> None:
    """53: ``-t`` with the array's id gives its four subjobs and no 7[] record; 52:
    without ``-t`` every job in the queue, 7[] among them (and no subjob)."""
    code, subjobs, stderr = recorded("53_qstat_f_x_t_array_parent.txt")
    assert (code, stderr) == (0, "")
    assert job_ids(subjobs) == [f"7[{i}].torque01" for i in range(1, 5)]
    code, queue, stderr = recorded("52_qstat_f_x_array_parent.txt")
    assert (code, stderr) == (0, "")
    assert "7[].torque01" in job_ids(queue)
    assert "6.torque01" in job_ids(queue)
    assert not [j for j in job_ids(queue) if "[" in j and "[]" not in j]


def test_array_detail_from_the_two_recorded_answers() -> None:
    # Imported here so that the other tests of this file run against code without them.
    from jupyterlab_hpc.schedulers.torque.commands import array_of
    from jupyterlab_hpc.schedulers.torque.exits import torque_ending
    from jupyterlab_hpc.schedulers.torque.parse import array_jobs

    queue = parse_qstat_xml(recorded("52_qstat_f_x_array_parent.txt")[1])
    subjobs = parse_qstat_xml(recorded("53_qstat_f_x_t_array_parent.txt")[1])
    for asked in ("7[].torque01", "7[]"):
        jobs = array_jobs(asked, queue, subjobs)
        assert list(jobs) == ["7[].torque01", *(f"7[{i}].torque01" for i in range(1, 5))]
        detail = job_detail("7[].torque01", jobs, torque_ending)
        assert detail is not None
        assert (detail.job.id, detail.job.name, detail.job.state) == (
            "7[].torque01",
            "arr4",
            JobState.RUNNING,
        )
        assert ("job_array_request", "1-4") in detail.fields
        assert [t.array_task_id for t in detail.tasks] == ["1", "2", "3", "4"]
        assert [t.state for t in detail.tasks] == [JobState.RUNNING] + [JobState.PENDING] * 3
    assert array_jobs("8[].torque01", queue, subjobs) == {
        "8[].torque01": queue.jobs["8[].torque01"]
    }
    assert array_jobs("99[].torque01", queue, subjobs) == {}
    # Which ids stand for an array's detail: the array, and a range of its subjobs.
    assert array_of("7[].torque01") == "7[].torque01"
    assert array_of("7[2-4].torque01") == "7[].torque01"
    assert array_of("7[1-5:2]") == "7[]"
    assert array_of("7[2].torque01") is None
    assert array_of("7.torque01") is None


def test_stand_in_lists_arrays_as_torque(torque_replay: TorqueReplay) -> None:
    """The stand-in's qstat answers an array's id as 52 and 53 show; unknown ids get
    the recorded messages and exit codes of qstat, qdel, qhold and qrls (56, 65-67)."""
    code, stdout, _ = stand_in("qstat", "-f", "-x", "-t", "7[].torque01")
    recorded_subjobs = job_ids(recorded("53_qstat_f_x_t_array_parent.txt")[1])
    assert (code, job_ids(stdout)) == (0, recorded_subjobs)
    code, stdout, _ = stand_in("qstat", "-f", "-x", "7[].torque01")
    # The user's own jobs only (bob's 19 is hidden while query_other_jobs is off, 98).
    assert (code, job_ids(stdout)) == (0, job_ids(recorded("52_qstat_f_x_array_parent.txt")[1]))
    code, stdout, _ = stand_in("qstat", "-f", "-x", "-t")
    assert "7[].torque01" not in job_ids(stdout)  # 34: -t never lists the array
    assert "7[2].torque01" in job_ids(stdout)
    for name, argv in (
        ("56_qstat_f_x_unknown.txt", ("qstat", "-f", "-x", "999.torque01")),
        ("65_qdel_unknown.txt", ("qdel", "999.torque01")),
        ("66_qhold_unknown.txt", ("qhold", "999.torque01")),
        ("67_qrls_unknown.txt", ("qrls", "999.torque01")),
    ):
        assert stand_in(*argv) == recorded(name), name


@pytest.fixture
def torque(torque_replay: TorqueReplay) -> TorqueScheduler:
    torque_replay.reset("alice")
    return TorqueScheduler(CommandRunner(torque_replay.command_paths, timeout=10))


async def test_backend_details_of_an_array_and_its_rows(
    torque: TorqueScheduler, torque_replay: TorqueReplay
) -> None:
    """The array's record and its subjobs, from ``qstat -f -x ID`` and ``qstat -f -x -t
    ID``; a folded row (a range of subjobs) is its array's detail, as on OpenPBS."""
    subjobs = [f"7[{i}].torque01" for i in range(1, 5)]
    for asked in ("7[].torque01", "7[]", "7[2-4].torque01", "7[1-3:2]"):
        detail = await torque.job_detail(asked)
        assert (detail.job.id, detail.job.name) == ("7[].torque01", "arr4"), asked
        assert ("job_array_request", "1-4") in detail.fields
        assert [t.id for t in detail.tasks] == subjobs
    assert ["qstat", "-f", "-x", "-t", "7[].torque01"] in torque_replay.argvs()
    assert ["qstat", "-f", "-x", "7[].torque01"] in torque_replay.argvs()
    with pytest.raises(JobNotFound):
        await torque.job_detail("99[].torque01")
    with pytest.raises(JobNotFound):
        await torque.job_detail("99[1-2].torque01")


def test_blocking_details_of_an_array_and_its_rows(
    torque: TorqueScheduler, torque_replay: TorqueReplay
) -> None:
    """``%job 7[]``: the array's record, then its subjobs; ``%job 7[2-3]``: the range's
    subjobs (the array's own state would hold a wait on the range up)."""
    blocking = torque.blocking()
    records = blocking.job_detail("7[].torque01")
    assert [r.id for r in records] == ["7[].torque01", *(f"7[{i}].torque01" for i in range(1, 5))]
    assert records[0].name == "arr4"
    assert [r.id for r in blocking.job_detail("7[2-2].torque01")] == ["7[2].torque01"]
    assert [r.id for r in blocking.job_detail("7[1-9:2]")] == ["7[1].torque01", "7[3].torque01"]
    assert blocking.job_detail("99[].torque01") == []


@pytest.fixture
def jp_server_config(torque_replay: TorqueReplay) -> dict[str, object]:
    return {
        "ServerApp": {"jpserver_extensions": {"jupyterlab_hpc": True}},
        "HPCConfig": {"scheduler": "torque", "command_paths": torque_replay.command_paths},
    }


async def test_rest_details_of_an_array_and_its_folded_rows(jp_fetch: Any) -> None:
    """``GET jobs/20[].torque01`` and the listing's folded rows (``20[2-4]``, a stepped
    ``20[1-5:2]``) answer the array's detail instead of 404."""
    script = "#!/bin/bash\nhostname\n"
    answer = await post_submit(jp_fetch, {"script": script, "options": {"array": "1-5"}})
    assert answer["job_id"] == "20[].torque01"
    for asked in ("20[].torque01", "20[2-4].torque01", "20[1-5:2].torque01"):
        detail = await get_json(jp_fetch, "jobs", asked)
        assert detail["job"]["id"] == "20[].torque01", asked
        assert detail["job"]["state"] == "pending"
        assert [t["array_task_id"] for t in detail["tasks"]] == ["1", "2", "3", "4", "5"]
    await expect_error(jp_fetch, 404, "jobs", "99[].torque01")
