"""Torque for blocking callers (the magics, the command line).

BlockingPBS with Torque's forms: jobs are read with ``qstat -f -x`` (XML, parsed by
parse.py into OpenPBS's attribute names, so rows and job records are BlockingPBS's),
and the form's fields become Torque's qsub options (``nodes=``, ``-t``, ``-d``).
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from typing import Any

from ..base import (
    CommandFailed,
    InvalidJobId,
    Job,
    NotPermitted,
    Row,
    SchedulerError,
    SubmitRequest,
)
from ..cluster import ClusterSummary
from ..pbs.blocking import BlockingPBS
from ..pbs.commands import FINISHED_JOB, UNKNOWN_JOB, is_subjob_range, validate_pbs_job_id
from ..pbs.detail import to_job
from ..pbs.parse import (
    PBSParseError,
    QstatJobs,
    listing_rows,
    parse_full_text,
    split_array_id,
    to_int,
)
from ..pbs.submit import qsub_options
from .cluster import cluster_summary
from .commands import array_of, hidden_job_message, subjob_range_argv, unauthorized_ids
from .exits import apply_array_ending, torque_ending
from .parse import array_jobs, parse_qstat_xml


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

    def rows(self, jobs: Mapping[str, Mapping[str, Any]]) -> list[Row]:
        return listing_rows(jobs, torque_ending)

    def cluster(self) -> ClusterSummary:
        """``qstat -Q -f``, ``pbsnodes -a`` and ``qstat -B -f``: text, Torque has no JSON."""
        queues = parse_full_text(self.run(["qstat", "-Q", "-f"]).stdout)
        nodes: dict[str, dict[str, Any]] = {}
        if self.runner.has("pbsnodes"):
            result = self.run(["pbsnodes", "-a"], check=False)
            nodes = parse_full_text(result.stdout) if result.ok else {}
        server = parse_full_text(self.run(["qstat", "-B", "-f"]).stdout)
        default = next(
            (str(a["default_queue"]) for a in server.values() if a.get("default_queue")), None
        )
        return cluster_summary(queues, nodes, default)

    def job_detail(self, job_id: str) -> list[Job]:
        """The job's records: a plain job or one subjob as qstat shows it; an array
        (``7[].host``) its own record then its subjobs, which Torque gives in two answers
        (see commands.py); a range of subjobs (``7[2-4].host``) those subjobs."""
        self.validate_job_id(job_id)
        array = array_of(job_id)
        if array is None:
            # -t changes nothing for a job or one subjob (55), as on OpenPBS.
            jobs = self.qstat(["-t", job_id], per_id_errors=True).jobs
            return [to_job(i, a, torque_ending) for i, a in jobs.items()]
        subjobs = self.qstat(["-t", array], per_id_errors=True)
        if is_subjob_range(job_id):
            # Only the range's subjobs: the array's own state (running while any of its
            # subjobs runs) would hold a wait on the range up.
            return [
                to_job(i, a, torque_ending)
                for i, a in subjobs.jobs.items()
                if _in_range(job_id, to_int(a.get("array_index")))
            ]
        queue = self.qstat([array], per_id_errors=True)
        records = [
            to_job(i, a, torque_ending) for i, a in array_jobs(array, queue, subjobs).items()
        ]
        if records:
            apply_array_ending(records[0], records[1:])
        return records

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


def _in_range(job_id: str, index: int | None) -> bool:
    """Whether a subjob's index is in the id's range: ``7[2-4].host`` holds 2, 3 and 4,
    ``7[1-9:4]`` holds 1, 5 and 9."""
    parts = split_array_id(job_id)
    if parts is None or index is None:
        return False
    span, _, step = parts[1].partition(":")
    first, _, last = span.partition("-")
    start = int(first)
    return start <= index <= int(last or first) and (index - start) % max(int(step or 1), 1) == 0
