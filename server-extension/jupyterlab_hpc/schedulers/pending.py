"""Why a job waits, in words every batch system maps into (issue 19).

A backend reads one pending job's record (``PendingFacts``: its reason, expected start
and what it asked for) from the per-job query it already has (``Scheduler.job_status``);
``PendingContext`` holds the facts around it that make the reason concrete (what is free
in its partition now, how many of the user's jobs run in its QOS and the QOS's limits);
the backend's ``explain_pending`` turns both into an ``Explanation``. Pure: nothing here
runs a command.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .cluster import ClusterSummary


@dataclass(frozen=True)
class PendingFacts:
    """One pending job as its batch system describes it.

    ``reason`` is the batch system's own code or text (Slurm's ``Resources``, PBS's
    comment); ``start_time`` the expected start when it gives one; the requested amounts
    are None when not said.
    """

    job_id: str
    reason: str
    start_time: str | None = None
    partition: str = ""
    qos: str = ""
    account: str = ""
    cpus: int | None = None
    nodes: int | None = None
    gpus: int = 0
    memory_mb: int | None = None
    dependency: str = ""
    priority: int | None = None


@dataclass(frozen=True)
class QosLimits:
    """A QOS's limits as the accounting gives them; None or empty = not set."""

    name: str
    max_jobs_per_user: int | None = None
    max_submit_per_user: int | None = None
    grp_tres_mins: str = ""
    max_tres_per_user: str = ""


@dataclass(frozen=True)
class Free:
    """What is free now in a partition (from the cluster summary); None = not reported."""

    partition: str
    state: str
    cpus: int | None
    cpus_total: int
    gpus: int | None
    gpus_total: int
    memory_mb: int | None
    # When the summary was taken ("14:05:09"), for a summary shared and kept a while;
    # None for one taken just now.
    as_of: str | None = None


@dataclass(frozen=True)
class PendingContext:
    """``rank``: (place, how many) of the job among its partition's pending jobs by
    priority, 1 the highest, where the site shows priorities."""

    free: Free | None = None
    running_in_qos: int | None = None
    qos: QosLimits | None = None
    rank: tuple[int, int] | None = None


# What explaining a reason may need besides the job's record.
FREE, QOS, PRIORITY = "free", "qos", "priority"


@dataclass(frozen=True)
class Explanation:
    """``summary``: the reason with its facts in one sentence; ``advice``: what the user
    can do (empty when nothing); ``expected_start`` as the batch system gives it."""

    job_id: str
    reason: str
    summary: str
    advice: str = ""
    expected_start: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "reason": self.reason,
            "summary": self.summary,
            "advice": self.advice,
            "expected_start": self.expected_start,
            "facts": dict(self.facts),
        }


def rank_in(
    priorities: list[tuple[str, str, int]] | None, job_id: str, partition: str
) -> tuple[int, int] | None:
    """(place, how many) of ``job_id`` among the pending jobs of ``partition`` by
    priority, 1 the highest (ties share the better place); None when not listed."""
    if priorities is None:
        return None
    mine = next((p for j, part, p in priorities if j == job_id and part == partition), None)
    if mine is None:
        return None
    here = [p for _, part, p in priorities if part == partition]
    return 1 + sum(1 for p in here if p > mine), len(here)


def free_in(
    summary: ClusterSummary | None, partition: str, as_of: str | None = None
) -> Free | None:
    """What is free now in a partition of the cluster summary; None when not listed."""
    p = summary.partition(partition) if summary is not None else None
    if p is None:
        return None
    memory = p.memory.free if p.memory is not None else None
    return Free(
        p.name,
        p.definition.state,
        p.cpus.free,
        p.cpus.total,
        p.gpus.free,
        p.gpus.total,
        memory,
        as_of,
    )
