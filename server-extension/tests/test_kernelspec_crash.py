"""kernel.json under crashes: the saving process SIGKILLed at random points, and injected
failures between write, fsync and rename. Every file on disk is always whole JSON, the old
or the new version, never a mix; temporary files a kill leaves are ignored, then removed.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jupyter_client.kernelspec import KernelSpecManager

from jupyterlab_hpc.kernels.files import BACKUP_FILE, SPEC_FILE, spec_text
from jupyterlab_hpc.kernels.store import KernelSpecError, KernelSpecStore

from .kernelspec_writer import versions

WRITER = Path(__file__).parent / "kernelspec_writer.py"
KILLS = 200
TIME_BUDGET = 30.0  # seconds for all the kills together
NAME = "crashy"


@pytest.fixture
def kernel_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user kernels folder of our own holding version A of the kernel."""
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("JUPYTER_PATH", "")
    folder = tmp_path / "data" / "kernels" / NAME
    folder.mkdir(parents=True)
    (folder / SPEC_FILE).write_text(spec_text(versions()[0]))
    return folder


@pytest.fixture
def writer(kernel_dir: Path) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen(
        [sys.executable, str(WRITER), NAME],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    yield proc
    if proc.stdin:
        proc.stdin.close()
    proc.wait(timeout=30)
    assert proc.stdout is not None
    proc.stdout.close()


def store() -> KernelSpecStore:
    return KernelSpecStore(KernelSpecManager())


def assert_whole(path: Path, allowed: list[dict[str, Any]]) -> int:
    """Which of the versions the file holds, whole."""
    text = path.read_text()
    assert text, f"{path.name} is empty"
    loaded = json.loads(text)
    assert loaded in allowed, f"{path.name} is neither version"
    return allowed.index(loaded)


def temp_files(folder: Path) -> list[Path]:
    return sorted(folder.glob(".kernel.json*.tmp"))


def test_killed_saves_leave_old_or_new(kernel_dir: Path, writer: subprocess.Popen[str]) -> None:
    assert writer.stdin is not None
    assert writer.stdout is not None
    allowed = list(versions())
    ready = writer.stdout.readline().split()
    assert ready[0] == "ready", ready
    save_seconds = float(ready[1])
    rng = random.Random(20261122)
    kills = checked = 0
    seen = [0, 0]  # kills after which kernel.json held A, B
    end = time.monotonic() + TIME_BUDGET
    while kills < KILLS and time.monotonic() < end:
        writer.stdin.write("go\n")
        writer.stdin.flush()
        pid = int(writer.stdout.readline())
        # Anywhere in the first few saves: reading, writing, fsync, rename, the backup.
        time.sleep(rng.uniform(0, 3 * save_seconds))
        os.kill(pid, signal.SIGKILL)
        assert writer.stdout.readline().split() == ["reaped", str(int(signal.SIGKILL))]
        kills += 1
        seen[assert_whole(kernel_dir / SPEC_FILE, allowed)] += 1
        checked += 1
        if (kernel_dir / BACKUP_FILE).exists():
            assert_whole(kernel_dir / BACKUP_FILE, allowed)
            checked += 1
    assert kills >= 50, f"only {kills} kills in {TIME_BUDGET} s"
    assert min(seen) > 0, f"the kills never caught both versions: {seen}"
    leftovers = temp_files(kernel_dir)

    # The listing is not confused by what the kills left: one kernel, readable, writable.
    listed = {r.name: r for r in store().list()}
    assert [n for n in listed if n.startswith(".") or "tmp" in n] == []
    record = listed[NAME]
    assert not record.error
    assert record.writable
    assert record.raw in allowed

    # The next save ignores fresh leftovers (another save may be writing them) and removes
    # stale ones.
    for tmp in leftovers:
        os.utime(tmp, (time.time() - 120, time.time() - 120))
    store().save(NAME, allowed[1], record.version)
    assert temp_files(kernel_dir) == []
    assert json.loads((kernel_dir / SPEC_FILE).read_text()) == allowed[1]
    print(
        f"kernelspec crash: {kills} kills (save takes {save_seconds * 1000:.1f} ms), "
        f"{checked} files checked, all whole (kernel.json held A {seen[0]} times, "
        f"B {seen[1]} times); {len(leftovers)} temporary files left by "
        "kills, ignored by the listing and removed by the next save"
    )


def test_fresh_temp_files_are_kept(kernel_dir: Path) -> None:
    stray = kernel_dir / ".kernel.json.inflight.tmp"
    stray.write_text("{half")
    record = store().get(NAME)
    store().save(NAME, versions()[1], record.version)
    assert stray.exists()  # another process's save in flight


def failing_at(real: Any, target: int, calls: list[int]) -> Any:
    """``real`` that raises ENOSPC on its ``target``-th call."""

    def fake(*args: Any) -> Any:
        calls.append(1)
        if len(calls) == target:
            raise OSError(28, "No space left on device (injected)")
        return real(*args)

    return fake


@pytest.mark.parametrize("function", ["fsync", "replace", "chmod"])
def test_injected_failures_leave_the_old_file(
    kernel_dir: Path, monkeypatch: pytest.MonkeyPatch, function: str
) -> None:
    """A failure at each call of os.fsync / os.replace / os.chmod during one save (the
    files module calls them through ``os``, patched here for the save only)."""
    old, new = versions()
    spec_file = kernel_dir / SPEC_FILE
    real = getattr(os, function)
    injected = 0
    target = 1
    while True:
        spec_file.write_text(spec_text(old))
        (kernel_dir / BACKUP_FILE).unlink(missing_ok=True)
        record = store().get(NAME)
        calls: list[int] = []
        with monkeypatch.context() as patch:
            patch.setattr(os, function, failing_at(real, target, calls))
            failure: KernelSpecError | None = None
            try:
                store().save(NAME, new, record.version)
            except KernelSpecError as e:
                failure = e
        failed = failure is not None
        if failure is not None:
            assert failure.status == 500
            assert "previous version is unchanged" in failure.message
        if len(calls) < target:
            break  # the save made fewer calls than this: every point was tried
        injected += 1
        on_disk = json.loads(spec_file.read_text())
        if failed:
            assert on_disk == old
        else:
            # Only the folder's fsync after the rename may fail without failing the save.
            assert function == "fsync"
            assert on_disk == new
        if (kernel_dir / BACKUP_FILE).exists():
            assert json.loads((kernel_dir / BACKUP_FILE).read_text()) == old
        assert temp_files(kernel_dir) == []
        target += 1
    assert injected >= 2
    print(f"kernelspec faults: os.{function} failed at each of its {injected} calls in a save")
