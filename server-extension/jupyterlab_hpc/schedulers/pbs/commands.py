"""What PBS's commands take and answer, shared by the server's backend (scheduler.py) and
the blocking one (blocking.py): job ids, the exit codes that concern single ids, qstat's
full-form argv, and how qsub's answers read. Nothing here runs a command.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from ...runner import CommandResult
from ..base import InvalidJobId
from .parse import array_parent_id, split_array_id

# What identifies PBS on a machine (pbsnodes is often there too, but not needed).
PBS_COMMANDS = ("qstat", "qsub")

# Exit codes (PBS error number modulo 256) that concern single ids, not the command.
UNKNOWN_JOB = 153  # PBSE_UNKJOBID
FINISHED_JOB = 35  # PBSE_HISTJOBID
UNKNOWN_QUEUE = 170  # PBSE_UNKQUE
UNKNOWN_RESOURCE = 187  # PBSE_UNKRESC: "qsub: Unknown resource: ngpus" (release recording 48)
BAD_OPTION = 2

# What qsub's terse messages mean, by exit code, for the person reading them (Torque
# numbers its errors differently: torque/commands.py).
QSUB_HINTS = {
    UNKNOWN_QUEUE: "the queue does not exist on this PBS server",
    UNKNOWN_RESOURCE: "this PBS server does not define that resource",
    BAD_OPTION: "qsub did not accept one of the options",
}

MAX_JOB_ID_LENGTH = 200
# 123, 123.server, 3[].server, 3[1].server, 3[2-9].server, 3[1-9:2].server. Nothing else
# reaches a command, so an id can never be read as an option or carry shell syntax.
_JOB_ID = re.compile(
    r"^[0-9]{1,12}"
    r"(\[([0-9]{1,9}(-[0-9]{1,9}(:[0-9]{1,9})?)?)?\])?"
    r"(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9][A-Za-z0-9-]{0,62}){0,8})?$"
)


def validate_pbs_job_id(value: object, system: str = "PBS") -> str:
    """The id if it is a PBS id (Torque's are the same); ``system`` names the batch
    system in the message."""
    if not isinstance(value, str) or len(value) > MAX_JOB_ID_LENGTH or not _JOB_ID.fullmatch(value):
        shown = repr(value)[:40]
        raise InvalidJobId(
            f"{shown} is not a valid {system} job id: use a number such as 123 or 123.server, "
            "an array such as 3[].server, a subjob such as 3[1].server or a range of "
            "subjobs such as 3[2-5].server."
        )
    return value


def is_subjob(job_id: str) -> bool:
    """``3[1]`` or ``3[2-5]`` (not the array ``3[]``)."""
    parts = split_array_id(job_id)
    return parts is not None and parts[1] != ""


def is_subjob_range(job_id: str) -> bool:
    parts = split_array_id(job_id)
    return parts is not None and "-" in parts[1]


def qdel_groups(job_ids: Sequence[str]) -> list[list[str]]:
    """The ids of one deletion, split into the qdel calls that carry them safely.

    The released OpenPBS 23.06.06 server crashes (SIGSEGV in ``req_deletejob``, fixed
    upstream after the release) when one qdel names a subjob or a subjob range
    (``3[1].pbs01``, ``3[2-5].pbs01``) together with any other id, in either order (see
    the shared recordings' release-23.06.06 README). So each subjob or range goes alone in
    its own call; plain jobs and whole arrays (``3[].pbs01``) go together in one call,
    first. Ids keep their order within the calls.
    """
    together = [j for j in job_ids if not is_subjob(j)]
    alone = [[j] for j in job_ids if is_subjob(j)]
    return ([together] if together else []) + alone


def split_qdel_args(args: Sequence[str]) -> tuple[list[str], list[str]]:
    """qdel's own argv (after ``qdel``) -> (options, job ids).

    qdel takes ``-W <value>`` (``-W force``, ``-Wsuppress_email=5``) and flags such as
    ``-x``; everything after ``--`` and every word not starting with ``-`` is a job id.
    """
    options: list[str] = []
    ids: list[str] = []
    it = iter(args)
    for arg in it:
        if arg == "--":
            options.append(arg)  # the ids after it are never read as options
            ids.extend(it)
        elif arg.startswith("-") and len(arg) > 1:
            options.append(arg)
            if arg == "-W":
                value = next(it, None)
                if value is not None:
                    options.append(value)
        else:
            ids.append(arg)
    return options, ids


def sequence_part(job_id: str) -> str:
    """``3[1].pbs01`` -> ``3[1]``: the id without its server."""
    return job_id.split(".", 1)[0]


def mentions(line: str, job_id: str) -> bool:
    """Whether an error line names this id (qstat and friends qualify short ids)."""
    for token in line.replace(",", " ").split():
        if token == job_id or token.startswith(job_id + "."):
            return True
        if "." not in token and token == sequence_part(job_id):
            return True
    return False


def strip_command(line: str) -> str:
    """``qdel: Unknown Job Id 9.pbs01`` -> ``Unknown Job Id 9.pbs01``."""
    head, sep, rest = line.partition(": ")
    return rest.strip() if sep and head in ("qdel", "qhold", "qrls", "qstat") else line.strip()


def owner_queries(job_ids: Sequence[str]) -> dict[str, str]:
    """Each id -> the id whose owner qstat is asked for: a subjob's or range's array."""
    return {j: array_parent_id(j) or j for j in job_ids}


def owners_by_id(queried: Mapping[str, str], owners: Mapping[str, str]) -> dict[str, str]:
    """Each id's owner, from qstat's owners of the asked ids (``queried``'s values),
    matched with or without the server part; ids qstat did not list are left out."""
    by_sequence = {sequence_part(k): v for k, v in owners.items()}
    out: dict[str, str] = {}
    for job_id, asked in queried.items():
        owner = owners.get(asked) or by_sequence.get(sequence_part(asked))
        if owner is not None:
            out[job_id] = owner
    return out


def qstat_argv(options: Sequence[str], as_json: bool) -> list[str]:
    """The full form of qstat (every attribute), as JSON when this qstat can."""
    return ["qstat", "-f", *(["-F", "json"] if as_json else []), *options]


# What a qsub that exits 0 without printing an id did (-z asks it to).
NO_ID_PRINTED = (
    "qsub took the job (exit code 0) but printed no job id: -z, on its command line or "
    "in the script's #PBS lines, asks it not to. Find the job with qstat."
)


# What qstat says on stderr, with exit code 0, when it is asked for finished jobs (-x)
# and the server keeps no job history (job_history_enable off, the OpenPBS default): the
# answer is then empty, even for a running job (release recordings 68 and 69).
NO_HISTORY = "PBS is not configured to maintain job history"


def history_kept(result: CommandResult) -> bool | None:
    """What one qstat answer says about the server's job history: False when it asked
    with ``-x`` and qstat said the server keeps none, True when it asked with ``-x`` and
    got an answer about jobs, None when it did not ask (or failed otherwise).

    Learnt afresh from every such answer, so an administrator switching
    ``job_history_enable`` with qmgr is noticed at the next one, without a restart."""
    if "-x" not in result.argv[1:]:
        return None
    if NO_HISTORY in result.stderr:
        return False
    return True if result.returncode in (0, UNKNOWN_JOB, FINISHED_JOB) else None


def parse_submitted_id(stdout: str) -> str:
    """qsub prints the new job's id (``10.pbs01``, an array ``11[].pbs01``) on one line."""
    text = stdout.strip()
    try:
        return validate_pbs_job_id(text.splitlines()[-1].strip() if text else "")
    except ValueError:
        raise ValueError(f"qsub did not print a job id: {text[:200]!r}") from None


def unknown_resource(result: CommandResult) -> str | None:
    """The resource qsub refused as unknown (``qsub: Unknown resource: ngpus``), or None."""
    if result.returncode != UNKNOWN_RESOURCE:
        return None
    match = re.search(r"Unknown resource: *([A-Za-z0-9_]+)", result.stderr)
    return match.group(1) if match else None


def qsub_message(result: CommandResult, hints: Mapping[int, str] = QSUB_HINTS) -> str:
    """qsub's first line (its usage text is left out), with what the code means."""
    lines = [ln.strip() for ln in result.stderr.splitlines() if ln.strip()]
    said = lines[0] if lines else result.message
    hint = hints.get(result.returncode)
    return f"{said} ({hint})" if hint else said
