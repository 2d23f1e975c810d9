"""The magics in a real IPython shell against the real local Slurm."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from jupyterlab_hpc.magics import JobHandle, display
from jupyterlab_hpc.magics.errors import BatchError
from jupyterlab_hpc.schedulers.base import JobState

from .conftest import Submitter
from .magic_shell import batch_script, run, run_failing, scontrol_fields, shell_with_magics

pytestmark = pytest.mark.usefixtures("slurm")

# Jobs that must run wait for the backfill scheduler on a shared, busy node.
START_TIMEOUT = 150.0


@pytest.fixture
def shell(
    submit: Submitter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[InteractiveShell]:
    """The shell in a fresh folder (sbatch writes slurm-*.out where it is run)."""
    monkeypatch.chdir(tmp_path)
    ip = shell_with_magics()
    yield ip
    ip.user_ns.pop("_", None)


def track(submit: Submitter, job: JobHandle) -> JobHandle:
    """Let the submit fixture cancel the job at the end of the test."""
    submit.ids.append(job.id)
    return job


def wait_for_state(job_id: str, state: str, timeout: float = START_TIMEOUT) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if scontrol_fields(job_id)["JobState"] == state:
            return
        time.sleep(0.5)
    raise AssertionError(f"job {job_id} did not reach {state} in {timeout} s")


def test_sbatch_cell_honours_sbatch_lines_and_line_options(
    shell: InteractiveShell, submit: Submitter
) -> None:
    job = run(
        shell,
        "%%sbatch -p long -t 2 --name-var my_job\n"
        "#SBATCH -J from-the-cell\n"
        "#SBATCH -p debug\n"
        "#SBATCH --hold\n"
        "echo hello\n",
    )
    track(submit, job)
    assert isinstance(job, JobHandle)
    assert shell.user_ns["_"] is job
    assert shell.user_ns["my_job"] is job
    assert job.id.isdigit()
    assert job.state is JobState.HELD
    assert repr(job) == f"Job(id='{job.id}', state='held', scheduler='slurm')"
    fields = scontrol_fields(job.id)
    assert fields["JobName"] == "from-the-cell"  # from the #SBATCH line
    assert fields["Partition"] == "long"  # the magic's line wins over #SBATCH -p debug
    assert fields["TimeLimit"] == "00:02:00"
    script = batch_script(job.id)
    assert script.startswith("#!/bin/bash\n#SBATCH -J from-the-cell")  # shebang added
    assert f"Job {job.id} (slurm)" in job._repr_html_()


def test_sbatch_file_wrap_and_quoting(
    shell: InteractiveShell, submit: Submitter, tmp_path: Path
) -> None:
    folder = tmp_path / "a folder"
    folder.mkdir()
    script = folder / "my job.sh"
    script.write_text("#!/bin/sh\n#SBATCH -J file-job\necho from file\n")
    shell.user_ns["script_path"] = str(script)
    job = track(submit, run(shell, 'job = %sbatch -H -t 1 -o /dev/null "{script_path}"\njob'))
    assert scontrol_fields(job.id)["JobName"] == "file-job"

    wrapped = track(
        submit,
        run(shell, """%sbatch -H -t 1 -o /dev/null -J "two words" --wrap "echo 'a b'; true" """),
    )
    assert scontrol_fields(wrapped.id)["JobName"] == "two words"
    assert "echo 'a b'; true" in batch_script(wrapped.id)


def test_variables_expand_on_magic_lines(shell: InteractiveShell, submit: Submitter) -> None:
    shell.user_ns["label"] = "expanded-name"
    shell.user_ns["minutes"] = 2
    line = track(submit, run(shell, "%sbatch -H -t $minutes -J {label}-line --wrap true"))
    assert scontrol_fields(line.id)["JobName"] == "expanded-name-line"
    assert scontrol_fields(line.id)["TimeLimit"] == "00:02:00"
    # The cell magic's line expands; the cell (a bash script) is left as it is.
    cell = track(submit, run(shell, "%%sbatch -H -t 1 -J {label}-cell\necho $HOME {label}\n"))
    assert scontrol_fields(cell.id)["JobName"] == "expanded-name-cell"
    assert "echo $HOME {label}" in batch_script(cell.id)


def test_bad_partition_raises_a_short_error(
    shell: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    error = run_failing(shell, "%sbatch -p no-such-partition -t 1 --wrap true")
    assert isinstance(error, BatchError)
    assert "sbatch failed (exit code 1)" in str(error)
    assert error.command == "sbatch --parsable -p no-such-partition -t 1 --wrap true"
    assert "Invalid partition name specified" in error.output
    shown = capsys.readouterr()
    text = shown.out + shown.err
    assert "BatchError: sbatch failed (exit code 1)." in text
    assert "command: sbatch --parsable -p no-such-partition" in text
    assert "Traceback" not in text


def test_usage_errors_are_short(shell: InteractiveShell) -> None:
    for source in (
        "%sbatch",
        "%%sbatch -t 1\n\n",
        "%%sbatch --name-var 1bad -t 1\ntrue\n",
        "%squeue -j 'unclosed",
        "%squeue -i 5",
        "%job",
        "%job 12;rm",
        "%job wait 12 --timeout soon",
        "%jobs --bogus",
        "%%submit --nodes many\ntrue\n",
        "%scancel",
        "%srun",
    ):
        assert isinstance(run_failing(shell, source), UsageError), source


def test_squeue_table_with_types(shell: InteractiveShell, submit: Submitter) -> None:
    job_id = submit.sbatch("-H", "-t", "3", "-J", 'odd "name", with|pipes', "--wrap", "true")
    frame = run(shell, f"%squeue -j {job_id}")
    assert isinstance(frame, pd.DataFrame)
    [row] = frame.to_dict("records")
    assert row["id"] == job_id
    assert row["name"] == 'odd "name", with|pipes'
    assert row["state"] == "held"
    assert row["time_limit"] == pd.Timedelta(minutes=3)
    assert isinstance(row["submit_time"], pd.Timestamp)
    assert row["start_time"] is pd.NaT
    assert frame["id"].dtype == "string"
    assert str(frame["cpus"].dtype) == "Int64"
    assert str(frame["time_used"].dtype).startswith("timedelta64")
    assert str(frame["submit_time"].dtype).startswith("datetime64")


def test_own_format_shows_squeue_text(
    shell: InteractiveShell, submit: Submitter, capsys: pytest.CaptureFixture[str]
) -> None:
    job_id = submit.sbatch("-H", "-t", "1", "-J", "raw format", "--wrap", "true")
    assert run(shell, f'%squeue -j {job_id} -o "%.18i %j"') is None
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["JOBID", "NAME"]
    assert f"{job_id} raw format" in out
    run(shell, f"%squeue --jobs={job_id} --Format=JobID:20,Name")
    assert "raw format" in capsys.readouterr().out


def test_without_pandas_a_list_of_typed_dicts(
    shell: InteractiveShell, submit: Submitter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(display, "import_pandas", lambda: None)
    job_id = submit.sbatch("-H", "-t", "2", "-J", "<b>no pandas</b>", "--wrap", "true")
    rows = run(shell, f"%squeue -j {job_id}")
    assert isinstance(rows, list)
    assert rows == [dict(r) for r in rows]
    [row] = rows
    assert row["id"] == job_id
    assert row["time_limit"] == dt.timedelta(minutes=2)
    assert isinstance(row["submit_time"], dt.datetime)
    assert row["start_time"] is None
    html = rows._repr_html_()
    assert "&lt;b&gt;no pandas&lt;/b&gt;" in html
    assert "0:02:00" in html
    partitions = run(shell, "%sinfo")
    assert {p["name"] for p in partitions} >= {"debug", "long"}


def test_sinfo(shell: InteractiveShell, capsys: pytest.CaptureFixture[str]) -> None:
    frame = run(shell, "%sinfo")
    by_name = {r["name"]: r for r in frame.to_dict("records")}
    assert by_name["debug"]["default"]
    assert by_name["debug"]["time_limit"] == pd.Timedelta(hours=1)
    assert by_name["long"]["cpus_total"] >= 1
    assert len(run(shell, "%sinfo -p long")) == 1
    assert run(shell, "%sinfo -N") is None
    assert "NODELIST" in capsys.readouterr().out


def test_scancel_a_running_job(shell: InteractiveShell, submit: Submitter) -> None:
    job = track(submit, run(shell, "%sbatch -t 2 -J to-cancel -o /dev/null --wrap 'sleep 120'"))
    wait_for_state(job.id, "RUNNING")
    run(shell, f"%scancel {job.id}")
    wait_for_state(job.id, "CANCELLED", timeout=30)
    assert job.refresh().state is JobState.CANCELLED


def test_job_wait_on_a_short_job(
    shell: InteractiveShell,
    submit: Submitter,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # A kernel's own variables do not reach the job; the user's do.
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    monkeypatch.setenv("MY_SETTING", "kept")
    job = track(
        submit,
        run(
            shell,
            "%%sbatch -t 1 -J short\n"
            "sleep 2\n"
            'echo "done mpl=${MPLBACKEND:-none} mine=$MY_SETTING"\n',
        ),
    )
    state = run(shell, f"%job wait {job.id} --timeout {START_TIMEOUT}")
    assert state is JobState.COMPLETED
    assert f"Job {job.id} (slurm): completed, exit code 0" in capsys.readouterr().out
    job.refresh()
    assert job.stdout_path == str(tmp_path / f"slurm-{job.id}.out")
    assert job.read_stdout() == "done mpl=none mine=kept\n"
    run(shell, f"%job output {job.id}")
    assert "done mpl=none" in capsys.readouterr().out


def test_job_wait_stops_on_timeout_and_interrupt_without_cancelling(
    shell: InteractiveShell, submit: Submitter, capsys: pytest.CaptureFixture[str]
) -> None:
    job_id = submit.sbatch("-H", "-t", "1", "--wrap", "true")
    error = run_failing(shell, f"%job wait {job_id} --timeout 1")
    assert isinstance(error, BatchError)
    assert f"Job {job_id} is still held after 1 s" in str(error)

    timer = threading.Timer(1.5, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        state = run(shell, f"%job wait {job_id}")
    finally:
        timer.cancel()
    assert state is JobState.HELD
    assert f"Stopped waiting: job {job_id} is held (not cancelled)." in capsys.readouterr().out
    assert scontrol_fields(job_id)["JobState"] == "PENDING"


def test_job_detail_jobs_listing_and_cancel(shell: InteractiveShell, submit: Submitter) -> None:
    job_id = submit.sbatch("-H", "-t", "1", "-J", "listed", "--wrap", "true")
    handle = run(shell, f"%job {job_id}")
    assert handle.id == job_id
    assert handle.info.name == "listed"
    mine = run(shell, "%jobs")
    assert job_id in set(mine["id"])
    held = run(shell, "%jobs -s held")
    assert set(held["state"]) == {"held"}
    assert job_id in set(held["id"])
    assert job_id not in set(run(shell, "%jobs -s running")["id"])
    run(shell, f"%job cancel {job_id}")
    assert scontrol_fields(job_id)["JobState"] == "CANCELLED"
    # Accounting runs here and has no record: a typo, not a job that ended and was forgotten.
    error = run_failing(shell, "%job 999999999")
    assert isinstance(error, BatchError)
    assert "Slurm has no job 999999999: it is not in the queue and Slurm accounting" in str(error)
    assert "MinJobAge" not in str(error)


def test_submit_is_scheduler_neutral(shell: InteractiveShell, submit: Submitter) -> None:
    job = track(
        submit,
        run(
            shell,
            "%%submit -J neutral -t 2 -p long --hold --name-var nj -- --comment=native-option\n"
            "echo hi\n",
        ),
    )
    assert shell.user_ns["nj"] is job
    fields = scontrol_fields(job.id)
    assert (fields["JobName"], fields["Partition"], fields["TimeLimit"]) == (
        "neutral",
        "long",
        "00:02:00",
    )
    assert fields["Reason"] == "JobHeldUser"
    assert fields["Comment"] == "native-option"


def test_priority_commands_say_what_is_missing(
    shell: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    # (%sacct without accounting: test_sacct_magics.py)
    error = run_failing(shell, "%sprio")
    assert isinstance(error, BatchError)
    assert "priority/multifactor" in error.output
    capsys.readouterr()
    run(shell, "%sshare")
    assert "RawShares" in capsys.readouterr().out


def test_scontrol(
    shell: InteractiveShell, submit: Submitter, capsys: pytest.CaptureFixture[str]
) -> None:
    job_id = submit.sbatch("-H", "-t", "1", "-J", "via scontrol", "--wrap", "true")
    run(shell, f"%scontrol show job {job_id}")
    assert "JobName=via scontrol" in capsys.readouterr().out
    run(shell, f"%scontrol release {job_id}")
    assert scontrol_fields(job_id)["Reason"] != "JobHeldUser"
    error = run_failing(shell, "%scontrol show job 999999999")
    assert isinstance(error, BatchError)
    assert "Invalid job id" in error.output


def test_salloc_without_a_shell_then_srun_in_it(
    shell: InteractiveShell, submit: Submitter, capsys: pytest.CaptureFixture[str]
) -> None:
    alloc = track(
        submit,
        run(shell, f"alloc = %salloc -t 2 -J notebook-alloc --timeout {START_TIMEOUT}\nalloc"),
    )
    assert alloc.state is JobState.RUNNING
    assert f"Allocation {alloc.id} granted" in capsys.readouterr().out
    run(shell, "%srun --jobid {alloc.id} -n 1 echo step-ran")
    assert "step-ran" in capsys.readouterr().out
    alloc.cancel()
    assert alloc.state in (JobState.CANCELLED, JobState.COMPLETING)


def test_salloc_with_a_command_runs_it_then_releases_the_allocation(
    shell: InteractiveShell, submit: Submitter, capsys: pytest.CaptureFixture[str]
) -> None:
    # As the centers' docs write it: salloc's options, then the command.
    alloc = track(
        submit,
        run(shell, f"%salloc -N 1 -t 1 -J salloc-cmd --timeout {START_TIMEOUT} hostname"),
    )
    out = capsys.readouterr().out
    assert os.uname().nodename in out  # hostname ran
    assert f"Allocation {alloc.id} ran hostname and was released." in out
    # Released when the command ended, not left idle until its time limit.
    assert alloc.state in (JobState.COMPLETED, JobState.COMPLETING)
    # Options after "--" and words that look like options belong to the command.
    run(shell, f"%salloc -t 1 --timeout {START_TIMEOUT} -- sh -c 'echo in=$SLURM_JOB_ID'")
    assert "in=" in capsys.readouterr().out
    error = run_failing(shell, f"%salloc -t 1 --timeout {START_TIMEOUT} sh -c 'exit 3'")
    assert isinstance(error, BatchError)
    assert "sh exited with code 3 in allocation" in str(error)


def test_salloc_that_gets_no_allocation_in_time_says_so(shell: InteractiveShell) -> None:
    # A held request never starts: salloc's --immediate runs out.
    error = run_failing(shell, "%salloc --timeout 2 -H -t 1 -J salloc-never")
    assert isinstance(error, BatchError)
    assert str(error).startswith("No allocation was granted within 2 s (--timeout)")
    assert "Connection timed out" not in str(error).splitlines()[0]


def test_scancel_of_an_unknown_id_is_an_error(
    shell: InteractiveShell, submit: Submitter, capsys: pytest.CaptureFixture[str]
) -> None:
    # scancel alone is silent about ids it does not know (exit 0): a typo looked cancelled.
    job_id = submit.sbatch("-H", "-t", "1", "-J", "scancel-mixed", "--wrap", "true")
    error = run_failing(shell, f"%scancel {job_id} 99999999")
    assert isinstance(error, BatchError)
    assert str(error).startswith("Slurm has no job 99999999: check the id.")
    assert f"Cancellation requested: {job_id}\n" in capsys.readouterr().out
    wait_for_state(job_id, "CANCELLED", timeout=30)
    # An ended job is said to have ended; filters that match nothing say so.
    run(shell, f"%scancel {job_id}")
    assert f"Already ended, nothing to cancel: {job_id}" in capsys.readouterr().out
    run(shell, "%scancel --me --name=no-such-job-name-anywhere")
    assert "No job in the queue matched the filters" in capsys.readouterr().out


def test_squeue_bad_option_shows_the_users_words(shell: InteractiveShell) -> None:
    error = run_failing(shell, "%squeue --no-such-option")
    assert isinstance(error, BatchError)
    assert "command: squeue --no-such-option" in str(error)
    assert "--Format" not in str(error)


def test_job_wait_says_the_pending_reason_in_words(
    shell: InteractiveShell, submit: Submitter
) -> None:
    job_id = submit.sbatch("-H", "-t", "1", "-J", "reason-words", "--wrap", "true")
    job = run(shell, f"%job {job_id}")
    assert "held by its owner: release it to let it run" in job.status_line()
    assert "JobHeldUser" not in job.status_line()


def test_srun_failure_and_timeout(shell: InteractiveShell, submit: Submitter) -> None:
    error = run_failing(shell, "%srun -p no-such-partition true")
    assert isinstance(error, BatchError)
    assert "srun failed" in str(error)
    # srun that cannot start in time (a held allocation) is stopped: it gets SIGTERM and
    # gives the allocation back.
    name = f"srun-timeout-{uuid.uuid4().hex[:8]}"
    error = run_failing(shell, f"%srun --timeout 2 -H -t 1 -J {name} true")
    assert isinstance(error, BatchError)
    assert "srun did not finish within 2 s (--timeout) and was stopped" in str(error)
    assert "command: srun -H -t 1" in str(error)
    assert "queued and waiting for resources" in error.output  # srun's own words

    def left() -> str:
        return subprocess.run(
            ["squeue", "-h", "-n", name, "-t", "pending,running"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    end = time.monotonic() + 20
    while left() and time.monotonic() < end:
        time.sleep(0.5)
    assert left() == ""


def test_every_magic_has_usage_in_its_docstring(shell: InteractiveShell) -> None:
    lines = ["sbatch", "squeue", "scancel", "sinfo", "sacct", "scontrol", "salloc", "srun"]
    lines += ["sprio", "sshare", "jobs", "job"]
    for name in lines:
        magic = shell.find_line_magic(name)
        assert magic is not None, name
        assert "Usage" in (magic.__doc__ or ""), name
    for name in ("sbatch", "submit"):
        magic = shell.find_cell_magic(name)
        assert magic is not None, name
        assert "Usage" in (magic.__doc__ or ""), name


async def test_a_job_from_a_magic_is_in_the_queue_listing(
    jp_fetch: Any, shell: InteractiveShell, submit: Submitter
) -> None:
    job = track(submit, run(shell, "%sbatch -H -t 1 -J 'for the panel' --wrap true"))
    response = await jp_fetch("jupyterlab-hpc", "jobs", params={"scope": "mine"})
    body = json.loads(response.body)
    rows = {r[0]: dict(zip(body["columns"], r, strict=True)) for r in body["rows"]}
    assert rows[job.id]["name"] == "for the panel"
    assert rows[job.id]["state"] == "held"


def test_wait_on_an_array_waits_for_every_task(shell: InteractiveShell, submit: Submitter) -> None:
    job = track(
        submit,
        run(
            shell,
            "%%sbatch -t 1 --array=1-2 -o /dev/null -J array-wait\n"
            "sleep 1\n"
            "exit $((SLURM_ARRAY_TASK_ID - 1))\n",
        ),
    )
    state = job.wait(timeout=START_TIMEOUT, progress=False)
    # Task 1 exits 0, task 2 exits 1: the array's state is the worst ending.
    assert state is JobState.FAILED
    assert {r.id: r.state for r in job.records} == {
        f"{job.id}_1": JobState.COMPLETED,
        f"{job.id}_2": JobState.FAILED,
    }
