"""Load modules, then become the kernel: ``python -m jupyterlab_hpc.kernel_launcher
--system lmod --command /path/to/lmod --modules gcc/12.2.0,openmpi -- <kernel argv...>``.

A kernelspec in "load at launch" mode starts with this prefix (see
kernels/modules.py), so every kernel start gets fresh module state: the modules
are purged from the inherited environment, the named ones loaded (the module command
in its `python` mode, through runner.py, never a shell), and the result applied to
os.environ before ``os.execvpe`` of the kernel's own argv. kernel.json files name it by its
old place, ``jupyterlab_hpc.kernel_launcher``, which stays as the entry that runs this.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from ..modules import (
    EnvironmentModulesSystem,
    InvalidName,
    LmodSystem,
    ModuleError,
    ModuleSystem,
    fresh_module_environment,
    validate_module_name,
)
from ..runner import CommandRunner

SYSTEMS = ("lmod", "environment-modules")


def system_for(kind: str, command: str) -> ModuleSystem:
    return LmodSystem(command) if kind == "lmod" else EnvironmentModulesSystem(command)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m jupyterlab_hpc.kernel_launcher",
        description="Load environment modules, then exec a kernel.",
    )
    parser.add_argument("--system", choices=SYSTEMS, required=True)
    parser.add_argument("--command", required=True, help="the lmod or modulecmd.tcl path")
    parser.add_argument("--modules", required=True, help="comma-separated module names")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("kernel", nargs=argparse.REMAINDER, help="-- then the kernel's argv")
    args = parser.parse_args(argv)
    if args.kernel[:1] == ["--"]:
        args.kernel = args.kernel[1:]
    if not args.kernel:
        parser.error("the kernel's argv is missing after --")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        names = [validate_module_name(n) for n in args.modules.split(",") if n]
        system = system_for(args.system, args.command)
        _, env = fresh_module_environment(
            system, CommandRunner(timeout=args.timeout), names, os.environ, args.timeout
        )
    except (InvalidName, ModuleError) as e:
        # Shown in the server log and in the notebook's "kernel died" dialog.
        detail = getattr(e, "detail", "")
        sys.stderr.write(f"jupyterlab_hpc.kernel_launcher: {e}\n{detail}\n")
        sys.exit(1)
    os.environ.clear()
    os.environ.update(env)
    os.execvpe(args.kernel[0], args.kernel, env)  # noqa: S606  (the kernel's own argv)
