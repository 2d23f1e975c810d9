"""Modules for a kernel, two ways: captured into ``env``, or loaded at each launch.

Both record what was attached in ``metadata["jupyterlab_hpc"]["modules"]``:
``{"mode": "capture", "modules": [...], "replaced": {VAR: previous value or null}}`` (so
a new capture first puts back what the last one replaced) or
``{"mode": "launch", "modules": [...]}``.
Pure functions of a spec; the handlers do the module commands and the save.
"""

from __future__ import annotations

import copy
import os
import re
import sys
from collections.abc import Mapping, Sequence
from typing import Any

LAUNCHER_MODULE = "jupyterlab_hpc.kernel_launcher"
_PATH_LIKE = re.compile(r"(?:[A-Z0-9_]*PATH|MANPATH|CPATH)")


def is_path_like(name: str) -> bool:
    return bool(_PATH_LIKE.fullmatch(name))


def _escaped(value: str) -> str:
    # jupyter_client expands env values with string.Template: "$" must be "$$".
    return value.replace("$", "$$")


def _unique(entries: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(e for e in entries if e))


def env_entry(name: str, clean: Mapping[str, str], loaded_value: str) -> str:
    """The kernel.json value for ``name``: a path-like variable the modules only prepended
    to keeps a ``${NAME}`` reference to what the kernel inherits; anything else is the
    full value the modules produced. (Lmod also drops duplicate entries while it is at
    it, so "only prepended" compares the entries without duplicates.)"""
    before = clean.get(name, "")
    if is_path_like(name) and before:
        entries = loaded_value.split(os.pathsep)
        old = set(before.split(os.pathsep))
        cut = next((i for i, e in enumerate(entries) if e in old), len(entries))
        added, rest = entries[:cut], entries[cut:]
        if added and _unique(rest) == _unique(before.split(os.pathsep)):
            return f"{_escaped(os.pathsep.join(added))}{os.pathsep}${{{name}}}"
    return _escaped(loaded_value)


def _hpc_metadata(spec: dict[str, Any]) -> dict[str, Any]:
    metadata = spec.get("metadata")
    if not isinstance(metadata, dict):
        metadata = spec["metadata"] = {}
    ours = metadata.get("jupyterlab_hpc")
    if not isinstance(ours, dict):
        ours = metadata["jupyterlab_hpc"] = {}
    return ours


def attached(spec: Mapping[str, Any]) -> dict[str, Any] | None:
    metadata = spec.get("metadata")
    ours = metadata.get("jupyterlab_hpc") if isinstance(metadata, dict) else None
    found = ours.get("modules") if isinstance(ours, dict) else None
    return found if isinstance(found, dict) else None


def with_captured(
    spec: Mapping[str, Any],
    modules: Sequence[str],
    clean: Mapping[str, str],
    loaded: Mapping[str, str],
) -> dict[str, Any]:
    """``spec`` with the variables the modules set written into ``env`` and the launcher
    prefix, if any, removed. The entries an earlier capture replaced are put back first,
    so capturing again (or capturing nothing) never piles up. A path-like entry the
    kernel already had with a ``${NAME}`` reference keeps its own entries first: the
    modules' entries go where ``${NAME}`` was. Variables the modules unset are left out:
    kernel.json cannot unset a variable."""
    new = without_modules(spec)
    env = dict(new.get("env") or {})
    replaced: dict[str, str | None] = {}
    for name in sorted(k for k, v in loaded.items() if clean.get(k) != v):
        entry = env_entry(name, clean, loaded[name])
        own = env.get(name)
        reference = f"${{{name}}}"
        replaced[name] = own
        if own is not None and reference in own and entry.endswith(reference):
            entry = own.replace(reference, entry, 1)
        env[name] = entry
    new["env"] = env
    if modules:
        _hpc_metadata(new)["modules"] = {
            "mode": "capture",
            "modules": list(modules),
            "replaced": replaced,
        }
    return new


def launcher_prefix(system_kind: str, command: str, modules: Sequence[str]) -> list[str]:
    return [
        sys.executable,
        "-m",
        LAUNCHER_MODULE,
        "--system",
        system_kind,
        "--command",
        command,
        "--modules",
        ",".join(modules),
        "--",
    ]


def original_argv(argv: Sequence[str]) -> list[str]:
    """``argv`` without this package's launcher prefix (as is when there is none)."""
    if len(argv) > 2 and argv[1:3] == ["-m", LAUNCHER_MODULE] and "--" in argv:
        return list(argv[list(argv).index("--") + 1 :])
    return list(argv)


def without_modules(spec: Mapping[str, Any]) -> dict[str, Any]:
    """``spec`` as it was before modules were attached: the kernel's own argv, and the
    env entries a capture replaced put back."""
    new = copy.deepcopy(dict(spec))
    new["argv"] = original_argv(new.get("argv") or [])
    previous = attached(new)
    if previous is None:
        return new
    replaced = previous.get("replaced")
    if previous.get("mode") == "capture" and isinstance(replaced, dict):
        env = dict(new.get("env") or {})
        for name, value in replaced.items():
            if isinstance(value, str):
                env[name] = value
            else:
                env.pop(name, None)
        new["env"] = env
    ours = _hpc_metadata(new)
    ours.pop("modules", None)
    if not ours:
        del new["metadata"]["jupyterlab_hpc"]
    if not new["metadata"]:
        del new["metadata"]
    return new


def with_launcher(
    spec: Mapping[str, Any], system_kind: str, command: str, modules: Sequence[str]
) -> dict[str, Any]:
    """``spec`` whose argv starts with the launcher loading ``modules`` (replacing any
    earlier prefix or capture, never nesting); no modules gives the kernel its own argv
    and env back."""
    new = without_modules(spec)
    if not modules:
        return new
    new["argv"] = [*launcher_prefix(system_kind, command, modules), *new["argv"]]
    _hpc_metadata(new)["modules"] = {"mode": "launch", "modules": list(modules)}
    return new
