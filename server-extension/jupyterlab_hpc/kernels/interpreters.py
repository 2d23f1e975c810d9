"""A Python interpreter (or a conda/venv prefix) a new kernel will run on, checked for ipykernel."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..runner import CommandNotFound, CommandRunner, CommandTimeout
from .store import KernelSpecError

# Asks the interpreter for what the kernelspec needs; fails with ImportError without ipykernel.
PROBE_CODE = (
    "import ipykernel, json, sys; "
    "print(json.dumps({'version': sys.version, 'prefix': sys.prefix, "
    "'ipykernel': ipykernel.__version__}))"
)
PREFIX_CANDIDATES = ("bin/python3", "bin/python")
# The server's own module search path must not answer for the interpreter's.
_NOT_INHERITED = ("PYTHONPATH", "PYTHONHOME")


@dataclass(frozen=True)
class Interpreter:
    executable: str
    version: str
    prefix: str
    ipykernel: str

    @property
    def short_version(self) -> str:
        return self.version.split()[0] if self.version else ""


def resolve_interpreter(path: object) -> str:
    """The interpreter a path names: the file itself, or ``bin/python3`` of a prefix."""
    if not isinstance(path, str) or not path.strip():
        raise KernelSpecError("Give the path of a Python interpreter or of a conda/venv prefix.")
    if "\0" in path or not os.path.isabs(path):
        raise KernelSpecError(f"'{path}' is not an absolute path.")
    # normpath, not realpath: a venv's python is a link to the base interpreter, and
    # following it would lose the venv.
    candidate = Path(os.path.normpath(path))
    if candidate.is_dir():
        for name in PREFIX_CANDIDATES:
            exe = candidate / name
            if exe.is_file() and os.access(exe, os.X_OK):
                return str(exe)
        raise KernelSpecError(
            f"{candidate} is a folder without bin/python3 or bin/python: give a conda or venv "
            "prefix, or the interpreter itself."
        )
    if not candidate.exists():
        raise KernelSpecError(f"{candidate} does not exist.")
    if not candidate.is_file() or not os.access(candidate, os.X_OK):
        raise KernelSpecError(f"{candidate} is not an executable file.")
    return str(candidate)


async def probe_interpreter(runner: CommandRunner, executable: str, timeout: float) -> Interpreter:
    """Run the interpreter once to check it can start a kernel (it has ipykernel)."""
    try:
        env = {k: v for k, v in os.environ.items() if k not in _NOT_INHERITED}
        result = await runner.run([executable, "-c", PROBE_CODE], timeout=timeout, env=env)
    except CommandTimeout:
        raise KernelSpecError(
            f"{executable} did not answer within {timeout:g} s (a slow shared file system?); "
            "try again, or ask your admin to raise HPCConfig.kernel_probe_timeout."
        ) from None
    except (CommandNotFound, OSError) as e:
        raise KernelSpecError(f"{executable} could not be run: {e}") from None
    if not result.ok:
        if "No module named 'ipykernel'" in result.stderr or "No module named ipykernel" in (
            result.stderr
        ):
            raise KernelSpecError(
                f"{executable} has no ipykernel, so it cannot run a Jupyter kernel. Install it "
                f"into that environment ({executable} -m pip install ipykernel, or conda "
                "install ipykernel) and try again.",
                detail=result.stderr.strip()[-2000:],
            )
        raise KernelSpecError(
            f"{executable} failed when asked to import ipykernel.",
            detail=result.message[-2000:],
        )
    try:
        info = json.loads(result.stdout.strip().splitlines()[-1])
        return Interpreter(
            executable, str(info["version"]), str(info["prefix"]), str(info["ipykernel"])
        )
    except (ValueError, IndexError, KeyError, TypeError):
        raise KernelSpecError(
            f"{executable} answered something unexpected when asked about ipykernel.",
            detail=result.stdout[-2000:],
        ) from None


def spec_for_interpreter(interp: Interpreter, display_name: str | None) -> dict[str, object]:
    """The kernel.json of an IPython kernel on ``interp``, with its bin folder first on PATH."""
    prefix = Path(interp.prefix)
    bin_dir = str(Path(interp.executable).parent)
    return {
        "argv": [interp.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": display_name or f"Python {interp.short_version} ({prefix.name})",
        "language": "python",
        # Commands run from the kernel (pip, !python) then find the environment's own first.
        "env": {"PATH": f"{bin_dir}{os.pathsep}${{PATH}}"},
        "metadata": {"debugger": True},
    }
