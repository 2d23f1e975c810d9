"""Thin authenticated REST handlers under ``{base_url}jupyterlab-hpc/modules/``."""

from __future__ import annotations

import contextlib
import json
import weakref
from typing import Any

import tornado.web

from ..base.handlers import BadRequest, HPCHandler
from . import EnvChanges, InvalidName, ModuleError, ModuleSession

MAX_MODULES = 100
TARGETS = ("server",)
_SPIDER_QUERY_MAX = 200


class ModulesHandler(HPCHandler):
    def require_modules(self) -> ModuleSession:
        session = self.hpc.modules
        if session is None:
            raise BadRequest(self.hpc.no_module_system_message, status=503)
        return session

    def require_target(self, body: dict[str, Any]) -> str:
        """The target must be named: the server process is changed only when asked."""
        target = body.get("target")
        if target not in TARGETS:
            raise BadRequest(
                "Say where the change goes: target must be 'server' (this server session: "
                "new kernels and terminals inherit it). Modules for one kernel are added in "
                "its kernelspec."
            )
        return str(target)

    def running(self) -> tuple[list[tuple[str, Any]], list[tuple[str, Any]]]:
        """``(kernels, terminals)``: each running one's id or name and its manager object."""
        kernels: list[tuple[str, Any]] = []
        kernel_manager = self.settings.get("kernel_manager")
        if kernel_manager is not None:
            for kid in kernel_manager.list_kernel_ids():
                with contextlib.suppress(KeyError, tornado.web.HTTPError):  # ended meanwhile
                    kernels.append((str(kid), kernel_manager.get_kernel(kid)))
        terminals: list[tuple[str, Any]] = []
        terminal_manager = self.settings.get("terminal_manager")
        if terminal_manager is not None:
            terminals = [(str(n), t) for n, t in dict(terminal_manager.terminals).items()]
        return kernels, terminals

    async def not_affected(self, session: ModuleSession) -> dict[str, list[dict[str, str]]]:
        """Kernels and terminals that started before the session's last change: it does
        not reach them. Those started after it inherited it and are not listed."""
        kernels, terminals = self.running()
        before = session.started_before_change
        kernels = [(kid, k) for kid, k in kernels if k in before]
        terminals = [(name, t) for name, t in terminals if t in before]
        paths: dict[str, str] = {}
        session_manager = self.settings.get("session_manager")
        if kernels and session_manager is not None:
            for s in await session_manager.list_sessions():
                kernel = s.get("kernel") or {}
                paths[str(kernel.get("id"))] = str(s.get("path") or s.get("name") or "")
        return {
            "kernels": [
                {"id": kid, "name": str(getattr(k, "kernel_name", "")), "path": paths.get(kid, "")}
                for kid, k in kernels
            ],
            "terminals": [{"name": name} for name, _ in terminals],
        }

    async def answer_change(self, session: ModuleSession, changes: EnvChanges) -> None:
        self.finish(
            json.dumps(
                {
                    "target": "server",
                    "loaded": session.loaded(),
                    "modulepath": session.modulepath(),
                    "changed": sorted(changes),
                    "not_affected": await self.not_affected(session),
                }
            )
        )

    async def run_change(self, session: ModuleSession, coro: Any) -> None:
        try:
            changes = await coro
        except InvalidName as e:
            raise BadRequest(str(e)) from None
        except ModuleError as e:
            # The module command refused (unknown module, a modulefile error): the
            # session and the server are unchanged.
            raise BadRequest(e.message, status=409, detail=e.detail) from None
        if changes:
            # Before any await: whatever runs now started from the environment before
            # this change; what starts from here on inherits it.
            kernels, terminals = self.running()
            session.started_before_change = weakref.WeakSet(o for _, o in kernels + terminals)
        await self.answer_change(session, changes)


def _names(body: dict[str, Any], key: str = "modules") -> list[str]:
    names = body.get(key)
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise BadRequest(f"{key} must be a non-empty list of module names.")
    if len(names) > MAX_MODULES:
        raise BadRequest(f"At most {MAX_MODULES} modules at a time.")
    return list(dict.fromkeys(names))


class ModuleStatusHandler(ModulesHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        session = self.hpc.modules
        if session is None:
            self.finish(
                json.dumps(
                    {
                        "system": {
                            "kind": None,
                            "label": None,
                            "version": None,
                            "available": False,
                            "message": self.hpc.no_module_system_message,
                            "hierarchy_search": False,
                        }
                    }
                )
            )
            return
        try:
            version = await session.version()
            message = ""
        except ModuleError as e:
            version, message = None, e.message
        self.finish(
            json.dumps(
                {
                    "system": {
                        "kind": session.system.kind,
                        "label": session.system.label,
                        "version": version,
                        "available": True,
                        "message": message,
                        "hierarchy_search": session.system.hierarchy_search,
                    },
                    "loaded": session.loaded(),
                    "modulepath": session.modulepath(),
                    "start_errors": session.start_errors,
                    "targets": list(TARGETS),
                    "not_affected": await self.not_affected(session),
                }
            )
        )


class ModuleAvailHandler(ModulesHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        session = self.require_modules()
        refresh = self.get_query_argument("refresh", "") in ("1", "true")
        hidden = self.get_query_argument("hidden", "") in ("1", "true")
        try:
            listing, cached = await session.avail(refresh=refresh, hidden=hidden)
        except ModuleError as e:
            raise BadRequest(e.message, status=502, detail=e.detail) from None
        self.finish(
            json.dumps(
                {
                    "modulepath": listing.modulepath.split(":") if listing.modulepath else [],
                    "fetched_at": listing.fetched_at,
                    "duration": listing.duration,
                    "cached": cached,
                    "with_hidden": listing.with_hidden,
                    "columns": ["full_name", "package", "version", "default", "hidden", "path"],
                    "rows": [
                        [m.full_name, m.package, m.version, m.default, m.hidden, m.path]
                        for m in listing.items
                    ],
                }
            )
        )


class ModuleSpiderHandler(ModulesHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        session = self.require_modules()
        query = self.get_query_argument("q", "")
        if len(query) > _SPIDER_QUERY_MAX:
            raise BadRequest(f"The search is too long ({_SPIDER_QUERY_MAX} characters at most).")
        refresh = self.get_query_argument("refresh", "") in ("1", "true")
        try:
            listing, cached = await session.spider(query, refresh=refresh)
        except ModuleError as e:
            raise BadRequest(e.message, status=502, detail=e.detail) from None
        hierarchy = session.system.hierarchy_search
        self.finish(
            json.dumps(
                {
                    "query": query,
                    "hierarchy": hierarchy,
                    "message": ""
                    if hierarchy
                    else (
                        f"{session.system.label} cannot search the module hierarchy: this "
                        "search covers only the modules on the current MODULEPATH, not those "
                        "that appear after loading a compiler or MPI."
                    ),
                    "cached": cached,
                    "fetched_at": listing.fetched_at,
                    "hits": [h.to_dict() for h in listing.items],
                }
            )
        )


class ModuleShowHandler(ModulesHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        session = self.require_modules()
        name = self.get_query_argument("name", "")
        try:
            details = await session.details(name)
        except InvalidName as e:
            raise BadRequest(str(e)) from None
        except ModuleError as e:
            raise BadRequest(e.message, status=404, detail=e.detail) from None
        self.finish(json.dumps(details.to_dict()))


class ModuleLoadHandler(ModulesHandler):
    @tornado.web.authenticated
    async def post(self) -> None:
        session = self.require_modules()
        body = self.json_body()
        names = _names(body)
        self.require_target(body)
        await self.run_change(session, session.load(names))


class ModuleUnloadHandler(ModulesHandler):
    @tornado.web.authenticated
    async def post(self) -> None:
        session = self.require_modules()
        body = self.json_body()
        names = _names(body)
        self.require_target(body)
        await self.run_change(session, session.unload(names))


class ModuleSwapHandler(ModulesHandler):
    @tornado.web.authenticated
    async def post(self) -> None:
        session = self.require_modules()
        body = self.json_body()
        old, new = body.get("old"), body.get("new")
        if not isinstance(old, str) or not isinstance(new, str):
            raise BadRequest('The body must be {"old": <loaded module>, "new": <module>, ...}.')
        self.require_target(body)
        await self.run_change(session, session.swap(old, new))


class ModuleResetHandler(ModulesHandler):
    """``{"to": "start"}``: back to the site defaults; ``{"to": "none"}``: purge."""

    @tornado.web.authenticated
    async def post(self) -> None:
        session = self.require_modules()
        body = self.json_body()
        to = body.get("to")
        if to not in ("start", "none"):
            raise BadRequest("to must be 'start' (the site defaults) or 'none' (purge).")
        self.require_target(body)
        await self.run_change(session, session.reset() if to == "start" else session.purge())


class ModulePathsHandler(ModulesHandler):
    @tornado.web.authenticated
    async def post(self) -> None:
        session = self.require_modules()
        body = self.json_body()
        action, path = body.get("action"), body.get("path")
        if action not in ("use", "unuse") or not isinstance(path, str):
            raise BadRequest('The body must be {"action": "use" | "unuse", "path": "/dir", ...}.')
        self.require_target(body)
        coro = session.use(path) if action == "use" else session.unuse(path)
        await self.run_change(session, coro)


class ModuleCollectionsHandler(ModulesHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        session = self.require_modules()
        try:
            names = await session.collections()
        except ModuleError as e:
            raise BadRequest(e.message, status=502, detail=e.detail) from None
        self.finish(json.dumps({"collections": names}))

    @tornado.web.authenticated
    async def post(self) -> None:
        session = self.require_modules()
        body = self.json_body()
        action, name = body.get("action"), body.get("name")
        if action not in ("save", "restore", "delete") or not isinstance(name, str):
            raise BadRequest(
                'The body must be {"action": "save" | "restore" | "delete", "name": ...}.'
            )
        if action == "restore":
            self.require_target(body)
            await self.run_change(session, session.restore(name))
            return
        try:
            if action == "save":
                await session.save(name)
            else:
                await session.delete_collection(name)
            names = await session.collections()
        except InvalidName as e:
            raise BadRequest(str(e)) from None
        except ModuleError as e:
            raise BadRequest(e.message, status=409, detail=e.detail) from None
        self.finish(json.dumps({"collections": names}))


MODULE_ROUTES: list[tuple[str, type[HPCHandler]]] = [
    ("modules/status", ModuleStatusHandler),
    ("modules/avail", ModuleAvailHandler),
    ("modules/spider", ModuleSpiderHandler),
    ("modules/show", ModuleShowHandler),
    ("modules/load", ModuleLoadHandler),
    ("modules/unload", ModuleUnloadHandler),
    ("modules/swap", ModuleSwapHandler),
    ("modules/reset", ModuleResetHandler),
    ("modules/paths", ModulePathsHandler),
    ("modules/collections", ModuleCollectionsHandler),
]
