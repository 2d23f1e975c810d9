"""PBS parsers on outputs recorded from a real OpenPBS 23.06.06 server (fixtures/pbs/)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from jupyterlab_hpc.schedulers.base import LISTING_COLUMNS, Job, JobState
from jupyterlab_hpc.schedulers.pbs.parse import (
    ListingReader,
    PBSParseError,
    exec_hosts,
    finished_state,
    flavour,
    index_runs,
    job_row,
    json_unsupported,
    listing_rows,
    parse_duration,
    parse_full_text,
    parse_nodes_json,
    parse_owners,
    parse_partitions,
    parse_qstat_json,
    parse_qstat_text,
    parse_queues_json,
    parse_server_json,
    parse_server_text,
    parse_time,
    parse_version,
    run_text,
)

from .pbs_replay.recordings import recording, stdout
from .pbs_replay.replay import every_job, initial_state


def jobs_of(rows: list[list[Any]]) -> dict[str, Job]:
    return {r[0]: Job.from_row(r) for r in rows}


def recorded_jobs(name: str) -> dict[str, Job]:
    return jobs_of(listing_rows(parse_qstat_json(stdout(name)).jobs))


def test_recordings_are_read_by_their_markers() -> None:
    rec = recording("55_qdel_unknown")
    assert rec.cmd == "qdel 9999.pbs01"
    assert rec.exit_code == 153
    assert rec.stdout == ""
    assert rec.stderr == "qdel: Unknown Job Id 9999.pbs01\n"
    assert recording("12_qstat_f_F_json").stderr == ""  # its header says "18 bytes"


def test_json_listing_header_and_jobs() -> None:
    listing = parse_qstat_json(stdout("12_qstat_f_F_json"))
    assert listing.server == "pbs01"
    assert listing.version == "23.06.06"
    assert list(listing.jobs) == [
        "1.pbs01",
        "2.pbs01",
        "3[].pbs01",
        "4.pbs01",
        "5.pbs01",
        "6.pbs01",
        "8.pbs01",
    ]
    rows = listing_rows(listing.jobs)
    assert all(len(r) == len(LISTING_COLUMNS) for r in rows)


def test_running_job_columns() -> None:
    job = recorded_jobs("12_qstat_f_F_json")["1.pbs01"]
    assert job.name == "basicjob"
    assert job.user == "alice"  # Job_Owner alice@pbs01
    assert job.account == ""  # project _pbs_project_default
    assert job.partition == "workq"
    assert job.qos == ""
    assert (job.state, job.raw_state) == (JobState.RUNNING, "R")
    assert job.reason == ""  # the comment of a running job is not a reason
    assert job.nodelist == "pbs01"  # exec_host pbs01/0
    assert (job.nodes, job.cpus) == (1, 1)
    assert (job.memory, job.gres) == ("", "")
    assert job.time_used == 0
    assert job.time_limit == 15 * 60
    assert job.submit_time == "2026-11-22T00:08:19"
    assert job.start_time == "2026-11-22T00:08:19"
    assert job.array_job_id is None


def test_waiting_and_held_jobs_say_why() -> None:
    jobs = recorded_jobs("12_qstat_f_F_json")
    held = jobs["2.pbs01"]  # qsub -h: no comment, Hold_Types u
    assert (held.state, held.raw_state, held.reason) == (JobState.HELD, "H", "User hold")
    queued = jobs["4.pbs01"]
    assert (queued.state, queued.raw_state) == (JobState.PENDING, "Q")
    assert queued.reason == "Not enough free nodes available"
    assert queued.cpus == 2
    assert queued.start_time is None
    assert queued.nodelist == ""
    held_by_qhold = recorded_jobs("45_qstat_f_F_json_after_qhold")["4.pbs01"]
    assert held_by_qhold.state is JobState.HELD
    assert held_by_qhold.reason == "Job held by alice on Sun Nov 22 00:08:42 2026"


def test_running_job_with_a_user_hold_is_running() -> None:
    job = recorded_jobs("61_qstat_f_F_json_after_root_qalter")["1.pbs01"]
    assert (job.state, job.reason) == (JobState.RUNNING, "")
    assert job.time_used == 10
    assert job.time_limit == 20 * 60


def test_array_without_subjobs_listed_is_one_row() -> None:
    jobs = recorded_jobs("20_qstat_f_F_json_array_parent")
    assert list(jobs) == ["3[].pbs01"]
    array = jobs["3[].pbs01"]
    assert (array.state, array.raw_state) == (JobState.RUNNING, "B")
    assert array.array_job_id is None


def test_recorded_subjob_row() -> None:
    jobs = recorded_jobs("21_qstat_f_F_json_array_subjob")
    subjob = jobs["3[1].pbs01"]
    assert subjob.array_job_id == "3[].pbs01"
    assert subjob.array_task_id == "1"
    assert subjob.state is JobState.RUNNING
    assert subjob.nodelist == "pbs01"


def test_listing_with_subjobs_mirrors_slurm_tasks() -> None:
    """qstat -f -F json -t as the replay composes it from 12, 16 and 21."""
    jobs = every_job(initial_state("alice"))
    rows = jobs_of(listing_rows(jobs))
    assert "3[].pbs01" not in rows  # the array is shown through its subjobs
    assert rows["3[1].pbs01"].array_task_id == "1"
    pending = rows["3[2-3].pbs01"]  # the subjobs that have not started, in qdel's range form
    assert (pending.array_job_id, pending.array_task_id) == ("3[].pbs01", "[2-3]")
    assert (pending.state, pending.raw_state) == (JobState.PENDING, "Q")
    assert pending.name == "arrayjob"
    assert list(rows) == [
        "1.pbs01",
        "2.pbs01",
        "3[1].pbs01",
        "3[2-3].pbs01",
        "4.pbs01",
        "5.pbs01",
        "6.pbs01",
        "8.pbs01",
    ]


def test_subjobs_fold_by_state_and_run() -> None:
    parent = {"Job_Name": "arr", "Job_Owner": "bob@s", "job_state": "B", "array": "True"}
    jobs: dict[str, dict[str, Any]] = {"7[].s": parent}
    for index, letter in enumerate("XRQQHQQQ", start=1):
        jobs[f"7[{index}].s"] = {
            "Job_Name": "arr",
            "Job_Owner": "bob@s",
            "job_state": letter,
            "array_id": "7[].s",
            "array_index": index,
        }
    rows = jobs_of(listing_rows(jobs))
    assert list(rows) == ["7[1].s", "7[2].s", "7[3-4].s", "7[6-8].s", "7[5].s"]
    assert rows["7[1].s"].state is JobState.COMPLETED  # X
    assert rows["7[5].s"].state is JobState.HELD
    assert rows["7[5].s"].array_task_id == "5"
    assert rows["7[6-8].s"].array_task_id == "[6-8]"


def test_index_runs() -> None:
    assert index_runs([3, 1, 2, 5, 7, 9]) == [(1, 3, 1), (5, 9, 2)]
    assert index_runs([1, 5, 6, 7]) == [(1, 1, 1), (5, 7, 1)]
    assert index_runs([4, 10]) == [(4, 4, 1), (10, 10, 1)]
    assert index_runs([]) == []
    assert [run_text(*r) for r in index_runs([1, 3, 5, 6])] == ["1-5:2", "6"]


def test_text_form_gives_the_same_rows_as_json() -> None:
    text_rows = listing_rows(parse_qstat_text(stdout("11_qstat_f")).jobs)
    json_rows = listing_rows(parse_qstat_json(stdout("12_qstat_f_F_json")).jobs)
    assert text_rows == json_rows
    single_text = listing_rows(parse_qstat_text(stdout("19_qstat_f_single_job_text")).jobs)
    single_json = listing_rows(parse_qstat_json(stdout("15_qstat_f_F_json_single_job")).jobs)
    assert single_text == single_json
    finished_text = listing_rows(parse_qstat_text(stdout("76_qstat_x_f_exit3_text")).jobs)
    finished_json = listing_rows(parse_qstat_json(stdout("73_qstat_x_f_F_json_exit3")).jobs)
    assert finished_text == finished_json


def test_text_form_joins_wrapped_lines() -> None:
    jobs = parse_full_text(stdout("11_qstat_f"))
    variables = jobs["1.pbs01"]["Variable_List"]
    assert "PBS_O_LANG=C.UTF-8,PBS_O_LOGNAME=alice," in variables
    assert jobs["1.pbs01"]["Resource_List"]["walltime"] == "00:15:00"
    queue = parse_full_text(stdout("31_qstat_Q_f"))["workq"]
    assert queue["state_count"].endswith("Begun:1")  # wrapped mid-word as "Begun\n\t:1"
    assert parse_qstat_text(stdout("11_qstat_f")).server == "pbs01"


def test_finished_jobs_with_history() -> None:
    jobs = recorded_jobs("72_qstat_x_f_F_json")
    expected = {
        "0.pbs01": (JobState.COMPLETED, "F", "Exit status 0"),
        "2.pbs01": (JobState.COMPLETED, "F", "Exit status 0"),
        "3[].pbs01": (JobState.COMPLETED, "F", "Exit status 0"),
        "5.pbs01": (JobState.FAILED, "F", "Exit status 3"),
        "8.pbs01": (JobState.CANCELLED, "F", "Deleted before it ran"),
        "9.pbs01": (JobState.HELD, "H", "User hold"),
        "1.pbs01": (JobState.RUNNING, "R", ""),
    }
    for job_id, want in expected.items():
        job = jobs[job_id]
        assert (job.state, job.raw_state, job.reason) == want, job_id
    walltime = jobs["6.pbs01"]
    assert walltime.state is JobState.TIMEOUT
    assert walltime.reason.startswith("Exit status -29: it ran past its walltime")
    assert walltime.time_used == 37
    assert jobs["9.pbs01"].name == "12345"  # a numeric name stays a string
    deleted = recorded_jobs("75_qstat_x_f_F_json_deleted_while_queued")["8.pbs01"]
    assert deleted.state is JobState.CANCELLED


@pytest.mark.parametrize(
    ("exit_status", "substate", "comment", "state"),
    [
        (None, 91, "", JobState.CANCELLED),  # deleted before it ran
        (None, None, "", JobState.COMPLETED),
        (0, 92, "", JobState.COMPLETED),
        (3, 93, "", JobState.FAILED),
        (137, 93, "", JobState.FAILED),  # the script's own 128 + 9
        (271, 92, "", JobState.CANCELLED),  # 256 + SIGTERM: qdel of a running job (86)
        (265, 92, "", JobState.CANCELLED),  # 256 + SIGKILL
        (267, 93, "", JobState.FAILED),  # 256 + SIGSEGV
        (-29, 93, "", JobState.TIMEOUT),
        (271, 93, "Job run at x and exceeded resource walltime", JobState.TIMEOUT),
        (-27, 93, "", JobState.FAILED),  # memory
        (-3, 93, "", JobState.FAILED),
    ],
)
def test_finished_state(
    exit_status: int | None, substate: int | None, comment: str, state: JobState
) -> None:
    assert finished_state(exit_status, substate, comment) is state


@pytest.mark.parametrize(
    ("letter", "state", "reason"),
    [
        ("Q", JobState.PENDING, ""),
        ("W", JobState.PENDING, "Waiting for its start time 2026-11-22T06:00:00"),
        ("T", JobState.PENDING, "In transit to another queue or server"),
        ("H", JobState.HELD, "User, operator hold"),
        ("R", JobState.RUNNING, ""),
        ("B", JobState.RUNNING, ""),
        ("E", JobState.COMPLETING, ""),
        ("S", JobState.SUSPENDED, ""),
        ("U", JobState.SUSPENDED, ""),
        # no stime, exec_host, substate or Exit_status: PBS ended it before it ran
        ("X", JobState.CANCELLED, "Deleted by PBS before it ran"),
        ("M", JobState.UNKNOWN, "Moved to another server"),
        ("Z", JobState.UNKNOWN, ""),
    ],
)
def test_every_state_letter(letter: str, state: JobState, reason: str) -> None:
    attrs = {
        "job_state": letter,
        "Hold_Types": "uo",
        "Execution_Time": "Sun Nov 22 06:00:00 2026",
    }
    row = Job.from_row(job_row("1.s", attrs))
    assert (row.state, row.raw_state, row.reason) == (state, letter, reason)


def test_resources_account_and_gpus() -> None:
    attrs = {
        "Job_Name": "gpu job",
        "Job_Owner": "bob@login2.example.org",
        "job_state": "R",
        "Account_Name": "proj42",
        "project": "other",
        "exec_host": "n1/0*2+n1/1+n2/0",
        "Resource_List": {"ncpus": 8, "nodect": 2, "mem": "100mb", "ngpus": 2},
        "resources_used": {"walltime": "101:02:03"},
        "estimated": {"start_time": "Sun Nov 22 06:00:00 2026"},
    }
    job = Job.from_row(job_row("12.s", attrs))
    assert (job.user, job.account) == ("bob", "proj42")
    assert job.nodelist == "n1,n2"
    assert (job.nodes, job.cpus, job.memory, job.gres) == (2, 8, "100mb", "gpu:2")
    assert job.time_used == 101 * 3600 + 2 * 60 + 3
    assert job.time_limit is None  # no walltime asked: no limit
    assert job.start_time is None  # the estimate is for jobs that wait
    project_only = Job.from_row(job_row("13.s", {"job_state": "Q", "project": "climate"}))
    assert project_only.account == "climate"
    queued = dict(attrs, job_state="Q")
    assert Job.from_row(job_row("15.s", queued)).start_time == "2026-11-22T06:00:00"


def test_values() -> None:
    assert parse_duration("00:15:00") == 900
    assert parse_duration("101:00:00") == 101 * 3600
    assert parse_duration("15:00") == 900
    assert parse_duration("3600") == 3600
    assert parse_duration(42) == 42
    assert parse_duration("soon") is None
    assert parse_time("Sun Nov 22 00:08:19 2026") == "2026-11-22T00:08:19"
    assert parse_time("Mon Nov  2 03:04:05 2026") == "2026-11-02T03:04:05"
    assert parse_time(None) is None
    assert parse_time("garbage") is None
    assert parse_time(0) is not None
    assert exec_hosts("pbs01/0") == "pbs01"


def test_empty_and_error_answers() -> None:
    assert parse_qstat_json(stdout("00_qstat_f_F_json_no_jobs")).jobs == {}
    unknown = recording("24_qstat_f_F_json_unknown_job")
    assert unknown.exit_code == 153
    assert parse_qstat_json(unknown.stdout).jobs == {}
    finished = recording("78_qstat_f_F_json_finished_without_x")
    assert finished.exit_code == 35
    assert parse_qstat_json(finished.stdout).jobs == {}
    assert parse_qstat_text(recording("25_qstat_f_unknown_job_short_id").stdout).jobs == {}
    with pytest.raises(PBSParseError, match="invalid JSON"):
        parse_qstat_json('{"Jobs": {"1.s": {"Job_Name": "a\\q"}}}')
    with pytest.raises(PBSParseError):
        parse_qstat_json("[]")


def test_json_with_raw_control_characters_parses() -> None:
    text = '{"pbs_server": "s", "Jobs": {"1.s": {"Job_Name": "tab\there", "job_state": "Q"}}}'
    assert parse_qstat_json(text).jobs["1.s"]["Job_Name"] == "tab\there"


def test_old_pbs_without_json_is_recognised() -> None:
    bad_option = recording("38_qstat_bad_option")
    assert not json_unsupported(bad_option.stderr, bad_option.exit_code)
    without_f = recording("39_qstat_F_json_without_f")  # -F json is known, only misused
    assert not json_unsupported(without_f.stderr, without_f.exit_code)
    # A qstat without -F answers -F as 38 answers -Z.
    old = bad_option.stderr.replace("'Z'", "'F'")
    assert json_unsupported(old, 2)
    usage_only = bad_option.stderr.replace(" [-F format | -w]", "").replace(" [-F format]", "")
    assert json_unsupported(usage_only.replace("'Z'", "-- F"), 2)
    assert not json_unsupported(old, 153)


def test_owners() -> None:
    listing = parse_qstat_json(stdout("21_qstat_f_F_json_array_subjob"))
    assert parse_owners(listing.jobs) == {"3[1].pbs01": "alice"}


def test_server_queues_nodes_version() -> None:
    server = parse_server_json(stdout("28_qstat_B_f_F_json"))
    assert (server.name, server.version, server.default_queue) == ("pbs01", "23.06.06", "workq")
    assert parse_server_text(stdout("32_qstat_B_f")) == server
    queues = parse_queues_json(stdout("27_qstat_Q_f_F_json"))
    nodes = parse_nodes_json(stdout("33_pbsnodes_av_F_json"))
    partitions = parse_partitions(queues, nodes, server.default_queue)
    assert [p.to_dict() for p in partitions] == [
        {
            "name": "workq",
            "default": True,
            "available": "up",
            "time_limit": None,
            "nodes": 1,
            "cpus_idle": 0,  # job-busy, both CPUs assigned
            "cpus_total": 2,
        }
    ]
    text_partitions = parse_partitions(
        parse_full_text(stdout("31_qstat_Q_f")),
        parse_full_text(stdout("34_pbsnodes_av")),
        "workq",
    )
    assert text_partitions == partitions
    assert parse_version(stdout("35_qstat_version")) == "23.06.06"
    assert parse_version(stdout("36_pbsnodes_version")) == "23.06.06"


def test_queues_with_their_own_nodes_and_states() -> None:
    queues = {
        "workq": {"queue_type": "Execution", "enabled": "True", "started": "True"},
        "gpu": {
            "queue_type": "Execution",
            "enabled": "False",
            "started": "True",
            "resources_max": {"walltime": "24:00:00"},
        },
        "route": {"queue_type": "Route", "enabled": "True", "started": "False"},
    }
    nodes = {
        "n1": {"state": "free", "resources_available": {"ncpus": 4}},
        "n2": {"state": "down,offline", "resources_available": {"ncpus": 4}},
        "g1": {
            "state": "free",
            "queue": "gpu",
            "resources_available": {"ncpus": 8},
            "resources_assigned": {"ncpus": 3},
        },
    }
    got = {p.name: p for p in parse_partitions(queues, nodes, "workq")}
    assert (got["workq"].nodes, got["workq"].cpus_idle, got["workq"].cpus_total) == (2, 4, 8)
    assert (got["gpu"].nodes, got["gpu"].cpus_idle, got["gpu"].cpus_total) == (1, 5, 8)
    assert got["gpu"].available == "drain"
    assert got["gpu"].time_limit == 24 * 3600
    assert (got["route"].nodes, got["route"].available) == (0, "inactive")


def test_flavour() -> None:
    assert flavour("23.06.06") == "OpenPBS"
    assert flavour("20.0.1") == "OpenPBS"
    assert flavour("2022.1.3") == "PBS Professional"
    assert flavour("19.1.3") == "PBS Professional"
    assert flavour("unknown") == "PBS"


def test_reader_reuses_unchanged_rows() -> None:
    reader = ListingReader()
    jobs = every_job(initial_state("alice"))
    first = reader.rows(jobs)
    jobs["4.pbs01"] = dict(jobs["4.pbs01"], job_state="H", Hold_Types="u")
    second = reader.rows(jobs)
    assert [a is b for a, b in zip(first, second, strict=True)] == [
        r[0] != "4.pbs01" for r in first
    ]
    assert jobs_of(second)["4.pbs01"].state is JobState.HELD


def test_large_listing_is_fast() -> None:
    """20,000 jobs as qstat -f -F json prints them (each with its job variables)."""
    template = parse_qstat_json(stdout("12_qstat_f_F_json")).jobs["4.pbs01"]
    template["Variable_List"] = json.loads(stdout("12_qstat_f_F_json"))["Jobs"]["1.pbs01"][
        "Variable_List"
    ]
    jobs = {f"{i}.pbs01": dict(template, Job_Name=f"job{i}") for i in range(20_000)}
    text = json.dumps({"pbs_server": "pbs01", "Jobs": jobs}, indent="\t")
    reader = ListingReader()
    start = time.perf_counter()
    rows = reader.rows(parse_qstat_json(text).jobs)
    first = time.perf_counter() - start
    start = time.perf_counter()
    again = reader.rows(parse_qstat_json(text).jobs)
    second = time.perf_counter() - start
    assert len(rows) == 20_000
    assert all(a is b for a, b in zip(rows, again, strict=True))
    print(f"20,000 jobs, {len(text) / 1e6:.1f} MB: first {first:.3f} s, again {second:.3f} s")
    assert first < 10
