"""Pending jobs explained, on outputs recorded from a throwaway Slurm that enforces QOS
and association limits, has GPUs as GRES and runs priority/multifactor
(scripts/record-pending-fixtures). The shared local cluster enforces the limits and has
GPUs too (test_pending_slurm.py meets them live), but runs priority/basic, so the
priority rank is met here only; the recordings also pin the words to fixed figures.
"""

from __future__ import annotations

import json

import pytest

from jupyterlab_hpc.schedulers.base import COLUMN_INDEX, JobState
from jupyterlab_hpc.schedulers.pending import Free, PendingContext, rank_in
from jupyterlab_hpc.schedulers.slurm.cluster import (
    cluster_summary,
    partitions_argv,
    sinfo_nodes_argv,
)
from jupyterlab_hpc.schedulers.slurm.commands import listing_argv
from jupyterlab_hpc.schedulers.slurm.detail import parse_job_detail
from jupyterlab_hpc.schedulers.slurm.parse import SqueueReader
from jupyterlab_hpc.schedulers.slurm.pending import (
    gpu_count,
    mebibytes,
    parse_qos,
    parse_sprio,
    pending_facts,
    qos_argv,
    sprio_argv,
    waits_for,
)
from jupyterlab_hpc.schedulers.slurm.reasons import explain_pending

from .conftest import FIXTURES

RECORDED = FIXTURES / "pending" / "slurm"


def recorded(name: str) -> str:
    return (RECORDED / f"{name}.stdout").read_text()


def facts_of(name: str):  # type: ignore[no-untyped-def]
    text = recorded(name)
    job_id = text.split()[0].removeprefix("JobId=")
    detail = parse_job_detail(text, job_id)
    assert detail is not None
    return pending_facts(detail)


def free_in(partition: str) -> Free:
    summary = cluster_summary(recorded("sinfo_nodes"), recorded("scontrol_partitions"))
    p = summary.partition(partition)
    assert p is not None
    return Free(
        p.name, p.definition.state, p.cpus.free, p.cpus.total, p.gpus.free, p.gpus.total, None
    )


def test_recordings_used_the_backends_argv() -> None:
    for name, argv in (
        ("sacctmgr_qos", qos_argv()),
        ("sprio", sprio_argv()),
        ("squeue", listing_argv()),
        ("sinfo_nodes", sinfo_nodes_argv()),
        ("scontrol_partitions", partitions_argv()),
    ):
        assert json.loads((RECORDED / f"{name}.argv").read_text()) == argv, name


def test_qos_max_jobs_per_user_says_how_many_run_and_the_limit() -> None:
    facts = facts_of("qos_limit_scontrol")
    assert (facts.reason, facts.qos, facts.start_time) == (
        "QOSMaxJobsPerUserLimit",
        "recpendingone",
        None,
    )
    limits = parse_qos(recorded("sacctmgr_qos"))
    assert limits["recpendingone"].max_jobs_per_user == 1
    assert limits["normal"].max_jobs_per_user is None
    rows = SqueueReader().parse(recorded("qos_limit_squeue"))
    running = sum(
        1
        for r in rows
        if r[COLUMN_INDEX["state"]] == JobState.RUNNING.value
        and r[COLUMN_INDEX["qos"]] == "recpendingone"
    )
    e = explain_pending(facts, PendingContext(None, running, limits["recpendingone"]))
    assert e.summary == "You have 1 running in QOS recpendingone, the limit is 1"
    assert e.advice == "It starts when some of your running jobs end."
    assert e.facts == {"running": 1, "limit": 1, "qos": "recpendingone"}
    # Without the limit known (no accounting), the reason in words.
    bare = explain_pending(facts, PendingContext())
    assert bare.summary == (
        "Your QOS's limit on running jobs per user is reached (QOSMaxJobsPerUserLimit)"
    )


def test_an_accounts_cpu_minutes_used_up() -> None:
    facts = facts_of("assoc_minutes_scontrol")
    assert (facts.reason, facts.account) == ("AssocGrpCPUMinutesLimit", "recpendused")
    e = explain_pending(facts, PendingContext())
    assert e.summary == (
        "Your account's allocation of CPU minutes is used up (AssocGrpCPUMinutesLimit)"
    )
    assert e.advice.startswith("Ask your project's PI or support for more")
    assert e.expected_start is None


def test_waiting_for_gpus_with_what_is_free_and_a_start() -> None:
    facts = facts_of("gpus_scontrol")
    assert (facts.reason, facts.gpus, facts.cpus, facts.partition) == ("Resources", 4, 1, "gpu")
    free = free_in("gpu")
    assert (free.gpus, free.gpus_total) == (2, 4)
    e = explain_pending(facts, PendingContext(free))
    assert e.summary == "Waiting for 4 GPUs on gpu; 2 are free now"
    assert e.expected_start == "2026-12-04T22:40:04"
    assert e.facts == {"partition": "gpu", "gpus": 4, "gpus_free": 2}
    # A summary that saw enough free (it is shared and up to a minute old) says when.
    seen = Free("gpu", "up", 3, 8, 4, 4, None, "14:05:09")
    later = explain_pending(facts, PendingContext(seen))
    assert later.summary == "Waiting for 4 GPUs on gpu; 4 were free at 14:05:09"
    short = Free("gpu", "up", 3, 8, 2, 4, None, "14:05:09")
    assert explain_pending(facts, PendingContext(short)).summary.endswith("2 are free now")


def test_priority_with_its_rank_in_the_partition() -> None:
    priorities = parse_sprio(recorded("sprio"))
    assert ("8", "cpu", 1375) in priorities
    facts = facts_of("priority_1_scontrol")
    assert (facts.job_id, facts.reason, facts.priority) == ("8", "Priority", 1375)
    rank = rank_in(priorities, "8", "cpu")
    # 3 CPUs are free, but jobs 7 and 6 (priority 1500 and 1437) go first.
    assert rank == (3, 6)  # 1500 and 1437 ahead; 2, 3 and 9 (1312) behind; 5 is on gpu
    e = explain_pending(facts, PendingContext(free_in("cpu"), rank=rank))
    assert e.summary == (
        "Behind jobs of higher priority for 2 CPUs on cpu; 3 are free now "
        "(rank 3 of 6 pending in cpu)"
    )
    assert e.expected_start == "2026-12-04T23:40:00"
    assert rank_in(priorities, "8", "gpu") is None
    assert rank_in(None, "8", "cpu") is None
    # Ties share the better place.
    assert rank_in(priorities, "9", "cpu") == (4, 6)


@pytest.mark.parametrize(
    ("text", "gpus"),
    [
        ("gres:gpu:4", 4),
        ("gres/gpu:a100=2", 2),
        ("gpu:2", 2),
        ("gres:gpu:a100:3,gres:nic:1", 3),
        ("", 0),
    ],
)
def test_gpu_counts(text: str, gpus: int) -> None:
    assert gpu_count(text) == gpus


def test_sizes_and_dependencies() -> None:
    assert mebibytes("12052M") == 12052
    assert mebibytes("4G") == 4096
    assert mebibytes("2000") == 2000
    assert mebibytes("lots") is None
    assert waits_for("afterok:12(unfulfilled),afterany:13(failed)") == [("afterok", "12")]
    assert waits_for("afterok:12:14+5(unfulfilled)") == [("afterok", "12"), ("afterok", "14")]
    assert waits_for("singleton(unfulfilled)") == []
