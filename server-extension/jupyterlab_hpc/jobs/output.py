"""Reading a window of a job's output file as UTF-8 text cut on character boundaries.

Pure file reading, no batch system: which file to read is decided by the job service.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, fields
from typing import Any

MAX_OUTPUT_CHUNK = 256 * 1024


class OutputUnreadable(Exception):
    """The file exists but cannot be read as a job's output (a folder, a pipe, no access)."""


@dataclass(frozen=True)
class OutputChunk:
    """The bytes ``[start, end)`` of ``path`` as text; ``size`` is the file's size then."""

    path: str
    exists: bool
    size: int
    start: int
    end: int
    data: str

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _is_continuation(byte: int) -> bool:
    return 0x80 <= byte <= 0xBF


def _sequence_length(lead: int) -> int:
    if lead >= 0xF0:
        return 4
    if lead >= 0xE0:
        return 3
    if lead >= 0xC0:
        return 2
    return 1


def _skip_continuations(buf: bytes) -> int:
    """How many bytes at the start of ``buf`` belong to a character begun before it."""
    n = 0
    while n < min(3, len(buf)) and _is_continuation(buf[n]):
        n += 1
    return n


def _complete_length(buf: bytes) -> int:
    """The length of ``buf`` without a last character that is not complete in it."""
    for back in range(1, min(4, len(buf)) + 1):
        i = len(buf) - back
        if not _is_continuation(buf[i]):
            return i if i + _sequence_length(buf[i]) > len(buf) else len(buf)
    return len(buf)  # only continuation bytes: not UTF-8 anyway, shown as replacements


def window(size: int, offset: int | None, before: int | None, limit: int) -> tuple[int, int]:
    """The byte range to read: forward from ``offset``, just before ``before``, or the tail."""
    if offset is not None:
        start = min(offset, size)
        return start, min(start + limit, size)
    end = size if before is None else min(before, size)
    return max(0, end - limit), end


def read_output(
    path: str, *, offset: int | None = None, before: int | None = None, limit: int
) -> OutputChunk:
    """The window of ``path`` asked for; ``exists`` False (not an error) while there is none.

    The window's ends move to character boundaries: a character cut at the start is
    skipped (it belongs to the previous window), one cut at the end is left for the next.
    When not even one character fits in ``limit``, the window holds that one character.
    """
    if not path:
        return OutputChunk(path, False, 0, 0, 0, "")
    try:
        # O_NONBLOCK: a job's "output" could be a FIFO, whose open would otherwise wait.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except FileNotFoundError:
        return OutputChunk(path, False, 0, 0, 0, "")
    except NotADirectoryError:
        return OutputChunk(path, False, 0, 0, 0, "")
    except PermissionError:
        raise OutputUnreadable(
            f"The output file {path} cannot be read: permission denied."
        ) from None
    except OSError as e:
        raise OutputUnreadable(f"The output file {path} cannot be read: {e.strerror}.") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OutputUnreadable(f"{path} is not a regular file, so it is not shown.")
        size = info.st_size
        start, end = window(size, offset, before, limit)
        # Three bytes more than asked, to finish a character cut at the end if need be.
        buf = os.pread(fd, end - start + 3, start) if end > start else b""
    finally:
        os.close(fd)
    skip = _skip_continuations(buf) if start > 0 else 0
    asked = buf[: end - start]
    keep = _complete_length(asked)
    if keep <= skip and len(asked) > skip:
        # Not one whole character fits: take the first one whole (at most 3 bytes more).
        whole = skip + _sequence_length(buf[skip])
        keep = whole if whole <= len(buf) else skip
    data = buf[skip:keep] if keep > skip else b""
    return OutputChunk(
        path,
        True,
        size,
        start + skip,
        start + skip + len(data),
        data.decode("utf-8", errors="replace"),
    )
