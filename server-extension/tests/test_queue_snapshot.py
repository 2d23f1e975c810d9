"""The shared snapshot against the real local Slurm."""

from __future__ import annotations

import asyncio

import pytest

from jupyterlab_hpc.jobs.queue import QueueSnapshot, select_rows
from jupyterlab_hpc.runner import CommandRunner
from jupyterlab_hpc.schedulers.slurm.scheduler import SlurmScheduler

from .conftest import TEST_BIN, Submitter


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def runner(slurm: None) -> CommandRunner:
    return CommandRunner()


async def test_concurrent_requests_share_one_squeue(runner: CommandRunner) -> None:
    clock = Clock()
    snap = QueueSnapshot(SlurmScheduler(runner), floor=5.0, monotonic=clock)
    await asyncio.gather(*(snap.refresh() for _ in range(20)))
    assert runner.calls["squeue"] == 1
    clock.t += 4.9
    await snap.refresh()
    assert runner.calls["squeue"] == 1  # younger than the floor
    clock.t += 0.2
    await snap.refresh()
    assert runner.calls["squeue"] == 2
    snap.invalidate()
    await snap.refresh()
    assert runner.calls["squeue"] == 3


async def test_version_changes_only_with_the_data(runner: CommandRunner, submit: Submitter) -> None:
    snap = QueueSnapshot(SlurmScheduler(runner), floor=1.0)
    submit.sbatch("-H", "--wrap", "sleep 1", "-J", "snapshot-version")
    await snap.refresh()
    for _ in range(3):
        rows, version = snap.rows, snap.version
        snap.invalidate()
        await snap.refresh()
        # Same data, same version; running jobs' time used may move it between two calls.
        assert (snap.version == version) == (snap.rows == rows)
    version = snap.version
    job = submit.sbatch("-H", "--wrap", "sleep 1", "-J", "snapshot-version-2")
    snap.invalidate()
    await snap.refresh()
    assert snap.version > version
    assert any(r[0] == job for r in snap.rows)


async def test_scheduler_down_keeps_last_good_rows(
    runner: CommandRunner, submit: Submitter
) -> None:
    clock = Clock()
    wall = Clock()
    submit.sbatch("-H", "--wrap", "sleep 1", "-J", "keep-me")
    snap = QueueSnapshot(SlurmScheduler(runner), floor=1.0, monotonic=clock, wall=wall)
    await snap.refresh()
    good_rows, good_version, fetched = snap.rows, snap.version, snap.fetched_at
    assert snap.status()["ok"] is True

    runner.command_paths["squeue"] = str(TEST_BIN / "squeue-down")
    clock.t += 2
    wall.t += 2
    await snap.refresh()
    status = snap.status()
    assert status["ok"] is False
    assert "Unable to contact slurm controller" in status["error"]
    assert status["fetched_at"] == fetched
    assert status["error_since"] == wall.t
    assert snap.rows is good_rows
    assert snap.version == good_version
    first_error = wall.t

    clock.t += 2
    wall.t += 2
    await snap.refresh()
    assert snap.status()["error_since"] == first_error  # since when, not the latest try

    del runner.command_paths["squeue"]
    clock.t += 2
    wall.t += 2
    await snap.refresh()
    assert snap.status()["ok"] is True
    assert snap.status()["fetched_at"] == wall.t


def test_select_rows_filters() -> None:
    rows = [
        ["1", None, None, "Alpha", "ann", "", "debug", "", "running"] + [None] * 11,
        ["2", None, None, "beta", "bob", "", "long", "", "pending"] + [None] * 11,
    ]
    assert [r[0] for r in select_rows(rows, ("ann", "", "", ""))] == ["1"]
    assert [r[0] for r in select_rows(rows, (None, "long", "", ""))] == ["2"]
    assert [r[0] for r in select_rows(rows, (None, "", "running", ""))] == ["1"]
    assert [r[0] for r in select_rows(rows, (None, "", "", "alp"))] == ["1"]


def test_encoded_rows_gzip_equals_plain() -> None:
    import gzip
    import json

    from jupyterlab_hpc.jobs.queue import EncodedRows

    encoded = EncodedRows(b'{"columns":["id"],"rows":[["1"],["2"]],')
    for version in (1, 2):  # the kept gzip state serves many tails
        tail = b'"version":%d}' % version
        assert gzip.decompress(encoded.gzip_body(tail)) == encoded.body(tail)
        assert json.loads(encoded.body(tail))["version"] == version


def test_encode_rows_reuses_carried_over_rows() -> None:
    from jupyterlab_hpc.jobs.queue import encode_rows

    a, b = ["1", "x"], ["2", "y"]
    old = encode_rows([a, b], [], [])
    assert old == [b'["1","x"]', b'["2","y"]']
    c = ["3", "z"]
    new = encode_rows([b, c], [a, b], old)
    assert new[0] is old[1]  # reused, not re-encoded
    assert new[1] == b'["3","z"]'
