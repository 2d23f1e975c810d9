"""The private folder a batch kernel's server side and its job share.

One folder per kernel (``hpc-kernel-<kernel id>`` in the Jupyter runtime folder, or where
the site says: it must be visible from the compute nodes), mode 0700, owned by the user;
every file in it 0600, written whole (temporary file, then rename) and read only when it is
a regular file of the user's (never through a link). What is in it:

- ``connection.json``: the kernel's connection file. The server writes the key, the
  transport and the signature scheme with no ports; the job picks the address and ports on
  its node and writes the file again, complete; the kernel reads it. The key is in this
  file only: never on a command line, never in the job's environment.
- ``ready.json``: written by the job when its kernel listens: job id, node, address,
  generation (one per kernel started in the job), times.
- ``exit.json``: written by the job when its kernel ended: generation, exit code, why.
- ``environment.json``: the kernel's environment as the Jupyter server would give a local
  kernel (the kernelspec's ``env`` applied), less what must not reach a job (jobs.py):
  the node side starts the kernel with it over the job's own (PBS gives a job its default
  environment, not the submitter's; on Slurm it is what sbatch exported anyway).
- ``job.out``: the job's output (the kernel's stdout and stderr), read when a start fails.
- ``lease``: touched by the server while it waits for the job and while the kernel runs;
  a job that finds it older than its lease timeout (the server died, or was killed
  without shutting its kernels down) ends itself instead of running for nobody.

Standard library only: the compute node's side uses it too.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import tempfile
import time
from pathlib import Path
from typing import Any

CONNECTION = "connection.json"
READY = "ready.json"
EXIT = "exit.json"
ENVIRONMENT = "environment.json"
LEASE = "lease"
OUTPUT = "job.out"
MAX_JSON = 4 * 1024 * 1024


class FolderError(Exception):
    """The folder or one of its files is not the user's own and private."""


class KernelFolder:
    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def file(self, name: str) -> Path:
        return self.path / name

    def create(self) -> None:
        """Make the folder (0700), or check the one there (a restart) is private."""
        with contextlib.suppress(FileExistsError):
            os.mkdir(self.path, 0o700)
        self.check()

    def check(self) -> None:
        """The folder is a real folder (not a link), the user's, and closed to others."""
        try:
            info = os.lstat(self.path)
        except FileNotFoundError:
            raise FolderError(f"The kernel's folder {self.path} does not exist.") from None
        if not stat.S_ISDIR(info.st_mode):
            raise FolderError(f"{self.path} is not a folder (a link or a file is there).")
        if info.st_uid != os.geteuid():
            raise FolderError(f"The kernel's folder {self.path} belongs to another user.")
        if info.st_mode & 0o077:
            raise FolderError(
                f"The kernel's folder {self.path} is open to other users "
                f"(mode {stat.S_IMODE(info.st_mode):o}); it must be 0700."
            )

    def write_json(self, name: str, data: dict[str, Any]) -> None:
        self.write_text(name, json.dumps(data, indent=1) + "\n")

    def write_text(self, name: str, text: str) -> None:
        """Write a 0600 file whole: a temporary file in the folder, then a rename."""
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=self.path)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path / name)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def read_json(self, name: str) -> dict[str, Any] | None:
        """A JSON object from a 0600 regular file of the user's; None when it is not there
        (or not yet complete); FolderError when it is there but not private."""
        text = self.read_text(name, MAX_JSON)
        if text is None:
            return None
        try:
            data = json.loads(text)
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    def read_text(self, name: str, limit: int) -> str | None:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            fd = os.open(self.path / name, flags)
        except FileNotFoundError:
            return None
        except OSError as e:
            raise FolderError(f"{self.path / name} cannot be read: {e.strerror}.") from None
        with os.fdopen(fd, "rb") as f:
            info = os.fstat(f.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
                raise FolderError(f"{self.path / name} is not a file of the user's own.")
            if info.st_mode & 0o077:
                raise FolderError(f"{self.path / name} is readable by other users.")
            return f.read(limit).decode("utf-8", errors="replace")

    def tail(self, name: str, limit: int = 4000) -> str:
        """The end of a file (the job's output), "" when there is none."""
        path = self.path / name
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            fd = os.open(path, flags)
        except OSError:
            return ""
        with os.fdopen(fd, "rb") as f:
            info = os.fstat(f.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
                return ""
            f.seek(max(0, info.st_size - limit))
            return f.read(limit).decode("utf-8", errors="replace")

    def touch(self, name: str) -> None:
        """Create the (empty, 0600) file if needed and set its time to now."""
        flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(self.path / name, flags, 0o600)
        try:
            os.utime(fd)
        finally:
            os.close(fd)

    def age(self, name: str, now: float | None = None) -> float | None:
        """Seconds since the file was last touched; None when it is not there (or is not
        the user's regular file)."""
        try:
            info = os.lstat(self.path / name)
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
            return None
        return (time.time() if now is None else now) - info.st_mtime

    def remove_file(self, name: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path / name)

    def remove(self) -> None:
        """The folder and everything in it (only when it is the user's own folder)."""
        try:
            self.check()
        except FolderError:
            return
        shutil.rmtree(self.path, ignore_errors=True)
