"""Which batch job hosts this server: read once from the server's environment at start.

batchspawner, Open OnDemand and ``sjupyter``-style scripts start the server inside a job,
so the batch system's variables are in its environment: ``SLURM_JOB_ID`` (and
``SLURM_STEP_ID`` when it runs in an ``srun`` step) on Slurm, ``PBS_JOBID`` on PBS and
Torque. ``HPCConfig.session_job`` overrides it: ``"auto"`` (the environment), ``"none"``
(never show a session job), or a job id.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Mapping
from dataclasses import dataclass

# A PBS or Torque id: 123.server, 123[4].server (a subjob), or a bare number.
_PBS_ID = re.compile(r"[0-9]{1,12}(\[[0-9]{1,9}\])?(\.[A-Za-z0-9][A-Za-z0-9.-]{0,200})?")
_SLURM_ID = re.compile(r"[0-9]{1,12}")
_SLURM_STEP = re.compile(r"[0-9]{1,9}|batch|extern|interactive")
_NODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,200}")


@dataclass(frozen=True)
class SessionJob:
    """The job this server runs in: ``family`` is ``slurm`` or ``pbs`` (PBS and Torque);
    ``step`` the Slurm step the server runs in (``batch`` when started by the script
    itself); ``node`` the host the server runs on."""

    job_id: str
    family: str
    step: str
    node: str


def family_of(kind: str) -> str:
    return "pbs" if kind in ("pbs", "torque") else kind


def valid_id(family: str, value: str) -> bool:
    if family == "pbs":
        return _PBS_ID.fullmatch(value) is not None
    # SLURM_JOB_ID is the job's own number, an array task's too (SLURM_ARRAY_JOB_ID and
    # SLURM_ARRAY_TASK_ID name the array).
    return _SLURM_ID.fullmatch(value) is not None


def session_job(
    env: Mapping[str, str], kind: str | None, setting: str = "auto"
) -> SessionJob | None:
    """The job this server runs in, or None: no batch system, none in the environment (or
    one of another batch system than the server's), an id that is not one, or ``none``."""
    if kind is None or setting == "none":
        return None
    family = family_of(kind)
    if setting != "auto":
        job_id = setting
    elif family == "slurm":
        job_id = env.get("SLURM_JOB_ID", "")
    elif family == "pbs":
        job_id = env.get("PBS_JOBID", "")
    else:
        return None
    if not job_id or not valid_id(family, job_id):
        return None
    step = ""
    if family == "slurm":
        step = env.get("SLURM_STEP_ID", "") if setting == "auto" else ""
        step = step if _SLURM_STEP.fullmatch(step) else "batch"
    node = env.get("SLURMD_NODENAME", "") if family == "slurm" else ""
    if not _NODE.fullmatch(node):
        node = socket.gethostname().split(".", 1)[0]
    return SessionJob(job_id, family, step, node)


def no_session_message(kind: str | None, setting: str) -> str:
    """Why there is no session job, in one sentence."""
    if kind is None:
        return "This server has no batch system, so it does not run in a batch job."
    if setting == "none":
        return "The site turned the session job off (c.HPCConfig.session_job = 'none')."
    if setting != "auto":
        return f"c.HPCConfig.session_job is not a job id of this batch system: {setting[:60]!r}."
    name = "PBS_JOBID" if family_of(kind) == "pbs" else "SLURM_JOB_ID"
    return f"This server does not run inside a batch job ({name} is not set)."
