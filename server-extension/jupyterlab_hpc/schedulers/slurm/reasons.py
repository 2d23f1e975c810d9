"""Slurm's pending and hold reasons (squeue's %r, scontrol's Reason=) in words.

Slurm writes a code (``JobHeldUser``, ``QOSMaxJobsPerUserLimit``) or a sentence with its
spaces turned into underscores (``Nodes_required_for_job_are_DOWN,_DRAINED_or_...``).
"""

from __future__ import annotations

import re
from typing import Any

from ..pending import FREE, PRIORITY, QOS, Explanation, Free, PendingContext, PendingFacts
from .pending import waits_for

_WORDS = {
    "None": "",
    "Priority": "waiting for jobs of higher priority to start first",
    "Resources": "waiting for the resources it asked for to become free",
    "Dependency": "waiting for the jobs it depends on",
    "DependencyNeverSatisfied": (
        "its dependency can never be met (a job it depends on failed or was cancelled); cancel it"
    ),
    "BeginTime": "waiting for the start time it asked for (--begin)",
    "JobHeldUser": "held by its owner: release it to let it run",
    "JobHeldAdmin": "held by an administrator",
    "JobArrayTaskLimit": "the array's limit on tasks running at once (%N) is reached",
    "ReqNodeNotAvail": "a node it needs is not available (down, drained or reserved)",
    "NodeDown": "a node it needs is down",
    "PartitionDown": "its partition is down",
    "PartitionInactive": "its partition is inactive",
    "PartitionNodeLimit": "it asks for more nodes than its partition allows",
    "PartitionTimeLimit": "it asks for more time than its partition allows",
    "PartitionConfig": "it asks for something its partition does not have",
    "Reservation": "waiting for its reservation to start",
    "Licenses": "waiting for licenses",
    "BadConstraints": "no node has the features it asks for",
    "InvalidAccount": "its account is not valid: cancel it and submit with another account",
    "InvalidQOS": "its QOS is not valid: cancel it and submit with another QOS",
    "launch_failed_requeued_held": "it failed to start, was requeued and is held",
    "JobHoldMaxRequeue": "held after too many requeues",
    "WaitingForScheduling": "waiting for the scheduler to look at it",
    "Cleaning": "its nodes are being cleaned up after a previous run",
    "Prolog": "its prolog is running",
    "BurstBufferResources": "waiting for burst buffer resources",
    "BurstBufferStageIn": "its burst buffer is staging in",
    "TimeLimit": "it ran out of time",
    "NonZeroExitCode": "it ended with a non-zero exit code",
    "SystemFailure": "a system failure",
    "InactiveLimit": "its allocation was inactive for too long",
    "OutOfMemory": "it ran out of memory",
    "QOSMaxWallDurationPerJobLimit": "it asks for more time than your QOS allows per job",
    "AssocMaxWallDurationPerJobLimit": "it asks for more time than your account allows per job",
    "AssocGrpGRES": "your account's limit on GPUs or other generic resources is reached",
}

# AssocGrpCPUMinutesLimit, QOSMaxJobsPerUserLimit, AssocMaxWallDurationPerJobLimit ...
_LIMIT = re.compile(r"(Assoc|QOS)(Grp|Max)(?P<what>[A-Za-z]+?)(?P<min>RunMinutes|Minutes)?Limit")
_WHAT = {
    "Jobs": "running jobs",
    "JobsPerUser": "running jobs per user",
    "JobsPerAccount": "running jobs per account",
    "SubmitJobs": "jobs in the queue",
    "Cpu": "CPUs",
    "CPU": "CPUs",
    "CpuPerUser": "CPUs per user",
    "Mem": "memory",
    "MemPerUser": "memory per user",
    "Node": "nodes",
    "Nodes": "nodes",
    "NodePerUser": "nodes per user",
    "WallDurationPerJob": "time per job",
    "Wall": "run time",
    "Gres": "GPUs or other generic resources",
    "GRES": "GPUs or other generic resources",
}


_MINUTES_OF = {"Cpu": "CPU", "CPU": "CPU", "Mem": "memory", "Node": "node", "Gres": "GPU"}


def reason_in_words(reason: str) -> str:
    """A reason as a person reads it; unknown codes keep their text, underscores as spaces."""
    reason = reason.strip()
    if reason in _WORDS:
        return _WORDS[reason]
    if m := _LIMIT.fullmatch(reason):
        return f"{_limit_in_words(m)} ({reason})"
    if "_" in reason and " " not in reason:
        return reason.replace("_", " ")
    return reason


def _limit_in_words(m: re.Match[str]) -> str:
    owner = "your account's" if m.group(1) == "Assoc" else "your QOS's"
    what = m.group("what")
    if m.group("min") == "Minutes" and m.group(2) == "Grp":
        return f"{owner} allocation of {_MINUTES_OF.get(what, what)} minutes is used up"
    if m.group("min"):
        return f"{owner} limit on {_MINUTES_OF.get(what, what)} minutes of running jobs is reached"
    return f"{owner} limit on {_WHAT.get(what, what)} is reached"


# What the user can do, per reason (the limits' advice comes from _limit_advice).
_ADVICE = {
    "Resources": (
        "It starts when running jobs end; asking for fewer resources or a shorter time "
        "limit can let it start sooner."
    ),
    "Priority": (
        "Nothing to do: it moves up as jobs ahead of it start; a shorter time limit can "
        "let it fill a gap sooner."
    ),
    "Dependency": "It starts once the jobs it depends on end as it asked.",
    "DependencyNeverSatisfied": "Cancel it: it can never start.",
    "JobHeldUser": "Release it (Release in the queue panel, or scontrol release ID).",
    "JobHeldAdmin": "Ask your site's support why it is held.",
    "BeginTime": "It starts at the time it asked for, or later.",
    "ReqNodeNotAvail": "Ask for other nodes, or wait for the node to come back.",
    "PartitionTimeLimit": "Cancel it and submit with a time limit the partition allows.",
    "PartitionNodeLimit": "Cancel it and submit with fewer nodes.",
    "PartitionDown": "Wait for the partition to come back, or submit to another one.",
    "BadConstraints": "Cancel it and submit with features some node has.",
}


def explains_with(reason: str) -> frozenset[str]:
    """What explaining a reason needs besides the job's record."""
    if reason == "Priority":
        return frozenset({FREE, PRIORITY})
    if reason == "Resources":
        return frozenset({FREE})
    return frozenset({QOS}) if reason.startswith("QOS") else frozenset()


def explain_pending(facts: PendingFacts, context: PendingContext) -> Explanation:
    """A pending job's reason with the facts that make it concrete and what to do."""
    reason = facts.reason.strip() or "None"
    summary, advice = reason_in_words(reason), _ADVICE.get(reason, "")
    shown: dict[str, Any] = {}
    if reason in ("Resources", "Priority") and context.free is not None:
        summary, shown = _resources(reason, facts, context.free)
    if reason == "Priority" and context.rank is not None:
        place, count = context.rank
        summary += f" (rank {place} of {count} pending in {facts.partition})"
        shown.update(rank=place, pending_in_partition=count)
    elif reason in ("Dependency", "DependencyNeverSatisfied") and facts.dependency:
        ids = [job_id for _, job_id in waits_for(facts.dependency)]
        if reason == "Dependency" and ids:
            summary = f"waits for job {ids[0]}" if len(ids) == 1 else f"waits for jobs {_and(ids)}"
            shown = {"waits_for": ids}
    elif reason == "BeginTime" and facts.start_time:
        summary = f"waits for its start time ({facts.start_time})"
    elif m := _LIMIT.fullmatch(reason):
        summary, shown = _limit(m, facts, context)
        advice = _limit_advice(m)
    if reason == "JobHeldUser":
        summary = "held by you: it will not start until you release it"
    if not summary:
        summary = "waiting to be scheduled"
    return Explanation(
        facts.job_id,
        reason,
        summary[0].upper() + summary[1:],
        advice,
        # A held job has no start: StartTime then repeats the submit time or is Unknown.
        None if reason.startswith("JobHeld") else facts.start_time,
        shown,
    )


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _resources(reason: str, facts: PendingFacts, free: Free) -> tuple[str, dict[str, Any]]:
    """ "waiting for 4 GPUs on gpu; 2 are free now": the scarcest thing it asked for."""
    head = "waiting for" if reason == "Resources" else "behind jobs of higher priority for"
    shown: dict[str, Any] = {"partition": free.partition}
    if free.state != "up":
        return f"{head} resources on {free.partition}, which is {free.state}", shown
    if facts.gpus and free.gpus is not None:
        shown.update(gpus=facts.gpus, gpus_free=free.gpus)
        asked, now = _plural(facts.gpus, "GPU"), free.gpus
    elif facts.cpus and free.cpus is not None:
        shown.update(cpus=facts.cpus, cpus_free=free.cpus)
        asked, now = _plural(facts.cpus, "CPU"), free.cpus
    else:
        return f"{head} resources on {free.partition}", shown
    verb = "is" if now == 1 else "are"
    wanted = facts.gpus if "gpus" in shown else facts.cpus or 0
    if now >= wanted and free.as_of:
        # The shared summary is up to a minute old: what it saw then, with its time.
        were = "was" if now == 1 else "were"
        return f"{head} {asked} on {free.partition}; {now} {were} free at {free.as_of}", shown
    return f"{head} {asked} on {free.partition}; {now} {verb} free now", shown


def _limit(
    m: re.Match[str], facts: PendingFacts, context: PendingContext
) -> tuple[str, dict[str, Any]]:
    qos = context.qos
    what = m.group("what")
    if m.group(1) == "QOS" and what == "JobsPerUser" and m.group(2) == "Max":
        limit = qos.max_jobs_per_user if qos is not None else None
        running = context.running_in_qos
        if limit is not None and running is not None:
            return (
                f"you have {running} running in QOS {facts.qos}, the limit is {limit}",
                {"running": running, "limit": limit, "qos": facts.qos},
            )
    if m.group(1) == "QOS" and m.group("min") == "Minutes" and qos and qos.grp_tres_mins:
        words = _limit_in_words(m)
        return f"{words}: the limit is {qos.grp_tres_mins} (minutes)", {"limit": qos.grp_tres_mins}
    return reason_in_words(m.group(0)), {}


def _limit_advice(m: re.Match[str]) -> str:
    if m.group("min") == "Minutes" and m.group(2) == "Grp":
        if m.group(1) == "Assoc":
            return "Ask your project's PI or support for more, or submit with another account."
        return "Ask support for more, or submit with another QOS."
    if "Wall" in m.group("what"):
        return "Cancel it and submit with a shorter time limit."
    return "It starts when some of your running jobs end."
