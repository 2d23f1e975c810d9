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

from ..base import InvalidJobId
from ..pbs.commands import is_subjob_range, validate_pbs_job_id
from ..pbs.parse import split_array_id

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
