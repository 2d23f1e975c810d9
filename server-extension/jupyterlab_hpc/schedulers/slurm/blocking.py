"""Slurm for blocking callers (the magics, the command line): the argv and parsers of
commands.py and parse.py, run through ``CommandRunner.run_sync``."""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping, Sequence

from ...runner import CommandResult, CommandRunner
from ..base import (
    BlockingScheduler,
    CommandFailed,
    HistoryQuery,
    HistoryResult,
    Job,
    JobDetail,
    Row,
    SchedulerError,
    SubmitRequest,
    validate_job_id,
)
from ..blocking_run import run_checked
from ..cluster import ClusterSummary
from ..pending import FREE, PRIORITY, QOS, Explanation, PendingContext, free_in, rank_in
from .cluster import cluster_summary, partitions_argv, sinfo_nodes_argv
from .commands import (
    detail_argv,
    history_result,
    listing_argv,
    not_known_message,
    request_options,
    slurm_environment,
    submit_argv,
)
from .detail import parse_job_detail
from .parse import parse_sbatch_job_id, parse_scontrol_jobs, parse_squeue
from .pending import parse_qos, parse_sprio, pending_facts, qos_argv, sprio_argv
from .reasons import explain_pending, explains_with, reason_in_words
from .sacct import accounting_unavailable, history_argv, parse_sacct


class BlockingSlurm(BlockingScheduler):
    """Slurm through ``CommandRunner.run_sync``: the same argv and parsers as SlurmScheduler.

    The environment is read at each call, so a notebook's ``%env`` or module loads apply.
    """

    kind = "slurm"

    def __init__(self, runner: CommandRunner, env: Mapping[str, str] | None = None) -> None:
        self.runner = runner
        self._env = dict(env) if env is not None else None
        # Whether accounting answered for a job id (True: it did, and had no record or had).
        self._accounting_answered: dict[str, bool] = {}

    def environment(self) -> dict[str, str]:
        return slurm_environment(self._env if self._env is not None else os.environ)

    def run(
        self,
        argv: Sequence[str],
        *,
        check: bool = True,
        timeout: float | None = None,
        stdin: str | None = None,
        env: Mapping[str, str] | None = None,
        grace: float = 0.0,
    ) -> CommandResult:
        """Run one Slurm command; failures raise SchedulerError (CommandFailed on exit != 0)."""
        return run_checked(
            self.runner,
            argv,
            env=env if env is not None else self.environment(),
            check=check,
            timeout=timeout,
            stdin=stdin,
            grace=grace,
        )

    def submit(
        self,
        script: str,
        options: Sequence[str] = (),
        *,
        env: Mapping[str, str] | None = None,
    ) -> str:
        return self._submit(options, script, env)

    def submit_file(self, args: Sequence[str], *, env: Mapping[str, str] | None = None) -> str:
        """sbatch with its own arguments (a script path, or --wrap); the new job's id."""
        return self._submit(args, None, env)

    def _submit(
        self, options: Sequence[str], script: str | None, env: Mapping[str, str] | None
    ) -> str:
        argv = submit_argv(options)
        result = self.run(argv, stdin=script, env=env)
        try:
            return parse_sbatch_job_id(result.stdout)
        except ValueError as e:
            raise SchedulerError(str(e), shlex.join(argv)) from e

    def submit_options(self, request: SubmitRequest) -> list[str]:
        return request_options(request)

    def list_rows(self, user: str | None = None) -> list[Row]:
        return parse_squeue(self.run(listing_argv(user)).stdout)

    def job_detail(self, job_id: str) -> list[Job]:
        result = self.run(detail_argv(job_id), check=False)
        if not result.ok:
            if "Invalid job id" in result.message:
                return []
            raise CommandFailed(result.argv, result.returncode, result.message)
        return parse_scontrol_jobs(result.stdout)

    def cancel(self, job_id: str) -> None:
        self.run(["scancel", validate_job_id(job_id)])

    def history(self, query: HistoryQuery) -> HistoryResult:
        return history_result(self.run(history_argv(query), check=False), query)

    def accounting_records(self, job_id: str) -> list[Job]:
        """The job's records from accounting once slurmctld forgot it; [] without accounting
        or when accounting does not know the job either."""
        validate_job_id(job_id)
        query = HistoryQuery(start="1970-01-01T00:00:00", limit=1_000_000)
        argv = [*history_argv(query), f"--jobs={job_id}"]
        result = self.run(argv, check=False)
        if accounting_unavailable(result.returncode, result.stderr) is not None:
            self._accounting_answered[job_id] = False
            return []
        if not result.ok:
            if "Invalid job id" in result.message:
                self._accounting_answered[job_id] = True
                return []
            raise CommandFailed(result.argv, result.returncode, result.message)
        self._accounting_answered[job_id] = True
        return [r.job for r in parse_sacct(result.stdout)]

    def unknown_job_message(self, job_id: str) -> str:
        if self._accounting_answered.get(job_id):
            # Accounting keeps every job slurmctld ever took: a job it does not know never was.
            return (
                f"Slurm has no job {job_id}: it is not in the queue and Slurm accounting has "
                "no record of it. Check the id."
            )
        return not_known_message(job_id) + " Without accounting there is no telling which."

    def reason_in_words(self, reason: str) -> str:
        return reason_in_words(reason)

    def cluster(self) -> ClusterSummary:
        nodes = self.run(sinfo_nodes_argv()).stdout
        return cluster_summary(nodes, self.run(partitions_argv()).stdout)

    def pending_explanation(self, job: Job) -> Explanation:
        """``scontrol show job`` for the facts, then only what the reason needs: the
        cluster summary (Resources, Priority), sprio (Priority), sacctmgr and the user's
        running jobs (a QOS limit)."""
        result = self.run(detail_argv(job.id), check=False)
        detail = parse_job_detail(result.stdout, job.id) if result.ok else None
        facts = pending_facts(detail or JobDetail(job=job, fields=[]))
        needs = explains_with(facts.reason)
        free = None
        if FREE in needs:
            free = free_in(self.cluster(), facts.partition)
        rank = None
        if PRIORITY in needs:
            answer = self.run(sprio_argv(), check=False)
            rank = (
                rank_in(parse_sprio(answer.stdout), job.id, facts.partition) if answer.ok else None
            )
        qos, running = None, None
        if QOS in needs:
            qos = parse_qos(self.run(qos_argv(), check=False).stdout).get(facts.qos)
            mine = self.run(["squeue", "--me", "--noheader", "--states=RUNNING", "--format=%q"])
            running = sum(1 for q in mine.stdout.split() if q == facts.qos)
        return explain_pending(facts, PendingContext(free, running, qos, rank))

    def forgotten_message(self, job_id: str) -> str:
        return (
            f"Job {job_id} is no longer known to Slurm: slurmctld forgets a job MinJobAge "
            "seconds after it ends, and after that only Slurm accounting (sacct, which needs "
            "slurmdbd) knows its final state."
        )
