"""Torque for blocking callers (the magics, the command line).

BlockingPBS with Torque's forms: jobs are read with ``qstat -f -x`` (XML, parsed by
parse.py into OpenPBS's attribute names, so rows and job records are BlockingPBS's),
and the form's fields become Torque's qsub options (``nodes=``, ``-t``, ``-d``).
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from ..base import CommandFailed, InvalidJobId, NotPermitted, SchedulerError, SubmitRequest
from ..pbs.blocking import BlockingPBS
from ..pbs.commands import FINISHED_JOB, UNKNOWN_JOB, validate_pbs_job_id
from ..pbs.parse import PBSParseError, QstatJobs
from ..pbs.submit import qsub_options
from .commands import hidden_job_message, subjob_range_argv, unauthorized_ids
from .parse import parse_qstat_xml


class BlockingTorque(BlockingPBS):
    kind = "torque"
    # -x is Torque's XML switch, always given; -t lists array subjobs. Torque's qstat
    # has none of OpenPBS's -J, -p or -E.
    listing_flags = frozenset({"-x", "-t"})

    def qstat(self, options: Sequence[str], *, per_id_errors: bool = False) -> QstatJobs:
        """``qstat -f -x <options>``. OpenPBS's ``-x`` (finished jobs too) is not needed:
        Torque lists a finished job (state C) until its keep_completed time has passed.
        With ``per_id_errors``, unknown ids are left out instead of failing the call.
        Another user's job, which Torque will not show (query_other_jobs off), is
        NotPermitted with a sentence."""
        argv = ["qstat", "-f", "-x", *[o for o in options if o != "-x"]]
        result = self.run(argv, check=False)
        hidden = [] if result.ok else unauthorized_ids(result.stderr)
        if hidden:
            raise NotPermitted(hidden_job_message(hidden), shlex.join(argv))
        tolerated = per_id_errors and result.returncode in (UNKNOWN_JOB, FINISHED_JOB)
        if not result.ok and not tolerated:
            raise CommandFailed(result.argv, result.returncode, result.message)
        try:
            return parse_qstat_xml(result.stdout)
        except PBSParseError as e:
            raise SchedulerError(str(e), shlex.join(argv)) from None

    def validate_job_id(self, value: object) -> str:
        return validate_pbs_job_id(value, "Torque")

    def cancel(self, job_id: str) -> None:
        """``qdel ID``; a range of subjobs (``7[3-4].host``) as ``qdel -t 3-4 7[].host``,
        the form Torque's qdel takes."""
        self.run(subjob_range_argv("qdel", job_id) or ["qdel", job_id])

    def action_argvs(self, command: str, args: Sequence[str]) -> list[list[str]]:
        """Job ids as given, except each range of subjobs (``7[3-4].host``, the listing's
        folded rows), which goes in a call of its own as ``-t 3-4 7[].host``. With an
        option among the arguments, the user wrote Torque's form: they go as given."""
        if any(a.startswith("-") for a in args):
            return [[command, *args]]
        plain: list[str] = []
        ranges: list[list[str]] = []
        for arg in args:
            try:
                argv = subjob_range_argv(command, arg)
            except InvalidJobId:
                argv = None  # not an id: the command says what it makes of it
            if argv is None:
                plain.append(arg)
            else:
                ranges.append(argv)
        return ([[command, *plain]] if plain else []) + ranges

    def submit_options(self, request: SubmitRequest) -> list[str]:
        return qsub_options(request, torque=True)

    def forgotten_message(self, job_id: str) -> str:
        return (
            f"Job {job_id} is no longer known to Torque: it keeps a finished job only for "
            "its keep_completed time (a few minutes on most sites) and keeps no history."
        )
