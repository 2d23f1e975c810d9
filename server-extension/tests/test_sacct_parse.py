"""The sacct parser on real outputs recorded from the local cluster
(scripts/record-sacct-fixtures; the jobs are listed in fixtures/sacct/history.jobs)."""

from __future__ import annotations

import pytest

from jupyterlab_hpc.runner import CommandResult
from jupyterlab_hpc.schedulers.base import CommandFailed, HistoryQuery, JobState
from jupyterlab_hpc.schedulers.slurm.commands import history_result
from jupyterlab_hpc.schedulers.slurm.parse import SEP
from jupyterlab_hpc.schedulers.slurm.sacct import (
    SACCT_FIELDS,
    accounting_unavailable,
    history_argv,
    parse_cpu_time,
    parse_exit_code,
    parse_sacct,
    requested_memory,
    select,
    size_bytes,
)

from .conftest import fixture_text

JOBS = dict(line.split() for line in fixture_text("sacct/history.jobs").splitlines())


def recorded() -> dict[str, object]:
    return {r.job.id: r for r in parse_sacct(fixture_text("sacct/history.stdout"))}


def test_one_record_per_allocation_in_sacct_order() -> None:
    ids = list(recorded())
    array = JOBS["array"]
    assert sorted(ids) == sorted(
        [JOBS[k] for k in ("completed", "failed", "cancelled", "timeout", "steps", "memory")]
        + [f"{array}_1", f"{array}_2"]
    )


def test_states_exit_codes_and_signals() -> None:
    records = {r.job.id: r.job for r in parse_sacct(fixture_text("sacct/history.stdout"))}
    done = records[JOBS["completed"]]
    assert (done.state, done.raw_state, done.exit_code, done.exit_signal) == (
        JobState.COMPLETED,
        "COMPLETED",
        0,
        0,
    )
    failed = records[JOBS["failed"]]
    assert (failed.state, failed.exit_code) == (JobState.FAILED, 3)
    # A name holding |, ; and , parses whole: the delimiter is the unit separator.
    assert failed.name == "fixture: fails|with;odd,name"
    cancelled = records[JOBS["cancelled"]]
    assert cancelled.state is JobState.CANCELLED
    assert cancelled.raw_state == "CANCELLED by 0"
    timeout = records[JOBS["timeout"]]
    assert (timeout.state, timeout.raw_state) == (JobState.TIMEOUT, "TIMEOUT")
    assert timeout.time_used is not None
    assert timeout.time_used >= 60
    assert timeout.time_limit == 60
    task = records[f"{JOBS['array']}_2"]
    assert (task.array_job_id, task.array_task_id, task.exit_code) == (JOBS["array"], "2", 2)
    assert task.state is JobState.FAILED


def test_usage_elapsed_cpu_efficiency_and_max_rss() -> None:
    records = {r.job.id: r for r in parse_sacct(fixture_text("sacct/history.stdout"))}
    done = records[JOBS["completed"]]
    assert done.elapsed == 8
    assert done.total_cpu == 6  # 00:06.431
    assert done.cpu_efficiency == round(6.431 / 8, 4)
    assert done.max_rss == "4364K"  # from the .batch step
    steps = records[JOBS["steps"]]
    assert steps.max_rss == "10364K"  # the largest of batch, .0 and .1
    job = done.job
    assert (job.user, job.account, job.partition, job.qos) == ("root", "root", "debug", "normal")
    assert (job.nodes, job.cpus, job.memory, job.nodelist) == (1, 1, "12052M", "vm")
    assert job.submit_time == "2026-12-04T21:33:30"
    assert job.end_time == "2026-12-04T21:33:50"
    assert job.work_dir.startswith("/tmp/")
    assert job.reason == ""
    as_dict = done.to_dict()
    assert as_dict["state"] == "completed"
    assert as_dict["cpu_efficiency"] == done.cpu_efficiency


def test_usage_for_right_sizing() -> None:
    """The job that held 200 MiB with 1 GiB asked: the figures the frontend right-sizes."""
    records = {r.job.id: r for r in parse_sacct(fixture_text("sacct/history.stdout"))}
    usage = records[JOBS["memory"]].usage
    assert usage is not None
    assert usage.ended
    assert (usage.memory_requested, usage.memory_per) == (1 << 30, "job")
    assert usage.max_rss == 214600 * 1024  # the .batch step's MaxRSS
    assert 200 << 20 < usage.max_rss < 260 << 20
    assert usage.rss_tasks_per_node == 1
    assert (usage.elapsed, usage.time_limit, usage.cpus, usage.nodes) == (12, 60, 1, 1)
    assert usage.total_cpu == 0.108
    assert records[JOBS["memory"]].to_dict()["usage"]["max_rss"] == usage.max_rss
    # The job asked nothing explicitly: the partition's default (12052M) is its request.
    done = records[JOBS["completed"]].usage
    assert done is not None
    assert (done.memory_requested, done.memory_per) == (12052 << 20, "job")
    # A job cancelled while pending ran no step: no peak, not ended with usage.
    cancelled = records[JOBS["cancelled"]].usage
    assert cancelled is not None
    assert cancelled.max_rss is None
    assert cancelled.elapsed == 0


def test_requested_memory_per_job_node_and_cpu() -> None:
    assert requested_memory("1000M") == (1000 << 20, "job")  # Slurm 21.08 and later
    assert requested_memory("4000Mn") == (4000 << 20, "node")  # older: per node
    assert requested_memory("2Gc") == (2 << 30, "cpu")  # older: per CPU
    assert requested_memory("512") == (512 << 20, "job")  # bare: megabytes
    assert requested_memory("1.5G") == (3 << 29, "job")
    assert requested_memory("0") == (None, "")
    assert requested_memory("0n") == (None, "")
    assert requested_memory("") == (None, "")
    assert requested_memory("lots") == (None, "")


def test_tasks_per_node_of_the_peak_step() -> None:
    """A step of 4 tasks on 2 nodes with the largest MaxRSS: 2 tasks per node."""
    f = list(SACCT_FIELDS)

    def line(**values: str) -> str:
        return SEP.join(values.get(name, "") for name in f)

    text = "\n".join(
        [
            line(
                JobID="7",
                State="COMPLETED",
                ReqMem="8G",
                NNodes="2",
                AllocCPUS="4",
                ElapsedRaw="100",
                TotalCPU="01:00",
                Timelimit="00:10:00",
                JobName="mpi",
            ),
            line(JobID="7.batch", MaxRSS="1000K", NNodes="1", NTasks="1", JobName="batch"),
            line(JobID="7.0", MaxRSS="3G", NNodes="2", NTasks="4", JobName="app"),
        ]
    )
    (record,) = parse_sacct(text)
    assert record.usage is not None
    assert (record.usage.max_rss, record.usage.rss_tasks_per_node) == (3 << 30, 2)
    assert (record.usage.nodes, record.usage.memory_requested) == (2, 8 << 30)


def test_select_filters_by_final_state_newest_first_and_limits() -> None:
    records = parse_sacct(fixture_text("sacct/history.stdout"))
    failed = select(records, (JobState.FAILED,), 100)
    assert {r.job.state for r in failed} == {JobState.FAILED}
    assert len(failed) == 3
    newest = select(records, (), 2)
    # Submitted in the same second: the larger job number first.
    assert [r.job.id for r in newest] == [JOBS["memory"], JOBS["steps"]]


def test_history_argv() -> None:
    query = HistoryQuery(
        start="2026-11-01T00:00:00",
        end="2026-11-02T00:00:00",
        user="alice",
        states=(JobState.FAILED, JobState.TIMEOUT),
    )
    argv = history_argv(query)
    assert argv[:4] == ["sacct", "--noheader", "--parsable2", f"--delimiter={SEP}"]
    assert f"--format={','.join(SACCT_FIELDS)}" in argv
    assert "--starttime=2026-11-01T00:00:00" in argv
    assert "--endtime=2026-11-02T00:00:00" in argv
    assert "--user=alice" in argv
    assert "--state=BOOT_FAIL,DEADLINE,FAILED,NODE_FAIL,OUT_OF_MEMORY,TIMEOUT" in argv
    everyone = history_argv(HistoryQuery(start="2026-11-01"))
    assert "--allusers" in everyone
    assert "--endtime=now" in everyone
    assert not any(a.startswith("--state") for a in everyone)


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("noacct", "does not keep"),  # recorded before accounting was switched on
        ("disabled", "does not keep"),
        ("dbd_down", "not answering"),
    ],
)
def test_no_accounting_is_a_sentence(name: str, words: str) -> None:
    rc = int(fixture_text(f"sacct/{name}.rc"))
    stderr = fixture_text(f"sacct/{name}.stderr")
    assert rc != 0
    message = accounting_unavailable(rc, stderr)
    assert message is not None
    assert words in message
    result = history_result(
        CommandResult(("sacct",), rc, fixture_text(f"sacct/{name}.stdout"), stderr, 0.1),
        HistoryQuery(start="2026-11-01"),
    )
    assert result.available is False
    assert result.message == message
    assert result.records == []


def test_other_failures_raise() -> None:
    assert accounting_unavailable(0, "") is None
    assert accounting_unavailable(1, "sacct: error: Invalid user: nobody2") is None
    with pytest.raises(CommandFailed):
        history_result(
            CommandResult(("sacct",), 1, "", "sacct: error: Invalid user id\n", 0.1),
            HistoryQuery(start="2026-11-01"),
        )


def test_small_parsers() -> None:
    assert parse_cpu_time("00:02.744") == pytest.approx(2.744)
    assert parse_cpu_time("01:02:03") == 3723
    assert parse_cpu_time("2-01:00:00") == 2 * 86400 + 3600
    assert parse_cpu_time("") is None
    assert parse_exit_code("2:0") == (2, 0)
    assert parse_exit_code("0:15") == (0, 15)
    assert parse_exit_code("") == (None, None)
    assert size_bytes("4304K") == 4304 * 1024
    assert size_bytes("1.5G") == 1.5 * (1 << 30)
    assert size_bytes("") is None
    # Lines that are not records (a truncated one, an empty one) are skipped.
    assert parse_sacct("\n162488\x1froot\n") == []
