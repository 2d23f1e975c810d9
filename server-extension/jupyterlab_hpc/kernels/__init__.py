"""Kernelspecs: discovery, validation, safe edits, creation from an interpreter, test launch."""

from __future__ import annotations

from .files import FileVersion
from .store import KernelSpecError, KernelSpecRecord, KernelSpecStore
from .validation import InvalidName, spec_problems, spec_warnings, validate_name

__all__ = [
    "FileVersion",
    "InvalidName",
    "KernelSpecError",
    "KernelSpecRecord",
    "KernelSpecStore",
    "spec_problems",
    "spec_warnings",
    "validate_name",
]
