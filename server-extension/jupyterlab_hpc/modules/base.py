"""The module-system interface, the normalized module model, and name validation."""

from __future__ import annotations

import abc
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

# What a module command did to the environment: a value to set, or None to unset.
EnvChanges = dict[str, str | None]

# Real module names: `gcc/12.2.0`, `py-numpy/1.26.4-gcc-12`, `Core/foo`, `intel-oneapi/2023.1+x`,
# `boost/1.82.0~mpi`, `R/4.3.1`, `cuda/12.2@sm80`, `ncview/2.1.8%gcc`. Never a leading `-`
# (it would read as an option), no whitespace, no quotes or shell metacharacters.
_MODULE_NAME = re.compile(r"[A-Za-z0-9_.+][A-Za-z0-9_.+@%~:,=/-]{0,254}")
_COLLECTION_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")


class ModuleError(Exception):
    """A module command failed; ``message`` is a sentence for a person."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class InvalidName(ValueError):
    """A module name, collection name or path that is refused before anything runs."""


def validate_module_name(name: object) -> str:
    if not isinstance(name, str) or not _MODULE_NAME.fullmatch(name):
        raise InvalidName(
            f"{name!r} is not a module name: use letters, digits and . _ + @ % ~ : , = / -, "
            "no spaces, not starting with '-'."
        )
    if "//" in name or name.endswith("/") or "/../" in f"/{name}/" or "/./" in f"/{name}/":
        raise InvalidName(f"{name!r} is not a module name: empty or relative path parts.")
    return name


def validate_collection_name(name: object) -> str:
    if not isinstance(name, str) or not _COLLECTION_NAME.fullmatch(name):
        raise InvalidName(
            f"{name!r} is not a collection name: use letters, digits and . _ -, "
            "not starting with '.' or '-'."
        )
    return name


def validate_module_path(path: object) -> str:
    """An absolute directory for `module use`/`unuse` (it must exist for `use`)."""
    if not isinstance(path, str) or not path.startswith("/") or len(path) > 4096:
        raise InvalidName(f"{path!r} is not an absolute directory path.")
    if any(c in path for c in ":\n\r\t\0") or any(ord(c) < 32 for c in path):
        raise InvalidName(f"{path!r} contains ':' or a control character.")
    return os.path.normpath(path)


@dataclass(frozen=True, slots=True)
class Module:
    """One available module, e.g. ``gcc/12.2.0``: package ``gcc``, version ``12.2.0``."""

    full_name: str
    package: str
    version: str
    default: bool = False
    hidden: bool = False
    path: str = ""
    modulepath: str = ""  # the MODULEPATH entry it was found in

    @staticmethod
    def from_full_name(full_name: str, **kw: Any) -> Module:
        package, _, version = full_name.rpartition("/")
        if not package:
            package, version = full_name, ""
        return Module(full_name, package, version, **kw)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class LoadedModule:
    full_name: str
    path: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class SpiderHit:
    """A module anywhere in the hierarchy and what must be loaded before it (one list per way)."""

    full_name: str
    package: str
    version: str
    description: str = ""
    path: str = ""
    default: bool = False
    load_first: list[list[str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class EnvAction:
    """One line of `module show`: what the module does to a variable."""

    action: str  # setenv, unsetenv, prepend-path, append-path, remove-path, ...
    name: str
    value: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class ModuleDetails:
    full_name: str
    path: str = ""
    whatis: list[str] = field(default_factory=list)
    help: str = ""
    actions: list[EnvAction] = field(default_factory=list)
    show: str = ""  # the command's own text, for what the parser does not model

    def to_dict(self) -> dict[str, Any]:
        return {
            "full_name": self.full_name,
            "path": self.path,
            "whatis": self.whatis,
            "help": self.help,
            "actions": [a.to_dict() for a in self.actions],
            "show": self.show,
        }


class ModuleSystem(abc.ABC):
    """Lmod or Environment Modules: argv builders plus parsers; running is the session's job.

    Every command runs in the `python` mode of the module command, which prints the
    environment changes as Python statements on stdout (parsed, never executed) and
    everything meant for a person on stderr.
    """

    kind: str
    label: str
    # Whether `spider` searches the whole hierarchy (modules behind a compiler or MPI).
    hierarchy_search: bool
    # Whether every avail listing holds the hidden modules too (marked).
    avail_includes_hidden: bool = False

    def __init__(self, command: str) -> None:
        self.command = command

    def argv(self, *args: str) -> list[str]:
        return [self.command, "python", *args]

    def version_argv(self) -> list[str]:
        return self.argv("--version")

    @abc.abstractmethod
    def parse_version(self, text: str) -> str | None: ...

    @abc.abstractmethod
    def avail_argvs(self, hidden: bool) -> list[list[str]]:
        """The commands whose outputs ``parse_avail`` combines (run in parallel); with
        ``hidden``, hidden modules are listed too (marked)."""

    @abc.abstractmethod
    def parse_avail(self, outputs: Sequence[str]) -> list[Module]: ...

    @abc.abstractmethod
    def spider_argv(self, env: Mapping[str, str], query: str) -> list[str]: ...

    @abc.abstractmethod
    def parse_spider(self, stdout: str, stderr: str, query: str) -> list[SpiderHit]: ...

    @abc.abstractmethod
    def details_argvs(self, name: str) -> list[list[str]]:
        """show, whatis and help commands (run in parallel)."""

    @abc.abstractmethod
    def parse_details(self, name: str, outputs: Sequence[str]) -> ModuleDetails: ...

    def load_argv(self, names: Sequence[str]) -> list[str]:
        return self.argv("load", *names)

    def unload_argv(self, names: Sequence[str]) -> list[str]:
        return self.argv("unload", *names)

    @abc.abstractmethod
    def swap_argv(self, old: str, new: str) -> list[str]: ...

    def purge_argv(self) -> list[str]:
        return self.argv("purge")

    def use_argv(self, path: str) -> list[str]:
        return self.argv("use", path)

    def unuse_argv(self, path: str) -> list[str]:
        return self.argv("unuse", path)

    def save_argv(self, name: str) -> list[str]:
        return self.argv("save", name)

    def restore_argv(self, name: str) -> list[str]:
        return self.argv("restore", name)

    @abc.abstractmethod
    def delete_collection_argv(self, name: str) -> list[str]: ...

    @abc.abstractmethod
    def collections_argv(self) -> list[str]: ...

    @abc.abstractmethod
    def parse_collections(self, stderr: str) -> list[str]: ...
