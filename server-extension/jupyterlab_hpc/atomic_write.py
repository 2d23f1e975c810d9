"""Replacing a file safely: the new text goes to a temporary file in the same folder, is
fsynced, then renamed over the old one, so a reader sees the old or the new file, never
half. Used for kernel.json (kernels/), the submit templates and the kept job paths (jobs/).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Replace ``path`` with ``data`` so a reader sees the old or the new file, never half."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    # The rename is done: readers see the new file, so an error now must not be reported as
    # "unchanged". Syncing the folder only makes the rename durable (a crash before it
    # leaves the old or the new file, both whole); some filesystems refuse it (EINVAL).
    with contextlib.suppress(OSError):
        fsync_dir(path.parent)
