"""Pieces of the magics that need no scheduler: arguments, environment, states."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError
from traitlets.config import Config

from jupyterlab_hpc.magics import display, load_ipython_extension, unload_ipython_extension
from jupyterlab_hpc.magics.args import has_option, pop_float, pop_option, split
from jupyterlab_hpc.magics.context import MagicsContext, job_environment
from jupyterlab_hpc.magics.errors import BatchError
from jupyterlab_hpc.magics.job import combined_state
from jupyterlab_hpc.magics.neutral_magics import NeutralMagics
from jupyterlab_hpc.magics.slurm_magics import SlurmMagics
from jupyterlab_hpc.schedulers.base import LISTING_COLUMNS, Job, JobState

from .magic_shell import shell_with_magics


def test_split_keeps_quotes_and_never_runs_a_shell() -> None:
    assert split("""-o "%.18i %j" -J 'a b' $(rm) ;""") == [
        "-o",
        "%.18i %j",
        "-J",
        "a b",
        "$(rm)",
        ";",
    ]
    with pytest.raises(UsageError, match="check the quotes"):
        split('-J "open')


def test_own_options_are_taken_out() -> None:
    assert pop_option(["-t", "1", "--name-var", "j", "-H"], "--name-var") == (
        "j",
        ["-t", "1", "-H"],
    )
    assert pop_option(["--name-var=j"], "--name-var") == ("j", [])
    assert pop_float(["--timeout", "2.5", "x"], "--timeout", 9) == (2.5, ["x"])
    assert pop_float(["x"], "--timeout", 9) == (9, ["x"])
    with pytest.raises(UsageError):
        pop_option(["--name-var"], "--name-var")
    with pytest.raises(UsageError):
        pop_float(["--timeout", "-1"], "--timeout", 9)


def test_format_options_are_found_in_every_spelling() -> None:
    longs = ("--format", "--Format")
    assert has_option(["-o", "%i"], "oO", longs)
    assert has_option(["-o%i"], "oO", longs)
    assert has_option(["--format=%i"], "oO", longs)
    assert has_option(["--Form", "JobID"], "oO", longs)
    assert not has_option(["-p", "debug", "--me", "--states=all"], "oO", longs)
    assert not has_option(["--", "-o"], "oO", longs)


def test_job_environment_drops_only_the_kernels_variables() -> None:
    env = job_environment(
        {
            "MPLBACKEND": "module://matplotlib_inline.backend_inline",
            "JPY_PARENT_PID": "1",
            "PYDEVD_USE_FRAME_EVAL": "NO",
            "PATH": "/usr/bin",
            "SBATCH_ACCOUNT": "mine",
        }
    )
    assert env == {"PATH": "/usr/bin", "SBATCH_ACCOUNT": "mine"}
    assert job_environment({"MPLBACKEND": "Agg"}) == {"MPLBACKEND": "Agg"}


def job(state: JobState) -> Job:
    return Job(id="1", name="", user="", state=state, raw_state=state.value.upper())


def test_an_array_state_sums_up_its_tasks() -> None:
    s = JobState
    assert combined_state([job(s.COMPLETED), job(s.RUNNING), job(s.PENDING)]) is s.RUNNING
    assert combined_state([job(s.COMPLETED), job(s.PENDING)]) is s.PENDING
    assert combined_state([job(s.COMPLETED), job(s.FAILED), job(s.CANCELLED)]) is s.FAILED
    assert combined_state([job(s.COMPLETED), job(s.COMPLETED)]) is s.COMPLETED
    assert combined_state([]) is s.UNKNOWN


def test_tables_type_their_columns_without_pandas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(display, "import_pandas", lambda: None)
    rows = display.table(
        [{"id": 5, "time_limit": 90061, "submit_time": "2026-11-22T00:18:40", "cpus": "2"}],
        ["id", "time_limit", "submit_time", "cpus"],
        display.JOB_KINDS,
    )
    assert rows == [
        {
            "id": "5",
            "time_limit": display.dt.timedelta(days=1, hours=1, minutes=1, seconds=1),
            "submit_time": display.dt.datetime(2026, 11, 22, 0, 18, 40),
            "cpus": 2,
        }
    ]
    assert "1-1:01:01" in rows._repr_html_()


def test_no_batch_system_says_what_was_looked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    shell = shell_with_magics()
    monkeypatch.setenv("PATH", "/nonexistent")
    context = MagicsContext(shell)
    with pytest.raises(BatchError, match=r"No batch system found.*squeue, sbatch \(Slurm\)"):
        NeutralMagics(shell, context).jobs("")
    with pytest.raises(BatchError, match="'squeue' was not found on PATH"):
        SlurmMagics(shell, context).squeue("")


def test_site_settings_come_from_the_ipython_config(monkeypatch: pytest.MonkeyPatch) -> None:
    shell = shell_with_magics()
    settings = Config({"command_timeout": 7.0, "scheduler": "none"})
    monkeypatch.setitem(shell.config, "HPCConfig", settings)
    context = MagicsContext(shell)
    assert context.runner.timeout == 7.0
    with pytest.raises(BatchError, match="No batch system"):
        context.scheduler()


def test_job_tables_have_every_listing_column() -> None:
    assert sorted(display.JOB_COLUMNS) == sorted(LISTING_COLUMNS)


def test_only_the_batch_systems_that_are_here_get_magics(monkeypatch: pytest.MonkeyPatch) -> None:
    shell = shell_with_magics()
    try:
        # This machine has Slurm and no PBS: no %qsub, %qstat ...
        monkeypatch.setitem(shell.config, "HPCConfig", Config({"scheduler": "auto"}))
        load_ipython_extension(shell)
        assert shell.find_line_magic("sbatch") is not None
        assert shell.find_line_magic("qsub") is None
        assert shell.find_line_magic("jobs") is not None  # the neutral ones always
        # A site that names PBS gets PBS's, and not Slurm's.
        monkeypatch.setitem(shell.config, "HPCConfig", Config({"scheduler": "pbs"}))
        load_ipython_extension(shell)
        assert shell.find_line_magic("qstat") is not None
        assert shell.find_line_magic("squeue") is None
        unload_ipython_extension(shell)
        assert shell.find_line_magic("jobs") is None
    finally:
        monkeypatch.undo()
        load_ipython_extension(shell)
