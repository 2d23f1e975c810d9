"""Slurm parsers on outputs recorded from the real local cluster (fixtures/slurm/)."""

from __future__ import annotations

import subprocess

import pytest

from jupyterlab_hpc.schedulers.base import LISTING_COLUMNS, Job, JobState
from jupyterlab_hpc.schedulers.slurm.options import split_command, value_options
from jupyterlab_hpc.schedulers.slurm.parse import (
    SEP,
    accounting_disabled,
    normalize_state,
    parse_cluster_name,
    parse_duration,
    parse_owners,
    parse_salloc_job_id,
    parse_sbatch_job_id,
    parse_scancel_verbose,
    parse_scontrol_jobs,
    parse_sinfo,
    parse_squeue,
    parse_version,
    squeue_format,
)
from jupyterlab_hpc.schedulers.slurm.reasons import reason_in_words

from .conftest import fixture_text


def by_id() -> dict[str, Job]:
    return {r[0]: Job.from_row(r) for r in parse_squeue(fixture_text("slurm/squeue_mixed.txt"))}


def test_every_row_has_every_column() -> None:
    rows = parse_squeue(fixture_text("slurm/squeue_mixed.txt"))
    assert len(rows) == 10
    assert all(len(r) == len(LISTING_COLUMNS) for r in rows)


def test_names_with_spaces_delimiters_and_shell_syntax_survive() -> None:
    jobs = by_id()
    assert jobs["1"].name == "name with spaces|and pipes"
    assert jobs["10"].name == f"unit{SEP}sep name"
    assert jobs["11"].name == 'ünïcode ✓ "quoted" $(touch x) ; rm'
    assert jobs["12"].name == "comma,colon:percent%"
    assert jobs["13"].name == "  leading spaces"


def test_array_tasks_and_pending_ranges() -> None:
    jobs = by_id()
    task = jobs["3_1"]
    assert (task.array_job_id, task.array_task_id) == ("3", "1")
    assert task.state is JobState.RUNNING
    assert task.nodelist == "vm"
    assert task.time_used == 148
    rng = jobs["5_[1-5]"]
    assert (rng.array_job_id, rng.array_task_id) == ("5", "[1-5]")
    assert jobs["4"].array_job_id is None


def test_pending_reasons_and_held_jobs() -> None:
    jobs = by_id()
    assert jobs["1"].state is JobState.PENDING
    assert jobs["1"].reason == "Priority"
    assert jobs["1"].start_time == "2026-11-22T00:51:00"  # Slurm's expected start
    assert jobs["13"].state is JobState.HELD
    assert jobs["13"].raw_state == "PENDING"
    assert jobs["3_2"].state is JobState.HELD  # JobHeldAdmin
    assert jobs["5_[1-5]"].state is JobState.HELD  # "JobHeldUser,Resources"
    assert jobs["3_1"].reason == ""  # "None" means no reason


def test_limits_resources_and_unset_values() -> None:
    jobs = by_id()
    assert jobs["4"].time_limit is None  # UNLIMITED
    assert jobs["12"].time_limit == 2 * 86400 + 3 * 3600 + 5 * 60
    assert jobs["12"].memory == "1500M"
    assert jobs["12"].cpus == 2
    assert jobs["12"].partition == "long"
    assert jobs["1"].account == ""  # (null)
    assert jobs["1"].qos == ""
    assert jobs["1"].gres == ""  # N/A
    assert jobs["1"].memory == ""  # 0
    assert jobs["13"].start_time is None
    assert jobs["13"].submit_time == "2026-11-22T00:23:04"


def test_truncated_lines_are_skipped() -> None:
    text = fixture_text("slurm/squeue_mixed.txt")
    first, rest = text.split("\n", 1)
    broken = first[: len(first) // 2] + "\n" + rest
    assert len(parse_squeue(broken)) == 9
    assert parse_squeue("") == []


def test_format_puts_name_last_without_width() -> None:
    fmt = squeue_format()
    assert fmt.endswith("Name:")
    assert "JobArrayID:" + SEP in fmt


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("0:00", 0),
        ("5:00", 300),
        ("2:03:04", 7384),
        ("1-02:03:04", 93784),
        ("7-00:00:00", 604800),
        ("UNLIMITED", None),
        ("INVALID", None),
        ("NOT_SET", None),
        ("N/A", None),
        ("30", 1800),
        ("garbage", None),
    ],
)
def test_durations(text: str, seconds: int | None) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    ("raw", "reason", "state"),
    [
        ("PENDING", "Resources", JobState.PENDING),
        ("PENDING", "JobHeldAdmin", JobState.HELD),
        ("REQUEUE_HOLD", "", JobState.HELD),
        ("RUNNING", "", JobState.RUNNING),
        ("COMPLETING", "", JobState.COMPLETING),
        ("CANCELLED by 0", "", JobState.CANCELLED),
        ("OUT_OF_MEMORY", "", JobState.FAILED),
        ("TIMEOUT", "", JobState.TIMEOUT),
        ("SOMETHING_NEW", "", JobState.UNKNOWN),
    ],
)
def test_states(raw: str, reason: str, state: JobState) -> None:
    assert normalize_state(raw, reason) is state


def test_owners_map_unique_and_array_ids() -> None:
    owners = parse_owners(fixture_text("slurm/squeue_owners.txt"))
    assert owners["3"] == "root"
    assert owners["6"] == "root"  # unique id of task 3_1
    assert owners["1"] == "root"


def test_partitions() -> None:
    parts = {p.name: p for p in parse_sinfo(fixture_text("slurm/sinfo.txt"))}
    assert set(parts) == {"debug", "long"}
    assert parts["debug"].default
    assert not parts["long"].default
    assert parts["debug"].time_limit == 3600
    assert parts["long"].time_limit == 7 * 86400
    assert parts["debug"].cpus_total == 8


def test_partition_lines_are_summed() -> None:
    text = f"gpu*{SEP}up{SEP}1:00:00{SEP}2{SEP}4/4/0/8\ngpu{SEP}up{SEP}1:00:00{SEP}1{SEP}0/4/0/4\n"
    (gpu,) = parse_sinfo(text)
    assert (gpu.nodes, gpu.cpus_idle, gpu.cpus_total, gpu.default) == (3, 8, 12, True)


def test_version_and_cluster() -> None:
    assert parse_version(fixture_text("slurm/sinfo_version.txt")) == "22.05.8"
    assert parse_version("slurm 23.11.1\n") == "23.11.1"
    assert parse_cluster_name("ClusterName             = local\nOther = x\n") == "local"


def test_job_row_round_trip() -> None:
    row = parse_squeue(fixture_text("slurm/squeue_mixed.txt"))[0]
    assert Job.from_row(row).to_row() == row


def test_reader_reuses_rows_of_unchanged_lines() -> None:
    from jupyterlab_hpc.schedulers.slurm.parse import SqueueReader

    text = fixture_text("slurm/squeue_mixed.txt")
    reader = SqueueReader()
    first = reader.parse(text)
    lines = text.split("\n")
    lines[0] = lines[0].replace("Priority", "Resources")  # one job changed
    second = reader.parse("\n".join(lines))
    assert second[0] is not first[0]
    assert second[0][LISTING_COLUMNS.index("reason")] == "Resources"
    assert all(a is b for a, b in zip(first[1:], second[1:], strict=True))
    assert second == parse_squeue("\n".join(lines))


# scontrol show job (job detail), recorded from the real cluster


def scontrol(name: str) -> list[Job]:
    return parse_scontrol_jobs(fixture_text(f"slurm/{name}"))


def test_scontrol_failed_job_with_paths_holding_spaces() -> None:
    [job] = scontrol("scontrol_job_failed.txt")
    assert job.id == "21111"
    assert job.name == "quick job"
    assert job.state is JobState.FAILED
    assert (job.exit_code, job.exit_signal) == (3, 0)
    assert job.reason == "NonZeroExitCode"
    assert job.work_dir == "/tmp/hpc fixtures"
    assert job.stdout_path == "/tmp/hpc fixtures/out-21111-quick job.txt"
    assert job.stderr_path == job.stdout_path
    assert job.time_limit == 60
    assert job.end_time is not None
    assert job.nodelist == "vm"
    assert job.user == "root"


def test_scontrol_name_and_comment_with_equals_signs() -> None:
    [job] = scontrol("scontrol_job_held.txt")
    assert job.name == "a UserId=zz b"
    assert job.user == "root"  # not fooled by the name
    assert job.state is JobState.HELD
    assert job.raw_state == "PENDING"
    assert job.start_time is None
    assert job.memory == "100M"
    assert job.nodelist == ""
    assert job.account == ""


def test_scontrol_completed_job() -> None:
    [job] = scontrol("scontrol_job_completed.txt")
    assert job.state is JobState.COMPLETED
    assert job.exit_code == 0
    assert job.stdout_path.endswith(f"/slurm-{job.id}.out")


def test_scontrol_array_gives_one_record_per_task() -> None:
    jobs = {j.id: j for j in scontrol("scontrol_job_array_pending.txt")}
    assert set(jobs) == {"21112_[3-4%2]", "21112_1", "21112_2"}
    pending = jobs["21112_[3-4%2]"]
    assert (pending.array_job_id, pending.array_task_id) == ("21112", "[3-4%2]")
    assert pending.state is JobState.PENDING
    assert pending.stdout_path == ""  # Slurm shows a placeholder task number until it runs
    done = jobs["21112_1"]
    assert done.state is JobState.COMPLETED
    assert done.stdout_path == "/tmp/hpc fixtures/arr-21112_1.out"


def test_scontrol_running_array_task() -> None:
    jobs = {j.id: j for j in scontrol("scontrol_job_array_running.txt")}
    running = [j for j in jobs.values() if j.state is JobState.RUNNING]
    assert len(running) == 1
    assert running[0].array_task_id == "1"
    assert running[0].start_time is not None
    assert running[0].time_used is not None


def test_scontrol_no_job() -> None:
    assert parse_scontrol_jobs("") == []
    assert parse_scontrol_jobs("slurm_load_jobs error: Invalid job id specified\n") == []


def test_sbatch_and_salloc_ids() -> None:
    assert parse_sbatch_job_id("123\n") == "123"
    assert parse_sbatch_job_id("123;local\n") == "123"
    with pytest.raises(ValueError, match="did not print a job id"):
        parse_sbatch_job_id("Submitted batch job 12\n")
    salloc = (
        "salloc: Pending job allocation 206\n"
        "salloc: job 206 queued and waiting for resources\n"
        "salloc: job 206 has been allocated resources\n"
        "salloc: Granted job allocation 206\n"
    )
    assert parse_salloc_job_id(salloc) == "206"
    assert parse_salloc_job_id("salloc: error: Unable to allocate resources") is None
    assert accounting_disabled("Slurm accounting storage is disabled\n")


# scancel --verbose as Slurm 22.05 printed it here: root's job 100728 cancelled by hpcdemo,
# an unknown id, an ended job, filters that matched nothing, and the plugin lines -v adds.
SCANCEL_VERBOSE = """\
scancel: select/cons_tres: common_init: select/cons_tres loaded
scancel: select/linear: init: Linear node selection plugin loaded with argument 4
scancel: Terminating job 100728
scancel: error: Kill job error on job id 100728: Access/permission denied
scancel: Terminating job 5
scancel: error: Kill job error on job id 5: Invalid job id specified
scancel: Terminating job 100724
scancel: error: Kill job error on job id 100724: Job/step already completing or completed
scancel: Terminating job 100725_2
scancel: error: No active jobs match ALL job filters, including: job_name=zzz\x20
"""


def test_scancel_verbose_job_by_job() -> None:
    outcome = parse_scancel_verbose(SCANCEL_VERBOSE)
    assert outcome.asked == ["100728", "5", "100724", "100725_2"]
    assert outcome.refused == [("100728", "Access/permission denied")]
    assert outcome.unknown == ["5"]
    assert outcome.ended == ["100724"]
    assert outcome.unmatched_filters == "job_name=zzz"
    assert outcome.other_errors == []


def test_salloc_options_end_where_its_command_begins() -> None:
    # From the installed salloc's own --help, as the magic reads it.
    help_text = subprocess.run(
        ["salloc", "--help"], capture_output=True, text=True, check=True
    ).stdout
    options = value_options(help_text, extra_long=("timeout",))
    assert {"N", "t", "p", "J", "B"} <= options.short
    assert "I" not in options.short  # -I[secs]: its value only attached
    cases = {
        "-N 1 -t 1 hostname": ("-N 1 -t 1", "hostname"),
        "-N1 --part debug echo -n x": ("-N1 --part debug", "echo -n x"),
        "--timeout 5 -J x": ("--timeout 5 -J x", ""),
        "-vN 2 -- ls -l": ("-vN 2", "ls -l"),
        "--immediate cmd": ("--immediate", "cmd"),
        "-B 1:2 --time=5 : -N 1 cmd a": ("-B 1:2 --time=5 : -N 1", "cmd a"),
    }
    for line, (opts, command) in cases.items():
        got = split_command(line.split(), options)
        assert got == (opts.split(), command.split()), line


def test_reasons_in_words() -> None:
    assert reason_in_words("JobHeldUser") == "held by its owner: release it to let it run"
    assert reason_in_words("None") == ""
    assert (
        reason_in_words(
            "Nodes_required_for_job_are_DOWN,_DRAINED_or_reserved_for_jobs_in_higher_priority_partitions"
        )
        == "Nodes required for job are DOWN, DRAINED or reserved for jobs in higher priority "
        "partitions"
    )
    assert reason_in_words("AssocGrpCPUMinutesLimit") == (
        "your account's allocation of CPU minutes is used up (AssocGrpCPUMinutesLimit)"
    )
    assert reason_in_words("QOSMaxJobsPerUserLimit") == (
        "your QOS's limit on running jobs per user is reached (QOSMaxJobsPerUserLimit)"
    )
    assert reason_in_words("something new") == "something new"
