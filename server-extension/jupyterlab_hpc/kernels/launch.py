"""Test launch: start a kernel the way the server would, ask it for its environment, stop it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import tempfile
import time
from typing import Any

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager

# Always reported, whatever the spec's env holds.
VARIABLES_OF_INTEREST = ("PATH", "LD_LIBRARY_PATH", "PYTHONPATH")
_MARK = "__jupyterlab_hpc_env__"


def probe_code(names: list[str]) -> str:
    """Python that prints the interpreter and the variables, one marked JSON line."""
    return (
        "import json as _j, os as _o, sys as _s\n"
        f"print({_MARK!r} + _j.dumps({{'executable': _s.executable, "
        f"'variables': {{k: _o.environ.get(k) for k in {names!r}}}}}))\n"
    )


def variable_names(spec: dict[str, Any]) -> list[str]:
    env = spec.get("env")
    extra = [k for k in env if isinstance(k, str)] if isinstance(env, dict) else []
    return list(dict.fromkeys([*VARIABLES_OF_INTEREST, *extra]))


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
        "output": "",
        "stderr": "",
        "seconds": 0.0,
    }
    with tempfile.TemporaryFile() as stderr:
        try:
            await asyncio.wait_for(_run(km, spec.language, names, answer, stderr, cwd), timeout)
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
            probe_code(names), store_history=False, output_hook=on_output
        )
        other: list[str] = []
        for line in "".join(chunks).splitlines():
            if line.startswith(_MARK):
                found = json.loads(line[len(_MARK) :])
                answer.update(executable=found["executable"], variables=found["variables"])
            else:
                other.append(line)
        answer["output"] = "\n".join(other)
        if reply["content"].get("status") == "ok" and answer["variables"] is not None:
            answer.update(ok=True, message="The kernel started and printed its environment.")
        else:
            answer["message"] = "The kernel started but could not print its environment."
    finally:
        kc.stop_channels()
