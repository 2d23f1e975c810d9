"""Slurm's pending and hold reasons (squeue's %r, scontrol's Reason=) in words.

Slurm writes a code (``JobHeldUser``, ``QOSMaxJobsPerUserLimit``) or a sentence with its
spaces turned into underscores (``Nodes_required_for_job_are_DOWN,_DRAINED_or_...``).
"""

from __future__ import annotations

import re

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
