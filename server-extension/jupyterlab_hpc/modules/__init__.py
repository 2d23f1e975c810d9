"""Lmod and Environment Modules behind one interface (see docs/architecture.md, Modules)."""

from .base import (
    EnvChanges,
    InvalidName,
    LoadedModule,
    Module,
    ModuleDetails,
    ModuleError,
    ModuleSystem,
    SpiderHit,
    validate_collection_name,
    validate_module_name,
    validate_module_path,
)
from .detect import detect_module_system, no_module_system_message
from .envmodules import EnvironmentModulesSystem
from .lmod import LmodSystem
from .session import ModuleSession, compute_module_environment, fresh_module_environment

__all__ = [
    "EnvChanges",
    "EnvironmentModulesSystem",
    "InvalidName",
    "LmodSystem",
    "LoadedModule",
    "Module",
    "ModuleDetails",
    "ModuleError",
    "ModuleSession",
    "ModuleSystem",
    "SpiderHit",
    "compute_module_environment",
    "detect_module_system",
    "fresh_module_environment",
    "no_module_system_message",
    "validate_collection_name",
    "validate_module_name",
    "validate_module_path",
]
