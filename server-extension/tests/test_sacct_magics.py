"""%sacct and the sacct fallback of %job / Job.refresh() in a real IPython shell against the
real local Slurm with accounting (slurmdbd + MariaDB)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from IPython.core.interactiveshell import InteractiveShell

from jupyterlab_hpc.magics import JobHandle
from jupyterlab_hpc.magics.errors import BatchError
from jupyterlab_hpc.schedulers.base import JobState

from .conftest import FinishedJobs, ensure_accounting, wait_until_forgotten
from .magic_shell import run, run_failing, shell_with_magics
from .test_history_slurm import conf_copy


@pytest.fixture
def shell(
    slurm: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[InteractiveShell]:
    monkeypatch.chdir(tmp_path)
    return shell_with_magics()


def test_sacct_returns_a_typed_table(shell: InteractiveShell, finished_jobs: FinishedJobs) -> None:
    ids = finished_jobs.ids
    df = run(shell, f"%sacct -S {finished_jobs.start} -j {','.join(ids.values())}")
    assert isinstance(df, pd.DataFrame)
    rows = {row["id"]: row for row in df.to_dict("records")}
    assert set(rows) == set(ids.values())
    assert str(df["id"].dtype) == "string"
    assert str(df["elapsed"].dtype).startswith("timedelta64")
    assert str(df["total_cpu"].dtype).startswith("timedelta64")
    assert str(df["end_time"].dtype).startswith("datetime64")
    assert str(df["exit_code"].dtype) == "Int64"
    assert str(df["cpu_efficiency"].dtype) == "Float64"
    done, failed = rows[ids["completed"]], rows[ids["failed"]]
    assert (done["state"], done["exit_code"]) == ("completed", 0)
    assert (failed["state"], failed["exit_code"]) == ("failed", 3)
    assert rows[ids["cancelled"]]["state"] == "cancelled"
    assert done["elapsed"] >= pd.Timedelta(seconds=2)
    assert 0 < done["cpu_efficiency"] <= 1
    assert list(df.columns[:4]) == ["id", "name", "user", "state"]
    # -X would leave TotalCPU at 0: the table drops it (it has one row per job anyway).
    allocations = run(shell, f"%sacct -X -S {finished_jobs.start} -j {ids['completed']}")
    assert allocations.iloc[0]["total_cpu"] == done["total_cpu"]


def test_sacct_with_a_format_shows_sacct_text(
    shell: InteractiveShell, finished_jobs: FinishedJobs, capsys: pytest.CaptureFixture[str]
) -> None:
    job_id = finished_jobs.ids["failed"]
    capsys.readouterr()
    value = run(shell, f"%sacct -X -j {job_id} -o JobID,State,ExitCode")
    assert value is None
    out = capsys.readouterr().out
    assert "JobID" in out
    assert "ExitCode" in out
    assert f"{job_id}" in out
    assert "FAILED" in out
    assert "3:0" in out


@pytest.mark.parametrize("change", ["disabled", "down"])
def test_sacct_without_accounting_says_so(
    shell: InteractiveShell, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    monkeypatch.setenv("SLURM_CONF", conf_copy(tmp_path, change)["SLURM_CONF"])
    error = run_failing(shell, "%sacct -j 1")
    assert isinstance(error, BatchError)
    assert "sacct needs Slurm accounting (slurmdbd" in str(error)


def test_job_of_a_forgotten_job_comes_from_accounting(
    shell: InteractiveShell,
    finished_jobs: FinishedJobs,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    failed, done = finished_jobs.ids["failed"], finished_jobs.ids["completed"]
    wait_until_forgotten(failed)
    ensure_accounting()
    handle = run(shell, f"%job {failed}")
    assert isinstance(handle, JobHandle)
    assert handle.state is JobState.FAILED
    assert handle.from_accounting
    assert not handle.forgotten
    assert handle.info is not None
    assert handle.info.exit_code == 3
    assert "(from accounting)" in handle.status_line()
    assert "from accounting" in handle._repr_html_()
    assert run(shell, f"%job wait {done}") is JobState.COMPLETED
    # A handle made before: refresh() finds the final state the same way.
    again = JobHandle(handle._scheduler, done).refresh()
    assert again.state is JobState.COMPLETED
    assert again.done
    # Without accounting there is no telling a forgotten job from one that never was.
    monkeypatch.setenv("SLURM_CONF", conf_copy(tmp_path, "disabled")["SLURM_CONF"])
    error = run_failing(shell, f"%job {failed}")
    assert isinstance(error, BatchError)
    assert "it never existed, or it ended more than MinJobAge seconds ago" in str(error)
    assert "Without accounting there is no telling which." in str(error)
    # A handle that saw the job running says it ended and was forgotten.
    assert "no longer known to Slurm" in again.refresh().status_line()
