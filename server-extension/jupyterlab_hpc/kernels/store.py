"""Kernelspecs on disk, as jupyter_client's KernelSpecManager finds them, and the changes to them.

Discovery is the server's own ``KernelSpecManager``: the specs listed are exactly those the
Launcher shows, in the folders it searches (JUPYTER_PATH entries, the user's data folder,
the environment's and the system's). Every write goes to a ``kernel.json`` inside one of
those folders, after checks that the kernel folder is really there (no symlink out of it).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from jupyter_core import paths as jupyter_paths

from ..atomic_write import write_atomic
from .files import SPEC_FILE, FileVersion, read_versioned, save_spec_file, spec_text
from .validation import (
    KNOWN_FIELDS,
    Finding,
    bare_python_matters,
    spec_problems,
    spec_warnings,
    validate_name,
)

Location = Literal["user", "env", "system", "path", "legacy", "builtin", "other"]

# Saves are read-check-write; one at a time per server so two tabs cannot interleave.
_write_lock = threading.Lock()


class KernelSpecError(Exception):
    """A refused operation: ``status`` is the HTTP status that says why."""

    def __init__(
        self,
        message: str,
        status: int = 400,
        detail: str = "",
        findings: list[Finding] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.detail = detail
        self.findings = findings or []


@dataclass
class KernelSpecRecord:
    """One kernelspec as found on disk, with what the editor needs to know about it."""

    name: str
    resource_dir: Path
    location: Location
    spec: dict[str, Any]
    raw: dict[str, Any] | None
    version: FileVersion | None
    writable: bool
    readonly_reason: str
    deletable: bool
    error: str = ""
    problems: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "display_name": str(self.spec.get("display_name", self.name)),
            "language": str(self.spec.get("language", "")),
            "resource_dir": str(self.resource_dir),
            "location": self.location,
            "writable": self.writable,
            "readonly_reason": self.readonly_reason,
            "deletable": self.deletable,
            # kernel.json as on disk (for the built-in kernel: what it amounts to).
            "spec": self.spec,
            "has_file": self.raw is not None,
            "version": self.version.to_dict() if self.version else None,
            "error": self.error,
            "problems": [f.to_dict() for f in self.problems],
            "warnings": [f.to_dict() for f in self.warnings],
        }


def _real(path: Path | str) -> str:
    return os.path.realpath(path)


class KernelSpecStore:
    def __init__(
        self, manager: KernelSpecManager, server_env: dict[str, str] | None = None
    ) -> None:
        self.manager = manager
        self.server_env = dict(os.environ) if server_env is None else server_env

    # -- where things are -------------------------------------------------------------

    @property
    def user_dir(self) -> Path:
        return Path(self.manager.user_kernel_dir)

    def location_of(self, kernels_dir: Path) -> Location:
        """Which of jupyter's search folders ``kernels_dir`` is."""
        real = _real(kernels_dir)

        def among(folders: list[str]) -> bool:
            return any(_real(os.path.join(f, "kernels")) == real for f in folders)

        if real == _real(self.user_dir):
            return "user"
        if among([p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p]):
            return "path"
        if among(list(jupyter_paths.ENV_JUPYTER_PATH)):
            return "env"
        if among(list(jupyter_paths.SYSTEM_JUPYTER_PATH)):
            return "system"
        if real == _real(os.path.join(jupyter_paths.get_home_dir(), ".ipython", "kernels")):
            return "legacy"
        return "other"

    def folders(self) -> list[dict[str, str]]:
        """The folders searched, first wins, with their location."""
        return [
            {"path": d, "location": self.location_of(Path(d))} for d in self.manager.kernel_dirs
        ]

    # -- reading ----------------------------------------------------------------------

    def list(self) -> list[KernelSpecRecord]:
        found = self.manager.find_kernel_specs()
        return [self._record(name, Path(found[name])) for name in sorted(found)]

    def get(self, name: str) -> KernelSpecRecord:
        validate_name(name)
        found = self.manager.find_kernel_specs()
        if name not in found:
            raise KernelSpecError(f"There is no kernel named '{name}'.", status=404)
        return self._record(name, Path(found[name]))

    def _record(self, name: str, resource_dir: Path) -> KernelSpecRecord:
        spec_path = resource_dir / SPEC_FILE
        raw: dict[str, Any] | None = None
        version: FileVersion | None = None
        error = ""
        if spec_path.is_file():
            try:
                data, version = read_versioned(spec_path)
                loaded = json.loads(data)
                if isinstance(loaded, dict):
                    raw = loaded
                else:
                    error = "kernel.json does not hold a JSON object."
            except (OSError, ValueError) as e:
                error = f"kernel.json cannot be read: {e}"
            location = self.location_of(resource_dir.parent)
            spec = dict(raw) if raw is not None else {}
        else:
            # The Python kernel jupyter_client provides from ipykernel when no folder has one.
            location = "builtin"
            try:
                spec = self.manager.get_kernel_spec(name).to_dict()
            except (NoSuchKernel, OSError, ValueError) as e:
                spec, error = {}, f"The kernel cannot be read: {e}"
        reason = self._readonly_reason(name, resource_dir, location, raw)
        problems = spec_problems(spec) if not error else []
        warnings = (
            spec_warnings(
                spec, self.server_env, check_python=bare_python_matters(location, not reason)
            )
            if not error and not problems
            else []
        )
        return KernelSpecRecord(
            name=name,
            resource_dir=resource_dir,
            location=location,
            spec=spec,
            raw=raw,
            version=version,
            writable=not reason,
            readonly_reason=reason,
            deletable=not reason and location == "user",
            error=error,
            problems=problems,
            warnings=warnings,
        )

    def _readonly_reason(
        self, name: str, resource_dir: Path, location: Location, raw: dict[str, Any] | None
    ) -> str:
        """Why this spec cannot be edited in place; "" when it can."""
        if location == "builtin":
            return "This is the Python kernel built into ipykernel; duplicate it to change it."
        if raw is None:
            return "kernel.json cannot be read; fix or delete it by hand."
        containment = self._containment_problem(resource_dir)
        if containment:
            return containment
        try:
            owner = resource_dir.stat().st_uid
        except OSError as e:
            return f"The kernel folder cannot be read: {e}"
        if owner != os.geteuid():
            return "The kernel folder belongs to another user; duplicate it to change it."
        spec_file = resource_dir / SPEC_FILE
        if not os.access(resource_dir, os.W_OK) or not os.access(spec_file, os.W_OK):
            return "You cannot write to this kernel folder; duplicate it to change it."
        return ""

    def _containment_problem(self, resource_dir: Path) -> str:
        """A reason when the kernel folder or its kernel.json lead out of the kernels folder."""
        kernels_dir = _real(resource_dir.parent)
        real_dir = _real(resource_dir)
        if real_dir != os.path.join(kernels_dir, resource_dir.name):
            return (
                f"The kernel folder is a symbolic link to {real_dir}, outside the kernels "
                "folder; edit the files there."
            )
        spec_file = resource_dir / SPEC_FILE
        if spec_file.is_symlink():
            target = _real(spec_file)
            if os.path.dirname(target) != real_dir:
                return (
                    f"kernel.json is a symbolic link to {target}, outside the kernel folder; "
                    "it is not changed from here."
                )
        return ""

    # -- writing ----------------------------------------------------------------------

    def save(self, name: str, spec: object, expected: FileVersion | None) -> KernelSpecRecord:
        """Replace the kernel.json of ``name`` by ``spec`` unless it changed since ``expected``."""
        record = self.get(name)
        if not record.writable:
            raise KernelSpecError(
                f"The kernel '{name}' cannot be changed: {record.readonly_reason}", status=403
            )
        problems = spec_problems(spec)
        if problems:
            raise KernelSpecError(
                "The kernelspec is not valid: " + " ".join(p.message for p in problems),
                findings=problems,
            )
        assert isinstance(spec, dict)  # noqa: S101  (spec_problems checked it)
        with _write_lock:
            spec_file = Path(_real(record.resource_dir / SPEC_FILE))
            if self._containment_problem(record.resource_dir):
                raise KernelSpecError(self._containment_problem(record.resource_dir), 403)
            current, version = read_versioned(spec_file)
            if expected is None or version.sha256 != expected.sha256:
                raise KernelSpecError(
                    f"kernel.json of '{name}' changed on disk since you opened it. Reload it "
                    "to see the new version (your changes here would be lost), or save under "
                    "another name.",
                    status=409,
                )
            try:
                save_spec_file(spec_file, self._keep_unknown_fields(current, spec), current)
            except OSError as e:
                raise KernelSpecError(
                    f"kernel.json of '{name}' could not be written ({e.strerror or e}); "
                    "the previous version is unchanged.",
                    status=500,
                ) from None
        return self.get(name)

    @staticmethod
    def _keep_unknown_fields(current: bytes, spec: dict[str, Any]) -> dict[str, Any]:
        """Top-level fields this package does not know survive a save even if not sent back."""
        try:
            old = json.loads(current)
        except ValueError:
            return spec
        if not isinstance(old, dict):
            return spec
        kept = {k: v for k, v in old.items() if k not in KNOWN_FIELDS and k not in spec}
        return {**spec, **kept}

    def create(
        self, name: str, spec: dict[str, Any], copy_from: Path | None = None
    ) -> KernelSpecRecord:
        """A new kernel ``name`` in the user's kernels folder (with the files of ``copy_from``)."""
        validate_name(name)
        problems = spec_problems(spec)
        if problems:
            raise KernelSpecError(
                "The kernelspec is not valid: " + " ".join(p.message for p in problems),
                findings=problems,
            )
        with _write_lock:
            self._check_new_name(name)
            self.user_dir.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=f".new-{name}-", dir=self.user_dir))
            try:
                if copy_from is not None:
                    self._copy_resources(copy_from, staging)
                write_atomic(staging / SPEC_FILE, spec_text(spec).encode())
                os.chmod(staging, 0o755)  # noqa: S103  (what `jupyter kernelspec install` does)
                # A rename, so the Launcher never sees a half-made kernel folder.
                os.rename(staging, self.user_dir / name)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
        return self.get(name)

    def _check_new_name(self, name: str) -> None:
        target = self.user_dir / name
        if os.path.lexists(target):
            raise KernelSpecError(
                f"A kernel named '{name}' already exists in {self.user_dir}; choose another name.",
                status=409,
            )
        existing = self.manager.find_kernel_specs().get(name)
        if existing is None:
            return
        dirs = [_real(d) for d in self.manager.kernel_dirs]
        existing_parent = _real(Path(existing).parent)
        user_real = _real(self.user_dir)
        if (
            existing_parent in dirs
            and user_real in dirs
            and dirs.index(existing_parent) < dirs.index(user_real)
        ):
            raise KernelSpecError(
                f"A kernel named '{name}' in {existing_parent} comes before your kernels "
                "folder in Jupyter's search path, so a new one would stay hidden; choose "
                "another name.",
                status=409,
            )

    @staticmethod
    def _copy_resources(source: Path, target: Path) -> None:
        """Copy logos and other files of a kernel folder; links become the files they name."""
        for entry in sorted(source.iterdir()):
            if entry.name in (SPEC_FILE, "kernel.json.bak") or entry.name.startswith("."):
                continue
            if entry.is_dir():
                shutil.copytree(entry, target / entry.name, ignore_dangling_symlinks=True)
            elif entry.is_file():
                shutil.copyfile(entry, target / entry.name)

    def duplicate(self, source_name: str, name: str, display_name: str | None) -> KernelSpecRecord:
        source = self.get(source_name)
        if source.error or source.problems:
            raise KernelSpecError(
                f"The kernel '{source_name}' is not valid, so it cannot be duplicated: "
                + (source.error or " ".join(p.message for p in source.problems))
            )
        spec = dict(source.raw if source.raw is not None else source.spec)
        spec["display_name"] = display_name or f"{spec.get('display_name', source_name)} (copy)"
        return self.create(name, spec, copy_from=source.resource_dir)

    def delete(self, name: str) -> None:
        record = self.get(name)
        if not record.deletable:
            why = (
                record.readonly_reason or "only kernels in your own kernels folder can be deleted."
            )
            raise KernelSpecError(f"The kernel '{name}' cannot be deleted: {why}", status=403)
        with _write_lock:
            if self._containment_problem(record.resource_dir):
                raise KernelSpecError(self._containment_problem(record.resource_dir), 403)
            # Rename first so the Launcher never lists a half-deleted folder.
            trash = Path(
                tempfile.mkdtemp(prefix=f".deleted-{name}-", dir=record.resource_dir.parent)
            )
            os.rename(record.resource_dir, trash / name)
            shutil.rmtree(trash, ignore_errors=True)
