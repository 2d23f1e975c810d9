"""``jupyter hpc submit`` and ``jupyter hpc cancel``, through the server's own backends."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence

from ..schedulers.base import ActionResult, InvalidJobId, SchedulerError
from ..services import HPCServices


class UsageProblem(ValueError):
    """The command line asks for something impossible (exit code 2)."""


def submit(services: HPCServices, script: str, options: Sequence[str]) -> str:
    """Submit the script file with the batch system's own options; the new job's id.

    The script is given by path, as typing ``sbatch`` / ``qsub`` would, so the job gets
    the file's name and the submitting environment. A rejection raises CommandFailed.
    """
    if services.scheduler is None:
        raise SchedulerError(services.no_scheduler_message)
    if not os.path.isfile(script):
        raise UsageProblem(f"{script}: there is no such file to submit.")
    if not os.access(script, os.R_OK):
        raise UsageProblem(f"{script}: the file cannot be read.")
    if script.startswith("-"):
        script = os.path.join(".", script)  # never read as an option
    blocking = services.scheduler.blocking()
    return blocking.submit_file([*options, script], env=dict(os.environ))


def cancel(services: HPCServices, job_ids: Sequence[str]) -> list[ActionResult]:
    """Cancel the user's own jobs; others' and unknown ones are refused, as in the panel."""
    sched = services.scheduler
    if sched is None:
        raise SchedulerError(services.no_scheduler_message)
    try:
        ids = [sched.validate_job_id(j) for j in job_ids]
    except InvalidJobId as e:
        raise UsageProblem(str(e)) from None
    return asyncio.run(services.act("cancel", list(dict.fromkeys(ids))))
