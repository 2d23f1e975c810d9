"""Torque: the PBS backend with Torque's forms (see parse.py for the differences).

Jobs are read with ``qstat -f -x`` (XML) and turned into OpenPBS's attribute names, so
the rows, details and actions are PBSScheduler's, with Torque's reading of how a job
ended (exits.py). Queues and the server come from the ``-f`` text form, nodes from
``pbsnodes -a``. Torque forgets a job ``keep_completed`` seconds after it ends, so there
is no history.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ...runner import CommandRunner
from ..base import (
    HIDDEN_OWNER,
    ActionResult,
    HistoryQuery,
    HistoryResult,
    InvalidJobId,
    JobAction,
    JobDetail,
    JobNotFound,
    NotPermitted,
    Partition,
    SchedulerError,
    SubmitRequest,
)
from ..cluster import ClusterSummary
from ..pbs.commands import (
    FINISHED_JOB,
    UNKNOWN_JOB,
    is_subjob_range,
    owner_queries,
    owners_by_id,
    strip_command,
    validate_pbs_job_id,
)
from ..pbs.detail import job_detail
from ..pbs.parse import (
    ListingReader,
    PBSParseError,
    QstatJobs,
    ServerInfo,
    parse_full_text,
    parse_owners,
    parse_partitions,
    parse_server_text,
)
from ..pbs.scheduler import PBSScheduler
from ..pbs.submit import TORQUE_FLAGS, TORQUE_VALUED, check_directives, qsub_options
from .blocking import BlockingTorque
from .cluster import busy_cpus, cluster_summary
from .commands import (
    NOT_PERMITTED,
    TORQUE_QSUB_HINTS,
    array_of,
    hidden_job_message,
    refused_ids,
    subjob_range_argv,
)
from .exits import apply_array_ending, torque_ending
from .parse import array_jobs, parse_qstat_xml, parse_torque_version, shows_other_users_jobs

# What a subjob's XML and ``pbsnodes -a`` call the CPUs of a node and its busy ones.
_NODE_CPUS = "np"

_ACTION_COMMAND: dict[str, str] = {"cancel": "qdel", "hold": "qhold", "release": "qrls"}


class TorqueScheduler(PBSScheduler):
    kind = "torque"
    system_name = "Torque"
    keeps_history = False
    qsub_hints = TORQUE_QSUB_HINTS

    def __init__(self, runner: CommandRunner, env: Mapping[str, str] | None = None) -> None:
        super().__init__(runner, env)
        self._reader = ListingReader(torque_ending)
        # query_other_jobs, read with the server's attributes (qstat -B -f).
        self._others_shown = False

    def flavour(self, version: str) -> str:
        return "Torque"

    def validate_job_id(self, value: object) -> str:
        return validate_pbs_job_id(value, "Torque")

    @property
    def uses_json(self) -> bool:
        return False

    async def version(self) -> str:
        result = await self._run(["qstat", "--version"])
        # Torque 6.1 writes it on stdout; both streams are read, whichever a build uses.
        return parse_torque_version(result.stdout + result.stderr) or result.message

    async def _qstat_jobs(self, options: list[str], ids: Sequence[str] = ()) -> QstatJobs:
        """``qstat -f -x <options> <ids>``; unknown ids and others' hidden jobs are left out."""
        return (await self._qstat_xml(options, ids))[0]

    async def _qstat_xml(
        self, options: list[str], ids: Sequence[str] = ()
    ) -> tuple[QstatJobs, list[str]]:
        """``qstat -f -x <options> <ids>``: the jobs, and the asked ids Torque would not
        show (other users' jobs while query_other_jobs is off: exit 159, one
        ``Unauthorized Request`` line each). Unknown ids are left out."""
        argv = ["qstat", "-f", "-x", *[o for o in options if o != "-x"], *ids]
        result = await self._run(argv, check=False)
        hidden = refused_ids(result.stderr, ids)
        # With several ids the exit code is one of the failures': each is about an id.
        per_id = bool(ids) and (
            result.returncode in (UNKNOWN_JOB, FINISHED_JOB)
            or (result.returncode == NOT_PERMITTED and bool(hidden))
        )
        if not result.ok and not per_id:
            raise SchedulerError(f"qstat failed: {result.message}", " ".join(argv))
        try:
            return parse_qstat_xml(result.stdout), hidden
        except PBSParseError as e:
            raise SchedulerError(str(e), " ".join(argv)) from None

    async def _qstat_one(self, options: list[str], job_id: str) -> QstatJobs | None:
        listing, hidden = await self._qstat_xml(options, [job_id])
        if hidden:
            raise NotPermitted(self.hidden_job_message(job_id))
        return listing if listing.jobs else None

    async def job_owners(self, job_ids: Sequence[str]) -> dict[str, str]:
        """PBSScheduler's, and HIDDEN_OWNER for the jobs Torque would not show."""
        queried = owner_queries(job_ids)
        listing, hidden = await self._qstat_xml([], list(dict.fromkeys(queried.values())))
        owners = owners_by_id(queried, parse_owners(listing.jobs))
        for job_id, asked in queried.items():
            if asked in hidden:
                owners.setdefault(job_id, HIDDEN_OWNER)
        return owners

    async def own_jobs_only(self) -> bool:
        """query_other_jobs off (Torque's default): ``qstat`` lists a user's own jobs
        only. Its managers and operators see every job whatever it says."""
        await self._server_info()
        return not self._others_shown

    def hidden_job_message(self, job_id: str) -> str:
        return hidden_job_message([job_id])

    async def job_detail(self, job_id: str) -> JobDetail:
        """``qstat -f -x ID``. An array (``7[].host``), and a range of its subjobs (a
        folded row, ``7[2-4].host``), is its array's record with every subjob as a task,
        as on OpenPBS; Torque gives them in two answers (see commands.py)."""
        self.validate_job_id(job_id)
        array = array_of(job_id)
        if array is None:
            listing = await self._qstat_one([], job_id)
            jobs = listing.jobs if listing is not None else {}
        else:
            job_id = array
            subjobs, hidden = await self._qstat_xml(["-t"], [array])
            if hidden:
                raise NotPermitted(self.hidden_job_message(array))
            queue = await self._qstat_jobs([], [array])
            jobs = array_jobs(array, queue, subjobs)
        detail = job_detail(job_id, jobs, torque_ending)
        if detail is None:
            raise JobNotFound(
                f"Torque does not know job {job_id}: it never existed, or it ended more "
                "than keep_completed seconds ago and is forgotten."
            )
        apply_array_ending(detail.job, detail.tasks)
        return detail

    def _holds_one(self, job_id: str) -> bool:
        # Torque's qhold and qrls take one subjob (7[2].host) and leave its siblings be.
        return not is_subjob_range(job_id)

    async def act(self, action: JobAction, job_ids: Sequence[str]) -> list[ActionResult]:
        """PBSScheduler's actions, but a range of subjobs (``7[3-4].host``, a folded row)
        goes as Torque's ``qdel -t 3-4 7[].host`` (qhold and qrls alike): its qdel refuses
        the range in the id. One call per range, since ``-t`` applies to every id."""
        ranges = [j for j in dict.fromkeys(job_ids) if is_subjob_range(j)]
        others = [j for j in job_ids if j not in ranges]
        results = {r.job_id: r for r in await super().act(action, others)} if others else {}
        for job_id in ranges:
            results[job_id] = await self._act_on_range(action, job_id)
        return [results[j] for j in job_ids]

    async def _act_on_range(self, action: JobAction, job_id: str) -> ActionResult:
        command = _ACTION_COMMAND[action]
        try:
            argv = subjob_range_argv(command, job_id) or [command, job_id]
        except InvalidJobId as e:
            return ActionResult(job_id, False, str(e))
        result = await self._run(argv, check=False)
        if result.ok:
            return ActionResult(job_id, True)
        said = [strip_command(ln) for ln in result.stderr.splitlines() if ln.strip()]
        return ActionResult(job_id, False, "; ".join(said) or result.message)

    async def _server_info(self) -> ServerInfo:
        if self._server is None:
            result = await self._run(["qstat", "-B", "-f"])
            self._server = parse_server_text(result.stdout)
            self._others_shown = shows_other_users_jobs(result.stdout)
        return self._server

    async def partitions(self) -> list[Partition]:
        result = await self._run(["qstat", "-Q", "-f"])
        queues = parse_full_text(result.stdout)
        nodes = torque_nodes(await self._pbsnodes())
        default = (await self._server_info()).default_queue
        return parse_partitions(queues, nodes, default)

    async def cluster(self) -> ClusterSummary:
        """``qstat -Q -f`` and ``pbsnodes -a`` (text: Torque has no JSON)."""
        queues = parse_full_text((await self._run(["qstat", "-Q", "-f"])).stdout)
        nodes = parse_full_text(await self._pbsnodes())
        default = (await self._server_info()).default_queue
        return cluster_summary(queues, nodes, default)

    async def _pbsnodes(self) -> str:
        """``pbsnodes -a``'s text; empty when pbsnodes is missing or refuses (no nodes)."""
        if not self.runner.has("pbsnodes"):
            return ""
        result = await self._run(["pbsnodes", "-a"], check=False)
        return result.stdout if result.ok else ""

    async def history(self, query: HistoryQuery) -> HistoryResult:
        return HistoryResult(
            False,
            "Torque keeps no job history: it forgets a job a few minutes after it ends "
            "(its keep_completed setting). Finished jobs are shown in the queue until then.",
        )

    def qsub_options(self, request: SubmitRequest) -> list[str]:
        return qsub_options(request, torque=True)

    def check_directives(self, script: str) -> int:
        return check_directives(script, TORQUE_FLAGS, TORQUE_VALUED, torque=True)

    def blocking(self) -> BlockingTorque:
        return BlockingTorque(self.runner, self.env)


def torque_nodes(text: str) -> dict[str, dict[str, Any]]:
    """``pbsnodes -a`` text -> nodes with OpenPBS's ``resources_available.ncpus`` and
    ``resources_assigned.ncpus``, for parse_partitions."""
    nodes: dict[str, dict[str, Any]] = {}
    for name, attrs in parse_full_text(text).items():
        node: dict[str, Any] = dict(attrs)
        cpus = str(attrs.get(_NODE_CPUS, "0"))
        node["resources_available"] = {"ncpus": int(cpus) if cpus.isdigit() else 0}
        node["resources_assigned"] = {"ncpus": busy_cpus(str(attrs.get("jobs", "")))}
        nodes[name] = node
    return nodes


def is_torque_answer(stdout: str, stderr: str) -> bool:
    return parse_torque_version(stdout + stderr) is not None
