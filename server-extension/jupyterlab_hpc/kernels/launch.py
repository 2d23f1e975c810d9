"""Test launch: start a kernel the way the server would, ask it for its environment, stop it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import tempfile
import time
from collections.abc import Mapping
from typing import Any

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager

from ..modules.parse import loaded_modules

# Always reported, whatever the spec's env holds.
VARIABLES_OF_INTEREST = ("PATH", "LD_LIBRARY_PATH", "PYTHONPATH")
# Set by jupyter_client itself for every kernel it starts.
SET_BY_JUPYTER = ("JPY_PARENT_PID", "JPY_SESSION_NAME", "JPY_INTERRUPT_EVENT")
_MARK = "__jupyterlab_hpc_env__"


def probe_code() -> str:
    """Python that prints, as one marked JSON line, the interpreter, the kernel's whole
    environment, and the one it was started with (Linux's /proc/self/environ, or null):
    the variables the kernel process set itself (ipykernel's TERM, PAGER, MPLBACKEND...)
    are those where the two differ."""
    return (
        "import json as _j, os as _o, sys as _s\n"
        "try:\n"
        "    with open('/proc/self/environ', 'rb') as _f:\n"
        "        _start = dict(_e.decode(errors='replace').partition('=')[::2]"
        " for _e in _f.read().split(b'\\0') if b'=' in _e)\n"
        "except OSError:\n"
        "    _start = None\n"
        f"print({_MARK!r} + _j.dumps({{'executable': _s.executable, "
        "'environ': dict(_o.environ), 'start': _start}))\n"
        "del _j, _o, _s, _start\n"
    )


def variable_names(spec: dict[str, Any]) -> list[str]:
    env = spec.get("env")
    extra = [k for k in env if isinstance(k, str)] if isinstance(env, dict) else []
    return list(dict.fromkeys([*VARIABLES_OF_INTEREST, *extra]))


def environment_differences(
    server: Mapping[str, str], kernel: Mapping[str, str], start: Mapping[str, str] | None
) -> list[dict[str, Any]]:
    """Every variable the kernel sees that differs from the server's environment: added,
    changed or removed, by name, with both values; ``set_by`` is "jupyter" for
    jupyter_client's own variables, "kernel" for one the kernel process set itself after
    it started (its value differs from ``start``, what it was started with), else null
    (kernel.json's env, a wrapper script, the module launcher...)."""
    found: list[dict[str, Any]] = []
    for name in sorted(set(server) | set(kernel)):
        value, before = kernel.get(name), server.get(name)
        if value == before:
            continue
        change = "added" if before is None else "removed" if value is None else "changed"
        set_by = None
        if name in SET_BY_JUPYTER:
            set_by = "jupyter"
        elif start is not None and start.get(name) != value:
            set_by = "kernel"
        found.append(
            {"name": name, "change": change, "kernel": value, "server": before, "set_by": set_by}
        )
    return found


def module_names(env: Mapping[str, str]) -> list[str]:
    return [m.full_name for m in loaded_modules(env)]


async def launch_and_report(
    manager: KernelSpecManager, name: str, timeout: float, cwd: str | None = None
) -> dict[str, Any]:
    """Start kernel ``name``, print its environment, shut it down; all within ``timeout`` s.

    Never raises for a kernel that fails: the answer says what happened, with the tail of
    the kernel's stderr.
    """
    start = time.monotonic()
    spec = manager.get_kernel_spec(name)
    names = variable_names({"env": spec.env})
    km = AsyncKernelManager(kernel_name=name, kernel_spec_manager=manager)
    answer: dict[str, Any] = {
        "ok": False,
        "name": name,
        "language": spec.language,
        "message": "",
        "executable": None,
        "variables": None,
        # Every variable that differs from the server's environment, and the loaded
        # modules of both (Python kernels; null otherwise).
        "differences": None,
        "modules": None,
        "output": "",
        "stderr": "",
        "seconds": 0.0,
    }
    # What jupyter_client starts the kernel's environment from.
    server_env = dict(os.environ)
    with tempfile.TemporaryFile() as stderr:
        try:
            await asyncio.wait_for(
                _run(km, spec.language, names, server_env, answer, stderr, cwd), timeout
            )
        except asyncio.TimeoutError:
            answer["message"] = (
                f"The kernel did not start and answer within {timeout:g} s; it was stopped."
            )
        except Exception as e:  # the kernel's failure is the answer, not a server fault
            answer["message"] = f"The kernel failed: {e}"
        finally:
            with contextlib.suppress(Exception):
                if km.has_kernel:
                    await km.shutdown_kernel(now=True)
            stderr.seek(0)
            answer["stderr"] = stderr.read()[-4000:].decode(errors="replace")
    answer["seconds"] = round(time.monotonic() - start, 2)
    return answer


async def _run(
    km: AsyncKernelManager,
    language: str,
    names: list[str],
    server_env: dict[str, str],
    answer: dict[str, Any],
    stderr: Any,
    cwd: str | None,
) -> None:
    kwargs: dict[str, Any] = {"stderr": stderr, "stdout": stderr}
    if cwd:
        kwargs["cwd"] = cwd
    await km.start_kernel(**kwargs)
    kc = km.client()
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=None)
        if not language.lower().startswith("python"):
            answer.update(
                ok=True,
                message="The kernel started and answered. Its environment is shown for Python "
                "kernels only.",
            )
            return
        chunks: list[str] = []

        def on_output(msg: dict[str, Any]) -> None:
            if msg["msg_type"] == "stream":
                chunks.append(msg["content"].get("text", ""))
            elif msg["msg_type"] == "error":
                chunks.append("\n".join(msg["content"].get("traceback", [])))

        reply = await kc.execute_interactive(
            probe_code(), store_history=False, output_hook=on_output
        )
        other: list[str] = []
        for line in "".join(chunks).splitlines():
            if line.startswith(_MARK):
                found = json.loads(line[len(_MARK) :])
                environ: dict[str, str] = found["environ"]
                answer.update(
                    executable=found["executable"],
                    variables={n: environ.get(n) for n in names},
                    differences=environment_differences(server_env, environ, found["start"]),
                    modules={
                        "kernel": module_names(environ),
                        "server": module_names(server_env),
                    },
                )
            else:
                other.append(line)
        answer["output"] = "\n".join(other)
        if reply["content"].get("status") == "ok" and answer["variables"] is not None:
            answer.update(ok=True, message="The kernel started and printed its environment.")
        else:
            answer["message"] = "The kernel started but could not print its environment."
    finally:
        kc.stop_channels()
