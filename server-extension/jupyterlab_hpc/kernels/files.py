"""Writing kernel.json safely: atomic replace with a backup, and a version to detect conflicts.

A save writes the new text to a temporary file in the same folder, fsyncs it, keeps the
previous text as ``kernel.json.bak`` (itself written the same way), renames the new file
over ``kernel.json`` and fsyncs the folder. A failure at any step leaves the old
``kernel.json`` as it was.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..atomic_write import write_atomic
from .validation import KNOWN_FIELDS

SPEC_FILE = "kernel.json"
BACKUP_FILE = "kernel.json.bak"
NEW_FILE_MODE = 0o644  # a kernel.json other users' Jupyter may read, as ipykernel writes it
# A temporary file this old is left from a save that was killed (a save takes milliseconds).
STALE_TEMP_SECONDS = 60.0


@dataclass(frozen=True)
class FileVersion:
    """What the editor loaded: a save is refused when the file's hash changed since."""

    mtime_ns: int
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        return {"mtime_ns": self.mtime_ns, "sha256": self.sha256}


def version_of(data: bytes, mtime_ns: int) -> FileVersion:
    return FileVersion(mtime_ns, hashlib.sha256(data).hexdigest())


def read_versioned(path: Path) -> tuple[bytes, FileVersion]:
    """The bytes of ``path`` and their version, read from one open file."""
    with path.open("rb") as f:
        data = f.read()
        mtime_ns = os.fstat(f.fileno()).st_mtime_ns
    return data, version_of(data, mtime_ns)


def ordered_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """Known fields in kernel.json's usual order, then unknown fields sorted by name.

    The order inside ``env`` and ``metadata`` is the user's (the editor's table order).
    """
    known = {k: spec[k] for k in KNOWN_FIELDS if k in spec}
    unknown = {k: spec[k] for k in sorted(spec) if k not in KNOWN_FIELDS}
    return {**known, **unknown}


def spec_text(spec: dict[str, Any]) -> str:
    # indent=1 is what `ipykernel install` and jupyter_client write, so a file saved here
    # differs from a hand-installed one only where the user changed something.
    return json.dumps(ordered_spec(spec), indent=1, ensure_ascii=False) + "\n"


def remove_stale_temp_files(folder: Path, older_than: float = STALE_TEMP_SECONDS) -> list[str]:
    """Delete temporary files a killed save left in ``folder``; the names removed.

    Only those older than ``older_than`` seconds, so another process's save in flight
    keeps its file. Nothing reads them meanwhile: jupyter_client only opens kernel.json.
    """
    removed: list[str] = []
    limit = time.time() - older_than
    for name in (SPEC_FILE, BACKUP_FILE):
        for tmp in folder.glob(f".{name}.*.tmp"):
            with contextlib.suppress(OSError):
                if tmp.lstat().st_mtime < limit:
                    tmp.unlink()
                    removed.append(tmp.name)
    return removed


def save_spec_file(path: Path, spec: dict[str, Any], previous: bytes | None) -> None:
    """Write ``spec`` to ``path``, first keeping ``previous`` (the current text) as the backup."""
    mode = NEW_FILE_MODE
    with contextlib.suppress(FileNotFoundError):
        mode = path.stat().st_mode & 0o777
    if previous is not None:
        write_atomic(path.with_name(BACKUP_FILE), previous, mode)
    write_atomic(path, spec_text(spec).encode(), mode)
    remove_stale_temp_files(path.parent)
