"""Start a kernel from the clean base: ``python -m jupyterlab_hpc.kernel_launcher --system lmod
--command /path/to/lmod (--modules gcc/12.2.0,openmpi | --captured {resource_dir}) --
<kernel argv...>``.

A kernelspec with modules attached starts with this prefix (see kernels/modules.py), so a
kernel never gets the modules of the server session it is started from:

- ``--modules``: "load at launch". The modules are purged from the inherited environment
  and the named ones loaded (the module command in its `python` mode, through runner.py,
  never a shell), at every start.
- ``--captured``: a capture. The kernel's kernel.json (in the folder jupyter_client puts in
  place of ``{resource_dir}``) holds what the modules set: its env block, which
  jupyter_client has already applied over the server's environment, and the record's
  ``state``. The launcher tells back the environment the env block was applied to,
  purges its modules (one module command, none when no module is loaded), expands the
  env block over that clean base instead and applies ``state``. No module is loaded.

Then ``os.execvpe`` of the kernel's own argv with that environment. kernel.json files name
this by its old place, ``jupyterlab_hpc.kernel_launcher``, which stays as the entry that
runs it. On a failure it prints the reason on stderr (the "kernel died" message) and
exits 1.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

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
from . import modules as spec_modules

SYSTEMS = ("lmod", "environment-modules")


class LaunchError(Exception):
    """What keeps the kernel from starting, said on stderr."""


def system_for(kind: str, command: str) -> ModuleSystem:
    return LmodSystem(command) if kind == "lmod" else EnvironmentModulesSystem(command)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m jupyterlab_hpc.kernel_launcher",
        description="Start a kernel without the server session's modules: load modules, "
        "or apply the ones captured in its kernel.json, then exec it.",
    )
    parser.add_argument("--system", choices=SYSTEMS, required=True)
    parser.add_argument("--command", required=True, help="the lmod or modulecmd.tcl path")
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--modules", help="comma-separated module names to load")
    what.add_argument(
        "--captured", metavar="KERNEL_DIR", help="the kernel's folder: apply its capture"
    )
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("kernel", nargs=argparse.REMAINDER, help="-- then the kernel's argv")
    args = parser.parse_args(argv)
    if args.kernel[:1] == ["--"]:
        args.kernel = args.kernel[1:]
    if not args.kernel:
        parser.error("the kernel's argv is missing after --")
    return args


def read_spec(kernel_dir: str) -> dict[str, Any]:
    path = Path(kernel_dir) / "kernel.json"
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise LaunchError(f"cannot read {path}: {e}") from None
    if not isinstance(spec, dict):
        raise LaunchError(f"{path} does not hold a JSON object")
    return spec


def captured_launch_environment(
    system: ModuleSystem,
    runner: CommandRunner,
    spec: Mapping[str, Any],
    environ: Mapping[str, str],
    timeout: float,
) -> dict[str, str]:
    """The environment of a captured kernel started with ``environ`` (what jupyter_client
    made of the server's environment and kernel.json's env block)."""
    env_block = spec.get("env")
    spec_env = (
        {k: v for k, v in env_block.items() if isinstance(v, str)}
        if isinstance(env_block, dict)
        else {}
    )
    record = spec_modules.attached(spec) or {}
    state = record.get("state")
    inherited = spec_modules.inherited_environment(environ, spec_env)
    clean = inherited
    if spec_modules.has_modules_loaded(inherited):
        clean, _ = fresh_module_environment(system, runner, [], inherited, timeout)
    return spec_modules.captured_environment(
        clean, spec_env, state if isinstance(state, dict) else {}
    )


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        system = system_for(args.system, args.command)
        runner = CommandRunner(timeout=args.timeout)
        if args.captured is not None:
            spec = read_spec(args.captured)
            env = captured_launch_environment(system, runner, spec, os.environ, args.timeout)
        else:
            names = [validate_module_name(n) for n in args.modules.split(",") if n]
            _, env = fresh_module_environment(system, runner, names, os.environ, args.timeout)
    except (InvalidName, ModuleError, LaunchError) as e:
        # Shown in the server log and in the notebook's "kernel died" dialog.
        detail = getattr(e, "detail", "")
        sys.stderr.write(f"jupyterlab_hpc.kernel_launcher: {e}\n{detail}\n")
        sys.exit(1)
    os.environ.clear()
    os.environ.update(env)
    os.execvpe(args.kernel[0], args.kernel, env)  # noqa: S606  (the kernel's own argv)
