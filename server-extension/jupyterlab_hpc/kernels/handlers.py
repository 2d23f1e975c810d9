"""REST handlers under ``{base_url}jupyterlab-hpc/kernelspecs``."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import tornado.web
from jupyter_client.kernelspec import KernelSpecManager

from ..base.handlers import BadRequest, HPCHandler
from ..modules import InvalidName as InvalidModuleName
from ..modules import ModuleError, fresh_module_environment, validate_module_name
from . import modules as spec_modules
from .files import FileVersion
from .interpreters import probe_interpreter, resolve_interpreter, spec_for_interpreter
from .launch import launch_and_report
from .store import KernelSpecError, KernelSpecStore
from .validation import SERVER_PYTHON_NAMES, InvalidName, validate_name

_NAME = r"([^/]+)"


class Refused(BadRequest):
    """A KernelSpecError on its way to the client, with the findings per field."""

    def __init__(self, error: KernelSpecError) -> None:
        super().__init__(error.message, error.status, error.detail)
        self.findings = error.findings


@contextmanager
def refusals() -> Iterator[None]:
    try:
        yield
    except KernelSpecError as e:
        raise Refused(e) from None


class KernelSpecHandler(HPCHandler):
    @property
    def store(self) -> KernelSpecStore:
        manager: KernelSpecManager = self.settings["kernel_spec_manager"]
        return KernelSpecStore(manager)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, Refused):
            body = {
                "message": exc.message,
                "detail": exc.detail,
                "findings": [f.to_dict() for f in exc.findings],
            }
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps(body))
            return
        super().write_error(status_code, **kwargs)

    def checked_name(self, name: object) -> str:
        try:
            return validate_name(name)
        except InvalidName as e:
            raise BadRequest(str(e)) from None

    def checked_version(self, version: object) -> FileVersion:
        if not (
            isinstance(version, dict)
            and isinstance(version.get("sha256"), str)
            and isinstance(version.get("mtime_ns"), int)
        ):
            raise BadRequest(
                "version must be the {mtime_ns, sha256} of the kernel.json you loaded, so a "
                "change made meanwhile is not overwritten."
            )
        return FileVersion(version["mtime_ns"], version["sha256"])


class KernelSpecsHandler(KernelSpecHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        store = self.store
        kernel_manager = self.settings.get("kernel_manager")
        self.finish(
            json.dumps(
                {
                    "kernelspecs": [r.to_dict() for r in store.list()],
                    "default": getattr(kernel_manager, "default_kernel_name", None),
                    "user_dir": str(store.user_dir),
                    "folders": store.folders(),
                    "server_python_names": list(SERVER_PYTHON_NAMES),
                    # Names only: the editor warns as you type about ${VAR} that would
                    # stay unexpanded, and offers ${PATH}-style entries only when set.
                    "server_env_names": sorted(os.environ),
                }
            )
        )

    @tornado.web.authenticated
    async def post(self) -> None:
        """Create: ``{"name", "display_name"?, "from": {"kernel": n} | {"interpreter": p}}``."""
        body = self.json_body()
        name = self.checked_name(body.get("name"))
        display_name = body.get("display_name")
        if display_name is not None and (not isinstance(display_name, str) or not display_name):
            raise BadRequest("display_name must be a non-empty string when given.")
        source = body.get("from")
        if not isinstance(source, dict) or len(source) != 1:
            raise BadRequest(
                'from must be {"kernel": "<existing name>"} or {"interpreter": "<path>"}.'
            )
        store = self.store
        with refusals():
            if "kernel" in source:
                source_name = self.checked_name(source["kernel"])
                record = store.duplicate(source_name, name, display_name)
            elif "interpreter" in source:
                executable = resolve_interpreter(source["interpreter"])
                interp = await probe_interpreter(
                    self.hpc.runner, executable, self.hpc.config.kernel_probe_timeout
                )
                record = store.create(name, spec_for_interpreter(interp, display_name))
            else:
                raise BadRequest('from must name a "kernel" or an "interpreter".')
        self.set_status(201)
        self.finish(json.dumps(record.to_dict()))


class OneKernelSpecHandler(KernelSpecHandler):
    @tornado.web.authenticated
    async def get(self, name: str) -> None:
        with refusals():
            record = self.store.get(self.checked_name(name))
        self.finish(json.dumps(record.to_dict()))

    @tornado.web.authenticated
    async def put(self, name: str) -> None:
        """Save: ``{"spec": {...kernel.json...}, "version": {"mtime_ns", "sha256"}}``."""
        name = self.checked_name(name)
        body = self.json_body()
        expected = self.checked_version(body.get("version"))
        with refusals():
            record = self.store.save(name, body.get("spec"), expected)
        self.finish(json.dumps(record.to_dict()))

    @tornado.web.authenticated
    async def delete(self, name: str) -> None:
        with refusals():
            self.store.delete(self.checked_name(name))
        self.set_status(204)
        self.finish()


class KernelSpecLaunchHandler(KernelSpecHandler):
    @tornado.web.authenticated
    async def post(self, name: str) -> None:
        """Test launch: start the kernel, print its environment, stop it."""
        store = self.store
        with refusals():
            record = store.get(self.checked_name(name))
        if record.error or record.problems:
            raise BadRequest(
                f"The kernel '{name}' is not valid, so it cannot be launched: "
                + (record.error or " ".join(p.message for p in record.problems))
            )
        cwd = self.settings.get("server_root_dir")
        answer = await launch_and_report(
            store.manager,
            name,
            self.hpc.config.kernel_test_launch_timeout,
            cwd=str(cwd) if cwd else None,
        )
        self.finish(json.dumps(answer))


class KernelSpecModulesHandler(KernelSpecHandler):
    """``POST .../modules/capture`` or ``.../modules/launch`` with ``{"modules", "version"}``;
    ``DELETE .../modules/launch`` with ``{"version"}`` (required, as for every save), or
    ``{"modules": []}``, gives the kernel its own argv and env back."""

    @tornado.web.authenticated
    async def post(self, name: str, mode: str) -> None:
        body = self.json_body()
        await self._attach(name, mode, body.get("modules"), body.get("version"))

    @tornado.web.authenticated
    async def delete(self, name: str, mode: str) -> None:
        body = self.json_body() if self.request.body else {}
        await self._attach(name, mode, [], body.get("version"))

    async def _attach(self, name: str, mode: str, modules: object, version: object) -> None:
        name = self.checked_name(name)
        if mode not in ("capture", "launch"):
            raise BadRequest(f"'{mode}' is not a way to attach modules: capture or launch.", 404)
        if not isinstance(modules, list):
            raise BadRequest('modules must be a list of module names, e.g. ["gcc/12.2.0"].')
        try:
            names = [validate_module_name(m) for m in modules]
        except InvalidModuleName as e:
            raise BadRequest(str(e)) from None
        expected = self.checked_version(version)
        session = self.hpc.modules
        if session is None:
            raise BadRequest(self.hpc.no_module_system_message, 503)
        store = self.store
        with refusals():
            record = store.get(name)
            if record.raw is None:
                raise BadRequest(f"The kernel '{name}' cannot be changed: {record.readonly_reason}")
            clean: dict[str, str] = {}
            loaded: dict[str, str] = {}
            if names or mode == "capture":
                try:
                    # The server's environment with its modules purged, then these loaded:
                    # two module commands in subprocesses, the server is left as it is.
                    # For "launch" too: a module that does not load is refused now, not
                    # at the kernel's next start.
                    clean, loaded = await asyncio.to_thread(
                        fresh_module_environment,
                        session.system,
                        session.runner,
                        names,
                        dict(os.environ),
                        session.timeout,
                    )
                except ModuleError as e:
                    raise BadRequest(e.message, 422, e.detail) from None
            if mode == "capture":
                spec = spec_modules.with_captured(
                    record.raw, names, clean, loaded, session.system.kind, session.system.command
                )
            else:
                spec = spec_modules.with_launcher(
                    record.raw, session.system.kind, session.system.command, names
                )
            saved = store.save(name, spec, expected)
        self.finish(json.dumps(saved.to_dict()))


KERNEL_ROUTES: list[tuple[str, type[HPCHandler]]] = [
    ("kernelspecs", KernelSpecsHandler),
    (f"kernelspecs/{_NAME}", OneKernelSpecHandler),
    (f"kernelspecs/{_NAME}/launch", KernelSpecLaunchHandler),
    (f"kernelspecs/{_NAME}/modules/{_NAME}", KernelSpecModulesHandler),
]
