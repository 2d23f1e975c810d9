"""Slurm for the server: the argv of commands.py run through the async runner, parsed by
parse.py, detail.py and sacct.py. ``blocking()`` hands the magics and the CLI blocking.py."""

from __future__ import annotations

import asyncio
import os
import shlex
from collections.abc import Mapping, Sequence

from ...runner import CommandNotFound, CommandResult, CommandRunner, CommandTimeout
from ..base import (
    FINAL_STATES,
    ActionResult,
    CommandFailed,
    HistoryQuery,
    HistoryResult,
    JobAction,
    JobDetail,
    JobNotFound,
    JobState,
    Partition,
    Row,
    Scheduler,
    SchedulerError,
    SubmitRequest,
    SubmitResult,
    base_job_id,
    validate_job_id,
)
from ..cluster import ClusterSummary
from ..pending import Explanation, PendingContext, PendingFacts, QosLimits
from ..share import AccountShare
from .blocking import BlockingSlurm
from .cluster import cluster_summary, partitions_argv, sinfo_nodes_argv
from .commands import (
    history_result,
    listing_argv,
    not_known_message,
    process_user,
    request_options,
    slurm_environment,
    status_argv,
    submit_argv,
)
from .detail import (
    SSTAT_FORMAT,
    batch_script,
    detail_from_sacct,
    parse_job_detail,
    parse_sstat,
    parse_test_only,
    rejection_message,
    usage_from_sacct,
)
from .parse import (
    SINFO_FORMAT,
    SqueueReader,
    owner_format,
    parse_cluster_name,
    parse_owners,
    parse_sbatch_job_id,
    parse_sinfo,
    parse_version,
)
from .pending import parse_qos, parse_sprio, pending_facts, qos_argv, sprio_argv
from .reasons import explain_pending, explains_with
from .sacct import history_argv
from .share import parse_sshare, sshare_argv

_ACTION_ARGV: dict[str, list[str]] = {
    "cancel": ["scancel"],
    # A user hold, which the owner can release; a plain "hold" run by an admin (or by a
    # server running as root) would set an admin hold the owner could not undo.
    "hold": ["scontrol", "uhold"],
    "release": ["scontrol", "release"],
}


class SlurmScheduler(Scheduler):
    kind = "slurm"

    def __init__(self, runner: CommandRunner, env: Mapping[str, str] | None = None) -> None:
        self.runner = runner
        self._base_env = dict(env) if env is not None else None
        self.env = slurm_environment(env if env is not None else os.environ)
        self._reader = SqueueReader()
        self._no_sprio = False

    def job_environment(self) -> dict[str, str]:
        """What a submitted job inherits: the server's environment now (so modules loaded
        into the server apply, as in a new terminal), minus the Jupyter server's own."""
        base = self._base_env if self._base_env is not None else os.environ
        env = slurm_environment(base)
        return {k: v for k, v in env.items() if not k.startswith(("JPY_", "JUPYTER_TOKEN"))}

    async def _run(
        self,
        argv: Sequence[str],
        *,
        check: bool = True,
        stdin: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> CommandResult:
        try:
            result = await self.runner.run(
                argv, env=env if env is not None else self.env, stdin=stdin
            )
        except CommandNotFound as e:
            raise SchedulerError(str(e)) from e
        except CommandTimeout as e:
            raise SchedulerError(str(e)) from e
        if check and not result.ok:
            raise SchedulerError(f"{argv[0]} failed: {result.message}", " ".join(argv))
        return result

    async def version(self) -> str:
        return parse_version((await self._run(["sinfo", "--version"])).stdout)

    async def cluster_name(self) -> str | None:
        return parse_cluster_name((await self._run(["scontrol", "show", "config"])).stdout)

    async def list_rows(self) -> list[Row]:
        # Everyone's jobs (hidden partitions too): the panel filters by user itself.
        result = await self._run(listing_argv())
        return self._reader.parse(result.stdout)

    async def job_owners(self, job_ids: Sequence[str]) -> dict[str, str]:
        bases = sorted({base_job_id(j) for j in job_ids})
        result = await self._run(
            [
                "squeue",
                "--noheader",
                "--states=all",
                "--jobs",
                ",".join(bases),
                "--Format",
                owner_format(),
            ],
            check=False,
        )
        if not result.ok:
            if "Invalid job id" in result.stderr:
                return {}
            raise SchedulerError(f"squeue failed: {result.message}")
        return parse_owners(result.stdout)

    async def act(self, action: JobAction, job_ids: Sequence[str]) -> list[ActionResult]:
        prefix = _ACTION_ARGV[action]
        # One command for all plain ids; a refusal is then attributed by asking per id.
        if all("[" not in j for j in job_ids):
            ids = [",".join(job_ids)] if action != "cancel" else list(job_ids)
            result = await self._run([*prefix, *ids], check=False)
            if result.ok:
                return [ActionResult(j, True) for j in job_ids]
        out = []
        for job_id in job_ids:
            result = await self._run([*prefix, job_id], check=False)
            out.append(ActionResult(job_id, result.ok, "" if result.ok else _clean(result.message)))
        return out

    async def partitions(self) -> list[Partition]:
        result = await self._run(["sinfo", "--noheader", "--all", "--format", SINFO_FORMAT])
        return parse_sinfo(result.stdout)

    async def cluster(self) -> ClusterSummary:
        """sinfo's nodes and scontrol's partitions, asked at the same time."""
        nodes, partitions = await asyncio.gather(
            self._run(sinfo_nodes_argv()), self._run(partitions_argv())
        )
        return cluster_summary(nodes.stdout, partitions.stdout)

    async def history(self, query: HistoryQuery) -> HistoryResult:
        result = await self._run(history_argv(query), check=False)
        return history_result(result, query)

    def pending_facts(self, detail: JobDetail) -> PendingFacts:
        return pending_facts(detail)

    def explain_pending(self, facts: PendingFacts, context: PendingContext) -> Explanation:
        return explain_pending(facts, context)

    def explains_with(self, reason: str) -> frozenset[str]:
        return explains_with(reason)

    async def my_share(self, user: str) -> list[AccountShare] | None:
        """``sshare`` for the user's associations (one REQUEST_SHARE_INFO); None when it
        fails or the site computes no fair-share (priority/basic)."""
        if not self.runner.has("sshare"):
            return None
        result = await self._run(sshare_argv(user), check=False)
        return parse_sshare(result.stdout, user) if result.ok else None

    async def pending_priorities(self) -> list[tuple[str, str, int]] | None:
        """``sprio`` (one REQUEST_PRIORITY_FACTORS); None, and never asked again, when
        slurmctld runs priority/basic (sprio then answers that it is not supported)."""
        if self._no_sprio or not self.runner.has("sprio"):
            return None
        result = await self._run(sprio_argv(), check=False)
        if not result.ok:
            self._no_sprio = "supported priority plugin" in result.stderr
            return None
        return parse_sprio(result.stdout)

    async def qos_limits(self) -> dict[str, QosLimits]:
        """``sacctmgr show qos`` (slurmdbd answers, not slurmctld); {} without accounting."""
        if not self.runner.has("sacctmgr"):
            return {}
        result = await self._run(qos_argv(), check=False)
        return parse_qos(result.stdout) if result.ok else {}

    def blocking(self) -> BlockingSlurm:
        return BlockingSlurm(self.runner)

    async def submit(
        self, script: str, request: SubmitRequest, *, test_only: bool = False
    ) -> SubmitResult:
        argv = submit_argv(request_options(request), test_only=test_only)
        result = await self._run(argv, check=False, stdin=script, env=self.job_environment())
        if not result.ok:
            message = rejection_message(result.message)
            if _unreachable(message):
                raise SchedulerError(f"Slurm does not answer: {message}", shlex.join(argv))
            raise CommandFailed(argv, result.returncode, message)
        if test_only:
            # sbatch --test-only writes its answer on stderr and creates no job.
            start, nodes, message = parse_test_only(result.stderr + result.stdout)
            return SubmitResult(None, message, True, start, nodes)
        try:
            job_id = parse_sbatch_job_id(result.stdout)
        except ValueError as e:
            raise SchedulerError(str(e), shlex.join(argv)) from e
        # With --parsable sbatch prints only the id; warnings (if any) are on stderr.
        warnings = rejection_message(result.stderr) if result.stderr.strip() else ""
        message = f"Submitted batch job {job_id}" + (f"\n{warnings}" if warnings else "")
        return SubmitResult(job_id, message)

    async def _scontrol_job(self, argv: list[str], job_id: str) -> JobDetail | None:
        """``scontrol show job ... ID`` parsed; None when slurmctld does not know the job."""
        result = await self._run(argv, check=False)
        if not result.ok:
            if "Invalid job id" not in result.message:
                raise CommandFailed(argv, result.returncode, result.message)
            return None
        return parse_job_detail(result.stdout, job_id)

    async def _forgotten(self, job_id: str) -> JobDetail:
        """slurmctld forgot it (MinJobAge after its end): accounting may still know it."""
        detail = await self.accounting_detail(job_id)
        if detail is None:
            raise JobNotFound(not_known_message(job_id))
        return detail

    async def job_status(self, job_id: str) -> JobDetail:
        """``scontrol --local show job ID``: one REQUEST_JOB_INFO_SINGLE (about 0.15 ms of
        slurmctld's time at 50,000 jobs, where a listing costs about 100 ms; ``--local``
        spares the REQUEST_FED_INFO scontrol sends first otherwise); then slurmdbd (sacct),
        not slurmctld, once the job is forgotten. No script, no sstat."""
        detail = await self._scontrol_job(status_argv(job_id), job_id)
        return detail if detail is not None else await self._forgotten(job_id)

    async def job_detail(self, job_id: str) -> JobDetail:
        argv = ["scontrol", "show", "job", "-dd", validate_job_id(job_id)]
        detail = await self._scontrol_job(argv, job_id)
        if detail is None:
            return await self._forgotten(job_id)
        # Only the owner's scripts are asked for (as root, scontrol would hand out anyone's).
        if detail.job.user == process_user():
            detail.script = await self.batch_script(job_id)
        if detail.job.state is JobState.RUNNING:
            detail.used.update(await self.step_usage(job_id))
        elif detail.job.state in FINAL_STATES:
            # What an ended job used is in accounting only (slurmdbd; nothing at slurmctld).
            text = await self._accounting(detail.job.id)
            detail.usage = usage_from_sacct(text, detail.job.id) if text else None
        return detail

    async def accounting_detail(self, job_id: str) -> JobDetail | None:
        """A forgotten job from sacct; None without accounting or when it does not know it."""
        text = await self._accounting(job_id)
        return detail_from_sacct(text, job_id) if text else None

    async def _accounting(self, job_id: str) -> str | None:
        """One job's sacct lines (the history's fields); None without accounting."""
        if not self.runner.has("sacct"):
            return None
        query = HistoryQuery(start="1970-01-01T00:00:00", limit=1_000_000)
        result = await self._run(
            [*history_argv(query), f"--jobs={validate_job_id(job_id)}"], check=False
        )
        return result.stdout if result.ok else None

    async def step_usage(self, job_id: str) -> dict[str, str]:
        """What a running job uses now (sstat; needs jobacct_gather); {} when unknown."""
        if not self.runner.has("sstat"):
            return {}
        argv = ["sstat", "--noheader", "--parsable2", "--allsteps", "--jobs", job_id]
        result = await self._run([*argv, f"--format={SSTAT_FORMAT}"], check=False)
        return parse_sstat(result.stdout) if result.ok else {}

    async def batch_script(self, job_id: str) -> str | None:
        """The job's batch script while slurmctld keeps it; None otherwise."""
        argv = ["scontrol", "write", "batch_script", validate_job_id(job_id), "-"]
        result = await self._run(argv, check=False)
        if not result.ok:
            return None
        return batch_script(result.stdout, result.stderr)


_UNREACHABLE = ("Unable to contact slurm controller", "Socket timed out", "Connection refused")


def _unreachable(message: str) -> bool:
    """Whether a failure is slurmctld not answering rather than a refusal of the request."""
    return any(text in message for text in _UNREACHABLE)


def _clean(message: str) -> str:
    """'scancel: error: Kill job error on job id 5: Access/permission denied' -> the reason."""
    lines = [ln.strip() for ln in message.splitlines() if ln.strip()]
    if not lines:
        return message
    return lines[-1].removeprefix("scancel: error: ").removeprefix("scontrol: error: ")
