"""What Torque's qdel, qhold and qrls take for array subjobs, shared by the server's backend
(scheduler.py) and the blocking one (blocking.py). Nothing here runs a command.

- One subjob (``7[3].host``) is an id like any other: qdel, qhold and qrls all take it
  (Torque 6.1: ``qhold 7[2].torque01`` exits 0 and holds only that subjob).
- A range of subjobs in the id (``7[3-4].host``) is refused by qdel (``illegally formed
  job identifier``, exit 1); Torque's form is ``qdel -t 3-4 7[].host``, and qhold and
  qrls take the same ``-t``. Its array request is ranges and comma lists, no step, so the
  listing's ``1-9:2`` rows become ``1,3,5,7,9``.
- qstat never shows an array's own record (``7[].host``) with ``-t``: ``qstat -f -x -t
  7[].host`` lists only its subjobs; without ``-t`` the array's id lists every job in the
  queue, the array's record among them (recordings 52 and 53).
- Exit codes are Torque's error numbers modulo 256, numbered differently from OpenPBS's
  (``src/include/pbs_error_db.h``): qsub's unknown queue is 172, where OpenPBS says 170
  (Torque's 170 is "Request invalid for state of job").
"""

from __future__ import annotations

from collections.abc import Sequence

from ..base import InvalidJobId
from ..pbs.commands import BAD_OPTION, is_subjob, is_subjob_range, mentions, validate_pbs_job_id
from ..pbs.parse import array_parent_id, split_array_id

# What qsub's exit codes mean on Torque (PBSE_* - 15000, modulo 256), for the person
# reading its terse message (recordings 24, 80-85).
TORQUE_QSUB_HINTS: dict[int, str] = {
    BAD_OPTION: "qsub did not accept one of the options",
    168: "a resource or option has a value Torque does not accept",  # PBSE_BADATVAL
    172: "the queue does not exist on this Torque server",  # PBSE_UNKQUE
    175: "the queue is not enabled",  # PBSE_QUNOENB
    176: "you may not submit to this queue",  # PBSE_QACESS
    189: "this Torque server has no such resource",  # PBSE_UNKRESC
    190: "the job asks for more than the queue or its nodes can give",  # PBSE_EXCQRESC
    191: "the server has no default queue: name one",  # PBSE_QUENODFLT
    200: "the queue holds as many jobs as it may",  # PBSE_MAXQUED
    203: "the account is not valid",  # PBSE_BADACCT
    208: "the job dependency is not valid",  # PBSE_BADDEPEND
    228: "you have as many jobs in this queue as you may",  # PBSE_MAXUSERQUED
    235: "Torque's array requests are ranges and lists without a step (1-10, 1,3,5-7), "
    "with an optional slot limit (%2)",  # PBSE_BAD_ARRAY_REQ
}

# Another user's job while the server's query_other_jobs is off (its default): qstat exits
# 159 (PBSE_PERM 15007 modulo 256) with "qstat: Unauthorized Request  19.torque01" (98b).
NOT_PERMITTED = 159
_UNAUTHORIZED = "Unauthorized Request"

# A stepped range is written out index by index; a longer list is refused.
MAX_STEPPED_INDICES = 10_000


def array_request(indices: str) -> str:
    """A validated id's range (``3-4``, ``1-9:2``) as Torque's ``-t`` value
    (``3-4``, ``1,3,5,7,9``)."""
    span, _, step_text = indices.partition(":")
    first_text, _, last_text = span.partition("-")
    step = int(step_text) if step_text else 1
    if step <= 1:
        return span
    first, last = int(first_text), int(last_text)
    if (last - first) // step + 1 > MAX_STEPPED_INDICES:
        raise InvalidJobId(
            f"Torque takes subjob ranges without a step: {indices} is too many subjobs to "
            f"list one by one (at most {MAX_STEPPED_INDICES})."
        )
    return ",".join(str(i) for i in range(first, last + 1, step))


def subjob_range_argv(command: str, job_id: str) -> list[str] | None:
    """``qdel 7[3-4].host`` in Torque's form, ``qdel -t 3-4 7[].host``; None when the id
    is no range of subjobs (it then goes to the command as it is)."""
    validate_pbs_job_id(job_id)
    parts = split_array_id(job_id)
    if parts is None or not is_subjob_range(job_id):
        return None
    number, indices, suffix = parts
    return [command, "-t", array_request(indices), f"{number}[]{suffix}"]


def unauthorized_ids(stderr: str) -> list[str]:
    """The ids of qstat's ``Unauthorized Request  19.torque01`` lines, as qstat wrote them."""
    ids: list[str] = []
    for line in stderr.splitlines():
        _, found, rest = line.partition(_UNAUTHORIZED)
        if found and rest.split():
            ids.append(rest.split()[-1])
    return ids


def refused_ids(stderr: str, asked: Sequence[str]) -> list[str]:
    """The asked ids qstat would not show (another user's jobs), in the order asked."""
    lines = [ln for ln in stderr.splitlines() if _UNAUTHORIZED in ln]
    return [j for j in asked if any(mentions(ln, j) for ln in lines)]


def hidden_job_message(job_ids: Sequence[str]) -> str:
    """Why Torque will not show these jobs, in a sentence (``query_other_jobs`` off)."""
    if len(job_ids) == 1:
        which = f"job {job_ids[0]} to you: it is another user's job"
    else:
        which = f"jobs {', '.join(job_ids)} to you: they are other users' jobs"
    return (
        f"Torque does not show {which}, and this Torque server shows each user only their "
        "own jobs (its query_other_jobs setting is off)."
    )


def array_of(job_id: str) -> str | None:
    """The array whose detail a validated id stands for: ``7[].host`` itself, and a range
    of subjobs (``7[3-4].host``, a folded row of the listing) its array; None for a plain
    job or one subjob, which qstat shows as they are."""
    parts = split_array_id(job_id)
    if parts is None:
        return None
    if not is_subjob(job_id):
        return job_id
    return array_parent_id(job_id) if is_subjob_range(job_id) else None
