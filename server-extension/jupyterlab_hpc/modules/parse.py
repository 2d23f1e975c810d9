"""Pure parsers from Lmod and Environment Modules output to the module model.

Tested on outputs recorded from Lmod 8.6 and Environment Modules 5.2
(server-extension/tests/fixtures/modules/).
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from .base import EnvAction, EnvChanges, LoadedModule, Module, ModuleError, SpiderHit


class UnexpectedOutput(ModuleError):
    """The module command printed something the strict parser does not accept."""


# --- the Python code `<module command> python <subcommand>` prints ----------------------


def _environ_key(node: ast.expr) -> str | None:
    """``os.environ["X"]`` -> ``"X"``; anything else -> None."""
    if not (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "environ"
        and isinstance(node.value.value, ast.Name)
        and node.value.value.id == "os"
        and isinstance(node.slice, ast.Constant)
        and isinstance(node.slice.value, str)
    ):
        return None
    return node.slice.value


def parse_python_env(code: str) -> tuple[EnvChanges, bool | None]:
    """The environment changes and the status (`_mlstatus`) in a module command's output.

    Only these statement shapes are accepted; anything else raises `UnexpectedOutput` and
    nothing is applied (the code is never executed):
      import os
      os.environ["NAME"] = "value"
      del os.environ["NAME"]
      _mlstatus = True | False
    A later statement about the same variable wins (Environment Modules sets a variable to
    "" and then deletes it).
    """
    try:
        tree = ast.parse(code)
    except SyntaxError as e:
        raise UnexpectedOutput(
            "The module command printed code that is not valid Python.", detail=str(e)
        ) from None
    changes: EnvChanges = {}
    status: bool | None = None
    for stmt in tree.body:
        if isinstance(stmt, ast.Import) and [(a.name, a.asname) for a in stmt.names] == [
            ("os", None)
        ]:
            continue
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target = stmt.targets[0]
            value = stmt.value
            key = _environ_key(target)
            if key is not None and isinstance(value, ast.Constant) and isinstance(value.value, str):
                changes[key] = value.value
                continue
            if (
                isinstance(target, ast.Name)
                and target.id == "_mlstatus"
                and isinstance(value, ast.Constant)
                and isinstance(value.value, bool)
            ):
                status = value.value
                continue
        if isinstance(stmt, ast.Delete) and len(stmt.targets) == 1:
            key = _environ_key(stmt.targets[0])
            if key is not None:
                changes[key] = None
                continue
        raise UnexpectedOutput(
            "The module command printed a statement other than environment changes; "
            "nothing was applied.",
            detail=ast.unparse(stmt)[:500],
        )
    return changes, status


def apply_changes(env: Mapping[str, str], changes: EnvChanges) -> dict[str, str]:
    """A new environment: ``env`` with ``changes`` applied (``env`` is not modified)."""
    new = dict(env)
    for key, value in changes.items():
        if value is None:
            new.pop(key, None)
        else:
            new[key] = value
    return new


def diff_env(old: Mapping[str, str], new: Mapping[str, str]) -> EnvChanges:
    """The changes that turn ``old`` into ``new``."""
    changes: EnvChanges = {k: v for k, v in new.items() if old.get(k) != v}
    changes.update({k: None for k in old if k not in new})
    return changes


def loaded_modules(env: Mapping[str, str]) -> list[LoadedModule]:
    """The loaded modules, in load order, from LOADEDMODULES and _LMFILES_ (both systems)."""
    names = [n for n in env.get("LOADEDMODULES", "").split(":") if n]
    files = [f for f in env.get("_LMFILES_", "").split(":") if f]
    if len(files) != len(names):
        files = [""] * len(names)
    return [LoadedModule(n, f) for n, f in zip(names, files, strict=True)]


def modulepath(env: Mapping[str, str]) -> list[str]:
    return [p for p in env.get("MODULEPATH", "").split(":") if p]


# --- Lmod ------------------------------------------------------------------------------------


def parse_lmod_terse(text: str) -> list[tuple[str, str]]:
    """``(full name, MODULEPATH entry)`` from `lmod python -t avail` (stderr).

    The terse listing is a `/dir:` header per MODULEPATH entry, then one `name/` line per
    package directory (skipped) and one line per module. Lines with spaces are messages.
    """
    found: list[tuple[str, str]] = []
    current = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or " " in line:
            continue
        if line.startswith("/") and line.endswith(":"):
            current = line[:-1]
        elif not line.endswith("/"):
            found.append((line, current))
    return found


def parse_lmod_avail(visible: str, defaults: str, with_hidden: str | None = None) -> list[Module]:
    """Modules from terse listings: the plain one, `-d` (the default of each package) and,
    when hidden modules are wanted, `--show_hidden` (hidden = listed only there).

    Lmod's terse listing marks neither defaults nor hidden modules, and its marked
    listing is twice as slow to produce on a large site, hence these runs (in parallel).
    """
    shown = parse_lmod_terse(visible)
    shown_names = {name for name, _ in shown}
    default = {name for name, _ in parse_lmod_terse(defaults)}
    modules: dict[str, Module] = {}
    listing = parse_lmod_terse(with_hidden) if with_hidden is not None else shown
    for name, where in listing:
        if name in modules:  # the first MODULEPATH entry wins, as in `module load`
            continue
        modules[name] = Module.from_full_name(
            name,
            default=name in default,
            hidden=name not in shown_names,
            modulepath=where,
        )
    return sorted(modules.values(), key=lambda m: (m.package.lower(), m.package, m.version))


def parse_lmod_savelist(text: str) -> list[str]:
    """Collection names from `lmod python -t savelist` (stderr), one per line."""
    return [line.strip() for line in text.splitlines() if line.strip() and " " not in line.strip()]


def parse_lmod_version(text: str) -> str | None:
    match = re.search(r"Version\s+(\d+(?:\.\d+)+)", text)
    return match.group(1) if match else None


def parse_lmod_spider_json(text: str, query: str = "") -> list[SpiderHit]:
    """Hits from `spider -o jsonSoftwarePage <MODULEPATH>` whose name or description
    contains ``query`` (case-insensitive); ``parent`` says what to load first."""
    try:
        data = json.loads(text)
    except ValueError as e:
        raise UnexpectedOutput("Lmod's spider did not print JSON.", detail=str(e)) from None
    if not isinstance(data, list):
        raise UnexpectedOutput("Lmod's spider printed JSON of an unknown shape.")
    needle = query.lower()
    hits: list[SpiderHit] = []
    for package in data:
        if not isinstance(package, dict):
            continue
        package_name = str(package.get("package", ""))
        package_description = str(package.get("description", ""))
        for version in package.get("versions", []):
            if not isinstance(version, dict) or "full" not in version:
                continue
            full = str(version["full"])
            description = str(version.get("description", package_description))
            if needle and needle not in full.lower() and needle not in description.lower():
                continue
            parents = version.get("parent") or []
            hits.append(
                SpiderHit(
                    full_name=full,
                    package=package_name or full.rpartition("/")[0],
                    version=str(version.get("versionName", full.rpartition("/")[2])),
                    description=description,
                    path=str(version.get("path", "")),
                    default=bool(version.get("markedDefault"))
                    or str(package.get("defaultVersionName")) == version.get("versionName"),
                    load_first=[[str(p) for p in chain] for chain in parents if chain],
                )
            )
    return sorted(hits, key=lambda h: (h.package.lower(), h.package, h.version))


_LUA_CALL = re.compile(r"([A-Za-z_]+)\((.*)\)")
_LUA_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_LMOD_ENV_FUNCS = {
    "setenv": "setenv",
    "pushenv": "pushenv",
    "unsetenv": "unsetenv",
    "prepend_path": "prepend-path",
    "append_path": "append-path",
    "remove_path": "remove-path",
}


def _lua_unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def parse_lmod_show(text: str) -> tuple[str, list[EnvAction]]:
    """The modulefile path and the environment actions in `lmod python show` (stderr)."""
    path = ""
    actions: list[EnvAction] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not path and line.startswith("/") and line.endswith(":"):
            path = line[:-1]
            continue
        match = _LUA_CALL.fullmatch(line)
        if not match or match.group(1) not in _LMOD_ENV_FUNCS:
            continue
        args = [_lua_unescape(a) for a in _LUA_STRING.findall(match.group(2))]
        if args:
            value = args[1] if len(args) > 1 else ""
            actions.append(EnvAction(_LMOD_ENV_FUNCS[match.group(1)], args[0], value))
    return path, actions


def parse_lmod_whatis(text: str) -> list[str]:
    """`gcc/12.2.0    : Description: GNU ...` lines -> ``["Description: GNU ..."]``."""
    lines = []
    for raw in text.splitlines():
        name, sep, rest = raw.partition(" : ")
        if sep and name.strip() and " " not in name.strip():
            lines.append(rest.strip())
    return lines


def parse_lmod_help(text: str) -> str:
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if "Module Specific Help for" in line:
            return "\n".join(lines[i + 1 :]).strip()
    return ""


# --- Environment Modules --------------------------------------------------------------------


def _first_json_object(text: str) -> Any:
    """The JSON object in a listing that may carry messages before or after it."""
    decoder = json.JSONDecoder()
    for match in re.finditer(r"^\{", text, re.MULTILINE):
        try:
            value, _ = decoder.raw_decode(text, match.start())
        except ValueError:
            continue
        return value
    if not text.strip():
        return {}
    raise UnexpectedOutput("Environment Modules did not print JSON.", detail=text[:500])


def _envmodules_entries(text: str) -> Iterable[tuple[str, str, dict[str, Any]]]:
    """``(MODULEPATH entry, name, entry)`` from `modulecmd python avail -j` (stderr)."""
    data = _first_json_object(text)
    if not isinstance(data, dict):
        raise UnexpectedOutput("Environment Modules printed JSON of an unknown shape.")
    for where, entries in data.items():
        if not isinstance(entries, dict):
            continue
        for name, entry in entries.items():
            if isinstance(entry, dict):
                yield str(where), str(name), entry


def parse_envmodules_avail(text: str) -> list[Module]:
    """Modules from `modulecmd python avail -j -a` (stderr): hidden ones are tagged
    ``hidden``; a default set by the site has the symbol ``default`` (as `module avail`
    shows it; the implicit "latest" default is not marked)."""
    modules: dict[str, Module] = {}
    for where, name, entry in _envmodules_entries(text):
        if entry.get("type", "modulefile") not in ("modulefile", "virtual") or name in modules:
            continue
        tags = entry.get("tags") or []
        symbols = entry.get("symbols") or []
        modules[name] = Module.from_full_name(
            name,
            default="default" in symbols,
            hidden="hidden" in tags or "hidden-loaded" in tags,
            path=str(entry.get("pathname", "")),
            modulepath=where,
        )
    return sorted(modules.values(), key=lambda m: (m.package.lower(), m.package, m.version))


def parse_envmodules_version(text: str) -> str | None:
    match = re.search(r"Modules Release\s+(\d+(?:\.\d+)+)", text)
    return match.group(1) if match else None


def parse_envmodules_search(text: str, query: str = "") -> list[SpiderHit]:
    """Hits from `modulecmd python search -j` (whatis lines per module) whose name or
    whatis contains ``query`` (case-insensitive)."""
    needle = query.lower()
    hits = []
    for _, name, entry in _envmodules_entries(text):
        whatis = [str(w) for w in entry.get("whatis") or []]
        if needle and needle not in name.lower() and not any(needle in w.lower() for w in whatis):
            continue
        module = Module.from_full_name(name)
        hits.append(
            SpiderHit(
                full_name=name,
                package=module.package,
                version=module.version,
                description=_description(whatis),
            )
        )
    return sorted(hits, key=lambda h: (h.package.lower(), h.package, h.version))


def _description(whatis: Iterable[str]) -> str:
    lines = list(whatis)
    for line in lines:
        if line.lower().startswith("description:"):
            return line.split(":", 1)[1].strip()
    return lines[0] if lines else ""


def description_of(whatis: Iterable[str]) -> str:
    return _description(whatis)


_ENVMODULES_ENV_CMDS = {
    "setenv",
    "unsetenv",
    "pushenv",
    "prepend-path",
    "append-path",
    "remove-path",
}


def parse_envmodules_show(text: str) -> tuple[str, list[EnvAction]]:
    """The modulefile path and the environment actions in `modulecmd python show`."""
    path = ""
    actions: list[EnvAction] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not path and line.startswith("/") and line.endswith(":"):
            path = line[:-1]
            continue
        parts = line.split()
        if not parts or parts[0] not in _ENVMODULES_ENV_CMDS:
            continue
        args = [p for p in parts[1:] if not p.startswith("--")]
        if args:
            actions.append(EnvAction(parts[0], args[0], " ".join(args[1:])))
    return path, actions


def parse_envmodules_whatis(text: str) -> list[str]:
    lines: list[str] = []
    for _, _, entry in _envmodules_entries(text):
        lines.extend(str(w) for w in entry.get("whatis") or [])
    return lines


def parse_envmodules_help(text: str) -> str:
    lines = [line for line in text.splitlines() if not re.fullmatch(r"-{10,}", line.strip())]
    for i, line in enumerate(lines):
        if line.startswith("Module Specific Help for"):
            return "\n".join(lines[i + 1 :]).strip()
    return ""


def parse_envmodules_savelist(text: str) -> list[str]:
    data = _first_json_object(text)
    if not isinstance(data, dict):
        raise UnexpectedOutput("Environment Modules printed JSON of an unknown shape.")
    return sorted(str(name) for name in data)


# --- error messages -------------------------------------------------------------------------


def error_message(stderr: str) -> str:
    """The reason a module command gives for failing, as one sentence-like line."""
    text = stderr.strip()
    lmod = re.search(
        r"Lmod has detected the following error:\s*(.*?)(?:\n\s*While processing|\n\s*\n|$)",
        text,
        re.DOTALL,
    )
    if lmod:
        return " ".join(lmod.group(1).split())
    if text.startswith("{") and '"errors"' in text:  # Environment Modules with -j
        try:
            data = _first_json_object(text)
            messages = [
                " ".join(str(line) for line in e.get("message", []))
                for e in data.get("errors", [])
                if isinstance(e, dict)
            ]
            if messages:
                return " ".join(messages)
        except (ModuleError, AttributeError):
            pass
    errors = re.findall(r"ERROR:\s*(.+)", text)
    if errors:
        return " ".join(" ".join(e.split()) for e in errors[:3])
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return " ".join(lines[:3])[:500]
