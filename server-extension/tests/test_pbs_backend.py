"""PBSScheduler and detection against the replay executables (tests/pbs_replay)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from jupyterlab_hpc.config import HPCConfig
from jupyterlab_hpc.runner import CommandResult, CommandRunner
from jupyterlab_hpc.schedulers.base import InvalidJobId, Job, JobState, SchedulerError
from jupyterlab_hpc.schedulers.detect import detect_scheduler, no_scheduler_message
from jupyterlab_hpc.schedulers.pbs.commands import (
    history_kept,
    qdel_groups,
    split_qdel_args,
    validate_pbs_job_id,
)
from jupyterlab_hpc.schedulers.pbs.parse import parse_server_json
from jupyterlab_hpc.schedulers.pbs.scheduler import PBSScheduler
from jupyterlab_hpc.schedulers.slurm.scheduler import SlurmScheduler

from .pbs_replay.fixtures import REPLAY_BIN, PBSReplay
from .pbs_replay.recordings import recording, stdout

JSON_LISTING = ["qstat", "-f", "-F", "json", "-t"]


def scheduler(replay: PBSReplay) -> PBSScheduler:
    return PBSScheduler(CommandRunner(replay.command_paths, timeout=10))


@pytest.mark.parametrize(
    "job_id",
    ["1", "123.pbs01", "3[].pbs01", "3[1].pbs01", "3[2-5].pbs01", "3[1-9:2].pbs01", "7.a.b-c"],
)
def test_valid_pbs_ids(job_id: str) -> None:
    assert validate_pbs_job_id(job_id) == job_id


@pytest.mark.parametrize(
    "job_id",
    [
        "",
        "-h",
        "-W force",
        "1;rm",
        "$(touch x)",
        "1 2",
        "1.pbs01 ",
        "123_4",  # a Slurm array task
        "3[1",
        "3[a].pbs01",
        "1.-x",
        "1.pbs01;ls",
        "1." + "a" * 250,
        "1" * 13,
        None,
        7,
    ],
)
def test_invalid_pbs_ids(job_id: object) -> None:
    with pytest.raises(InvalidJobId, match="not a valid PBS job id"):
        validate_pbs_job_id(job_id)


async def test_listing_is_one_qstat_call(pbs_replay: PBSReplay) -> None:
    sched = scheduler(pbs_replay)
    rows = await sched.list_rows()
    assert pbs_replay.calls() == [JSON_LISTING]
    jobs = {r[0]: Job.from_row(r) for r in rows}
    assert jobs["3[1].pbs01"].array_job_id == "3[].pbs01"
    assert jobs["3[2-3].pbs01"].array_task_id == "[2-3]"
    assert jobs["6.pbs01"].user == "alice"
    again = await sched.list_rows()
    assert all(a is b for a, b in zip(rows, again, strict=True))


async def test_old_pbs_falls_back_to_text_for_good(pbs_replay: PBSReplay) -> None:
    pbs_replay.update(json=False)  # a qstat that does not know -F
    sched = scheduler(pbs_replay)
    rows = await sched.list_rows()
    assert pbs_replay.calls() == [JSON_LISTING, ["qstat", "-f", "-t"]]
    assert not sched.uses_json
    pbs_replay.update(json=True)
    fresh = PBSScheduler(CommandRunner(pbs_replay.command_paths))
    assert await fresh.list_rows() == rows  # the same rows from the text form
    pbs_replay.update(json=False)
    pbs_replay.clear_calls()
    await sched.list_rows()
    assert pbs_replay.calls() == [["qstat", "-f", "-t"]]
    partitions = await sched.partitions()
    assert partitions[0].cpus_total == 2
    assert await sched.cluster_name() == "pbs01"


async def test_listing_error_is_a_scheduler_error(tmp_path: Path) -> None:
    down = tmp_path / "qstat"
    down.write_text(
        "#!/bin/sh\necho 'Connection refused' >&2\n"
        "echo 'qstat: cannot connect to server pbs01 (errno=111)' >&2\nexit 1\n"
    )
    down.chmod(0o755)
    sched = PBSScheduler(CommandRunner({"qstat": str(down)}))
    with pytest.raises(SchedulerError, match="cannot connect to server pbs01"):
        await sched.list_rows()


async def test_owners(pbs_replay: PBSReplay) -> None:
    sched = scheduler(pbs_replay)
    ids = ["4.pbs01", "6", "9999.pbs01", "0.pbs01", "3[1].pbs01", "3[2-3].pbs01", "3[].pbs01"]
    owners = await sched.job_owners(ids)
    me = pbs_replay.state()["jobs"]["4.pbs01"]["Job_Owner"].split("@")[0]
    assert owners == {
        "4.pbs01": me,
        "6": "alice",  # a short id
        "3[1].pbs01": me,  # a subjob's owner is its array's
        "3[2-3].pbs01": me,
        "3[].pbs01": me,
    }
    # one qstat for all: unknown (153) and finished (35) ids are simply not there
    assert pbs_replay.calls() == [
        ["qstat", "-f", "-F", "json", "4.pbs01", "6", "9999.pbs01", "0.pbs01", "3[].pbs01"]
    ]


async def test_actions_report_per_job(pbs_replay: PBSReplay) -> None:
    sched = scheduler(pbs_replay)
    results = await sched.act("hold", ["4.pbs01", "9999.pbs01"])
    assert [r.to_dict() for r in results] == [
        {"job_id": "4.pbs01", "ok": True, "message": ""},
        {"job_id": "9999.pbs01", "ok": False, "message": "Unknown Job Id 9999.pbs01"},
    ]
    assert pbs_replay.state()["jobs"]["4.pbs01"]["job_state"] == "H"
    results = await sched.act("release", ["4.pbs01"])
    assert results[0].ok
    assert pbs_replay.state()["jobs"]["4.pbs01"]["job_state"] == "Q"
    results = await sched.act("cancel", ["5.pbs01", "0.pbs01", "9999"])
    assert [(r.ok, r.message) for r in results] == [
        (True, ""),
        (False, "Job has finished 0.pbs01"),  # 56_qdel_finished_job
        (False, "Unknown Job Id 9999.pbs01"),  # 55_qdel_unknown, short id qualified
    ]
    assert pbs_replay.calls()[-1] == ["qdel", "5.pbs01", "0.pbs01", "9999"]
    assert "5.pbs01" in pbs_replay.state()["history"]


async def test_subjobs_hold_through_their_array(pbs_replay: PBSReplay) -> None:
    sched = scheduler(pbs_replay)
    results = await sched.act("hold", ["3[1].pbs01"])
    assert not results[0].ok
    assert "whole array" in results[0].message
    assert "3[].pbs01" in results[0].message
    assert pbs_replay.calls() == []  # refused before running anything
    results = await sched.act("hold", ["3[2-3].pbs01"])
    assert results[0].ok
    assert results[0].message == "PBS held the whole array 3[].pbs01."
    assert pbs_replay.calls() == [["qhold", "3[].pbs01"]]
    rows = {r[0]: Job.from_row(r) for r in await sched.list_rows()}
    assert rows["3[2-3].pbs01"].state is JobState.HELD
    assert rows["3[1].pbs01"].state is JobState.RUNNING
    assert (await sched.act("release", ["3[2-3].pbs01"]))[0].ok
    rows = {r[0]: Job.from_row(r) for r in await sched.list_rows()}
    assert rows["3[2-3].pbs01"].state is JobState.PENDING


async def test_cancel_subjobs(pbs_replay: PBSReplay) -> None:
    sched = scheduler(pbs_replay)
    results = await sched.act("cancel", ["3[1].pbs01", "3[2-3].pbs01"])
    assert all(r.ok for r in results)
    # each subjob or range alone: one qdel naming both crashes the released 23.06.06 server
    assert pbs_replay.calls() == [["qdel", "3[1].pbs01"], ["qdel", "3[2-3].pbs01"]]
    rows = {r[0]: Job.from_row(r) for r in await sched.list_rows()}
    # every subjob ended, so the array went to the history and leaves the listing
    assert not [j for j in rows if j.startswith("3[")]


async def test_queues_version_server(pbs_replay: PBSReplay) -> None:
    sched = scheduler(pbs_replay)
    assert await sched.version() == "23.06.06"
    assert sched.flavour("23.06.06") == "OpenPBS"
    assert await sched.cluster_name() == "pbs01"
    partitions = await sched.partitions()
    assert [(p.name, p.default, p.cpus_total) for p in partitions] == [("workq", True, 2)]
    assert ["pbsnodes", "-av", "-F", "json"] in pbs_replay.calls()


def test_detect_forced_and_auto(
    pbs_replay: PBSReplay, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CommandRunner(pbs_replay.command_paths)
    assert isinstance(detect_scheduler(HPCConfig(scheduler="pbs"), runner), PBSScheduler)
    assert detect_scheduler(HPCConfig(scheduler="none"), runner) is None
    # Slurm is on this machine's PATH too: with both, auto picks Slurm.
    assert isinstance(detect_scheduler(HPCConfig(), runner), SlurmScheduler)
    # A machine with only PBS: PATH holds the replay commands and a python3 for them.
    python_dir = tmp_path / "python"
    python_dir.mkdir()
    (python_dir / "python3").symlink_to(sys.executable)
    only_pbs = f"{REPLAY_BIN}{os.pathsep}{python_dir}"
    monkeypatch.setenv("PATH", only_pbs)
    assert isinstance(detect_scheduler(HPCConfig(), CommandRunner()), PBSScheduler)
    # A qstat that is not PBS's (Slurm's wrapper, say) is not taken for PBS.
    fake = tmp_path / "fake"
    fake.mkdir()
    for name in ("qstat", "qsub"):
        (fake / name).write_text("#!/bin/sh\necho 'slurm 22.05.8'\n")
        (fake / name).chmod(0o755)
    monkeypatch.setenv("PATH", str(fake))
    assert detect_scheduler(HPCConfig(), CommandRunner()) is None
    message = no_scheduler_message()
    assert "squeue, sbatch (Slurm)" in message
    assert "qstat, qsub (OpenPBS / PBS Professional or Torque)" in message


async def test_json_that_does_not_parse_falls_back_to_text(tmp_path: Path) -> None:
    """Some PBS releases print job variables unescaped into -F json; -f text still works."""
    text = tmp_path / "qstat_f.txt"
    text.write_text(stdout("11_qstat_f"))
    qstat = tmp_path / "qstat"
    qstat.write_text(
        "#!/bin/sh\n"
        'case " $* " in\n'
        '  *" -F "*) printf \'{"Jobs": {"1.pbs01": {"Variable_List": {"P": "C:\\\\q"}}}}\\n\' ;;\n'
        f'  *) cat "{text}" ;;\n'
        "esac\n"
    )
    qstat.chmod(0o755)
    sched = PBSScheduler(CommandRunner({"qstat": str(qstat)}))
    rows = await sched.list_rows()
    assert [r[0] for r in rows][:2] == ["1.pbs01", "2.pbs01"]
    assert sched.uses_json  # -F json was not refused: JSON is tried again later


async def test_the_stand_in_qdel_crashes_on_a_subjob_mixed_with_another_id(
    pbs_replay: PBSReplay,
) -> None:
    """As the released 23.06.06 pbs_server does; afterwards no server answers."""
    runner = CommandRunner(pbs_replay.command_paths, timeout=10)
    crashed = await runner.run(["qdel", "4.pbs01", "3[2-3].pbs01"])
    assert crashed.returncode == 162  # PBS error 15010 modulo 256
    assert crashed.stderr == "qdel: cannot connect to server pbs01 (errno=15010)\n"
    state = pbs_replay.state()
    assert state["server_down"] is True
    assert "4.pbs01" in state["jobs"]
    for argv in (["qdel", "5.pbs01"], ["qstat", "-f", "-F", "json", "-t"], ["qhold", "5.pbs01"]):
        after = await runner.run(argv)
        assert after.returncode == 162, argv
        assert "cannot connect to server pbs01" in after.stderr
    # the ids of a call that failed without naming them are never reported as done
    results = await scheduler(pbs_replay).act("cancel", ["4.pbs01", "3[1].pbs01"])
    assert [(r.ok, r.message) for r in results] == [
        (False, "cannot connect to server pbs01 (errno=15010)")
    ] * 2


def recorded_result(name: str) -> CommandResult:
    rec = recording(f"release-23.06.06/{name}")
    return CommandResult(tuple(rec.cmd.split()), rec.exit_code, rec.stdout, rec.stderr, 0.0)


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("68_qstat_f_F_json_x_t_running_history_off", False),  # exit 0, "not configured"
        ("69_qstat_x_history_off", False),
        ("70_qstat_f_F_json_running_history_off", None),  # no -x: says nothing about it
        ("72_qstat_x_f_F_json_finished_job_after_history_off_on", True),  # 153, history on
    ],
)
def test_what_a_qstat_answer_says_about_job_history(name: str, kept: bool | None) -> None:
    assert history_kept(recorded_result(name)) is kept


async def test_the_stand_in_without_job_history_answers_as_the_release(
    pbs_replay: PBSReplay,
) -> None:
    """job_history_enable off (66-70), then on again (71-72): what the stand-in prints."""
    runner = CommandRunner(pbs_replay.command_paths, timeout=10)
    pbs_replay.set_job_history(False)
    server = await runner.run(["qstat", "-B", "-f", "-F", "json"])
    recorded_server = json.loads(stdout("release-23.06.06/67_qstat_B_f_F_json_history_off"))
    assert (
        json.loads(server.stdout)["Server"]["pbs01"]["job_history_enable"]
        == recorded_server["Server"]["pbs01"]["job_history_enable"]
        == "False"
    )
    assert parse_server_json(server.stdout).history_enabled is False
    running = await runner.run(["qstat", "-f", "-F", "json", "-x", "-t", "1.pbs01"])
    recorded = recording("release-23.06.06/68_qstat_f_F_json_x_t_running_history_off")
    assert running.returncode == recorded.exit_code == 0
    assert running.stderr == recorded.stderr.replace("4072.pbs01", "1.pbs01")
    assert "Jobs" not in json.loads(running.stdout)
    everything = await runner.run(["qstat", "-f", "-x"])
    assert (everything.returncode, everything.stdout) == (0, "")
    assert everything.stderr == stderr_of("69_qstat_x_history_off")  # the trailing space
    shown = await runner.run(["qstat", "-f", "-F", "json", "1.pbs01"])  # without -x: 70
    assert list(json.loads(shown.stdout)["Jobs"]) == ["1.pbs01"]
    pbs_replay.set_job_history(True)
    forgotten = await runner.run(["qstat", "-x", "-f", "-F", "json", "0.pbs01"])
    assert forgotten.returncode == 153  # removed when history went off, not back (72)
    assert forgotten.stderr == "qstat: Unknown Job Id 0.pbs01\n"


async def test_the_stand_in_refuses_ngpus_as_the_release(
    pbs_replay: PBSReplay, tmp_path: Path
) -> None:
    """A default OpenPBS defines no ngpus (48); a site that adds it to its resources does."""
    runner = CommandRunner(pbs_replay.command_paths, timeout=10)
    script = tmp_path / "quick.sh"
    script.write_text("#!/bin/sh\n")
    recorded = recording("release-23.06.06/48_qsub_ngpus_unknown_resource")
    refused = await runner.run(recorded.cmd.replace("quick.sh", str(script)).split())
    assert (refused.returncode, refused.stdout, refused.stderr) == (
        recorded.exit_code,
        recorded.stdout,
        recorded.stderr,
    )
    pbs_replay.update(custom_resources=["ngpus"])
    assert (await runner.run(["qsub", "-l", "select=1:ngpus=1", str(script)])).ok


def stderr_of(name: str) -> str:
    return recording(f"release-23.06.06/{name}").stderr


def test_qdel_groups_put_each_subjob_alone() -> None:
    ids = ["3[1].pbs01", "4.pbs01", "7[].pbs01", "3[2-3].pbs01", "5"]
    assert qdel_groups(ids) == [
        ["4.pbs01", "7[].pbs01", "5"],
        ["3[1].pbs01"],
        ["3[2-3].pbs01"],
    ]
    assert qdel_groups(["4.pbs01", "5.pbs01"]) == [["4.pbs01", "5.pbs01"]]
    assert qdel_groups([]) == []
    assert split_qdel_args(["-W", "force", "-x", "4", "3[1]"]) == (
        ["-W", "force", "-x"],
        ["4", "3[1]"],
    )
    assert split_qdel_args(["-Wsuppress_email=5", "--", "4"]) == (
        ["-Wsuppress_email=5", "--"],
        ["4"],
    )
