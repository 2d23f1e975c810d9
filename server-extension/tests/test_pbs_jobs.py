"""PBSScheduler.submit, job_detail and history against the replay executables."""

from __future__ import annotations

import os
import pwd
from pathlib import Path

import pytest

from jupyterlab_hpc.runner import CommandRunner
from jupyterlab_hpc.schedulers.base import (
    CommandFailed,
    HistoryQuery,
    JobNotFound,
    JobState,
    SchedulerError,
    SubmitRequest,
)
from jupyterlab_hpc.schedulers.pbs.scheduler import PBSScheduler

from .pbs_replay.fixtures import PBSReplay
from .pbs_replay.replay import finish_recorded_jobs

SCRIPT = "#!/bin/bash\n#PBS -N fromscript\n#PBS -l walltime=00:05:00\nsleep 30\n"
ME = pwd.getpwuid(os.geteuid()).pw_name


def scheduler(replay: PBSReplay) -> PBSScheduler:
    return PBSScheduler(CommandRunner(replay.command_paths, timeout=10))


async def test_submit_held_job_in_its_folder(pbs_replay: PBSReplay, tmp_path: Path) -> None:
    pbs = scheduler(pbs_replay)
    request = SubmitRequest(name="mine", hold=True, cpus=2, workdir=str(tmp_path))
    result = await pbs.submit(SCRIPT, request)
    assert (result.job_id, result.test_only) == ("10.pbs01", False)
    assert pbs_replay.calls()[-1] == ["qsub", "-N", "mine", "-l", "select=1:ncpus=2", "-h"]
    rows = {r[0]: r for r in await pbs.list_rows()}
    assert rows["10.pbs01"][3] == "mine"
    assert rows["10.pbs01"][8] == "held"
    detail = await pbs.job_detail("10.pbs01")
    # qsub ran in the folder asked for: PBS_O_WORKDIR is it
    assert detail.job.work_dir == str(tmp_path)
    assert detail.job.stdout_path == str(tmp_path / "mine.o10")
    assert detail.requested["cpus"] == "2"


async def test_submit_reads_the_script_directives(pbs_replay: PBSReplay) -> None:
    pbs = scheduler(pbs_replay)
    result = await pbs.submit(SCRIPT, SubmitRequest())
    assert pbs_replay.calls()[-1] == ["qsub"]
    detail = await pbs.job_detail(str(result.job_id))
    assert detail.job.name == "fromscript"
    assert detail.job.time_limit == 300
    assert detail.job.state == JobState.PENDING


async def test_submit_array(pbs_replay: PBSReplay) -> None:
    pbs = scheduler(pbs_replay)
    result = await pbs.submit(SCRIPT, SubmitRequest(array="1-3", output="/tmp/pbsout/"))
    assert result.job_id == "10[].pbs01"
    rows = {r[0]: r for r in await pbs.list_rows()}
    assert rows["10[1-3].pbs01"][2] == "[1-3]"
    detail = await pbs.job_detail("10[].pbs01")
    assert [t.id for t in detail.tasks] == ["10[1].pbs01", "10[2].pbs01", "10[3].pbs01"]
    assert detail.tasks[0].stdout_path == "/tmp/pbsout/10[1].pbs01.OU"
    assert ["qstat", "-f", "-F", "json", "-t", "10[].pbs01"] in pbs_replay.calls()


async def test_unknown_queue_is_pbs_words_and_code(pbs_replay: PBSReplay) -> None:
    with pytest.raises(CommandFailed) as caught:
        await scheduler(pbs_replay).submit(SCRIPT, SubmitRequest(partition="nosuchqueue"))
    assert caught.value.returncode == 170
    assert "qsub: Unknown queue (the queue does not exist on this PBS server)" in str(caught.value)
    assert caught.value.detail == "qsub -q nosuchqueue"


async def test_bad_option_keeps_only_the_first_line(pbs_replay: PBSReplay) -> None:
    with pytest.raises(CommandFailed) as caught:
        await scheduler(pbs_replay).submit(SCRIPT, SubmitRequest(extra=["-Z"]))
    assert caught.value.returncode == 2
    assert caught.value.output.startswith("qsub: invalid option -- 'Z' (qsub did not accept")
    assert "usage" not in caught.value.output


async def test_test_only_runs_nothing(pbs_replay: PBSReplay) -> None:
    pbs = scheduler(pbs_replay)
    result = await pbs.submit(SCRIPT, SubmitRequest(name="x"), test_only=True)
    assert (result.job_id, result.test_only) == (None, True)
    assert "2 #PBS directive(s) are valid" in result.message
    with pytest.raises(SchedulerError, match="Line 2: 'walltime=1' is not a qsub option"):
        await pbs.submit("#!/bin/sh\n#PBS walltime=1\n", SubmitRequest(), test_only=True)
    with pytest.raises(SchedulerError, match="Line 3: the walltime 'soon'"):
        await pbs.submit("#!/bin/sh\n\n#PBS -l walltime=soon\n", SubmitRequest(), test_only=True)
    with pytest.raises(SchedulerError, match="PBS has no QOS"):
        await pbs.submit(SCRIPT, SubmitRequest(qos="high"), test_only=True)
    assert not [c for c in pbs_replay.calls() if c[0] == "qsub"]


async def test_directives_after_the_first_command_are_ignored(pbs_replay: PBSReplay) -> None:
    script = "#!/bin/sh\necho hi\n#PBS --nonsense\n"
    result = await scheduler(pbs_replay).submit(script, SubmitRequest(), test_only=True)
    assert "0 #PBS directive(s)" in result.message


async def test_detail_of_a_running_job(pbs_replay: PBSReplay) -> None:
    detail = await scheduler(pbs_replay).job_detail("1.pbs01")
    job = detail.job
    assert (job.name, job.state, job.raw_state) == ("basicjob", JobState.RUNNING, "R")
    assert job.stdout_path == "/home/alice/pbsout/basicjob.out"
    assert job.stderr_path == "/home/alice/pbsout/basicjob.err"
    assert job.work_dir == "/home/alice/jobs"
    assert detail.requested["time"] == "00:15:00"
    assert detail.used["time"]
    assert ("Resource_List.select", "1:ncpus=1") in detail.fields
    assert detail.script is None
    assert pbs_replay.calls() == [["qstat", "-f", "-F", "json", "1.pbs01"]]


async def test_detail_of_a_finished_job_asks_again_with_x(pbs_replay: PBSReplay) -> None:
    detail = await scheduler(pbs_replay).job_detail("0.pbs01")
    assert pbs_replay.calls() == [
        ["qstat", "-f", "-F", "json", "0.pbs01"],  # answers 35: finished
        ["qstat", "-f", "-F", "json", "-x", "0.pbs01"],
    ]
    job = detail.job
    assert (job.state, job.exit_code, job.exit_signal) == (JobState.COMPLETED, 0, None)
    assert job.end_time == "2026-11-22T00:07:34"
    assert job.stdout_path == "/home/alice/smoke.o0"


async def test_detail_of_a_job_killed_by_qdel(pbs_replay: PBSReplay) -> None:
    pbs = scheduler(pbs_replay)
    assert (await pbs.act("cancel", ["1.pbs01"]))[0].ok
    job = (await pbs.job_detail("1.pbs01")).job
    # 86_qdel_second_time...: a running job deleted ends with 271 = 256 + SIGTERM
    assert (job.state, job.exit_code, job.exit_signal) == (JobState.CANCELLED, 271, 15)


async def test_detail_of_an_unknown_job(pbs_replay: PBSReplay) -> None:
    with pytest.raises(JobNotFound):
        await scheduler(pbs_replay).job_detail("9999.pbs01")
    assert len(pbs_replay.calls()) == 2  # 153 without -x, 153 with it


async def test_detail_of_a_subjob(pbs_replay: PBSReplay) -> None:
    job = (await scheduler(pbs_replay).job_detail("3[1].pbs01")).job
    assert (job.array_job_id, job.array_task_id) == ("3[].pbs01", "1")
    assert job.stdout_path == "/home/alice/pbsout/3[1].pbs01.OU"


async def test_detail_from_the_text_form(pbs_replay: PBSReplay) -> None:
    pbs_replay.update(json=False)  # a PBS Professional without -F json
    pbs = scheduler(pbs_replay)
    detail = await pbs.job_detail("0.pbs01")
    assert not pbs.uses_json
    assert (detail.job.name, detail.job.exit_code) == ("smoke", 0)
    assert detail.job.stdout_path == "/home/alice/smoke.o0"
    assert detail.requested["cpus"] == "1"
    assert ["qstat", "-f", "-x", "0.pbs01"] in pbs_replay.calls()


async def test_history_of_the_user(pbs_replay: PBSReplay) -> None:
    pbs = scheduler(pbs_replay)
    assert (await pbs.act("cancel", ["1.pbs01", "4.pbs01"]))[0].ok
    result = await pbs.history(HistoryQuery(start="2026-11-22T00:00:00", user=ME))
    assert result.available
    by_id = {r.job.id: r for r in result.records}
    assert by_id["0.pbs01"].job.state == JobState.COMPLETED
    assert by_id["1.pbs01"].job.state == JobState.CANCELLED
    assert by_id["4.pbs01"].job.state == JobState.CANCELLED
    assert "6.pbs01" not in by_id  # alice's
    assert "3[1].pbs01" not in by_id  # subjobs are their array's
    assert by_id["1.pbs01"].job.end_time is not None
    # -t: an ended array is summed up from its subjobs
    assert ["qstat", "-f", "-F", "json", "-x", "-t"] in pbs_replay.calls()
    cancelled = await pbs.history(
        HistoryQuery(start="2026-11-22T00:00:00", user=ME, states=(JobState.CANCELLED,))
    )
    assert {r.job.id for r in cancelled.records} == {"1.pbs01", "4.pbs01"}
    later = await pbs.history(HistoryQuery(start="2026-11-22T00:08:00", user=ME))
    assert "0.pbs01" not in {r.job.id for r in later.records}  # ended 00:07:34


async def test_history_of_the_recorded_finished_jobs(pbs_replay: PBSReplay) -> None:
    """The jobs that ended later in the recordings (what the browser's history tab shows)."""
    pbs_replay.update(**finish_recorded_jobs(pbs_replay.state(), ME))
    result = await scheduler(pbs_replay).history(HistoryQuery(start="2026-11-22T00:00:00", user=ME))
    by_id = {r.job.id: r.job for r in result.records}
    finals = {i: (j.state, j.exit_code) for i, j in by_id.items() if j.end_time}
    assert finals == {
        "0.pbs01": (JobState.COMPLETED, 0),
        "2.pbs01": (JobState.COMPLETED, 0),
        "5.pbs01": (JobState.FAILED, 3),
        "6.pbs01": (JobState.TIMEOUT, -29),
        "8.pbs01": (JobState.CANCELLED, None),
    }
    queue = {row[0] for row in await scheduler(pbs_replay).list_rows()}
    assert not {"2.pbs01", "5.pbs01", "6.pbs01", "8.pbs01"} & queue
    assert {"1.pbs01", "3[2-3].pbs01"} <= queue


async def test_no_history_without_job_history_enable(pbs_replay: PBSReplay) -> None:
    attrs = pbs_replay.state()["server_attrs"]
    del attrs["job_history_enable"]  # PBS does not print an attribute left unset
    pbs_replay.update(server_attrs=attrs)
    result = await scheduler(pbs_replay).history(HistoryQuery(start="2026-11-22T00:00:00"))
    assert not result.available
    assert "job_history_enable" in result.message
    # qstat -x itself says so (release recording 69), so nothing else is asked.
    assert pbs_replay.calls() == [["qstat", "-f", "-F", "json", "-x", "-t"]]


async def test_detail_of_a_range_row_is_its_array(pbs_replay: PBSReplay) -> None:
    detail = await scheduler(pbs_replay).job_detail("3[2-3].pbs01")
    assert detail.job.id == "3[].pbs01"
    assert [t.id for t in detail.tasks] == ["3[1].pbs01", "3[2].pbs01", "3[3].pbs01"]
