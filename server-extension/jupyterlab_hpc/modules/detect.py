"""Which module system this machine has, or what the admin's config says."""

from __future__ import annotations

import os
from collections.abc import Mapping

from ..config import HPCConfig
from .base import ModuleSystem
from .envmodules import EnvironmentModulesSystem
from .lmod import LmodSystem

LMOD_PLACES = (
    "/usr/share/lmod/lmod/libexec/lmod",
    "/opt/lmod/lmod/libexec/lmod",
    "/usr/local/lmod/lmod/libexec/lmod",
    "/opt/apps/lmod/lmod/libexec/lmod",
)
MODULES_PLACES = (
    "/usr/lib/x86_64-linux-gnu/modulecmd.tcl",
    "/usr/lib/aarch64-linux-gnu/modulecmd.tcl",
    "/usr/share/Modules/libexec/modulecmd.tcl",
    "/usr/share/modules/libexec/modulecmd.tcl",
    "/usr/local/Modules/libexec/modulecmd.tcl",
)


def _runnable(path: str) -> bool:
    return bool(path) and os.path.isfile(path) and os.access(path, os.X_OK)


def _first(*paths: str) -> str | None:
    return next((p for p in paths if _runnable(p)), None)


def detect_module_system(
    config: HPCConfig, environ: Mapping[str, str] | None = None
) -> ModuleSystem | None:
    env = os.environ if environ is None else environ
    choice = config.module_system
    if choice == "none":
        return None
    lmod = _first(config.lmod_command) if config.lmod_command else None
    if lmod is None and not config.lmod_command:
        lmod = _first(env.get("LMOD_CMD", ""), *LMOD_PLACES)
    modules = _first(config.modules_command) if config.modules_command else None
    if modules is None and not config.modules_command:
        modules = _first(env.get("MODULES_CMD", ""), *MODULES_PLACES)
    spider = config.lmod_spider_command or None
    if choice == "lmod":
        return LmodSystem(lmod, spider) if lmod else None
    if choice == "environment-modules":
        return EnvironmentModulesSystem(modules) if modules else None
    # auto: what the user's shell set up wins, then Lmod, then Environment Modules.
    if env.get("LMOD_CMD") and lmod:
        return LmodSystem(lmod, spider)
    if env.get("MODULES_CMD") and modules:
        return EnvironmentModulesSystem(modules)
    if lmod:
        return LmodSystem(lmod, spider)
    if modules:
        return EnvironmentModulesSystem(modules)
    return None


def no_module_system_message(config: HPCConfig) -> str:
    if config.module_system == "none":
        return "The module panel is turned off on this server (HPCConfig.module_system = 'none')."
    return (
        "No module system found on this server: looked for Lmod ($LMOD_CMD, "
        + ", ".join(LMOD_PLACES[:1])
        + ") and Environment Modules ($MODULES_CMD, "
        + ", ".join(MODULES_PLACES[:1])
        + "). A site admin can set HPCConfig.lmod_command or HPCConfig.modules_command."
    )
