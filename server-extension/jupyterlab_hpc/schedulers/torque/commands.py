"""What Torque's qdel, qhold and qrls take for array subjobs, shared by the server's backend
(scheduler.py) and the blocking one (blocking.py). Nothing here runs a command.

- One subjob (``7[3].host``) is an id like any other: qdel, qhold and qrls all take it
  (Torque 6.1: ``qhold 7[2].torque01`` exits 0 and holds only that subjob).
- A range of subjobs in the id (``7[3-4].host``) is refused by qdel (``illegally formed
  job identifier``, exit 1); Torque's form is ``qdel -t 3-4 7[].host``, and qhold and
  qrls take the same ``-t``. Its array request is ranges and comma lists, no step, so the
  listing's ``1-9:2`` rows become ``1,3,5,7,9``.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..base import InvalidJobId
from ..pbs.commands import is_subjob_range, mentions, validate_pbs_job_id
from ..pbs.parse import split_array_id

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
