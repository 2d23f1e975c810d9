"""The one place where jupyterlab-hpc runs a command.

Commands are argv lists (never a shell), every run has a timeout that kills the whole
process group, and the result is one value with stdout, stderr and the exit code.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


class CommandNotFound(Exception):
    """The command is neither configured nor on PATH."""

    def __init__(self, name: str) -> None:
        super().__init__(f"The command '{name}' was not found on PATH.")
        self.name = name


class CommandTimeout(Exception):
    """The command ran longer than its timeout and was killed."""

    def __init__(
        self, argv: Sequence[str], timeout: float, stdout: str = "", stderr: str = ""
    ) -> None:
        super().__init__(f"'{argv[0]}' did not answer within {timeout:g} s and was stopped.")
        self.argv = tuple(argv)
        self.timeout = timeout
        # What it printed before it was stopped (run_sync only).
        self.stdout = stdout
        self.stderr = stderr


@dataclass(frozen=True)
class CommandResult:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    duration: float

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def message(self) -> str:
        """What the command said about a failure, in one string."""
        text = (self.stderr.strip() or self.stdout.strip()).strip()
        return text or f"'{self.argv[0]}' exited with code {self.returncode}."


class CommandRunner:
    """Runs commands by name; names resolve through ``command_paths`` or PATH."""

    def __init__(
        self,
        command_paths: Mapping[str, str] | None = None,
        timeout: float = 30.0,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.command_paths = dict(command_paths or {})
        self.timeout = timeout
        self.env = dict(env) if env is not None else None
        # Runs per command name: what the tests and benchmarks count (one squeue per interval).
        self.calls: dict[str, int] = {}

    def resolve(self, name: str) -> str:
        configured = self.command_paths.get(name)
        if configured:
            if os.access(configured, os.X_OK):
                return configured
            raise CommandNotFound(name)
        found = shutil.which(name)
        if found is None:
            raise CommandNotFound(name)
        return found

    def has(self, name: str) -> bool:
        try:
            self.resolve(name)
        except CommandNotFound:
            return False
        return True

    def _argv(self, argv: Sequence[str]) -> list[str]:
        if not argv or not all(isinstance(a, str) for a in argv):
            raise ValueError("argv must be a non-empty list of strings")
        self.calls[argv[0]] = self.calls.get(argv[0], 0) + 1
        return [self.resolve(argv[0]), *argv[1:]]

    async def run(
        self,
        argv: Sequence[str],
        *,
        timeout: float | None = None,
        stdin: str | None = None,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
    ) -> CommandResult:
        """Run to the end; ``cwd`` is the folder it runs in (the server's own when None)."""
        full = self._argv(argv)
        limit = timeout or self.timeout
        start = time.monotonic()
        proc = await asyncio.create_subprocess_exec(
            *full,
            stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env if env is not None else self.env,
            cwd=cwd,
            start_new_session=True,  # its own process group, so a timeout kills its children too
        )
        data = stdin.encode() if stdin is not None else None
        try:
            out, err = await asyncio.wait_for(proc.communicate(data), limit)
        except (asyncio.TimeoutError, asyncio.CancelledError):
            _kill_group(proc.pid)
            await proc.wait()
            raise CommandTimeout(argv, limit) from None
        return CommandResult(
            tuple(argv),
            proc.returncode if proc.returncode is not None else -1,
            out.decode(errors="replace"),
            err.decode(errors="replace"),
            time.monotonic() - start,
        )

    async def start(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
        output: str | None = None,
    ) -> asyncio.subprocess.Process:
        """Start a command that runs as long as what it serves (a kernel's ``srun`` step),
        in its own process group, stdin closed; its stdout and stderr are appended to
        ``output`` (a file), or dropped. The caller stops it (``signal_group``) and waits."""
        full = self._argv(argv)
        sink: int | None = asyncio.subprocess.DEVNULL
        fd = None
        if output is not None:
            fd = os.open(output, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            sink = fd
        try:
            return await asyncio.create_subprocess_exec(
                *full,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=sink,
                stderr=sink,
                env=env if env is not None else self.env,
                cwd=cwd,
                start_new_session=True,
            )
        finally:
            if fd is not None:
                os.close(fd)

    def run_sync(
        self,
        argv: Sequence[str],
        *,
        timeout: float | None = None,
        stdin: str | None = None,
        env: Mapping[str, str] | None = None,
        grace: float = 0.0,
        cwd: str | None = None,
    ) -> CommandResult:
        """Run to the end; a timeout or a KeyboardInterrupt (Ctrl-C in a notebook) stops it.

        With ``grace`` > 0 the process group first gets SIGTERM and that many seconds to
        clean up (srun and salloc then release their allocation) before SIGKILL.
        """
        full = self._argv(argv)
        limit = timeout or self.timeout
        start = time.monotonic()
        with subprocess.Popen(
            full,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env if env is not None else self.env,
            cwd=cwd,
            start_new_session=True,
        ) as proc:
            try:
                out, err = proc.communicate(stdin.encode() if stdin is not None else None, limit)
            except subprocess.TimeoutExpired:
                out, err = _stop_group(proc, grace)
                raise CommandTimeout(
                    argv, limit, out.decode(errors="replace"), err.decode(errors="replace")
                ) from None
            except KeyboardInterrupt:
                _stop_group(proc, grace)
                raise
        return CommandResult(
            tuple(argv),
            proc.returncode,
            out.decode(errors="replace"),
            err.decode(errors="replace"),
            time.monotonic() - start,
        )


def signal_group(pid: int, signum: int) -> None:
    """A signal to a process group ``start`` made; nothing when it is gone."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signum)


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def _stop_group(proc: subprocess.Popen[bytes], grace: float) -> tuple[bytes, bytes]:
    """Stop the process group; everything it printed (communicate() keeps what an earlier,
    timed-out communicate() had read)."""
    if grace > 0:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            out, err = proc.communicate(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
        else:
            _kill_group(proc.pid)  # children it left behind
            return out or b"", err or b""
    _kill_group(proc.pid)
    out, err = proc.communicate()
    return out or b"", err or b""
