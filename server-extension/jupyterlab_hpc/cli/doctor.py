"""``jupyter hpc doctor``: what this machine has, as the server extension would find it.

Each check ends in findings: ``ok`` (found and working), ``note`` (worth knowing),
``warning`` (will not do what a user expects, but nothing essential is broken) and
``problem`` (something essential is broken: the command exits 1).
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from jupyter_client.kernelspec import KernelSpecManager

from ..kernels.modules import is_old_capture
from ..kernels.store import KernelSpecRecord, KernelSpecStore
from ..kernels.validation import SERVER_PYTHON_NAMES
from ..runner import CommandNotFound
from ..schedulers.base import COLUMN_INDEX
from ..services import HPCServices
from .settings import ServerSettings

Level = Literal["ok", "note", "warning", "problem"]

# The commands each batch system's features use; the optional ones only add to them.
BATCH_COMMANDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "slurm": (("squeue", "sbatch", "scancel", "scontrol", "sinfo"), ("sacct",)),
    "pbs": (("qstat", "qsub", "qdel", "qhold", "qrls"), ("pbsnodes",)),
    "torque": (("qstat", "qsub", "qdel", "qhold", "qrls"), ("pbsnodes",)),
}


@dataclass(frozen=True)
class Finding:
    level: Level
    text: str


@dataclass
class Section:
    title: str
    findings: list[Finding] = field(default_factory=list)
    details: list[tuple[str, str]] = field(default_factory=list)  # (label, value) lines

    def add(self, level: Level, text: str) -> None:
        self.findings.append(Finding(level, text))

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "findings": [{"level": f.level, "text": f.text} for f in self.findings],
            "details": [list(d) for d in self.details],
        }


@dataclass
class Report:
    sections: list[Section]

    def count(self, level: Level) -> int:
        return sum(f.level == level for s in self.sections for f in s.findings)

    @property
    def healthy(self) -> bool:
        return self.count("problem") == 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "healthy": self.healthy,
            "problems": self.count("problem"),
            "warnings": self.count("warning"),
            "sections": [s.to_dict() for s in self.sections],
        }


def examine(settings: ServerSettings) -> Report:
    services = HPCServices(settings.hpc)
    return Report(
        [
            configuration_section(settings),
            batch_section(services),
            modules_section(services),
            kernels_section(settings),
        ]
    )


def configuration_section(settings: ServerSettings) -> Section:
    section = Section("Configuration")
    if settings.files:
        for path in settings.files:
            section.details.append(("read", path))
    else:
        section.add("note", "No jupyter_server_config file was found: the defaults apply.")
    hpc = settings.config.get("HPCConfig", {})
    if hpc:
        for name in sorted(hpc):
            section.details.append((f"HPCConfig.{name}", repr(hpc[name])))
    return section


def batch_section(services: HPCServices) -> Section:
    section = Section("Batch system")
    config = services.config
    runner = services.runner
    for name, path in sorted(config.command_paths.items()):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            section.add(
                "problem",
                f"HPCConfig.command_paths sets {name} to {path}, which is not an executable "
                "file: the site's configuration points to the wrong place.",
            )
    sched = services.scheduler
    if sched is None:
        if config.scheduler == "none":
            section.add("note", "Turned off by the site's configuration (HPCConfig.scheduler).")
        else:
            section.add("problem", services.no_scheduler_message)
        return section
    info = asyncio.run(services.capabilities())["scheduler"]
    if info["version"] is None:
        section.add(
            "problem",
            f"{_LABELS.get(sched.kind, sched.kind)} was chosen ({_why(config.scheduler)}) "
            f"but does not answer: "
            f"{info['message']}",
        )
    else:
        cluster = f', cluster "{info["cluster"]}"' if info["cluster"] else ""
        section.add(
            "ok", f"{info['flavour']} {info['version']}{cluster} ({_why(config.scheduler)})"
        )
    essential, optional = BATCH_COMMANDS.get(sched.kind, ((), ()))
    for name in (*essential, *optional):
        try:
            section.details.append((name, runner.resolve(name)))
        except CommandNotFound:
            section.details.append((name, "not found"))
            if name in essential:
                section.add("problem", f"The command {name} was not found: {_feature(name)}")
            else:
                section.add("note", f"The command {name} was not found: {_feature(name)}")
    if info["version"] is not None and services.snapshot is not None:
        snapshot = services.snapshot
        asyncio.run(snapshot.refresh())
        if snapshot.error is not None:
            section.add("problem", f"The job listing fails: {snapshot.error}")
        else:
            user = COLUMN_INDEX["user"]
            mine = sum(1 for r in snapshot.rows if r[user] == services.user)
            section.add(
                "ok", f"The job listing works: {len(snapshot.rows)} jobs, {mine} of them yours."
            )
    return section


_LABELS = {"slurm": "Slurm", "pbs": "OpenPBS / PBS Professional", "torque": "Torque"}


def _why(choice: str) -> str:
    return "found on this machine" if choice == "auto" else f"HPCConfig.scheduler = '{choice}'"


_FEATURES = {
    "squeue": "the queue panel and job listings need it.",
    "sbatch": "submitting jobs needs it.",
    "scancel": "cancelling jobs needs it.",
    "scontrol": "holding, releasing and job details need it.",
    "sinfo": "partitions and the version need it.",
    "sacct": "job history needs it (and Slurm accounting).",
    "qstat": "the queue panel and job listings need it.",
    "qsub": "submitting jobs needs it.",
    "qdel": "deleting (cancelling) jobs needs it.",
    "qhold": "holding jobs needs it.",
    "qrls": "releasing held jobs needs it.",
    "pbsnodes": "queues are shown without their CPU counts.",
}


def _feature(name: str) -> str:
    return _FEATURES.get(name, "")


def modules_section(services: HPCServices) -> Section:
    section = Section("Module system")
    config = services.config
    session = services.modules
    if session is None:
        if config.module_system == "none":
            section.add("note", "Turned off by the site's configuration (HPCConfig.module_system).")
        elif config.module_system == "auto":
            section.add("note", services.no_module_system_message)
        else:
            section.add(
                "problem",
                f"HPCConfig.module_system is '{config.module_system}' but it was not found: "
                + services.no_module_system_message,
            )
        return section
    system = session.system
    version = asyncio.run(session.version())
    section.details.append(("command", system.command))
    if version:
        section.add("ok", f"{system.label} {version}")
    else:
        section.add("problem", f"{system.label} at {system.command} does not report a version.")
    for error in services.start_modules():
        section.add("problem", f"The site's start-up modules fail: {error}")
    paths = session.modulepath()
    section.details.append(("MODULEPATH", ":".join(paths) if paths else "(empty)"))
    missing = [p for p in paths if not os.path.isdir(p)]
    for path in missing:
        section.add("warning", f"MODULEPATH names {path}, which is not a folder.")
    if not paths:
        section.add("warning", "MODULEPATH is empty: no modules can be found.")
    loaded = [m["full_name"] for m in session.loaded()]
    if loaded:
        section.details.append(("loaded", " ".join(loaded)))
    return section


def kernels_section(settings: ServerSettings) -> Section:
    section = Section("Kernels")
    store = KernelSpecStore(KernelSpecManager(config=settings.config))
    for folder in store.folders():
        exists = "" if os.path.isdir(folder["path"]) else " (absent)"
        section.details.append((f"folder ({folder['location']})", folder["path"] + exists))
    records = store.list()
    if not records:
        section.add("warning", "No kernels were found: notebooks cannot start.")
    for record in records:
        for level, text in kernel_findings(record):
            section.add(level, text)
    return section


def kernel_findings(record: KernelSpecRecord) -> list[tuple[Level, str]]:
    """What is wrong with one kernel, or one ok line."""
    label = f"{record.name} ({record.resource_dir})"
    if record.error:
        return [("problem", f"Kernel {label} is broken: {record.error}")]
    found: list[tuple[Level, str]] = [
        ("problem", f"Kernel {label} is broken: {p.message}") for p in record.problems
    ]
    program = _missing_program(record.spec.get("argv"))
    if program:
        found.append(
            ("problem", f"Kernel {label} cannot start: its program {program} was not found.")
        )
    found.extend(("warning", f"Kernel {record.name}: {w.message}") for w in record.warnings)
    if is_old_capture(record.spec):
        found.append(
            (
                "warning",
                f"Kernel {record.name}: its modules were captured by an earlier version, so "
                "it also gets the modules loaded in the server session. Capture them again "
                "(kernel editor, Modules) to give it only its own.",
            )
        )
    if not found:
        name = record.spec.get("display_name", record.name)
        found.append(("ok", f"Kernel {record.name}: {name} [{record.location}]"))
    return found


def _missing_program(argv: object) -> str | None:
    """argv[0] when it can be neither found nor run (bare python names are the server's)."""
    if not isinstance(argv, Sequence) or not argv or not isinstance(argv[0], str):
        return None
    program = argv[0]
    if not program or program in SERVER_PYTHON_NAMES:
        return None
    if os.sep in program:
        return None if os.path.isfile(program) and os.access(program, os.X_OK) else program
    return None if shutil.which(program) else program


def render(report: Report) -> str:
    """The report as text for a terminal."""
    marks = {"ok": "ok", "note": "note", "warning": "WARNING", "problem": "PROBLEM"}
    lines: list[str] = []
    for section in report.sections:
        lines.append(section.title)
        for finding in section.findings:
            lines.append(f"  {marks[finding.level]:<8} {finding.text}")
        width = max((len(label) for label, _ in section.details), default=0)
        for label, value in section.details:
            lines.append(f"  {'':<8} {label:<{width}}  {value}")
        lines.append("")
    problems, warnings = report.count("problem"), report.count("warning")
    if problems:
        lines.append(f"{_plural(problems, 'problem')} and {_plural(warnings, 'warning')}.")
    elif warnings:
        lines.append(f"Nothing essential is broken; {_plural(warnings, 'warning')}.")
    else:
        lines.append("Everything needed was found and works.")
    return "\n".join(lines) + "\n"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
