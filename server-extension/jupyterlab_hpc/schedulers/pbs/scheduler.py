"""OpenPBS / PBS Professional for the server: the argv of each operation, run through the
async runner, parsed by parse.py (ids and exit codes in commands.py).

PBS habits this module lives with:
- qstat sleeps about 200 ms when the same user ran it within the same second, so the
  listing is one ``qstat -f -F json -t`` call and the shared snapshot is its only caller.
- Errors are on stderr, one line per job (``qdel: Unknown Job Id 9.pbs01``), and the exit
  code is the PBS error number modulo 256 (153 unknown job, 35 finished job).
- Older PBS Professional has no ``-F json``; the first refusal switches this server to the
  ``-f`` text form for good. A job listing whose JSON does not read even with the release's
  quirks (pbs_json.py) is read from the text form, and so are the next minutes' (see
  json_reading.py): one qstat per poll.
- qhold and qrls take jobs and whole arrays, not subjobs.
"""

from __future__ import annotations

import getpass
from collections.abc import Mapping, Sequence
from typing import Any

from ...runner import CommandNotFound, CommandResult, CommandRunner, CommandTimeout
from ..base import (
    ActionResult,
    CommandFailed,
    HistoryQuery,
    HistoryResult,
    InvalidJobId,
    JobAction,
    JobDetail,
    JobNotFound,
    Partition,
    Row,
    Scheduler,
    SchedulerError,
    SubmitRequest,
    SubmitResult,
    SubmittedWithoutId,
)
from ..cluster import ClusterSummary
from .blocking import BlockingPBS
from .cluster import cluster_summary
from .commands import (
    FINISHED_JOB,
    NO_ID_PRINTED,
    QSUB_HINTS,
    UNKNOWN_JOB,
    history_kept,
    is_subjob,
    is_subjob_range,
    mentions,
    owner_queries,
    owners_by_id,
    qdel_groups,
    qsub_message,
    strip_command,
    unknown_resource,
    validate_pbs_job_id,
)
from .detail import history_records, job_detail
from .json_reading import JsonReading
from .parse import (
    ListingReader,
    PBSParseError,
    QstatJobs,
    ServerInfo,
    array_parent_id,
    flavour,
    json_unsupported,
    parse_full_text,
    parse_nodes_json,
    parse_owners,
    parse_partitions,
    parse_qstat_json,
    parse_qstat_text,
    parse_queues_json,
    parse_server_json,
    parse_server_text,
    parse_version,
)
from .submit import QsubOptionError, check_directives, qsub_options

_ACTION_COMMAND: dict[str, str] = {"cancel": "qdel", "hold": "qhold", "release": "qrls"}


class PBSScheduler(Scheduler):
    kind = "pbs"
    # The batch system's name in the sentences this backend writes.
    system_name = "PBS"
    # Whether finished jobs are asked for with qstat -x (Torque's -x is its XML form).
    keeps_history = True
    # What qsub's exit codes mean (Torque's differ).
    qsub_hints: Mapping[int, str] = QSUB_HINTS

    def __init__(self, runner: CommandRunner, env: Mapping[str, str] | None = None) -> None:
        self.runner = runner
        self.env = dict(env) if env is not None else None
        self._reader = ListingReader()
        self._json_reading = JsonReading()
        self._server: ServerInfo | None = None
        # Whether the server keeps finished jobs (job_history_enable), as the last answer
        # to a qstat -x said: None before the first. Never cached beyond that answer.
        self._history_enabled: bool | None = None

    def validate_job_id(self, value: object) -> str:
        return validate_pbs_job_id(value)

    def flavour(self, version: str) -> str:
        return flavour(version)

    @property
    def uses_json(self) -> bool:
        return self._json_reading.supported

    async def _run(self, argv: Sequence[str], *, check: bool = True) -> CommandResult:
        try:
            result = await self.runner.run(argv, env=self.env)
        except (CommandNotFound, CommandTimeout) as e:
            raise SchedulerError(str(e)) from e
        if check and not result.ok:
            raise SchedulerError(f"{argv[0]} failed: {result.message}", " ".join(argv))
        return result

    async def _json_or_text(self, json_argv: list[str], text_argv: list[str]) -> CommandResult:
        """Run the ``-F json`` form unless this qstat refused it; then the text form."""
        if self._json_reading.supported:
            result = await self._run(json_argv, check=False)
            if not json_unsupported(result.stderr, result.returncode):
                return self._learn_history(result)
            self._json_reading.refused()
        return self._learn_history(await self._run(text_argv, check=False))

    def _learn_history(self, result: CommandResult) -> CommandResult:
        """Note what a ``qstat -x`` answer says about the server's job history."""
        kept = history_kept(result)
        if kept is not None:
            self._history_enabled = kept
        return result

    async def _full_form(self, argv: list[str]) -> tuple[CommandResult, bool]:
        """``qstat -f [-F json] <argv after -f>`` and whether it is the JSON form: JSON
        unless this qstat refused it or json_reading.py says not now."""
        if self._json_reading.use_json():
            result = await self._json_or_text(
                ["qstat", "-f", "-F", "json", *argv], ["qstat", "-f", *argv]
            )
            return result, self._json_reading.supported
        return self._learn_history(await self._run(["qstat", "-f", *argv], check=False)), False

    async def _read_jobs(
        self, result: CommandResult, as_json: bool, argv: list[str], per_id: bool
    ) -> QstatJobs:
        """The jobs of a ``_full_form`` answer."""
        if not as_json:
            return parse_qstat_text(result.stdout)
        try:
            return parse_qstat_json(result.stdout)
        except PBSParseError:
            if per_id and not result.stdout.strip():
                return QstatJobs(None, None, {})
        # JSON that does not read even with the release's quirks: this call and the next
        # minutes' read the text form, which carries the same attributes (json_reading.py).
        self._json_reading.unreadable()
        text = self._learn_history(await self._run(["qstat", "-f", *argv], check=False))
        if not text.ok and not per_id:
            raise SchedulerError(f"qstat failed: {text.message}", " ".join(text.argv))
        return parse_qstat_text(text.stdout)

    async def _qstat_jobs(self, options: list[str], ids: Sequence[str] = ()) -> QstatJobs:
        """``qstat -f [-F json] <options> <ids>``; unknown and finished ids are left out."""
        argv = [*options, *ids]
        result, as_json = await self._full_form(argv)
        per_id = result.returncode in (UNKNOWN_JOB, FINISHED_JOB) and bool(ids)
        if not result.ok and not per_id:
            raise SchedulerError(f"qstat failed: {result.message}", " ".join(result.argv))
        return await self._read_jobs(result, as_json, argv, per_id)

    async def version(self) -> str:
        return parse_version((await self._run(["qstat", "--version"])).stdout)

    async def _server_info(self) -> ServerInfo:
        if self._server is None:
            result = await self._json_or_text(
                ["qstat", "-B", "-f", "-F", "json"], ["qstat", "-B", "-f"]
            )
            if not result.ok:
                raise SchedulerError(f"qstat failed: {result.message}", " ".join(result.argv))
            try:
                info = (
                    parse_server_json(result.stdout)
                    if self._json_reading.supported
                    else parse_server_text(result.stdout)
                )
            except PBSParseError as e:
                raise SchedulerError(str(e)) from None
            self._server = info
        return self._server

    async def cluster_name(self) -> str | None:
        return (await self._server_info()).name

    async def own_jobs_only(self) -> bool:
        """The server's query_other_jobs is False: users see their own jobs alone (its
        managers and operators see every job)."""
        return (await self._server_info()).others_shown is False

    async def list_rows(self) -> list[Row]:
        # -t: array subjobs too. Every user's jobs; the panel filters by user itself.
        listing = await self._qstat_jobs(["-t"])
        return self._reader.rows(listing.jobs)

    async def job_owners(self, job_ids: Sequence[str]) -> dict[str, str]:
        """Owner of each id that is in the queue; a subjob's owner is its array's."""
        queried = owner_queries(job_ids)
        listing = await self._qstat_jobs([], list(dict.fromkeys(queried.values())))
        return owners_by_id(queried, parse_owners(listing.jobs))

    async def act(self, action: JobAction, job_ids: Sequence[str]) -> list[ActionResult]:
        command = _ACTION_COMMAND[action]
        refused: dict[str, ActionResult] = {}
        targets: dict[str, str] = {}
        for job_id in job_ids:
            if action != "cancel" and is_subjob(job_id) and not self._holds_one(job_id):
                parent = array_parent_id(job_id) or job_id
                if not is_subjob_range(job_id):
                    refused[job_id] = ActionResult(
                        job_id,
                        False,
                        f"PBS can {action} a whole array, not one subjob: "
                        f"{action} {parent} to {action} its subjobs that have not started.",
                    )
                    continue
                # The range row stands for the subjobs that have not started; holding
                # the array is how PBS holds exactly those.
                targets[job_id] = parent
            else:
                targets[job_id] = job_id
        results = dict(refused)
        unique = list(dict.fromkeys(targets.values()))
        # qdel: a subjob or range never shares a call (it crashes the released server).
        groups = qdel_groups(unique) if command == "qdel" else [unique] if unique else []
        failed: dict[str, str] = {}
        for group in groups:
            failed.update(await self._act_once(command, group))
        for job_id, target in targets.items():
            if target in failed:
                results[job_id] = ActionResult(job_id, False, failed[target])
            elif target != job_id:
                verb = "held" if action == "hold" else "released"
                results[job_id] = ActionResult(
                    job_id, True, f"PBS {verb} the whole array {target}."
                )
            else:
                results[job_id] = ActionResult(job_id, True)
        return [results[j] for j in job_ids]

    def _holds_one(self, job_id: str) -> bool:
        """Whether qhold and qrls take this subjob id as it is (OpenPBS: never)."""
        return False

    async def _act_once(self, command: str, ids: list[str]) -> dict[str, str]:
        """One qdel/qhold/qrls call; what it said about each id it failed for.

        PBS goes on after a refused id and names it on stderr (``qdel: Unknown Job Id
        9.pbs01``), so an id no line names was acted on, unless the call failed with a
        line naming no id (the server could not be reached, ...): then no id it did not
        explain is taken as done.
        """
        result = await self._run([command, *ids], check=False)
        lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
        failed: dict[str, str] = {}
        for target in ids:
            said = [strip_command(ln) for ln in lines if mentions(ln, target)]
            if said:
                failed[target] = "; ".join(said)
        if not result.ok:
            unexplained = [
                strip_command(ln) for ln in lines if not any(mentions(ln, t) for t in ids)
            ]
            if unexplained or not failed:
                message = "; ".join(unexplained) or result.message
                for target in ids:
                    failed.setdefault(target, message)
        return failed

    async def partitions(self) -> list[Partition]:
        queues, nodes, default = await self._queues_and_nodes()
        return parse_partitions(queues, nodes, default)

    async def cluster(self) -> ClusterSummary:
        """``qstat -Q -f`` and ``pbsnodes -av`` (JSON where this PBS prints it); the
        default queue from ``qstat -B``, asked once."""
        queues, nodes, default = await self._queues_and_nodes()
        return cluster_summary(queues, nodes, default)

    async def _queues_and_nodes(
        self,
    ) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]], str | None]:
        result = await self._json_or_text(
            ["qstat", "-Q", "-f", "-F", "json"], ["qstat", "-Q", "-f"]
        )
        if not result.ok:
            raise SchedulerError(f"qstat failed: {result.message}", " ".join(result.argv))
        try:
            queues = (
                parse_queues_json(result.stdout)
                if self._json_reading.supported
                else parse_full_text(result.stdout)
            )
            nodes = await self._nodes()
        except PBSParseError as e:
            raise SchedulerError(str(e)) from None
        return queues, nodes, (await self._server_info()).default_queue

    async def _nodes(self) -> dict[str, dict[str, Any]]:
        """Nodes for CPU counts; none when pbsnodes is missing or refuses (counts then 0)."""
        if not self.runner.has("pbsnodes"):
            return {}
        if self._json_reading.supported:
            result = await self._run(["pbsnodes", "-av", "-F", "json"], check=False)
            if result.ok:
                return parse_nodes_json(result.stdout)
        result = await self._run(["pbsnodes", "-av"], check=False)
        return parse_full_text(result.stdout) if result.ok else {}

    # ------------------------------------------------------------------
    # Submit, details, history

    async def submit(
        self, script: str, request: SubmitRequest, *, test_only: bool = False
    ) -> SubmitResult:
        """``qsub <options>`` with the script on stdin, run in ``request.workdir`` (qsub
        records its current folder as the job's PBS_O_WORKDIR).

        PBS has no dry run: ``test_only`` checks the options and the script's ``#PBS``
        directives here and runs nothing.
        """
        options = self.qsub_options(request)
        directives = self.check_directives(script)
        if test_only:
            # The submit tab shows this sentence: in the batch system's own name.
            return SubmitResult(
                None,
                f"The options and {directives} #PBS directive(s) are valid for qsub. "
                f"{self.system_name} "
                "has no test submission: the queue, the account and the limits are checked "
                "when the job is submitted.",
                test_only=True,
            )
        argv = ["qsub", *options]
        try:
            result = await self.runner.run(argv, stdin=script, env=self.env, cwd=request.workdir)
        except (CommandNotFound, CommandTimeout) as e:
            raise SchedulerError(str(e)) from e
        if not result.ok:
            if request.gpus is not None and unknown_resource(result) == "ngpus":
                # The GPU count becomes ngpus= in the select statement; a server that does
                # not define ngpus (a default OpenPBS) refuses it: that is the field's fault.
                raise QsubOptionError(
                    "gpus",
                    f"This PBS server has no ngpus resource, so GPUs cannot be asked for by "
                    f"their count here ({qsub_message(result, self.qsub_hints)}). Leave GPUs "
                    "empty and ask for them the way the site says (a queue of their own, or a "
                    "resource of the site's in the extra options).",
                )
            raise CommandFailed(argv, result.returncode, qsub_message(result, self.qsub_hints))
        if not result.stdout.strip():
            # The checks refuse -z; a qsub that prints nothing still took the job.
            raise SubmittedWithoutId(NO_ID_PRINTED, " ".join(argv))
        job_id = result.stdout.strip().splitlines()[0]
        try:
            validate_pbs_job_id(job_id)
        except InvalidJobId:
            raise SchedulerError(
                f"qsub answered {result.stdout.strip()[:80]!r} instead of a job id."
            ) from None
        return SubmitResult(job_id, f"Submitted job {job_id}")

    async def job_detail(self, job_id: str) -> JobDetail:
        """``qstat -f -F json [-t] ID``; a finished job again with ``-x`` (PBS answers 35
        for it without); JobNotFound when PBS answers 153 (unknown, or forgotten)."""
        validate_pbs_job_id(job_id)
        if is_subjob_range(job_id):
            # A range row (3[2-5]) stands for subjobs that have not started: their array's
            # detail, with every subjob as a task, describes them.
            job_id = array_parent_id(job_id) or job_id
        # -t lists an array's subjobs with it; they become the detail's tasks.
        options = ["-t"] if job_id.split(".", 1)[0].endswith("[]") else []
        listing = await self._qstat_one(options, job_id)
        if listing is None and self.keeps_history:
            listing = await self._qstat_one(["-x", *options], job_id)
        detail = job_detail(job_id, listing.jobs) if listing is not None else None
        if detail is None:
            raise JobNotFound(self._unknown_job_message(job_id))
        return detail

    def _unknown_job_message(self, job_id: str) -> str:
        if self.keeps_history and self._history_enabled is False:
            return (
                f"PBS does not know job {job_id}: this server keeps no job history "
                "(job_history_enable is off), so it forgets a job as soon as it ends."
            )
        return f"{self.system_name} does not know job {job_id}: it never existed or is forgotten."

    async def _qstat_one(self, options: list[str], job_id: str) -> QstatJobs | None:
        """One job's full record; None when PBS says it is unknown or has finished."""
        argv = [*options, job_id]
        result, as_json = await self._full_form(argv)
        if result.returncode in (UNKNOWN_JOB, FINISHED_JOB):
            return None
        if not result.ok:
            raise SchedulerError(f"qstat failed: {result.message}", " ".join(result.argv))
        return await self._read_jobs(result, as_json, argv, False)

    async def history(self, query: HistoryQuery) -> HistoryResult:
        """The user's jobs from ``qstat -x -t -f -F json`` (qstat cannot combine ``-f`` with
        ``-u``, so the owner is filtered here). Without ``job_history_enable`` the server
        forgets a job as soon as it ends: then there is no history to show.

        Whether history is on is read from this very answer (qstat says on stderr that the
        server keeps none), not from a cached ``qstat -B``: an administrator may switch
        it with qmgr at any time, and the answer costs nothing more to read."""
        # -t: the subjobs an ended array is summed up from.
        listing = await self._qstat_jobs(["-x", "-t"])
        if self._history_enabled is False:
            return HistoryResult(
                False,
                "This PBS server keeps no record of finished jobs (its job_history_enable "
                "setting is off), so there is no job history to show. The site's "
                "administrators can switch it on with qmgr.",
            )
        user = query.user or self.user
        return HistoryResult(True, "", history_records(listing.jobs, query, user))

    def qsub_options(self, request: SubmitRequest) -> list[str]:
        return qsub_options(request)

    def check_directives(self, script: str) -> int:
        return check_directives(script)

    @property
    def user(self) -> str:
        env = self.env or {}
        return env.get("USER") or getpass.getuser()

    def blocking(self) -> BlockingPBS:
        return BlockingPBS(self.runner, self.env)
