"""A batch kernel's resources: the ``config`` of its kernelspec's ``kernel_provisioner``.

``{"partition": "debug", "time_limit": "60", "nodes": 1, "cpus": 4, "memory": "8G",
"gpus": 1, "account": "proj", "qos": "normal", "modules": ["gcc/12.2.0"],
"extra": ["--constraint=intel"], "restart": "keep", "queue_timeout": 30}``

or, on Slurm, a kernel in a job the user already runs (an ``salloc`` allocation):
``{"allocation": "1234", "cpus": 2, "memory": "4G"}`` (a step of that job, ``srun
--overlap``; the job's partition, time and account are its own).

Every field is checked by the submit tab's own rules (``jobs/submit_checks.py``) before
anything runs; a wrong one is a ``BatchKernelError`` that names it. Pure: no command runs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from tornado.web import HTTPError

from ...jobs.submit_checks import validate_options
from ...modules.base import InvalidName, validate_module_name
from ...schedulers.base import InvalidOption, SchedulerError, SubmitRequest

# The name kernelspecs give in metadata.kernel_provisioner.provisioner_name (the entry point).
PROVISIONER_NAME = "hpc-batch"

RESOURCE_FIELDS = (
    "partition",
    "time_limit",
    "nodes",
    "cpus",
    "memory",
    "gpus",
    "account",
    "qos",
    "extra",
)
OWN_FIELDS = ("modules", "restart", "queue_timeout", "allocation")
# What a step inside an allocation may still ask for; the rest is the allocation's.
STEP_FIELDS = ("cpus", "memory", "gpus")
FIELDS = (*RESOURCE_FIELDS, *OWN_FIELDS)

RestartMode = Literal["keep", "renew"]

# sbatch options the provisioner sets itself or that would keep the kernel from working:
# its output file is where a failed start is read from, an array or a held job never
# becomes one kernel, a requeued job has lost its kernel, and the kernel's environment
# (the kernelspec's env) must reach the job.
_SLURM_REFUSED = {
    "--output": "the kernel's job writes its output where the server reads a failed start",
    "--error": "the kernel's job writes its output where the server reads a failed start",
    "--array": "an array is many jobs, and a kernel is one",
    "--hold": "a held job never starts the kernel",
    "--chdir": "the kernel runs in the notebook's folder",
    "--export": "the kernel needs its environment (the kernelspec's env) in the job",
    "--export-file": "the kernel needs its environment (the kernelspec's env) in the job",
    "--requeue": "a requeued job has lost its kernel",
    "--test-only": "the kernel's job must be submitted",
}
_SLURM_SHORT = {"o": "--output", "e": "--error", "a": "--array", "H": "--hold", "D": "--chdir"}
# Short options whose value follows in the same word (-ofile): the letters after it are data.
_SLURM_SHORT_WITH_VALUE = frozenset("AabBcCdDeFGiJLMmnNopqStwx")
_PBS_REFUSED = {
    "-o": "the kernel's job writes its output where the server reads a failed start",
    "-e": "the kernel's job writes its output where the server reads a failed start",
    "-j": "the kernel's job writes its output where the server reads a failed start",
    "-J": "an array is many jobs, and a kernel is one",
    "-t": "an array is many jobs, and a kernel is one",
    "-h": "a held job never starts the kernel",
    "-r": "a rerun job has lost its kernel",
}
_MINUTES = re.compile(r"[0-9]{1,6}")
# A Slurm job id as salloc prints it ("Granted job allocation 1234"): a plain job, not an
# array task or a het component, which srun --jobid cannot join by that name.
_ALLOCATION = re.compile(r"[1-9][0-9]{0,9}")


class BatchKernelError(HTTPError):
    """Why a batch kernel cannot start, as a sentence for the notebook.

    A tornado HTTPError, so the Jupyter server answers the notebook's start request with
    this sentence (any other exception becomes "Unhandled error"): 400 for what the
    kernelspec or the batch system refused, 503 when the batch system does not answer.
    """

    def __init__(self, message: str, field: str | None = None, status: int = 400) -> None:
        self.message = message
        super().__init__(status, message, reason="Batch kernel not started")
        self.field = field

    def __str__(self) -> str:
        return self.message

    # tornado doubles every % of a message given without arguments when it is read as
    # log_message (it was once a format string); the Jupyter server answers with
    # log_message, so the notebook would see "100%%". The sentence is not a format.
    @property
    def log_message(self) -> str:
        return self.message

    @log_message.setter
    def log_message(self, value: str | None) -> None:
        """tornado before 6.3 sets it in __init__; the sentence is ``message``."""


@dataclass(frozen=True)
class BatchKernelOptions:
    """What a kernelspec asks for: the job's resources, modules, and the restart mode.

    ``restart``: "keep" restarts the kernel inside the same job (the allocation and its
    place in the queue are kept); "renew" ends the job and submits a new one.
    ``queue_timeout``: seconds the job may wait in the queue before it is cancelled
    (None: the site's default).
    """

    request: SubmitRequest
    modules: tuple[str, ...] = ()
    restart: RestartMode = "keep"
    queue_timeout: float | None = None
    allocation: str | None = None


def parse_options(config: Mapping[str, Any], kind: str | None) -> BatchKernelOptions:
    """The options of a kernelspec's provisioner ``config`` for the batch system ``kind``
    (None: every rule but those of one batch system's native options, as when a kernel
    is saved)."""
    unknown = sorted(str(k) for k in config if k not in FIELDS)
    if unknown:
        raise BatchKernelError(
            f"{unknown[0][:40]!r} is not a setting of a batch kernel; the settings are: "
            f"{', '.join(FIELDS)}.",
            unknown[0][:40],
        )
    resources = {k: config[k] for k in RESOURCE_FIELDS if k in config}
    if isinstance(resources.get("extra"), str):
        raise BatchKernelError(
            'extra must be a list of options, one word each (e.g. ["--constraint=intel"]).',
            "extra",
        )
    try:
        request = validate_options(resources, kind=kind)
    except InvalidOption as e:
        raise BatchKernelError(e.message, e.field) from None
    if kind is not None:
        _check_extra(request.extra, kind)
    allocation = _allocation(config.get("allocation"), resources, kind)
    return BatchKernelOptions(
        request=request,
        modules=_modules(config.get("modules")),
        restart=_restart(config.get("restart", "keep")),
        queue_timeout=_queue_timeout(config.get("queue_timeout")),
        allocation=allocation,
    )


def _allocation(value: object, resources: Mapping[str, Any], kind: str | None) -> str | None:
    """The id of a running job of the user the kernel joins as a step, or None."""
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not _ALLOCATION.fullmatch(value):
        raise BatchKernelError(
            "allocation is the id of a running Slurm job of yours (as salloc prints it: "
            '"Granted job allocation 1234"), digits only.',
            "allocation",
        )
    if kind is not None and kind != "slurm":
        raise BatchKernelError(
            "A kernel can join a running allocation on Slurm only (srun --jobid); "
            f"{kind} starts no step in another job. Remove allocation to submit a job.",
            "allocation",
        )
    for name in resources:
        if name == "nodes" and resources[name] in (1, "1"):
            continue  # the step runs on one node of it
        if name not in STEP_FIELDS and resources[name] not in (None, "", [], 0):
            raise BatchKernelError(
                f"{name} belongs to the allocation the kernel joins (job {value}), not to "
                f"the kernel: a kernel in an allocation asks only for "
                f"{', '.join(STEP_FIELDS)}. Remove {name}, or remove allocation to submit "
                "a job of its own.",
                name,
            )
    return value


def _check_extra(extra: list[str], kind: str) -> None:
    for word in extra:
        why = _refused_slurm(word) if kind == "slurm" else _PBS_REFUSED.get(word[:2])
        if why:
            raise BatchKernelError(f"{word[:60]!r} cannot be used for a kernel: {why}.", "extra")


def _refused_slurm(word: str) -> str | None:
    if word.startswith("--"):
        name = word.split("=", 1)[0]
        # getopt_long takes any unambiguous prefix (--out is --output).
        for option, why in _SLURM_REFUSED.items():
            if len(name) > 3 and option.startswith(name):
                return why
        return None
    for letter in word[1:]:
        if letter in _SLURM_SHORT:
            return _SLURM_REFUSED[_SLURM_SHORT[letter]]
        if letter in _SLURM_SHORT_WITH_VALUE:
            return None
    return None


def _modules(value: object) -> tuple[str, ...]:
    if value is None or value == []:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BatchKernelError(
            'modules must be a list of module names (e.g. ["gcc/12.2.0"]).', "modules"
        )
    try:
        return tuple(validate_module_name(v) for v in value)
    except InvalidName as e:
        raise BatchKernelError(str(e), "modules") from None


def _restart(value: object) -> RestartMode:
    if value == "keep":
        return "keep"
    if value == "renew":
        return "renew"
    raise BatchKernelError(
        'restart must be "keep" (restart the kernel inside the same job) or "renew" '
        "(end the job and submit a new one).",
        "restart",
    )


def _queue_timeout(value: object) -> float | None:
    """Minutes (a whole number, or its text); 0 means no limit."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and _MINUTES.fullmatch(value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 525_600:
        raise BatchKernelError(
            "queue_timeout is the minutes the job may wait in the queue before it is "
            "cancelled: a whole number from 0 (no limit) to 525600.",
            "queue_timeout",
        )
    return float(value) * 60


def describe(options: BatchKernelOptions, kind: str) -> str:
    """The resources in a few words: "debug, 4 CPUs, 8G, 1:00:00"."""
    r = options.request
    if options.allocation:
        parts = [f"allocation {options.allocation}"]
    else:
        parts = [r.partition or ("default queue" if kind != "slurm" else "default partition")]
    if r.nodes and r.nodes > 1:
        parts.append(f"{r.nodes} nodes")
    if r.cpus:
        parts.append(f"{r.cpus} CPU" + ("s" if r.cpus > 1 else ""))
    if r.memory:
        parts.append(r.memory)
    if r.gpus:
        parts.append(f"{r.gpus} GPU" + ("s" if r.gpus > 1 else ""))
    if r.time_limit:
        parts.append(r.time_limit + (" min" if r.time_limit.isdigit() else ""))
    return ", ".join(parts)


def scheduler_refusal(error: SchedulerError, kind: str) -> BatchKernelError:
    """A submission the batch system refused, said for the notebook."""
    name = {"slurm": "Slurm", "pbs": "PBS", "torque": "Torque"}.get(kind, kind)
    text = getattr(error, "output", None) or error.message
    return BatchKernelError(
        f"{name} refused the kernel's job, so nothing was queued: {str(text).strip()}"
    )
