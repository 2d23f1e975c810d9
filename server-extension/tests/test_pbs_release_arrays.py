"""Arrays and jobs that never ran, as the released OpenPBS 23.06.06 shows them (issue 20,
items 3, 4 and 6): the recordings of fixtures/pbs/release-23.06.06/ read by the parsers,
and the PBS stand-in, which answers the same way, through the backends and the magics.

What the recordings show (their README): a held array (``qsub -h -J``) is ``H`` and its
subjobs ``Q`` with the array's ``Hold_Types``; a subjob that has not started carries its
array's attributes (``stime``, comment, ``^array_index^`` paths, later its ``Exit_status``)
and no ``array_id``/``array_index`` of its own; one deleted before it ran is ``X`` then
``F`` once its array ended; a job whose dependency names a job that does not exist is
``F`` at once, without ``stime`` or ``Exit_status``.
"""

from __future__ import annotations

import json
import os
import pwd
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

from jupyterlab_hpc.jobs.memory import JobMemory
from jupyterlab_hpc.jobs.service import JobService
from jupyterlab_hpc.magics import JobHandle, load_ipython_extension
from jupyterlab_hpc.runner import CommandRunner
from jupyterlab_hpc.schedulers.base import HistoryQuery, Job, JobState, SubmitRequest
from jupyterlab_hpc.schedulers.pbs.blocking import BlockingPBS
from jupyterlab_hpc.schedulers.pbs.detail import history_records, job_detail, to_jobs
from jupyterlab_hpc.schedulers.pbs.parse import listing_rows, parse_qstat_json
from jupyterlab_hpc.schedulers.pbs.scheduler import PBSScheduler

from .magic_shell import run, shell_with_magics
from .pbs_replay.fixtures import PBSReplay
from .pbs_replay.recordings import stdout

ME = pwd.getpwuid(os.geteuid()).pw_name
TAG = "^array_index^"
RELEASE = "release-23.06.06/"
HELD_ARRAY = RELEASE + "29_qstat_f_F_json_t_held_array"
ONE_RUNNING = RELEASE + "39_qstat_f_F_json_t_array_one_running"
ASKED_ALONE = RELEASE + "40_qstat_f_F_json_array_subjob_never_started"
AFTER_QDEL = RELEASE + "42_qstat_f_F_json_t_array_after_qdel_queued_subjob"
UNKNOWN_DEPENDENCY = RELEASE + "46_qstat_x_f_F_json_depend_unknown_job"
ARRAY_ENDED = RELEASE + "49_qstat_x_f_F_json_t_array_finished"
DEPENDENCY_REASON = (
    "Deleted by PBS before it ran: its dependency afterok:99999.pbs01 cannot be met (a job "
    "it names does not exist, or did not end as the dependency requires)"
)


def recorded(name: str) -> dict[str, dict[str, Any]]:
    return parse_qstat_json(stdout(name)).jobs


def rows_of(name: str) -> dict[str, Job]:
    return {r[0]: Job.from_row(r) for r in listing_rows(recorded(name))}


def scheduler(replay: PBSReplay) -> PBSScheduler:
    return PBSScheduler(CommandRunner(replay.command_paths, timeout=10))


def blocking(replay: PBSReplay) -> BlockingPBS:
    return BlockingPBS(CommandRunner(replay.command_paths, timeout=10))


# ---------------------------------------------------------------------------
# Item 3: held arrays


def test_a_held_array_is_listed_held_with_its_hold() -> None:
    rows = rows_of(HELD_ARRAY)
    assert list(rows) == ["4061[1-3].pbs01"]
    held = rows["4061[1-3].pbs01"]
    # qstat says Q for the subjobs (the raw state stays), with the array's Hold_Types u
    assert (held.state, held.raw_state, held.reason) == (JobState.HELD, "Q", "User hold")


def test_a_held_arrays_detail_is_held() -> None:
    detail = job_detail("4061[].pbs01", recorded(HELD_ARRAY))
    assert detail is not None
    assert (detail.job.state, detail.job.reason) == (JobState.HELD, "User hold")
    assert [(t.id, t.state, t.reason) for t in detail.tasks] == [
        (f"4061[{i}].pbs01", JobState.HELD, "User hold") for i in (1, 2, 3)
    ]


def test_qsub_cell_of_a_held_array_returns_a_held_handle(shell: InteractiveShell) -> None:
    job = run(shell, "%%qsub -h -J 1-3 -N harr\nsleep 120\n")
    assert isinstance(job, JobHandle)
    assert job.id == "10[].pbs01"
    assert job.state is JobState.HELD
    assert job.info is not None
    assert job.info.reason == "User hold"
    shown = run(shell, f"%job {job.id}")
    assert shown.state is JobState.HELD
    assert "User hold" in shown._repr_html_()


async def test_the_listing_shows_a_held_array_held(pbs_replay: PBSReplay, tmp_path: Path) -> None:
    pbs = scheduler(pbs_replay)
    request = SubmitRequest(workdir=str(tmp_path), hold=True, array="1-3")
    result = await pbs.submit("#!/bin/bash\nsleep 120\n", request)
    assert result.job_id == "10[].pbs01"
    rows = {r[0]: Job.from_row(r) for r in await pbs.list_rows()}
    held = rows["10[1-3].pbs01"]
    assert (held.state, held.reason) == (JobState.HELD, "User hold")
    # released, its subjobs wait to run
    assert (await pbs.act("release", ["10[1-3].pbs01"]))[0].ok
    rows = {r[0]: Job.from_row(r) for r in await pbs.list_rows()}
    assert (rows["10[1-3].pbs01"].state, rows["10[1-3].pbs01"].reason) == (JobState.PENDING, "")


# ---------------------------------------------------------------------------
# Item 4: how jobs that never ran ended


def test_a_subjob_deleted_before_it_ran_while_its_array_runs() -> None:
    deleted = rows_of(AFTER_QDEL)["4063[3].pbs01"]  # X, substate 70, "Subjob finished"
    assert (deleted.state, deleted.raw_state) == (JobState.CANCELLED, "X")
    assert deleted.reason == "Deleted before it ran"
    assert deleted.start_time is None  # its stime is the array's


def test_a_subjob_deleted_before_it_ran_after_its_array_ended() -> None:
    # F, substate 92, and the array's Exit_status 0, which is not its own
    deleted = rows_of(ARRAY_ENDED)["4063[3].pbs01"]
    assert (deleted.state, deleted.reason) == (JobState.CANCELLED, "Deleted before it ran")
    detail = job_detail("4063[].pbs01", recorded(ARRAY_ENDED))
    assert detail is not None
    task = {t.id: t for t in detail.tasks}["4063[3].pbs01"]
    assert (task.state, task.exit_code, task.start_time, task.end_time) == (
        JobState.CANCELLED,
        None,
        None,
        None,
    )
    ran = {t.id: t for t in detail.tasks}["4063[2].pbs01"]
    assert (ran.state, ran.exit_code, ran.start_time) == (
        JobState.COMPLETED,
        0,
        "2026-12-04T17:11:05",
    )


def test_an_ended_array_sums_up_its_subjobs() -> None:
    detail = job_detail("4063[].pbs01", recorded(ARRAY_ENDED))
    assert detail is not None
    # the worst ending wins, as %job and the notifications sum up an array
    assert (detail.job.state, detail.job.reason) == (
        JobState.CANCELLED,
        "Subjobs: 3 completed, 1 cancelled",
    )
    assert detail.job.exit_code == 0  # PBS's own number stays


def test_a_job_pbs_deleted_for_a_dependency_on_no_job() -> None:
    jobs = recorded(UNKNOWN_DEPENDENCY)  # F at once, substate 92, no stime, no Exit_status
    row = rows_of(UNKNOWN_DEPENDENCY)["4064.pbs01"]
    assert (row.state, row.reason) == (JobState.CANCELLED, DEPENDENCY_REASON)
    detail = job_detail("4064.pbs01", jobs)
    assert detail is not None
    assert (detail.job.state, detail.job.exit_code) == (JobState.CANCELLED, None)
    history = history_records(jobs, HistoryQuery(start="2026-12-04T00:00:00"), "alice")
    assert [(r.job.id, r.job.state, r.job.reason) for r in history] == [
        ("4064.pbs01", JobState.CANCELLED, DEPENDENCY_REASON)
    ]


def test_the_older_recordings_end_as_before() -> None:
    old = {r[0]: Job.from_row(r) for r in listing_rows(recorded("72_qstat_x_f_F_json"))}
    assert (old["8.pbs01"].state, old["8.pbs01"].reason) == (
        JobState.CANCELLED,
        "Deleted before it ran",  # qdel while queued: substate 91
    )
    assert old["2.pbs01"].state is JobState.COMPLETED
    assert old["3[].pbs01"].state is JobState.COMPLETED  # no subjobs in the answer
    assert old["5.pbs01"].state is JobState.FAILED


async def test_an_array_whose_subjobs_were_all_cancelled_is_cancelled(
    pbs_replay: PBSReplay,
) -> None:
    """Array 3[]: 3[1] runs, 3[2] and 3[3] never started. Deleted whole, the killed 3[1]
    (exit 271) leaves the array an Exit_status of 1, which the subjobs that never started
    show too (OpenPBS's update_sj_parent)."""
    pbs = scheduler(pbs_replay)
    assert (await pbs.act("cancel", ["3[].pbs01"]))[0].ok
    ended = pbs_replay.state()["history"]["3[].pbs01"]
    assert (ended["job_state"], ended["Exit_status"]) == ("F", 1)
    detail = await pbs.job_detail("3[].pbs01")
    assert (detail.job.state, detail.job.reason) == (JobState.CANCELLED, "Subjobs: 3 cancelled")
    assert [(t.id, t.state, t.exit_code) for t in detail.tasks] == [
        ("3[1].pbs01", JobState.CANCELLED, 271),
        ("3[2].pbs01", JobState.CANCELLED, None),
        ("3[3].pbs01", JobState.CANCELLED, None),
    ]
    history = await pbs.history(HistoryQuery(start="2026-11-22T00:00:00", user=ME))
    assert {r.job.id: r.job.state for r in history.records}["3[].pbs01"] is JobState.CANCELLED
    handle = JobHandle(blocking(pbs_replay), "3[].pbs01").refresh()
    assert handle.state is JobState.CANCELLED


async def test_a_held_array_deleted_before_it_ran_is_cancelled(
    pbs_replay: PBSReplay, tmp_path: Path
) -> None:
    pbs = scheduler(pbs_replay)
    request = SubmitRequest(workdir=str(tmp_path), hold=True, array="1-2")
    job_id = (await pbs.submit("sleep 1\n", request)).job_id
    assert job_id is not None
    assert (await pbs.act("cancel", [job_id]))[0].ok
    detail = await pbs.job_detail(job_id)
    assert (detail.job.state, detail.job.reason) == (JobState.CANCELLED, "Subjobs: 2 cancelled")
    assert {(t.state, t.reason, t.exit_code) for t in detail.tasks} == {
        (JobState.CANCELLED, "Deleted before it ran", None)
    }
    handle = JobHandle(blocking(pbs_replay), job_id).refresh()
    assert handle.state is JobState.CANCELLED


# ---------------------------------------------------------------------------
# Item 6: array details


def test_an_arrays_tasks_are_all_its_subjobs() -> None:
    detail = job_detail("4063[].pbs01", recorded(ONE_RUNNING))
    assert detail is not None
    assert [(t.id, t.array_task_id, t.state) for t in detail.tasks] == [
        ("4063[1].pbs01", "1", JobState.RUNNING),
        ("4063[2].pbs01", "2", JobState.PENDING),
        ("4063[3].pbs01", "3", JobState.PENDING),
        ("4063[4].pbs01", "4", JobState.PENDING),
    ]
    queued = detail.tasks[3]
    assert (queued.exit_code, queued.start_time, queued.reason) == (None, None, "")
    # where PBS will write: the index in place of ^array_index^, as when it starts them
    assert [t.stdout_path for t in detail.tasks] == [
        f"/home/alice/jobs/arr2cpu.o4063.{i}" for i in (1, 2, 3, 4)
    ]
    assert detail.tasks[1].stderr_path == "/home/alice/jobs/arr2cpu.e4063.2"
    # the array itself writes nothing of its own
    assert (detail.job.stdout_path, detail.job.stderr_path) == ("", "")


@pytest.mark.parametrize("name", [HELD_ARRAY, ONE_RUNNING, ASKED_ALONE, AFTER_QDEL, ARRAY_ENDED])
def test_no_path_keeps_the_index_placeholder(name: str) -> None:
    for job in to_jobs(recorded(name)):
        assert TAG not in job.stdout_path + job.stderr_path, job.id


def test_the_placeholder_is_replaced_once_as_pbs_does() -> None:
    """OpenPBS's subst_array_index replaces the first ^array_index^ only."""
    attrs = {"job_state": "Q", "Output_Path": f"h:/runs/{TAG}/out.{TAG}"}
    (job,) = to_jobs({"5[7].h": attrs})
    assert job.stdout_path == f"/runs/7/out.{TAG}"


def test_a_subjob_asked_alone_is_its_own() -> None:
    job = rows_of(ASKED_ALONE)["4063[4].pbs01"]
    assert (job.array_job_id, job.array_task_id) == ("4063[].pbs01", "4")
    assert (job.state, job.reason, job.start_time) == (JobState.PENDING, "", None)


def test_range_rows_claim_no_subjobs_facts() -> None:
    rows = rows_of(ONE_RUNNING)
    pending = rows["4063[2-4].pbs01"]
    # not the array's "Job Array Began at ..." nor its start time
    assert (pending.state, pending.reason, pending.start_time) == (JobState.PENDING, "", None)
    assert rows["4063[1].pbs01"].start_time == "2026-12-04T17:10:24"


def test_a_range_row_shows_only_what_all_its_subjobs_share() -> None:
    def subjob(index: int, comment: str) -> dict[str, Any]:
        return {
            "job_state": "Q",
            "array_id": "7[].s",
            "array_index": index,
            "comment": comment,
            "stime": f"Sun Nov 22 00:0{index}:00 2026",
        }

    jobs = {
        "7[1].s": subjob(1, "Not Running: Insufficient amount of resource: ncpus"),
        "7[2].s": subjob(2, "Not Running: Insufficient amount of resource: ncpus"),
        "7[3].s": subjob(3, "Not Running: Job would conflict with reservation"),
        "7[5].s": subjob(5, "Not Running: Insufficient amount of resource: mem"),
    }
    rows = {r[0]: Job.from_row(r) for r in listing_rows(jobs)}
    assert list(rows) == ["7[1-3].s", "7[5].s"]
    assert (rows["7[1-3].s"].reason, rows["7[1-3].s"].start_time) == ("", None)
    # a lone subjob's row is its own
    assert rows["7[5].s"].reason == "Insufficient amount of resource: mem"
    assert rows["7[5].s"].start_time == "2026-11-22T00:05:00"
    two = {k: v for k, v in jobs.items() if k in ("7[1].s", "7[2].s")}
    shared = Job.from_row(listing_rows(two)[0])
    assert shared.reason == "Insufficient amount of resource: ncpus"


async def test_no_placeholder_reaches_the_job_paths_file(
    pbs_replay: PBSReplay, tmp_path: Path
) -> None:
    pbs = scheduler(pbs_replay)
    request = SubmitRequest(workdir=str(tmp_path), array="1-2", name="arr")
    job_id = (await pbs.submit("sleep 1\n", request)).job_id
    assert job_id == "10[].pbs01"
    paths = tmp_path / "job-paths.json"
    service = JobService(pbs, ME, str(tmp_path), memory=JobMemory(file=paths, owner=ME))
    detail = await service.detail(job_id)
    assert [t.stdout_path for t in detail.tasks] == [f"{tmp_path}/arr.o10.{i}" for i in (1, 2)]
    await service.detail("10[2].pbs01")
    saved = json.loads(paths.read_text())["jobs"]
    assert set(saved) == {"10[1].pbs01", "10[2].pbs01"}  # the array has no path of its own
    assert saved["10[2].pbs01"][0] == f"{tmp_path}/arr.o10.2"
    assert TAG not in paths.read_text()


def test_paths_kept_with_the_placeholder_are_forgotten(tmp_path: Path) -> None:
    """A job-paths.json written before: its ^array_index^ paths were never real files."""
    paths = tmp_path / "job-paths.json"
    paths.write_text(
        json.dumps(
            {
                "version": 1,
                "user": ME,
                "jobs": {
                    "4063[2].pbs01": [f"/j/arr2cpu.o4063.{TAG}", f"/j/arr2cpu.e4063.{TAG}", False],
                    "4063[1].pbs01": ["/j/arr2cpu.o4063.1", "/j/arr2cpu.e4063.1", True],
                },
            }
        )
    )
    memory = JobMemory(file=paths, owner=ME)
    assert memory.get("4063[2].pbs01") is None  # asked of PBS again
    known = memory.get("4063[1].pbs01")
    assert known is not None
    assert known.stdout_path == "/j/arr2cpu.o4063.1"


# ---------------------------------------------------------------------------
# The stand-in answers as the release does


def _qstat(replay: PBSReplay, *args: str) -> dict[str, dict[str, Any]]:
    result = CommandRunner(replay.command_paths, timeout=10).run_sync(
        ["qstat", "-f", "-F", "json", *args]
    )
    assert result.ok, result.stderr
    return parse_qstat_json(result.stdout).jobs


def test_the_stand_in_shows_a_held_array_as_the_release(
    pbs_replay: PBSReplay, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "wait.sh").write_text("#!/bin/bash\nsleep 120\n")
    runner = CommandRunner(pbs_replay.command_paths, timeout=10)
    submitted = runner.run_sync(["qsub", "-h", "-J", "1-3", "-N", "harr", "wait.sh"])
    assert submitted.stdout == "10[].pbs01\n"
    got = _qstat(pbs_replay, "-t", "10[].pbs01")
    want = recorded(HELD_ARRAY)
    assert list(got) == ["10[].pbs01", "10[1].pbs01", "10[2].pbs01", "10[3].pbs01"]
    for (got_id, attrs), real in zip(got.items(), want.values(), strict=True):
        assert set(attrs) == set(real), got_id
        for key in ("job_state", "Hold_Types", "substate"):
            assert attrs[key] == real[key], (got_id, key)
        assert attrs["Output_Path"].endswith(".o10.^array_index^"), got_id


def test_the_stand_in_shows_a_deleted_queued_subjob_as_the_release(pbs_replay: PBSReplay) -> None:
    runner = CommandRunner(pbs_replay.command_paths, timeout=10)
    running = _qstat(pbs_replay, "-t", "3[].pbs01")
    real = recorded(ONE_RUNNING)
    # a queued subjob listed under its running array, and asked alone (39, 40)
    assert set(running["3[2].pbs01"]) == set(real["4063[2].pbs01"])
    assert running["3[2].pbs01"]["substate"] == "10"
    assert running["3[2].pbs01"]["stime"] == running["3[].pbs01"]["stime"]
    alone = _qstat(pbs_replay, "3[2].pbs01")["3[2].pbs01"]
    assert alone["substate"] == recorded(ASKED_ALONE)["4063[4].pbs01"]["substate"] == "70"
    assert runner.run_sync(["qdel", "3[2].pbs01"]).ok  # release 41: no output, exit 0
    deleted = _qstat(pbs_replay, "-t", "3[].pbs01")["3[2].pbs01"]
    want = recorded(AFTER_QDEL)["4063[3].pbs01"]
    assert set(deleted) == set(want)  # no Exit_status
    for key in ("job_state", "substate", "comment"):
        assert deleted[key] == want[key], key
    # the array ends once the others are deleted: its subjobs are F (49)
    assert runner.run_sync(["qdel", "3[3].pbs01"]).ok
    assert runner.run_sync(["qdel", "3[1].pbs01"]).ok
    ended = _qstat(pbs_replay, "-x", "-t", "3[].pbs01")
    want_ended = recorded(ARRAY_ENDED)
    assert set(ended["3[2].pbs01"]) == set(want_ended["4063[3].pbs01"])
    assert [ended[f"3[{i}].pbs01"]["job_state"] for i in (1, 2, 3)] == ["F"] * 3
    assert (ended["3[].pbs01"]["substate"], ended["3[2].pbs01"]["substate"]) == ("92", "92")
    assert ended["3[2].pbs01"]["Exit_status"] == ended["3[].pbs01"]["Exit_status"] == "1"


@pytest.fixture
def shell(
    pbs_replay: PBSReplay, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[InteractiveShell]:
    """The magics over the stand-in, in a fresh folder (as in test_magics_pbs)."""
    monkeypatch.chdir(tmp_path)
    ip = shell_with_magics()
    saved = ip.config.get("HPCConfig")
    ip.config["HPCConfig"] = Config({"scheduler": "pbs", "command_paths": pbs_replay.command_paths})
    load_ipython_extension(ip)
    yield ip
    ip.user_ns.pop("_", None)
    if saved is None:
        del ip.config["HPCConfig"]
    else:
        ip.config["HPCConfig"] = saved
    load_ipython_extension(ip)
