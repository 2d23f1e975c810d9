"""Modules for a kernel, two ways: captured, or loaded at each launch.

Both put the launcher (``python -m jupyterlab_hpc.kernel_launcher``) in front of the
kernel's argv, so a kernel starts from the clean base (the inherited environment with the
server session's modules purged), never with the session's modules:

- capture: ``... --captured {resource_dir} -- <argv>``. What the modules set is written
  once, at capture time: the variables a person reads into ``env`` (a path-like one as
  ``<module entries>:${NAME}``), the module system's own records (``LOADEDMODULES``,
  ``_LMFILES_``, Lmod's ``_ModuleTable*``, ``__MODULES_*``; reference counts only for the
  entries the modules added) and the variables they unset (null) into
  ``metadata["jupyterlab_hpc"]["modules"]["state"]``. At launch the launcher takes the
  environment jupyter_client applied ``env`` to, purges its modules, expands ``env`` over
  that clean base as jupyter_client would have over the server's, and applies ``state``.
- launch: ``... --modules a,b -- <argv>``: purge, then load them, at every start.

The record is ``{"mode": "capture", "modules": [...], "replaced": {VAR: previous value or
null}, "state": {...}}`` (``replaced``: so a new capture first puts back what the last one
replaced) or ``{"mode": "launch", "modules": [...]}``. A capture written before the
launcher took part (no prefix, the module system's records in ``env``) still starts as
it did, with the session's modules too; capturing again rewrites it in this form.
Pure functions of a spec and of environments; the handlers and the launcher run the
module commands and the save.
"""

from __future__ import annotations

import copy
import os
import re
import sys
from collections.abc import Mapping, Sequence
from string import Template
from typing import Any

from .validation import TEMPLATE_REFERENCE

LAUNCHER_MODULE = "jupyterlab_hpc.kernel_launcher"
# jupyter_client puts the kernel's folder in place of this in argv.
RESOURCE_DIR = "{resource_dir}"
_PATH_LIKE = re.compile(r"^(?:[A-Z0-9_]*PATH|MANPATH|CPATH)$")
# What the module systems record about the loaded modules, for their own use: kept out of
# env (it would hide the session's records from the purge at launch) and applied by the
# launcher. Lmod: LOADEDMODULES, _LMFILES_, _ModuleTable001_... and _ModuleTable_Sz_,
# __LMOD_*; Environment Modules: the same two, __MODULES_* (5.x), MODULES_LM* (4.x).
_MODULE_STATE = re.compile(
    r"^(?:LOADEDMODULES|_LMFILES_|_ModuleTable\w*_|__LMOD_\w+|__MODULES_\w+|MODULES_LM\w+)$"
)
# Reference counts of a path-like variable's entries: Lmod's "entry:count;entry:count",
# Environment Modules' "entry:count:entry:count" (only counts above one).
_REF_COUNT = re.compile(r"^(?:__LMOD_REF_COUNT_|__MODULES_SHARE_)(\w+)$")


def is_path_like(name: str) -> bool:
    return bool(_PATH_LIKE.fullmatch(name))


def _escaped(value: str) -> str:
    # jupyter_client expands env values with string.Template: "$" must be "$$".
    return value.replace("$", "$$")


def _unique(entries: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(e for e in entries if e))


def env_entry(name: str, clean: Mapping[str, str], loaded_value: str) -> str | None:
    """The kernel.json value for ``name``: a path-like variable the modules only added
    entries to (in front, at the end, or both) keeps a ``${NAME}`` reference to what the
    kernel inherits in place of the entries it had, so nothing of the server's value is
    frozen into kernel.json; anything else is the full value the modules produced.
    (Lmod also drops duplicate entries while it is at it, so "only added" compares the
    entries without duplicates.) None when the modules added no entry (Lmod only dropped
    duplicates): there is nothing to write."""
    before = clean.get(name, "")
    if is_path_like(name) and before:
        entries = loaded_value.split(os.pathsep)
        old = set(before.split(os.pathsep))
        inside = [i for i, e in enumerate(entries) if e in old]
        if inside:
            first, last = inside[0], inside[-1] + 1
            added, middle, after = entries[:first], entries[first:last], entries[last:]
            if _unique(middle) == _unique(before.split(os.pathsep)):
                if not _unique(added + after):
                    return None
                reference = f"${{{name}}}"
                return os.pathsep.join(
                    [*map(_escaped, _unique(added)), reference, *map(_escaped, _unique(after))]
                )
    return _escaped(loaded_value)


def added_entries(before: str, after: str) -> list[str]:
    """The entries of the path list ``after`` that ``before`` does not have."""
    old = set(before.split(os.pathsep))
    return [e for e in _unique(after.split(os.pathsep)) if e not in old]


def _counts(name: str, value: str) -> list[tuple[str, str]]:
    """The (entry, count) pairs of a reference-count variable."""
    if name.startswith("__LMOD_REF_COUNT_"):
        pairs = [item.rsplit(":", 1) for item in value.split(";") if item]
        return [(p[0], p[1]) for p in pairs if len(p) == 2]
    parts = value.split(":")
    return list(zip(parts[0::2], parts[1::2], strict=False))


def _join_counts(name: str, pairs: Sequence[tuple[str, str]]) -> str:
    separator = ";" if name.startswith("__LMOD_REF_COUNT_") else ":"
    return separator.join(f"{entry}:{count}" for entry, count in pairs)


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


def has_launcher(argv: object) -> bool:
    return (
        isinstance(argv, list)
        and len(argv) > 2
        and argv[1:3] == ["-m", LAUNCHER_MODULE]
        and "--" in argv
    )


def is_old_capture(spec: Mapping[str, Any]) -> bool:
    """A capture written before the launcher took part: it starts with the server
    session's modules too, until it is captured again."""
    record = attached(spec)
    return bool(record and record.get("mode") == "capture" and not has_launcher(spec.get("argv")))


def split_capture(
    clean: Mapping[str, str], loaded: Mapping[str, str]
) -> tuple[dict[str, str], dict[str, str | None]]:
    """``(env, state)``: what the modules changed from ``clean`` to ``loaded``, as the
    entries for kernel.json's ``env`` (see `env_entry`) and the launcher's ``state``:
    the module system's records, reference counts only for the entries the modules added
    (never a copy of the server's whole PATH), and the variables the modules unset
    (None)."""
    env: dict[str, str] = {}
    state: dict[str, str | None] = {}
    for name in sorted(set(clean) | set(loaded)):
        value = loaded.get(name)
        if value == clean.get(name):
            continue
        counted = _REF_COUNT.fullmatch(name)
        if counted and value is not None:
            added = set(
                added_entries(clean.get(counted.group(1), ""), loaded.get(counted.group(1), ""))
            )
            kept = [(e, c) for e, c in _counts(name, value) if e in added]
            if kept:
                state[name] = _join_counts(name, kept)
        elif value is None or _MODULE_STATE.fullmatch(name):
            state[name] = value
        else:
            entry = env_entry(name, clean, value)
            if entry is not None:
                env[name] = entry
    return env, state


def with_captured(
    spec: Mapping[str, Any],
    modules: Sequence[str],
    clean: Mapping[str, str],
    loaded: Mapping[str, str],
    system_kind: str,
    command: str,
) -> dict[str, Any]:
    """``spec`` with ``modules`` captured: what they set written into ``env`` and the
    record's ``state`` (see `split_capture`), argv behind the launcher's ``--captured``
    prefix (replacing any earlier prefix, never nesting). The entries an earlier capture
    replaced are put back first, so capturing again (or capturing nothing) never piles
    up. A path-like entry the kernel already had with a ``${NAME}`` reference keeps its
    own entries first: the modules' entries go where ``${NAME}`` was."""
    new = without_modules(spec)
    if not modules:
        return new
    captured, state = split_capture(clean, loaded)
    env = dict(new.get("env") or {})
    replaced: dict[str, str | None] = {}
    for name, entry in captured.items():
        own = env.get(name)
        reference = f"${{{name}}}"
        replaced[name] = own
        if own is not None and reference in own and reference in entry:
            entry = own.replace(reference, entry, 1)
        env[name] = entry
    new["env"] = env
    new["argv"] = [*launcher_prefix(system_kind, command, captured=True), *new["argv"]]
    _hpc_metadata(new)["modules"] = {
        "mode": "capture",
        "modules": list(modules),
        "replaced": replaced,
        "state": state,
    }
    return new


def launcher_prefix(
    system_kind: str, command: str, modules: Sequence[str] = (), captured: bool = False
) -> list[str]:
    """The launcher's part of argv: ``--captured {resource_dir}`` (the launcher reads the
    kernel's own kernel.json) or ``--modules a,b``."""
    what = ["--captured", RESOURCE_DIR] if captured else ["--modules", ",".join(modules)]
    return [
        sys.executable,
        "-m",
        LAUNCHER_MODULE,
        "--system",
        system_kind,
        "--command",
        command,
        *what,
        "--",
    ]


def original_argv(argv: Sequence[str]) -> list[str]:
    """``argv`` without this package's launcher prefix (as is when there is none)."""
    if has_launcher(list(argv)):
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


# --- at launch, in the launcher (captured kernels) ----------------------------------------


def has_modules_loaded(env: Mapping[str, str]) -> bool:
    return bool(env.get("LOADEDMODULES") or env.get("_LMFILES_"))


def inherited_environment(
    environ: Mapping[str, str], spec_env: Mapping[str, str]
) -> dict[str, str]:
    """The environment jupyter_client applied the env block ``spec_env`` to (the server's,
    with its session's modules), told back from ``environ``, the result: a variable whose
    value refers to itself once (``<head>${NAME}<tail>``) gets back what stood in place of
    the reference (or is unset again when it was not set: safe_substitute left the
    reference as it was). The others keep their value: the env block's own."""
    inherited = dict(environ)
    for name, template in spec_env.items():
        value = environ.get(name)
        if not isinstance(template, str) or value is None:
            continue
        own = [
            m
            for m in TEMPLATE_REFERENCE.finditer(template)
            if (m.group("named") or m.group("braced")) == name
        ]
        if len(own) != 1:
            continue
        ref = own[0]
        head = Template(template[: ref.start()]).safe_substitute(environ)
        tail = Template(template[ref.end() :]).safe_substitute(environ)
        if len(value) < len(head) + len(tail):
            continue
        if not (value.startswith(head) and value.endswith(tail)):
            continue
        middle = value[len(head) : len(value) - len(tail)]
        if middle == ref.group(0):
            inherited.pop(name, None)
        else:
            inherited[name] = middle
    return inherited


def captured_environment(
    clean: Mapping[str, str], spec_env: Mapping[str, str], state: Mapping[str, Any]
) -> dict[str, str]:
    """What a captured kernel starts with: ``clean`` (the inherited environment without
    its modules), the env block expanded over it as jupyter_client expands it over the
    server's environment (``string.Template.safe_substitute``), then the capture's
    ``state``: the module system's records (reference counts merged with the clean
    base's), and None for a variable the modules unset."""
    final = dict(clean)
    for name, template in spec_env.items():
        if isinstance(template, str):
            final[name] = Template(template).safe_substitute(clean)
    for name, value in state.items():
        if value is None:
            final.pop(name, None)
        elif not isinstance(value, str):
            continue
        elif _REF_COUNT.fullmatch(name) and clean.get(name):
            mine = _counts(name, value)
            seen = {entry for entry, _ in mine}
            rest = [(e, c) for e, c in _counts(name, clean[name]) if e not in seen]
            final[name] = _join_counts(name, [*mine, *rest])
        else:
            final[name] = value
    return final
