"""Slurm detail parsers on outputs recorded from Slurm 22.05.8 (fixtures/slurm/)."""

from __future__ import annotations

from jupyterlab_hpc.schedulers.base import JobState, SubmitRequest
from jupyterlab_hpc.schedulers.slurm.commands import request_options, submit_argv
from jupyterlab_hpc.schedulers.slurm.detail import (
    batch_script,
    detail_from_sacct,
    parse_job_detail,
    parse_sstat,
    parse_test_only,
    rejection_message,
)

from .conftest import fixture_text


def test_running_job_detail_keeps_every_field_in_order() -> None:
    text = fixture_text("slurm/scontrol_dd_running.txt")
    detail = parse_job_detail(text, "162514")
    assert detail is not None
    job = detail.job
    assert job.id == "162514"
    assert job.name == "run me"
    assert job.state is JobState.RUNNING
    assert job.end_time == "2026-11-22T03:05:52"
    assert job.work_dir == "/tmp/hpc fixtures"
    assert job.stdout_path == job.stderr_path == "/tmp/hpc fixtures/run-162514.out"
    assert (job.exit_code, job.exit_signal) == (0, 0)
    keys = [k for k, _ in detail.fields]
    assert keys[:3] == ["JobId", "JobName", "UserId"]
    assert keys[-1] == "Power"
    # The -dd line of the allocation, in its place after JOB_GRES.
    at = keys.index("JOB_GRES")
    assert detail.fields[at + 1 : at + 5] == [
        ("Nodes", "vm"),
        ("CPU_IDs", "0-1"),
        ("Mem", "0"),
        ("GRES", ""),
    ]
    fields = dict(detail.fields)
    assert fields["WorkDir"] == "/tmp/hpc fixtures"
    assert fields["Comment"] == "jupyterlab-hpc-fixture"
    assert detail.requested == {
        "nodes": "1",
        "tasks": "1",
        "cpus_per_task": "2",
        "cpus": "2",
        "memory": "20M",
        "time": "00:01:00",
        "partition": "debug",
        "qos": "normal",
        "account": "root",
    }
    assert detail.used == {
        "time": "00:00:03",
        "allocated": "cpu=2,node=1,billing=2",
        "nodes": "vm",
        "cpus": "2",
        "exit_code": "0:0",
    }
    assert detail.tasks == []
    assert detail.script is None  # the backend asks for it separately


def test_held_array_detail() -> None:
    detail = parse_job_detail(fixture_text("slurm/scontrol_dd_array_held.txt"), "162513")
    assert detail is not None
    job = detail.job
    assert job.id == "162513_[1-3%2]"
    assert job.state is JobState.HELD
    assert job.stdout_path == ""  # tasks not yet split have no file yet
    fields = dict(detail.fields)
    assert fields["JobName"] == "array job"
    assert fields["ArrayTaskId"] == "1-3%2"
    assert fields["Dependency"] == "afterany:1(unfulfilled)"
    assert fields["MailType"] == "END,FAIL"
    assert detail.used == {}
    assert detail.requested["memory"] == "100M"


def test_array_detail_splits_job_and_tasks() -> None:
    text = fixture_text("slurm/scontrol_job_array_running.txt")
    detail = parse_job_detail(text, "31171")
    assert detail is not None
    assert detail.job.id == "31170_1"
    assert [t.id for t in detail.tasks] == ["31170_[2-3%1]"]
    whole = parse_job_detail(text, "31170")
    assert whole is not None
    assert whole.job.id == "31170_[2-3%1]"
    assert [t.id for t in whole.tasks] == ["31170_1"]
    assert parse_job_detail("", "1") is None


def test_batch_script() -> None:
    assert batch_script(fixture_text("slurm/batch_script.txt"), "") == (
        '#!/bin/bash\n#SBATCH --mem=20M\necho "é漢"\nsleep 20\n'
    )
    # 22.05 answers an unknown job with exit code 0 and this on stderr.
    assert batch_script("", fixture_text("slurm/batch_script_unknown_stderr.txt")) is None


def test_test_only_and_rejection() -> None:
    start, nodes, message = parse_test_only(fixture_text("slurm/sbatch_test_only_stderr.txt"))
    assert (start, nodes) == ("2026-11-22T03:04:55", "vm")
    assert message.startswith("Job 162515 to start at 2026-11-22T03:04:55 using 1 processors")
    assert parse_test_only("sbatch: something else\n") == (None, None, "something else")
    assert rejection_message(fixture_text("slurm/sbatch_bad_partition_stderr.txt")) == (
        "invalid partition specified: nosuchpartition\n"
        "Batch job submission failed: Invalid partition name specified"
    )


def test_every_request_field_becomes_one_sbatch_word() -> None:
    request = SubmitRequest(
        name="a b",
        partition="long",
        time_limit="10",
        nodes=2,
        cpus=4,
        memory="4G",
        gpus=1,
        account="demo",
        output="o.txt",
        error="e.txt",
        hold=True,
        extra=["--constraint=x"],
        qos="normal",
        ntasks=8,
        gres="gpu:a100:2",
        array="1-10%2",
        dependency="afterok:12",
        workdir="/tmp/x y",
        mail_type="END,FAIL",
        mail_user="me@example.org",
    )
    assert request_options(request) == [
        "--job-name=a b",
        "--partition=long",
        "--time=10",
        "--nodes=2",
        "--cpus-per-task=4",
        "--mem=4G",
        "--gpus=1",
        "--account=demo",
        "--output=o.txt",
        "--error=e.txt",
        "--qos=normal",
        "--ntasks=8",
        "--gres=gpu:a100:2",
        "--array=1-10%2",
        "--dependency=afterok:12",
        "--chdir=/tmp/x y",
        "--mail-type=END,FAIL",
        "--mail-user=me@example.org",
        "--hold",
        "--constraint=x",
    ]
    assert submit_argv(["--hold"], test_only=True) == [
        "sbatch",
        "--parsable",
        "--test-only",
        "--hold",
    ]
    assert request_options(SubmitRequest()) == []


def test_sstat_usage_is_the_largest_step() -> None:
    # Recorded: a batch step running one srun step that holds 30 MB.
    assert parse_sstat(fixture_text("slurm/sstat_running.txt")) == {
        "max_rss": "44112K",
        "cpu_time": "00:00:00",
    }
    assert parse_sstat("") == {}
    # Seen before the first sample: no MaxRSS, and an AveCPU that is not a time.
    assert parse_sstat("164633.batch||213503982334-14:25:51\n") == {}
    assert parse_sstat("1.batch|2G|00:01:00\n1.0|900M|00:00:10\n")["max_rss"] == "2G"


def test_forgotten_job_detail_from_accounting() -> None:
    # Recorded by scripts/record-sacct-fixtures: sacct with history_argv().
    text = fixture_text("sacct/history.stdout")
    detail = detail_from_sacct(text, "124343")
    assert detail is not None
    assert detail.job.id == "124343"
    assert detail.job.state is JobState.FAILED
    assert (detail.job.exit_code, detail.job.exit_signal) == (3, 0)
    assert detail.job.name == "fixture: fails|with;odd,name"
    assert detail.fields[0] == ("JobID", "124343")
    assert dict(detail.fields)["State"] == "FAILED"
    assert detail.requested["time"] == "00:01:00"
    assert detail.used["exit_code"] == "3:0"
    assert detail.script is None
    assert detail.job.stdout_path == ""
    assert detail_from_sacct("", "1") is None
