"""Slurm's commands as data: the argv of each operation, the environment they run in, and
the answers shared by the server's backend (scheduler.py) and the blocking one (blocking.py).
Nothing here runs a command.
"""

from __future__ import annotations

import os
import pwd
from collections.abc import Mapping, Sequence

from ...runner import CommandResult
from ..base import CommandFailed, HistoryQuery, HistoryResult, SubmitRequest, validate_job_id
from .parse import squeue_format
from .sacct import accounting_unavailable, parse_sacct, select

# What identifies Slurm on a machine.
SLURM_COMMANDS = ("squeue", "sbatch")


def slurm_environment(base: Mapping[str, str]) -> dict[str, str]:
    """The environment for Slurm commands: the user's own, minus what changes output formats.

    A user's SQUEUE_FORMAT, SQUEUE_USERS or SLURM_TIME_FORMAT=relative would otherwise change
    what squeue prints and break parsing, or silently filter the listing.
    """
    prefixes = ("SQUEUE_", "SINFO_", "SACCT_", "SCANCEL_", "SCONTROL_")
    env = {k: v for k, v in base.items() if not k.startswith(prefixes)}
    env["SLURM_TIME_FORMAT"] = "standard"
    return env


def history_result(result: CommandResult, query: HistoryQuery) -> HistoryResult:
    """The answer to a history query from sacct's outcome (shared by both backends)."""
    unavailable = accounting_unavailable(result.returncode, result.stderr)
    if unavailable is not None:
        return HistoryResult(False, unavailable)
    if not result.ok:
        raise CommandFailed(result.argv, result.returncode, result.message)
    return HistoryResult(True, "", select(parse_sacct(result.stdout), query.states, query.limit))


def listing_argv(user: str | None = None) -> list[str]:
    """squeue for the listing; --all shows hidden partitions too."""
    argv = ["squeue", "--all", "--noheader", "--Format", squeue_format()]
    return [*argv[:1], "--user", user, *argv[1:]] if user else argv


def process_user() -> str:
    return pwd.getpwuid(os.geteuid()).pw_name


def not_known_message(job_id: str) -> str:
    return (
        f"Slurm does not know job {job_id}: it never existed, or it ended more than "
        "MinJobAge seconds ago and slurmctld forgot it (and Slurm accounting, if the "
        "cluster keeps it, has no record of it either)."
    )


def detail_argv(job_id: str) -> list[str]:
    return ["scontrol", "show", "job", validate_job_id(job_id)]


def status_argv(job_id: str) -> list[str]:
    """One job's record for watchers: ``--local`` asks this cluster only, so scontrol sends
    one REQUEST_JOB_INFO_SINGLE and not a REQUEST_FED_INFO before it."""
    return ["scontrol", "--local", "show", "job", validate_job_id(job_id)]


def submit_argv(options: Sequence[str], *, test_only: bool = False) -> list[str]:
    return ["sbatch", "--parsable", *(["--test-only"] if test_only else []), *options]


def request_options(request: SubmitRequest) -> list[str]:
    """sbatch options for a scheduler-neutral SubmitRequest, then its native extras."""
    pairs = (
        ("--job-name", request.name),
        ("--partition", request.partition),
        ("--time", request.time_limit),
        ("--nodes", request.nodes),
        ("--cpus-per-task", request.cpus),
        ("--mem", request.memory),
        ("--gpus", request.gpus),
        ("--account", request.account),
        ("--output", request.output),
        ("--error", request.error),
        ("--qos", request.qos),
        ("--ntasks", request.ntasks),
        ("--gres", request.gres),
        ("--array", request.array),
        ("--dependency", request.dependency),
        ("--chdir", request.workdir),
        ("--mail-type", request.mail_type),
        ("--mail-user", request.mail_user),
    )
    # Always --flag=value, one argv word: a value can never be read as an option.
    options = [f"{flag}={value}" for flag, value in pairs if value is not None]
    if request.hold:
        options.append("--hold")
    return [*options, *request.extra]
