"""The runner on real processes."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from jupyterlab_hpc.runner import CommandNotFound, CommandRunner, CommandTimeout

from .conftest import TEST_BIN


async def test_argv_is_not_a_shell() -> None:
    result = await CommandRunner().run(["echo", "$(touch /tmp/never)", ";", "|"])
    assert result.ok
    assert result.stdout == "$(touch /tmp/never) ; |\n"


async def test_stdin_exit_code_and_stderr() -> None:
    result = await CommandRunner().run(["sh", "-c", "cat; echo oops >&2; exit 3"], stdin="hello")
    assert (result.returncode, result.stdout, result.stderr.strip()) == (3, "hello", "oops")
    assert not result.ok
    assert result.message == "oops"


async def test_timeout_kills_the_process_group() -> None:
    runner = CommandRunner({"hang": str(TEST_BIN / "hang")})
    start = time.monotonic()
    with pytest.raises(CommandTimeout, match=r"did not answer within 0\.5 s"):
        await runner.run(["hang"], timeout=0.5)
    assert time.monotonic() - start < 5
    time.sleep(0.2)
    left = subprocess.run(["pgrep", "-f", str(TEST_BIN / "hang")], capture_output=True, check=False)
    assert left.stdout == b""


def test_sync_timeout() -> None:
    runner = CommandRunner({"hang": str(TEST_BIN / "hang")})
    with pytest.raises(CommandTimeout):
        runner.run_sync(["hang"], timeout=0.3)


def test_missing_and_configured_commands() -> None:
    runner = CommandRunner({"squeue": str(TEST_BIN / "squeue-down"), "gone": "/nonexistent/x"})
    assert runner.resolve("squeue") == str(TEST_BIN / "squeue-down")
    with pytest.raises(CommandNotFound, match="'gone' was not found"):
        runner.resolve("gone")
    with pytest.raises(CommandNotFound):
        runner.run_sync(["no-such-command-anywhere"])
    assert runner.run_sync(["squeue"]).returncode == 1


def test_sync_timeout_with_grace_sends_sigterm_first(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    runner = CommandRunner({"trap-term": str(TEST_BIN / "trap-term")})
    with pytest.raises(CommandTimeout):
        runner.run_sync(["trap-term", str(marker)], timeout=0.5, grace=5)
    assert marker.read_text() == "terminated\n"


def test_sync_interrupt_stops_the_command() -> None:
    # Ctrl-C in a notebook: the command (in its own process group) must not outlive it.
    runner = CommandRunner({"hang": str(TEST_BIN / "hang")})
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        runner.run_sync(["hang"], timeout=30)
    assert time.monotonic() - start < 5
    time.sleep(0.2)
    left = subprocess.run(["pgrep", "-f", str(TEST_BIN / "hang")], capture_output=True, check=False)
    assert left.stdout == b""


async def test_cwd_is_where_the_command_runs(tmp_path: Path) -> None:
    # qsub records its current folder as the job's PBS_O_WORKDIR, so the folder matters.
    runner = CommandRunner()
    result = await runner.run(["pwd"], cwd=str(tmp_path))
    assert result.stdout.strip() == str(tmp_path)
    assert (await runner.run(["pwd"])).stdout.strip() == os.getcwd()


def test_sync_cwd(tmp_path: Path) -> None:
    result = CommandRunner().run_sync(["pwd"], cwd=str(tmp_path))
    assert result.stdout.strip() == str(tmp_path)
