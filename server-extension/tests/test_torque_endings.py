"""How Torque jobs ended, read Torque's way: jobs deleted before they ran (state C with no
exit status: queued, held, subjobs, whole arrays) are cancelled, not completed; its
negative exit codes are its own JOB_EXEC_* values (-11: the walltime), not OpenPBS's;
qsub's exit codes are Torque's error numbers. On the recordings of a real Torque 6.1
(fixtures/torque/recorded/) served by the stand-ins."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from jupyterlab_hpc.runner import CommandResult, CommandRunner
from jupyterlab_hpc.schedulers.base import JobState
from jupyterlab_hpc.schedulers.pbs.commands import qsub_message
from jupyterlab_hpc.schedulers.pbs.detail import to_job
from jupyterlab_hpc.schedulers.torque.parse import parse_qstat_xml
from jupyterlab_hpc.schedulers.torque.scheduler import TorqueScheduler

from .test_handlers import expect_error, get_json
from .test_pbs_handlers import act, listing, post_submit
from .torque_replay.fixtures import REPLAY_BIN, TorqueReplay, recorded

AFTER_DELETES = "43_qstat_f_x_t_after_deletes.txt"
DELETED = ("cancelled", "Deleted before it ran")
WALLTIME = ("timeout", "Exit status -11: it ran past its walltime (JOB_EXEC_OVERLIMIT_WT)")
# 43: every job is C; how each one ended (see the recordings' README).
ENDINGS = {
    "0.torque01": ("completed", "Exit status 0"),
    "2.torque01": ("failed", "Exit status 3"),
    "3.torque01": WALLTIME,
    "4.torque01": ("cancelled", "Killed by signal 15 (exit status 271)"),
    "5.torque01": DELETED,  # held
    "6.torque01": ("cancelled", "Killed by signal 15 (exit status 271)"),
    "7[1].torque01": ("cancelled", "Killed by signal 15 (exit status 271)"),
    "7[2].torque01": DELETED,  # queued subjobs
    "7[4].torque01": DELETED,
    "8[6].torque01": DELETED,
    "9.torque01": DELETED,  # held
    "11.torque01": DELETED,  # queued, waiting for cores
    "17.torque01": DELETED,
    "18[2].torque01": ("completed", "Exit status 0"),
}


@pytest.fixture
def torque(torque_replay: TorqueReplay) -> TorqueScheduler:
    torque_replay.load_recorded(AFTER_DELETES)
    return TorqueScheduler(CommandRunner(torque_replay.command_paths, timeout=10))


async def test_listing_reads_how_each_job_ended(torque: TorqueScheduler) -> None:
    rows = {r[0]: (r[8], r[10]) for r in await torque.list_rows()}
    assert {k: rows[k] for k in ENDINGS} == ENDINGS
    blocking = {r[0]: (r[8], r[10]) for r in torque.blocking().list_rows()}
    assert {k: blocking[k] for k in ENDINGS} == ENDINGS


async def test_details_of_a_walltime_kill_and_a_deleted_job(torque: TorqueScheduler) -> None:
    killed = (await torque.job_detail("3.torque01")).job
    assert (killed.state.value, killed.reason, killed.exit_code) == (*WALLTIME, -11)
    assert killed.start_time is not None
    never_ran = (await torque.job_detail("5")).job
    assert (never_ran.state.value, never_ran.reason) == DELETED
    assert (never_ran.exit_code, never_ran.start_time) == (None, None)
    records = torque.blocking().job_detail("3.torque01")
    assert [(r.state, r.exit_code) for r in records] == [(JobState.TIMEOUT, -11)]


def test_an_ended_array_reads_as_its_subjobs() -> None:
    """An array's own record is C with no exit status whether its subjobs completed or
    were deleted (45): its subjobs tell how it ended."""
    # Imported here so that the other tests of this file run against code without them.
    from jupyterlab_hpc.schedulers.torque.exits import array_ending, torque_ending

    jobs = parse_qstat_xml(recorded(AFTER_DELETES)[1]).jobs

    def subjobs(number: str) -> list[Any]:
        return [to_job(k, v, torque_ending) for k, v in jobs.items() if k.startswith(number)]

    assert array_ending(subjobs("18[")) == (JobState.COMPLETED, "Subjobs: 3 completed")
    assert array_ending(subjobs("8[")) == (JobState.CANCELLED, "Subjobs: 5 cancelled")
    mixed = [*subjobs("7["), to_job("2.torque01", jobs["2.torque01"], torque_ending)]
    assert array_ending(mixed) == (JobState.FAILED, "Subjobs: 1 failed, 4 cancelled")
    assert array_ending([]) is None
    parent = {"job_state": "C", "job_array_request": "1-3"}
    assert torque_ending("18[].torque01", parent) == (JobState.COMPLETED, "Its subjobs have ended")


def test_qsub_exit_codes_are_torques(tmp_path: Path, torque_replay: TorqueReplay) -> None:
    """Torque's qsub exit codes are its own error numbers (172: unknown queue, where
    OpenPBS says 170; 235: a bad array request); the stand-in answers as 80 does."""
    from jupyterlab_hpc.schedulers.torque.commands import TORQUE_QSUB_HINTS

    code, _, stderr = recorded("83_qsub_array_step.txt")
    result = CommandResult(("qsub", "-t", "1-9:2", "sleep.sh"), code, "", stderr, 0.0)
    assert qsub_message(result, TORQUE_QSUB_HINTS) == (
        "qsub: submit error (Bad Job Array Request) (Torque's array requests are ranges "
        "and lists without a step (1-10, 1,3,5-7), with an optional slot limit (%2))"
    )
    code, _, stderr = recorded("80_qsub_bad_queue.txt")
    result = CommandResult(("qsub", "-q", "nosuch", "sleep.sh"), code, "", stderr, 0.0)
    assert qsub_message(result, TORQUE_QSUB_HINTS).endswith(
        "(the queue does not exist on this Torque server)"
    )
    (tmp_path / "sleep.sh").write_text("#!/bin/sh\nsleep 1\n")
    done = subprocess.run(
        [str(REPLAY_BIN / "qsub"), "-q", "nosuch", "sleep.sh"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert (done.returncode, done.stdout, done.stderr) == recorded("80_qsub_bad_queue.txt")


def test_stand_in_refuses_ended_jobs_as_torque(torque_replay: TorqueReplay) -> None:
    """70, 71: qdel and qhold of a C job exit 170 (1.torque01 is C, as when recorded)."""
    for name, command in (("70_qdel_completed.txt", "qdel"), ("71_qhold_completed.txt", "qhold")):
        done = subprocess.run(
            [str(REPLAY_BIN / command), "1.torque01"], capture_output=True, text=True, check=False
        )
        assert (done.returncode, done.stdout, done.stderr) == recorded(name), name


@pytest.fixture
def jp_server_config(torque_replay: TorqueReplay) -> dict[str, object]:
    return {
        "ServerApp": {"jpserver_extensions": {"jupyterlab_hpc": True}},
        "HPCConfig": {"scheduler": "torque", "command_paths": torque_replay.command_paths},
    }


async def test_cancelled_before_they_ran_in_the_rest_api(
    jp_fetch: Any, torque_replay: TorqueReplay
) -> None:
    """Torque keeps deleted jobs as C with no exit status (11, 43, 45): a queued job, a
    held one, queued subjobs and a whole array read as cancelled before they ran."""
    script = "#!/bin/bash\nhostname\n"
    array = (await post_submit(jp_fetch, {"script": script, "options": {"array": "1-3"}}))["job_id"]
    held = (await post_submit(jp_fetch, {"script": script, "options": {"hold": True}}))["job_id"]
    assert (array, held) == ("20[].torque01", "21.torque01")
    results = await act(jp_fetch, "cancel", "11.torque01", held, "20[2-3].torque01")
    assert [r["ok"] for r in results] == [True, True, True], results
    rows = await listing(jp_fetch, scope="mine")
    for job_id in ("11.torque01", held, "20[2].torque01", "20[3].torque01"):
        assert (rows[job_id]["state"], rows[job_id]["reason"]) == DELETED, job_id
        detail = (await get_json(jp_fetch, "jobs", job_id))["job"]
        assert (detail["state"], detail["reason"], detail["exit_code"]) == (*DELETED, None)
    assert rows["20[1].torque01"]["state"] == "pending"
    assert (await act(jp_fetch, "cancel", array))[0]["ok"] is True
    detail = await get_json(jp_fetch, "jobs", array)
    assert (detail["job"]["state"], detail["job"]["reason"]) == (
        "cancelled",
        "Subjobs: 3 cancelled",
    )
    assert [(t["state"], t["reason"]) for t in detail["tasks"]] == [DELETED] * 3
    # A running job deleted ends with SIGTERM's 271 (10, 43): cancelled too.
    assert (await act(jp_fetch, "cancel", "6.torque01"))[0]["ok"] is True
    killed = (await get_json(jp_fetch, "jobs", "6.torque01"))["job"]
    assert (killed["state"], killed["exit_code"], killed["exit_signal"]) == ("cancelled", 271, 15)


async def test_qsub_refusal_says_what_torques_code_means(jp_fetch: Any) -> None:
    message = await expect_error(
        jp_fetch,
        400,
        "jobs",
        "submit",
        method="POST",
        body='{"script": "#!/bin/sh\\nhostname\\n", "options": {"partition": "nosuch"}}',
    )
    assert "Unknown queue MSG=requested queue not found" in message
    assert "(the queue does not exist on this Torque server)" in message
