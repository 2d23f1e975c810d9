"""The module session: the environment the Modules panel works on, and the operations on it.

The session keeps its own environment (a dict). Every module command runs in a subprocess
with that environment, in the command's `python` mode; the environment changes it prints
are parsed strictly (never executed) and applied to the dict. Only operations the user
asks for with the target "server" are copied into the server process's ``os.environ``
(new kernels and terminals inherit them; running ones do not change).
"""

from __future__ import annotations

import asyncio
import os
import time
import weakref
from collections import OrderedDict
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..runner import CommandNotFound, CommandResult, CommandRunner, CommandTimeout
from . import parse
from .base import (
    EnvChanges,
    Module,
    ModuleDetails,
    ModuleError,
    ModuleSystem,
    SpiderHit,
    validate_collection_name,
    validate_module_name,
    validate_module_path,
)

# Settings for the module command itself, never copied into the session environment.
_COMMAND_ENV = {
    "LMOD_COLORIZE": "no",
    "LMOD_PAGER": "none",
    "MODULES_COLOR": "never",
    "MODULES_PAGER": "",
    "TERM": "dumb",
}
_CACHE_SIZE = 8


@dataclass(frozen=True, slots=True)
class Listing:
    """A cached listing: what was found, for which MODULEPATH, and when."""

    items: list[Any]
    modulepath: str
    fetched_at: float
    duration: float
    with_hidden: bool = False


async def _run(
    runner: CommandRunner, argv: Sequence[str], env: Mapping[str, str], timeout: float
) -> CommandResult:
    try:
        return await runner.run(argv, env={**env, **_COMMAND_ENV}, timeout=timeout)
    except CommandNotFound as e:
        raise ModuleError(f"The module command {e.name} was not found.") from None
    except CommandTimeout as e:
        raise ModuleError(str(e)) from None


def _run_sync(
    runner: CommandRunner, argv: Sequence[str], env: Mapping[str, str], timeout: float
) -> CommandResult:
    try:
        return runner.run_sync(argv, env={**env, **_COMMAND_ENV}, timeout=timeout)
    except CommandNotFound as e:
        raise ModuleError(f"The module command {e.name} was not found.") from None
    except CommandTimeout as e:
        raise ModuleError(str(e)) from None


def env_changes(result: CommandResult, what: str) -> EnvChanges:
    """The environment changes of a module command that changes the environment, or
    `ModuleError` when it failed (then none of its changes may be applied)."""
    try:
        changes, status = parse.parse_python_env(result.stdout)
    except ModuleError:
        if not result.ok:
            status = False
            changes = {}
        else:
            raise
    if not result.ok or status is False:
        reason = parse.error_message(result.stderr) or result.message
        raise ModuleError(f"{what} failed: {reason}", detail=result.stderr.strip()[-4000:])
    return changes


def _checked(result: CommandResult, what: str) -> CommandResult:
    """A read-only command's result, or `ModuleError` when it said it failed."""
    try:
        _, status = parse.parse_python_env(result.stdout)
    except ModuleError:
        status = None
    if not result.ok or status is False:
        reason = parse.error_message(result.stderr) or result.message
        raise ModuleError(f"{what} failed: {reason}", detail=result.stderr.strip()[-4000:])
    return result


async def compute_module_environment(
    system: ModuleSystem,
    runner: CommandRunner,
    modules: Sequence[str],
    base_env: Mapping[str, str],
    timeout: float = 120.0,
) -> EnvChanges:
    """The environment changes that loading ``modules`` on top of ``base_env`` makes.

    Nothing is modified: not ``base_env``, not this process. This is what a kernelspec
    uses to capture modules into a kernel's ``env``. Raises `ModuleError` (with the module
    command's reason) when a module fails to load.
    """
    names = [validate_module_name(m) for m in modules]
    if not names:
        return {}
    result = await _run(runner, system.load_argv(names), base_env, timeout)
    changes = env_changes(result, "Loading " + " ".join(names))
    return parse.diff_env(base_env, parse.apply_changes(base_env, changes))


def fresh_module_environment(
    system: ModuleSystem,
    runner: CommandRunner,
    modules: Sequence[str],
    env: Mapping[str, str],
    timeout: float = 120.0,
) -> tuple[dict[str, str], dict[str, str]]:
    """``(clean, loaded)``: ``env`` with every module purged, and that with ``modules`` loaded.

    Two subprocesses (`<cmd> python purge`, then `<cmd> python load ...` from the purged
    environment); nothing is modified, not ``env``, not this process. Blocking: the kernel
    launcher calls it directly, the server through a thread. Raises `ModuleError` with the
    module command's reason when a module fails to load.
    """
    names = [validate_module_name(m) for m in modules]
    purged = _run_sync(runner, system.purge_argv(), env, timeout)
    clean = parse.apply_changes(env, env_changes(purged, "Unloading every module"))
    if not names:
        return clean, dict(clean)
    result = _run_sync(runner, system.load_argv(names), clean, timeout)
    loaded = parse.apply_changes(clean, env_changes(result, "Loading " + " ".join(names)))
    return clean, loaded


class ModuleSession:
    """One server's module session (shared by every panel of the server's user)."""

    def __init__(
        self,
        system: ModuleSystem,
        runner: CommandRunner,
        environ: MutableMapping[str, str] | None = None,
        timeout: float = 120.0,
    ) -> None:
        self.system = system
        self.runner = runner
        self.timeout = timeout
        # The process environment the "server" target writes to (os.environ by default).
        self.environ: MutableMapping[str, str] = os.environ if environ is None else environ
        self.env: dict[str, str] = dict(self.environ)
        self.start_env: dict[str, str] = dict(self.env)
        self.start_errors: list[str] = []
        self._avail: OrderedDict[tuple[str, bool], Listing] = OrderedDict()
        self._spider: OrderedDict[str, Listing] = OrderedDict()
        self._lock = asyncio.Lock()
        self._version: str | None = None
        # The kernels and terminals (their manager objects) that were running at the last
        # change that changed something: they started from an older environment. Kept by
        # the handlers (modules/handlers.py); weak, so one that ends drops out, and a new
        # one is never in it, even under a reused name.
        self.started_before_change: weakref.WeakSet[Any] = weakref.WeakSet()

    # --- the site's start-up state ------------------------------------------------------

    def start(self, paths: Sequence[str], modules: Sequence[str]) -> None:
        """`module use` the admin's paths, then load the admin's modules, into the server
        process (synchronously, while the server starts). Failures are kept in
        ``start_errors`` and logged by the caller; the server starts anyway."""
        steps: list[tuple[list[str], str]] = []
        for path in paths:
            try:
                steps.append((self.system.use_argv(validate_module_path(path)), f"use {path}"))
            except ValueError as e:
                self.start_errors.append(str(e))
        for name in modules:
            try:
                steps.append((self.system.load_argv([validate_module_name(name)]), name))
            except ValueError as e:
                self.start_errors.append(str(e))
        for argv, what in steps:
            try:
                result = _run_sync(self.runner, argv, self.env, self.timeout)
                self._commit(env_changes(result, f"Start-up module '{what}'"))
            except ModuleError as e:
                self.start_errors.append(e.message)
        self.start_env = dict(self.env)

    # --- reading ------------------------------------------------------------------------

    async def version(self) -> str | None:
        if self._version is None:
            result = await _run(self.runner, self.system.version_argv(), self.env, self.timeout)
            self._version = self.system.parse_version(result.stderr + result.stdout)
        return self._version

    def loaded(self) -> list[dict[str, Any]]:
        return [m.to_dict() for m in parse.loaded_modules(self.env)]

    def modulepath(self) -> list[str]:
        return parse.modulepath(self.env)

    async def avail(self, refresh: bool = False, hidden: bool = False) -> tuple[Listing, bool]:
        """Every module on the current MODULEPATH (with ``hidden``, hidden ones too, marked)
        and whether the answer came from the cache. Cached per MODULEPATH: a load that does
        not change MODULEPATH never lists again."""
        path = self.env.get("MODULEPATH", "")
        # A listing with the hidden modules also answers a request without them.
        for key in ((path, True), (path, False)) if not hidden else ((path, True),):
            cached = self._avail.get(key)
            if cached is not None and not refresh:
                self._avail.move_to_end(key)
                return cached, True
        if not path:  # nothing to list (Environment Modules calls it an error)
            return Listing([], path, time.time(), 0.0, True), False
        env = dict(self.env)
        start = time.monotonic()
        argvs = self.system.avail_argvs(hidden)
        results = await asyncio.gather(
            *(_run(self.runner, argv, env, self.timeout) for argv in argvs)
        )
        for result in results:
            _checked(result, "Listing the available modules")
        modules: list[Module] = self.system.parse_avail([r.stderr for r in results])
        with_hidden = hidden or self.system.avail_includes_hidden
        listing = Listing(modules, path, time.time(), time.monotonic() - start, with_hidden)
        _remember(self._avail, (path, with_hidden), listing)
        return listing, False

    async def spider(self, query: str, refresh: bool = False) -> tuple[Listing, bool]:
        """Modules anywhere in the hierarchy (Lmod) or on MODULEPATH (Environment Modules)
        whose name or description contains ``query``; the full list is cached per MODULEPATH."""
        key = self.env.get("MODULEPATH", "")
        cached = self._spider.get(key)
        from_cache = cached is not None and not refresh
        if (cached is None or refresh) and not key:
            # Nothing to search (and Lmod's spider would take "" for a directory).
            cached = Listing([], key, time.time(), 0.0)
        elif cached is None or refresh:
            env = dict(self.env)
            start = time.monotonic()
            result = await _run(self.runner, self.system.spider_argv(env, ""), env, self.timeout)
            if not result.ok:
                raise ModuleError(
                    "Searching the modules failed: "
                    + (parse.error_message(result.stderr) or result.message),
                    detail=result.stderr.strip()[-4000:],
                )
            hits = self.system.parse_spider(result.stdout, result.stderr, "")
            cached = Listing(hits, key, time.time(), time.monotonic() - start)
            _remember(self._spider, key, cached)
        needle = query.lower()
        hits = [
            h
            for h in cached.items
            if isinstance(h, SpiderHit)
            and (not needle or needle in h.full_name.lower() or needle in h.description.lower())
        ]
        return Listing(hits, key, cached.fetched_at, cached.duration), from_cache

    async def details(self, name: str) -> ModuleDetails:
        name = validate_module_name(name)
        env = dict(self.env)
        results = await asyncio.gather(
            *(
                _run(self.runner, argv, env, self.timeout)
                for argv in self.system.details_argvs(name)
            )
        )
        _checked(results[0], f"Showing {name}")
        return self.system.parse_details(name, [r.stderr for r in results])

    async def collections(self) -> list[str]:
        result = await _run(self.runner, self.system.collections_argv(), self.env, self.timeout)
        _checked(result, "Listing the collections")
        return self.system.parse_collections(result.stderr)

    # --- changing (each applies to the session and the server process, or not at all) ---

    async def load(self, names: Sequence[str]) -> EnvChanges:
        checked = [validate_module_name(n) for n in names]
        return await self._change(self.system.load_argv(checked), "Loading " + " ".join(checked))

    async def unload(self, names: Sequence[str]) -> EnvChanges:
        checked = [validate_module_name(n) for n in names]
        argv = self.system.unload_argv(checked)
        return await self._change(argv, "Unloading " + " ".join(checked))

    async def swap(self, old: str, new: str) -> EnvChanges:
        old, new = validate_module_name(old), validate_module_name(new)
        return await self._change(self.system.swap_argv(old, new), f"Swapping {old} for {new}")

    async def purge(self) -> EnvChanges:
        return await self._change(self.system.purge_argv(), "Unloading every module")

    async def reset(self) -> EnvChanges:
        """Back to the environment the server started with (the site's defaults)."""
        async with self._lock:
            return self._commit(parse.diff_env(self.env, self.start_env))

    async def use(self, path: str) -> EnvChanges:
        path = validate_module_path(path)
        if not await asyncio.to_thread(os.path.isdir, path):
            raise ModuleError(f"{path} is not a directory on this server.")
        return await self._change(self.system.use_argv(path), f"module use {path}")

    async def unuse(self, path: str) -> EnvChanges:
        path = validate_module_path(path)
        return await self._change(self.system.unuse_argv(path), f"module unuse {path}")

    async def save(self, name: str) -> None:
        name = validate_collection_name(name)
        result = await _run(self.runner, self.system.save_argv(name), self.env, self.timeout)
        env_changes(result, f"Saving the collection {name}")

    async def restore(self, name: str) -> EnvChanges:
        name = validate_collection_name(name)
        return await self._change(
            self.system.restore_argv(name), f"Restoring the collection {name}"
        )

    async def delete_collection(self, name: str) -> None:
        name = validate_collection_name(name)
        if name not in await self.collections():
            raise ModuleError(f"There is no collection named {name}.")
        argv = self.system.delete_collection_argv(name)
        result = await _run(self.runner, argv, self.env, self.timeout)
        env_changes(result, f"Deleting the collection {name}")

    async def compute(self, modules: Sequence[str], base_env: Mapping[str, str]) -> EnvChanges:
        return await compute_module_environment(
            self.system, self.runner, modules, base_env, self.timeout
        )

    async def _change(self, argv: list[str], what: str) -> EnvChanges:
        async with self._lock:
            result = await _run(self.runner, argv, self.env, self.timeout)
            return self._commit(env_changes(result, what))

    def _commit(self, changes: EnvChanges) -> EnvChanges:
        """Apply to the session, then to the server process; return what really changed."""
        new_env = parse.apply_changes(self.env, changes)
        real = parse.diff_env(self.env, new_env)
        self.env = new_env
        for key, value in real.items():
            if value is None:
                self.environ.pop(key, None)
            else:
                self.environ[key] = value
        return real


def _remember(cache: OrderedDict[Any, Listing], key: Any, listing: Listing) -> None:
    cache[key] = listing
    cache.move_to_end(key)
    while len(cache) > _CACHE_SIZE:
        cache.popitem(last=False)
