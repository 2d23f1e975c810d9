"""OpenPBS / PBS Professional for blocking callers (the magics, the command line).

The same commands and parsers as PBSScheduler (commands.py, parse.py), run through
``CommandRunner.run_sync``. qstat is asked for the full form (``-f -F json``), falling
back for good to the ``-f`` text form when this qstat refuses ``-F json``, and for a while
when its JSON does not read (json_reading.py).
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ...runner import CommandResult, CommandRunner
from ..base import (
    COLUMN_INDEX,
    BlockingScheduler,
    CommandFailed,
    Job,
    Row,
    SchedulerError,
    SubmitRequest,
    SubmittedWithoutId,
)
from ..blocking_run import run_checked
from ..cluster import ClusterSummary
from .cluster import cluster_summary
from .commands import (
    FINISHED_JOB,
    NO_ID_PRINTED,
    UNKNOWN_JOB,
    history_kept,
    parse_submitted_id,
    qstat_argv,
    validate_pbs_job_id,
)
from .detail import to_jobs
from .json_reading import JsonReading
from .parse import (
    PBSParseError,
    QstatJobs,
    json_unsupported,
    listing_rows,
    parse_full_text,
    parse_nodes_json,
    parse_qstat_json,
    parse_qstat_text,
    parse_queues_json,
    parse_server_json,
)
from .submit import qsub_options

_USER = COLUMN_INDEX["user"]


def _default_queue(server: Mapping[str, Any]) -> str | None:
    """The default queue from ``qstat -B -f``'s blocks (one per server)."""
    for attrs in server.values():
        if isinstance(attrs, Mapping) and attrs.get("default_queue"):
            return str(attrs["default_queue"])
    return None


def _server_blocks(text: str) -> dict[str, dict[str, Any]]:
    """``qstat -B -f -F json`` as the text form's blocks, for its default queue."""
    return {"": {"default_queue": parse_server_json(text).default_queue or ""}}


class BlockingPBS(BlockingScheduler):
    """PBS through ``CommandRunner.run_sync``. The environment is read at each call, so a
    notebook's ``%env`` or module loads apply."""

    kind = "pbs"
    # qstat flags that combine with the full form the listing is read from: -x finished
    # jobs too, -J arrays only, -p percentage done, -t subjobs, -E grouped by server.
    listing_flags = frozenset({"-x", "-J", "-p", "-t", "-E"})

    def __init__(self, runner: CommandRunner, env: Mapping[str, str] | None = None) -> None:
        self.runner = runner
        self._env = dict(env) if env is not None else None
        self._json_reading = JsonReading()
        # Whether the server keeps finished jobs (job_history_enable), as the last answer
        # to a qstat -x said (None before the first): it only chooses which question
        # comes first, every conclusion is drawn from an answer.
        self.history_enabled: bool | None = None

    def validate_job_id(self, value: object) -> str:
        return validate_pbs_job_id(value)

    def environment(self) -> dict[str, str]:
        return dict(self._env if self._env is not None else os.environ)

    def run(
        self,
        argv: Sequence[str],
        *,
        check: bool = True,
        timeout: float | None = None,
        stdin: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> CommandResult:
        """Run one PBS command; failures raise SchedulerError (CommandFailed on exit != 0)."""
        return run_checked(
            self.runner,
            argv,
            env=env if env is not None else self.environment(),
            check=check,
            timeout=timeout,
            stdin=stdin,
        )

    # qstat

    def qstat(self, options: Sequence[str], *, per_id_errors: bool = False) -> QstatJobs:
        """``qstat -f [-F json] <options>``. With ``per_id_errors``, unknown and finished
        ids are left out of the answer instead of failing the call."""
        result, as_json = self._qstat_full(options)
        tolerated = per_id_errors and result.returncode in (UNKNOWN_JOB, FINISHED_JOB)
        if not result.ok and not tolerated:
            raise CommandFailed(result.argv, result.returncode, result.message)
        if not as_json:
            return parse_qstat_text(result.stdout)
        if tolerated and not result.stdout.strip():
            return QstatJobs(None, None, {})
        try:
            return parse_qstat_json(result.stdout)
        except PBSParseError:
            pass
        # JSON that does not read even with the release's quirks: this call and the next
        # minutes' read the text form, which says the same (json_reading.py).
        self._json_reading.unreadable()
        text = self._learn_history(self.run(qstat_argv(options, False), check=False))
        if not text.ok and not tolerated:
            raise CommandFailed(text.argv, text.returncode, text.message)
        return parse_qstat_text(text.stdout)

    def _qstat_full(self, options: Sequence[str]) -> tuple[CommandResult, bool]:
        """The answer, and whether it is the JSON form."""
        if self._json_reading.use_json():
            result = self.run(qstat_argv(options, True), check=False)
            if not json_unsupported(result.stderr, result.returncode):
                return self._learn_history(result), True
            self._json_reading.refused()
        return self._learn_history(self.run(qstat_argv(options, False), check=False)), False

    def _learn_history(self, result: CommandResult) -> CommandResult:
        """Note what a ``qstat -x`` answer says about the server's job history."""
        kept = history_kept(result)
        if kept is not None:
            self.history_enabled = kept
        return result

    # The BlockingScheduler interface

    def submit(
        self,
        script: str,
        options: Sequence[str] = (),
        *,
        env: Mapping[str, str] | None = None,
    ) -> str:
        return self._submit(["qsub", *options], script, env)

    def submit_file(self, args: Sequence[str], *, env: Mapping[str, str] | None = None) -> str:
        return self._submit(["qsub", *args], None, env)

    def _submit(self, argv: list[str], script: str | None, env: Mapping[str, str] | None) -> str:
        result = self.run(argv, stdin=script, env=env)
        if not result.stdout.strip():
            raise SubmittedWithoutId(NO_ID_PRINTED, shlex.join(argv))
        try:
            return parse_submitted_id(result.stdout)
        except ValueError as e:
            raise SchedulerError(str(e), shlex.join(argv)) from e

    def submit_options(self, request: SubmitRequest) -> list[str]:
        return qsub_options(request)

    def rows(self, jobs: Mapping[str, Mapping[str, Any]]) -> list[Row]:
        """The listing's rows from qstat's jobs (Torque reads how jobs ended its own way)."""
        return listing_rows(jobs)

    def list_rows(self, user: str | None = None) -> list[Row]:
        rows = self.rows(self.qstat(["-t"]).jobs)
        return rows if user is None else [r for r in rows if r[_USER] == user]

    def job_detail(self, job_id: str) -> list[Job]:
        """The job's records: ``qstat -f -x -t ID`` (-x: finished jobs too, -t: an array's
        subjobs). With job history off that answers nothing, not even for a running job
        (qstat only says so on stderr; release recording 68), so the job is then asked for
        without -x; once history is known to be off that question comes first, and -x is
        asked only when the job is not in the queue (has history been switched on?)."""
        validate_pbs_job_id(job_id)
        with_x, without_x = ["-x", "-t", job_id], ["-t", job_id]
        order = [without_x, with_x] if self.history_enabled is False else [with_x, without_x]
        for options in order:
            jobs = self.qstat(options, per_id_errors=True).jobs
            if jobs:
                return to_jobs(jobs)
            if options is with_x and self.history_enabled is not False:
                break  # the server keeps history and does not know the job
        return []

    def cancel(self, job_id: str) -> None:
        self.run(["qdel", validate_pbs_job_id(job_id)])

    # ------------------------------------------------------------------
    # The cluster (%cluster): the server backend's questions, asked one by one

    def cluster(self) -> ClusterSummary:
        """``qstat -Q -f``, ``pbsnodes -av`` and ``qstat -B -f`` (JSON where this PBS
        prints it, as the server's backend asks)."""
        queues = self._blocks(["qstat", "-Q", "-f"], parse_queues_json)
        nodes: dict[str, dict[str, Any]] = {}
        if self.runner.has("pbsnodes"):
            result = None
            if self._json_reading.supported:
                result = self.run(["pbsnodes", "-av", "-F", "json"], check=False)
            if result is not None and result.ok:
                nodes = self._read(parse_nodes_json, result)
            else:
                text = self.run(["pbsnodes", "-av"], check=False)
                nodes = parse_full_text(text.stdout) if text.ok else {}
        server = self._blocks(["qstat", "-B", "-f"], _server_blocks)
        return cluster_summary(queues, nodes, _default_queue(server))

    def _blocks(self, argv: list[str], read_json: Callable[[str], Any]) -> Any:
        """``argv -F json`` read by ``read_json``, or the text form's blocks when this
        qstat refuses ``-F json``."""
        if self._json_reading.supported:
            result = self.run([*argv, "-F", "json"], check=False)
            if not json_unsupported(result.stderr, result.returncode):
                if not result.ok:
                    raise CommandFailed(result.argv, result.returncode, result.message)
                return self._read(read_json, result)
            self._json_reading.refused()
        return parse_full_text(self.run(argv).stdout)

    @staticmethod
    def _read(read_json: Callable[[str], Any], result: CommandResult) -> Any:
        try:
            return read_json(result.stdout)
        except PBSParseError as e:
            raise SchedulerError(str(e), shlex.join(result.argv)) from None

    def action_argvs(self, command: str, args: Sequence[str]) -> list[list[str]]:
        """The calls ``%qdel``/``%qhold``/``%qrls`` make for these arguments: on OpenPBS,
        the command with the arguments as given."""
        return [[command, *args]]

    def forgotten_message(self, job_id: str) -> str:
        if self.history_enabled is False:
            return (
                f"Job {job_id} is no longer known to PBS: this server keeps no job history "
                "(job_history_enable is off), so it forgets a job as soon as it ends and "
                "how it ended cannot be read."
            )
        return (
            f"Job {job_id} is no longer known to PBS: the server keeps finished jobs only "
            "while its job history is on (job_history_enable) and for job_history_duration."
        )
