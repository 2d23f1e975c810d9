"""schedulers/pbs/detail.py on real OpenPBS 23.06.06 outputs: one job's detail and the history."""

from __future__ import annotations

from pathlib import Path

import pytest

from jupyterlab_hpc.schedulers.base import HistoryQuery, JobState
from jupyterlab_hpc.schedulers.pbs.detail import (
    history_records,
    job_detail,
    output_path,
    strip_host,
)
from jupyterlab_hpc.schedulers.pbs.parse import (
    parse_qstat_json,
    parse_qstat_text,
    parse_server_json,
    parse_server_text,
)

from .pbs_replay.recordings import stdout


def finished_jobs() -> dict[str, dict[str, object]]:
    return parse_qstat_json(stdout("72_qstat_x_f_F_json")).jobs


@pytest.mark.parametrize(
    ("job_id", "state", "exit_code", "reason"),
    [
        ("0.pbs01", JobState.COMPLETED, 0, "Exit status 0"),
        ("5.pbs01", JobState.FAILED, 3, "Exit status 3"),
        ("6.pbs01", JobState.TIMEOUT, -29, "Exit status -29: it ran past its walltime"),
        ("8.pbs01", JobState.CANCELLED, None, "Deleted before it ran"),
        ("3[].pbs01", JobState.COMPLETED, 0, "Exit status 0"),
    ],
)
def test_finished_jobs_from_json(
    job_id: str, state: JobState, exit_code: int | None, reason: str
) -> None:
    detail = job_detail(job_id, finished_jobs())
    assert detail is not None
    job = detail.job
    assert (job.state, job.exit_code, job.exit_signal) == (state, exit_code, None)
    assert job.reason.startswith(reason)
    assert job.raw_state == "F"


def test_exit3_detail() -> None:
    detail = job_detail("5.pbs01", parse_qstat_json(stdout("73_qstat_x_f_F_json_exit3")).jobs)
    assert detail is not None
    job = detail.job
    assert (job.name, job.user, job.partition) == ("failjob", "alice", "workq")
    assert job.stdout_path == "/home/alice/pbsout/failjob.out"
    assert job.stderr_path == "/home/alice/pbsout/failjob.err"
    assert job.work_dir == "/home/alice/jobs"
    assert (job.submit_time, job.start_time, job.end_time) == (
        "2026-11-22T00:08:19",
        "2026-11-22T00:09:43",
        "2026-11-22T00:09:44",
    )
    assert detail.requested == {
        "cpus": "1",
        "nodes": "1",
        "place": "free",
        "select": "1:ncpus=1",
        "time": "00:02:00",
    }
    assert detail.used["memory"] == "0kb"
    assert detail.used["cpu_time"] == "00:00:00"
    keys = [k for k, _ in detail.fields]
    assert keys[:3] == ["Job_Name", "Job_Owner", "resources_used.cpupercent"]
    assert ("Exit_status", "3") in detail.fields
    variables = dict(detail.fields)["Variable_List"]
    assert "PBS_O_WORKDIR=/home/alice/jobs" in variables


def test_text_and_json_agree() -> None:
    text = job_detail("5.pbs01", parse_qstat_text(stdout("76_qstat_x_f_exit3_text")).jobs)
    json = job_detail("5.pbs01", parse_qstat_json(stdout("73_qstat_x_f_F_json_exit3")).jobs)
    assert text is not None
    assert json is not None
    assert text.job == json.job
    assert text.requested == json.requested
    assert [k for k, _ in text.fields] == [k for k, _ in json.fields]


def test_running_job_text_and_json() -> None:
    text = job_detail("1.pbs01", parse_qstat_text(stdout("19_qstat_f_single_job_text")).jobs)
    json = job_detail("1.pbs01", parse_qstat_json(stdout("15_qstat_f_F_json_single_job")).jobs)
    assert text is not None
    assert json is not None
    assert json.job.state == JobState.RUNNING
    assert json.job.end_time is None
    assert json.job.exit_code is None
    assert text.job == json.job


def test_short_id_finds_the_qualified_job() -> None:
    detail = job_detail("5", finished_jobs())
    assert detail is not None
    assert detail.job.id == "5.pbs01"
    assert job_detail("77", finished_jobs()) is None


def test_array_parent_lists_its_subjobs() -> None:
    jobs = {
        **parse_qstat_json(stdout("20_qstat_f_F_json_array_parent")).jobs,
        **parse_qstat_json(stdout("21_qstat_f_F_json_array_subjob")).jobs,
    }
    detail = job_detail("3[].pbs01", jobs)
    assert detail is not None
    assert detail.job.state == JobState.RUNNING
    assert detail.job.raw_state == "B"
    assert [t.id for t in detail.tasks] == ["3[1].pbs01"]
    task = detail.tasks[0]
    assert (task.array_job_id, task.array_task_id) == ("3[].pbs01", "1")
    # -o to a folder: PBS copies the spool file <job id>.OU there
    assert task.stdout_path == "/home/alice/pbsout/3[1].pbs01.OU"
    assert detail.job.stdout_path == "/home/alice/pbsout/3[].pbs01.OU"


def test_signal_and_joined_paths() -> None:
    attrs = dict(finished_jobs()["0.pbs01"])
    attrs.update(Exit_status=265, Join_Path="oe")
    detail = job_detail("0.pbs01", {"0.pbs01": attrs})
    assert detail is not None
    assert (detail.job.exit_code, detail.job.exit_signal) == (265, 9)
    assert detail.job.state == JobState.CANCELLED  # SIGKILL: what qdel sends last
    assert detail.job.stderr_path == detail.job.stdout_path == "/home/alice/smoke.o0"
    attrs.update(Exit_status=267, Join_Path="eo")  # SIGQUIT: not qdel's
    detail = job_detail("0.pbs01", {"0.pbs01": attrs})
    assert detail is not None
    assert detail.job.state == JobState.FAILED
    assert detail.job.stdout_path == "/home/alice/smoke.e0"


def test_output_in_a_folder_is_the_spool_file_by_job_id() -> None:
    """The release 23.06.06, -o/-e naming a folder (53): Output_Path and Error_Path stay the
    folder, and the files are <job id>.OU and <job id>.ER, as ls -l of it shows (54)."""
    jobs = parse_qstat_json(
        stdout("release-23.06.06/53_qstat_x_f_F_json_t_o_e_folder_finished")
    ).jobs
    listed = {
        line.split()[-1] for line in stdout("release-23.06.06/54_ls_l_out_folder").splitlines()[1:]
    }
    plain = job_detail("4066.pbs01", jobs)
    array = job_detail("4067[].pbs01", jobs)
    assert plain is not None
    assert array is not None
    assert (plain.job.stdout_path, plain.job.stderr_path) == (
        "/home/alice/out/4066.pbs01.OU",
        "/home/alice/out/4066.pbs01.ER",
    )
    paths = [(t.stdout_path, t.stderr_path) for t in array.tasks]
    assert paths == [
        ("/home/alice/out/4067[1].pbs01.OU", "/home/alice/out/4067[1].pbs01.ER"),
        ("/home/alice/out/4067[2].pbs01.OU", "/home/alice/out/4067[2].pbs01.ER"),
    ]
    for job in (plain.job, *array.tasks):
        for path in (job.stdout_path, job.stderr_path):
            assert path.rsplit("/", 1)[1] in listed
    # -j oe: the errors go into the output file, in the folder too
    joined = dict(jobs["4066.pbs01"], Join_Path="oe")
    assert output_path("4066.pbs01", joined, "stderr") == "/home/alice/out/4066.pbs01.OU"


def test_output_folder_without_its_slash(tmp_path: Path) -> None:
    """qsub adds the / only when the folder exists at submission (57: -j oe -o
    /home/alice/results); a folder without it still receives <job id>.OU."""
    attrs = {"Output_Path": f"pbs01:{tmp_path}", "Join_Path": "oe"}
    expected = f"{tmp_path}/4069.pbs01.OU"
    assert output_path("4069.pbs01", attrs, "stdout") == expected
    assert output_path("4069.pbs01", attrs, "stderr") == expected
    file_attrs = {"Output_Path": f"pbs01:{tmp_path}/results"}  # a file (not there yet)
    assert output_path("4069.pbs01", file_attrs, "stdout") == f"{tmp_path}/results"


def test_paths() -> None:
    assert strip_host("pbs01:/home/a/x.o1") == "/home/a/x.o1"
    assert strip_host("/home/a/x.o1") == "/home/a/x.o1"
    assert strip_host("/home/a:b/x") == "/home/a:b/x"
    assert output_path("1.pbs01", {}, "stdout") == ""


def test_history_filters_user_time_and_state() -> None:
    jobs = finished_jobs()
    everything = history_records(jobs, HistoryQuery(start="2026-11-22T00:00:00"), "alice")
    ids = [r.job.id for r in everything]
    assert ids[0] == "9.pbs01"  # newest first (9 was submitted last, at 00:09:16)
    assert set(ids) == {"0.pbs01", "1.pbs01", "2.pbs01", "3[].pbs01", "4.pbs01", "5.pbs01",
                        "6.pbs01", "8.pbs01", "9.pbs01"}  # fmt: skip
    assert history_records(jobs, HistoryQuery(start="2026-11-22T00:00:00"), "bob") == []
    failed = history_records(
        jobs,
        HistoryQuery(start="2026-11-22T00:00:00", states=(JobState.FAILED, JobState.TIMEOUT)),
        "alice",
    )
    assert [r.job.id for r in failed] == ["6.pbs01", "5.pbs01"]  # same ctime: by number
    # 0.pbs01 ended at 00:07:34; the range from 00:08 leaves it out, running 1 stays
    later = history_records(jobs, HistoryQuery(start="2026-11-22T00:08:00"), "alice")
    assert "0.pbs01" not in {r.job.id for r in later}
    assert "1.pbs01" in {r.job.id for r in later}
    # before the jobs were submitted (ctime 00:08:19), only job 0 (00:07:33)
    early = history_records(
        jobs, HistoryQuery(start="2026-11-21T00:00:00", end="2026-11-22T00:08:00"), "alice"
    )
    assert [r.job.id for r in early] == ["0.pbs01"]
    limited = history_records(jobs, HistoryQuery(start="2026-11-22T00:00:00", limit=2), "alice")
    assert len(limited) == 2


def test_history_is_newest_first_and_the_limit_keeps_the_newest() -> None:
    """As Slurm's history (sacct.select): by submit time (ctime), newest first, then by
    job number; 72_qstat_x_f_F_json: 0 at 00:07:33, 1-8 at 00:08:19, 9 at 00:09:16."""
    jobs = finished_jobs()
    records = history_records(jobs, HistoryQuery(start="2026-11-22T00:00:00"), "alice")
    assert [r.job.id for r in records] == [
        "9.pbs01",
        "8.pbs01",
        "6.pbs01",
        "5.pbs01",
        "4.pbs01",
        "3[].pbs01",
        "2.pbs01",
        "1.pbs01",
        "0.pbs01",
    ]
    submitted = [r.job.submit_time for r in records]
    assert submitted == sorted(submitted, reverse=True)
    limited = history_records(jobs, HistoryQuery(start="2026-11-22T00:00:00", limit=3), "alice")
    assert [r.job.id for r in limited] == ["9.pbs01", "8.pbs01", "6.pbs01"]
    one = history_records(jobs, HistoryQuery(start="2026-11-21T00:00:00", limit=1), "alice")
    assert [r.job.id for r in one] == ["9.pbs01"]


def test_history_usage_figures() -> None:
    records = history_records(finished_jobs(), HistoryQuery(start="2026-11-22T00:00:00"), "alice")
    by_id = {r.job.id: r for r in records}
    walljob = by_id["6.pbs01"]
    assert (walljob.elapsed, walljob.total_cpu, walljob.max_rss) == (37, 0, "7324kb")
    assert walljob.cpu_efficiency == 0.0
    assert by_id["0.pbs01"].cpu_efficiency is None  # ran for 0 seconds
    assert by_id["8.pbs01"].elapsed is None  # never ran
    # A running job's usage is not complete: elapsed and CPU time, no efficiency (as Slurm).
    running = by_id["1.pbs01"]
    assert running.job.state is JobState.RUNNING
    assert (running.elapsed, running.total_cpu, running.cpu_efficiency) == (223, 0, None)


def test_usage_for_right_sizing() -> None:
    """resources_used and Resource_List as plain numbers: the job's walltime limit, its
    elapsed time, its memory (the whole job's; 0kb, too short to be sampled, is none)."""
    records = history_records(finished_jobs(), HistoryQuery(start="2026-11-22T00:00:00"), "alice")
    by_id = {r.job.id: r for r in records}
    walljob = by_id["6.pbs01"].usage
    assert walljob is not None
    assert walljob.ended
    assert (walljob.elapsed, walljob.time_limit, walljob.cpus, walljob.nodes) == (37, 10, 1, 1)
    assert walljob.max_rss == 7324 * 1024
    assert (walljob.memory_requested, walljob.memory_per) == (None, "")  # none asked
    assert by_id["2.pbs01"].usage is not None
    assert by_id["2.pbs01"].usage.max_rss is None
    running = by_id["1.pbs01"].usage
    assert running is not None
    assert not running.ended
    assert by_id["8.pbs01"].usage is None  # never ran
    detail = job_detail("6.pbs01", finished_jobs())
    assert detail is not None
    assert detail.usage == walljob
    assert detail.to_dict()["usage"]["elapsed"] == 37


def test_server_history_setting() -> None:
    assert parse_server_json(stdout("28_qstat_B_f_F_json")).history_enabled is True
    assert parse_server_text(stdout("32_qstat_B_f")).history_enabled is True
    # PBS prints no job_history_enable line when it is unset (off)
    text = "\n".join(
        ln for ln in stdout("32_qstat_B_f").splitlines() if "job_history_enable" not in ln
    )
    assert parse_server_text(text).history_enabled is None


def test_text_variables_with_escaped_commas() -> None:
    from jupyterlab_hpc.schedulers.pbs.detail import job_variables

    assert job_variables("A=1,LIST=x\\,y,PBS_O_WORKDIR=/w") == {
        "A": "1",
        "LIST": "x,y",
        "PBS_O_WORKDIR": "/w",
    }
    assert job_variables(None) == {}
