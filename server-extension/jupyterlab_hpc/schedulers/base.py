"""The scheduler interface and the normalized job model shared by every batch system."""

from __future__ import annotations

import abc
import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from enum import Enum
from typing import Any, Literal

from .cluster import ClusterSummary
from .pending import Explanation, PendingContext, PendingFacts, QosLimits
from .share import AccountShare


class JobState(str, Enum):
    """A small set of states every batch system maps into; the raw state is kept beside it."""

    PENDING = "pending"
    HELD = "held"
    RUNNING = "running"
    SUSPENDED = "suspended"
    COMPLETING = "completing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    TIMEOUT = "timeout"
    UNKNOWN = "unknown"


# States a job never leaves.
FINAL_STATES = frozenset(
    {JobState.COMPLETED, JobState.FAILED, JobState.CANCELLED, JobState.TIMEOUT}
)

# The listing's columns, in the order of a row (see docs/architecture.md).
LISTING_COLUMNS: tuple[str, ...] = (
    "id",
    "array_job_id",
    "array_task_id",
    "name",
    "user",
    "account",
    "partition",
    "qos",
    "state",
    "raw_state",
    "reason",
    "nodelist",
    "nodes",
    "cpus",
    "memory",
    "gres",
    "time_used",
    "time_limit",
    "submit_time",
    "start_time",
)
COLUMN_INDEX = {name: i for i, name in enumerate(LISTING_COLUMNS)}

# A row is a list in LISTING_COLUMNS order; the listing keeps rows (cheap at 50,000 jobs)
# and builds Job objects only where a caller wants one.
Row = list[Any]


@dataclass(slots=True)
class Job:
    id: str
    name: str
    user: str
    state: JobState
    raw_state: str
    array_job_id: str | None = None
    array_task_id: str | None = None
    account: str = ""
    partition: str = ""
    qos: str = ""
    reason: str = ""
    nodelist: str = ""
    nodes: int | None = None
    cpus: int | None = None
    memory: str = ""
    gres: str = ""
    time_used: int | None = None
    time_limit: int | None = None
    submit_time: str | None = None
    start_time: str | None = None
    end_time: str | None = None
    work_dir: str = ""
    stdout_path: str = ""
    stderr_path: str = ""
    # Known from a job's detail once it ended: the exit code and the signal that ended it.
    exit_code: int | None = None
    exit_signal: int | None = None

    @classmethod
    def from_row(cls, row: Row) -> Job:
        values = dict(zip(LISTING_COLUMNS, row, strict=True))
        values["state"] = JobState(values["state"])
        return cls(**values)

    def to_row(self) -> Row:
        return [
            self.state.value if name == "state" else getattr(self, name) for name in LISTING_COLUMNS
        ]

    def to_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["state"] = self.state.value
        return out


@dataclass(frozen=True)
class Partition:
    name: str
    default: bool
    available: str
    time_limit: int | None
    nodes: int
    cpus_idle: int
    cpus_total: int

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class ActionResult:
    job_id: str
    ok: bool
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"job_id": self.job_id, "ok": self.ok, "message": self.message}


JobAction = Literal["cancel", "hold", "release"]
JOB_ACTIONS: tuple[JobAction, ...] = ("cancel", "hold", "release")


class SchedulerError(Exception):
    """A scheduler command failed; ``str()`` is a sentence for a person."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class CommandTimedOut(SchedulerError):
    """A blocking command ran past its timeout and was stopped; what it printed till then."""

    def __init__(self, message: str, detail: str, timeout: float, stdout: str, stderr: str) -> None:
        super().__init__(message, detail)
        self.timeout = timeout
        self.stdout = stdout
        self.stderr = stderr


class CommandFailed(SchedulerError):
    """A scheduler command exited with a non-zero code; ``detail`` is the command line."""

    def __init__(self, argv: Sequence[str], returncode: int, output: str) -> None:
        super().__init__(f"{argv[0]} failed (exit code {returncode}): {output}", shlex.join(argv))
        self.argv = tuple(argv)
        self.returncode = returncode
        self.output = output


class InvalidJobId(ValueError):
    pass


class InvalidOption(ValueError):
    """A submission field is wrong; ``field`` names it (``script``, ``partition``, ...)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class JobNotFound(SchedulerError):
    """The batch system does not know the job (never existed, or forgotten)."""


class Unsupported(SchedulerError):
    """This batch system (or this backend) cannot do what was asked."""


class SubmittedWithoutId(SchedulerError):
    """The submit command took the job (exit code 0) but printed no job id (qsub -z, on
    its command line or in the script's ``#PBS`` lines): the job exists, unnamed here."""


class NotPermitted(SchedulerError):
    """The batch system will not show this user the job: another user's job, on a server
    that shows each user only their own (Torque's default, ``query_other_jobs`` off)."""


# The owner ``job_owners`` gives a job the batch system will not show this user (see
# NotPermitted): whose it is stays unknown. No user name has parentheses or a space.
HIDDEN_OWNER = "(not shown)"


# 123, 123_4, 123_[1-3], 123_[1,4-6%2], heterogeneous 123+1. Nothing else reaches a command,
# so an id can never be read as an option (-h) or carry shell syntax.
_JOB_ID = re.compile(
    r"[0-9]{1,12}(\+[0-9]{1,6})?(_([0-9]{1,9}|\[[0-9]{1,9}(-[0-9]{1,9})?(,[0-9]{1,9}(-[0-9]{1,9})?)*(%[0-9]{1,9})?\]))?"
)


def validate_job_id(value: object) -> str:
    if not isinstance(value, str) or not _JOB_ID.fullmatch(value):
        shown = repr(value)[:40]
        raise InvalidJobId(
            f"{shown} is not a valid job id: use a number such as 123, an array task such "
            "as 123_4, or a task range such as 123_[1-3]."
        )
    return value


def base_job_id(job_id: str) -> str:
    """The job number an id belongs to: 123 for 123, 123_4 and 123_[1-3]."""
    return re.split(r"[_+]", job_id, maxsplit=1)[0]


class Scheduler(abc.ABC):
    """One batch system behind the small interface the server and the magics use."""

    kind: str

    def validate_job_id(self, value: object) -> str:
        """The id if this batch system accepts it; raises InvalidJobId otherwise."""
        return validate_job_id(value)

    def flavour(self, version: str) -> str:
        """The batch system's product name for this version (``Slurm``, ``OpenPBS``, ...)."""
        return self.kind.capitalize()

    @abc.abstractmethod
    async def version(self) -> str: ...

    @abc.abstractmethod
    async def cluster_name(self) -> str | None: ...

    @abc.abstractmethod
    async def list_rows(self) -> list[Row]:
        """Every job in the queue (all users), as rows in LISTING_COLUMNS order."""

    @abc.abstractmethod
    async def job_owners(self, job_ids: Sequence[str]) -> dict[str, str]:
        """Map each id's base job number (and unique ids of array tasks) to its owner;
        HIDDEN_OWNER for a job the batch system will not show this user."""

    async def own_jobs_only(self) -> bool:
        """Whether the batch system shows this user only their own jobs, so that the
        listing of everyone's jobs holds theirs alone (Torque's ``query_other_jobs``)."""
        return False

    def hidden_job_message(self, job_id: str) -> str:
        """Why a job the batch system will not show this user is refused (a sentence)."""
        return f"The batch system does not show job {job_id} to you: it is another user's job."

    @abc.abstractmethod
    async def act(self, action: JobAction, job_ids: Sequence[str]) -> list[ActionResult]: ...

    @abc.abstractmethod
    async def partitions(self) -> list[Partition]: ...

    # Submission, details and history (issue 6/7). Each backend overrides what it supports.

    async def submit(
        self, script: str, request: SubmitRequest, *, test_only: bool = False
    ) -> SubmitResult:
        """Submit ``script`` (its text) with ``request``; with ``test_only``, only check it.

        A rejection by the scheduler raises CommandFailed (its message is the scheduler's).
        """
        raise Unsupported(f"Submitting jobs is not supported on {self.kind} yet.")

    async def job_detail(self, job_id: str) -> JobDetail:
        """Everything known about one job; raises JobNotFound when the scheduler forgot it."""
        raise Unsupported(f"Job details are not supported on {self.kind} yet.")

    async def job_status(self, job_id: str) -> JobDetail:
        """One job's record now (an array's tasks too), for watchers in the background: a
        query about that job alone, never a listing of the queue, and nothing beyond the
        record (no script, no usage). Raises JobNotFound. The default is ``job_detail``,
        which on PBS and Torque is already one ``qstat -f ID``."""
        return await self.job_detail(job_id)

    async def history(self, query: HistoryQuery) -> HistoryResult:
        """Jobs from the batch system's accounting; ``available`` False when there is none."""
        return HistoryResult(False, f"Job history is not supported on {self.kind} yet.")

    async def cluster(self) -> ClusterSummary:
        """Every partition (queue) with its nodes by state, free resources and limits."""
        raise Unsupported(f"The cluster view is not supported on {self.kind} yet.")

    # Pending jobs explained (issue 19): the facts come from ``job_status``'s record.

    def pending_facts(self, detail: JobDetail) -> PendingFacts:
        """A pending job's facts from its record; the default reads the reason and the
        expected start the record's job carries (PBS: the comment and
        ``estimated.start_time``)."""
        job = detail.job
        return PendingFacts(
            job.id,
            job.reason,
            job.start_time,
            job.partition,
            job.qos,
            job.account,
            job.cpus,
            job.nodes,
        )

    def explain_pending(self, facts: PendingFacts, context: PendingContext) -> Explanation:
        """The reason as the batch system words it, and its expected start if it gives one."""
        summary = facts.reason.strip() or "Waiting to be scheduled"
        return Explanation(facts.job_id, facts.reason, summary, "", facts.start_time)

    def explains_with(self, reason: str) -> frozenset[str]:
        """What explaining a reason needs (``pending.FREE``, ``QOS``, ``PRIORITY``)."""
        return frozenset()

    async def qos_limits(self) -> dict[str, QosLimits]:
        """Each QOS's limits, where the batch system has them ({} otherwise)."""
        return {}

    async def my_share(self, user: str) -> list[AccountShare] | None:
        """The user's fair-share, usage and allocation per account; None where the batch
        system computes none (PBS, Torque, Slurm under priority/basic)."""
        return None

    async def pending_priorities(self) -> list[tuple[str, str, int]] | None:
        """Every pending job's (id, partition, priority); None where the site does not
        show them."""
        return None

    def blocking(self) -> BlockingScheduler:
        """The same batch system for callers without an event loop (the IPython magics)."""
        raise NotImplementedError(f"{self.kind} has no blocking interface yet.")


@dataclass
class SubmitRequest:
    """A submission in words every batch system understands; ``extra`` is native options.

    ``time_limit`` is minutes or ``[days-]hours:minutes:seconds``; ``memory`` is per node,
    e.g. ``4G``; ``cpus`` is CPUs per task.
    """

    name: str | None = None
    partition: str | None = None
    time_limit: str | None = None
    nodes: int | None = None
    cpus: int | None = None
    memory: str | None = None
    gpus: int | None = None
    account: str | None = None
    output: str | None = None
    error: str | None = None
    hold: bool = False
    extra: list[str] = field(default_factory=list)
    # The submit form's other fields (issue 6). ``ntasks`` is the number of tasks;
    # ``gres`` a Slurm GRES spec (gpu:a100:2); ``array`` an array spec (1-10%2);
    # ``dependency`` a Slurm dependency (afterok:123) or PBS depend list;
    # ``workdir`` an absolute folder; ``mail_type`` comma-separated events (END,FAIL).
    qos: str | None = None
    ntasks: int | None = None
    gres: str | None = None
    array: str | None = None
    dependency: str | None = None
    workdir: str | None = None
    mail_type: str | None = None
    mail_user: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class SubmitResult:
    """What a submission (or a test-only check of one) answered.

    ``job_id`` is None for a check. ``message`` is the scheduler's own words. A check on
    Slurm also knows when and where the job would start (``estimated_start`` is ISO 8601
    local time).
    """

    job_id: str | None
    message: str
    test_only: bool = False
    estimated_start: str | None = None
    nodes: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Usage:
    """What a job asked for and used, as plain numbers: the efficiency and the right-sized
    request of the next run are worked out from these (the frontend's ``rightsize.ts``).

    ``elapsed``, ``time_limit`` and ``total_cpu`` are seconds; ``cpus`` and ``nodes`` what
    the job was given. ``memory_requested`` is bytes, for ``memory_per``: ``job`` (the
    whole job's: Slurm 21.08 and later, PBS's ``Resource_List.mem``), ``node`` or ``cpu``
    (Slurm before 21.08, whose ReqMem ends in ``n`` or ``c``; Torque's ``pmem``), ``""``
    when the job asked for none. ``max_rss`` is bytes: on Slurm one task's peak resident
    memory, of the step that had the largest, and ``rss_tasks_per_node`` how many tasks
    that step ran on each node (so a node held up to their product); on PBS the job's own
    (``resources_used.mem``). ``ended`` is False while the job may still use more.
    """

    ended: bool
    elapsed: int | None = None
    time_limit: int | None = None
    cpus: int | None = None
    nodes: int | None = None
    total_cpu: float | None = None
    memory_requested: int | None = None
    memory_per: str = ""
    max_rss: int | None = None
    rss_tasks_per_node: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass
class JobDetail:
    """Everything the scheduler knows about one job.

    ``job`` is normalized (with end_time, work_dir, stdout/stderr paths and exit code where
    known); ``fields`` is every field the scheduler reported, raw, in its order; ``tasks``
    holds the other records of an array (empty for a plain job); ``script`` is the batch
    script when the scheduler still has it (None otherwise); ``requested`` and ``used`` are
    resources asked for and used (``{"cpus": "4", "memory": "8G", "time": "01:00:00"}``).
    """

    job: Job
    fields: list[tuple[str, str]]
    tasks: list[Job] = field(default_factory=list)
    script: str | None = None
    requested: dict[str, str] = field(default_factory=dict)
    used: dict[str, str] = field(default_factory=dict)
    usage: Usage | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "job": self.job.to_dict(),
            "fields": [list(pair) for pair in self.fields],
            "tasks": [t.to_dict() for t in self.tasks],
            "script": self.script,
            "requested": dict(self.requested),
            "used": dict(self.used),
            "usage": self.usage.to_dict() if self.usage else None,
        }


@dataclass(frozen=True)
class HistoryQuery:
    """Finished (and running) jobs between ``start`` and ``end`` (ISO 8601 local times;
    ``end`` None means now), of ``user`` (None: the batch system's default, the caller),
    in ``states`` (empty: every state), at most ``limit`` records."""

    start: str
    end: str | None = None
    user: str | None = None
    states: tuple[JobState, ...] = ()
    limit: int = 5000


@dataclass
class HistoryRecord:
    """One job of the history: the normalized job (with end_time and exit_code) plus usage.

    ``elapsed`` and ``total_cpu`` are seconds; ``cpu_efficiency`` is total_cpu divided by
    (elapsed x allocated CPUs), 0..1, None when it cannot be known.
    """

    job: Job
    elapsed: int | None = None
    total_cpu: int | None = None
    cpu_efficiency: float | None = None
    max_rss: str = ""
    usage: Usage | None = None

    def to_dict(self) -> dict[str, Any]:
        out = self.job.to_dict()
        out.update(
            elapsed=self.elapsed,
            total_cpu=self.total_cpu,
            cpu_efficiency=self.cpu_efficiency,
            max_rss=self.max_rss,
            usage=self.usage.to_dict() if self.usage else None,
        )
        return out


@dataclass(frozen=True)
class HistoryResult:
    """``available`` False means the site keeps no accounting; ``message`` says so plainly."""

    available: bool
    message: str = ""
    records: list[HistoryRecord] = field(default_factory=list)


class BlockingScheduler(abc.ABC):
    """A batch system for blocking callers: each call runs its commands and returns.

    Shares its backend's argv builders and parsers; only the way commands run differs.
    """

    kind: str

    def validate_job_id(self, value: object) -> str:
        """The id if this batch system accepts it; raises InvalidJobId otherwise."""
        return validate_job_id(value)

    @abc.abstractmethod
    def submit(
        self,
        script: str,
        options: Sequence[str] = (),
        *,
        env: Mapping[str, str] | None = None,
    ) -> str:
        """Submit a script (its text) with native options; the new job's id."""

    @abc.abstractmethod
    def submit_file(self, args: Sequence[str], *, env: Mapping[str, str] | None = None) -> str:
        """The submit command with its own arguments (options, then a script path); the id."""

    @abc.abstractmethod
    def submit_options(self, request: SubmitRequest) -> list[str]:
        """The native options that ask for ``request``."""

    @abc.abstractmethod
    def list_rows(self, user: str | None = None) -> list[Row]:
        """Jobs in the queue (one user's, or everyone's), as rows in LISTING_COLUMNS order."""

    @abc.abstractmethod
    def job_detail(self, job_id: str) -> list[Job]:
        """The job's records (one per array task); [] once the scheduler forgot the job."""

    @abc.abstractmethod
    def cancel(self, job_id: str) -> None: ...

    def accounting_records(self, job_id: str) -> list[Job]:
        """The job's records from the batch system's accounting, for when the scheduler
        itself forgot the job; [] when there is no accounting or it does not know the job."""
        return []

    def forgotten_message(self, job_id: str) -> str:
        """Why a job's final state is unknown once the scheduler forgot it."""
        return f"Job {job_id} is no longer known to the batch system."

    def unknown_job_message(self, job_id: str) -> str:
        """What to say of an id the scheduler never showed us (a typo, or a job that ended
        and was forgotten before we asked); by default the same as forgotten_message."""
        return self.forgotten_message(job_id)

    def reason_in_words(self, reason: str) -> str:
        """Why a job waits, as a person reads it (the scheduler's own text by default)."""
        return reason

    def cluster(self) -> ClusterSummary:
        """Every partition (queue) with its nodes by state, free resources and limits."""
        raise Unsupported(f"The cluster summary is not supported on {self.kind} yet.")

    def pending_explanation(self, job: Job) -> Explanation:
        """Why a waiting job waits, for ``%job``: by default the reason and the expected
        start its record carries (PBS: the comment and ``estimated.start_time``)."""
        summary = job.reason.strip() or "Waiting to be scheduled"
        return Explanation(job.id, job.reason, summary, "", job.start_time)
