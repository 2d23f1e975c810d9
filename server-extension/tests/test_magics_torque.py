"""The PBS magics (and the scheduler-neutral ones) on Torque, in a real IPython shell,
against the Torque replay executables (tests/torque_replay/)."""

from __future__ import annotations

import shlex
import uuid
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

from jupyterlab_hpc.magics import JobHandle, load_ipython_extension
from jupyterlab_hpc.magics.errors import BatchError
from jupyterlab_hpc.schedulers.base import JobState

from .magic_shell import run, run_failing, shell_with_magics
from .test_fuzz import CANARY_DIR, nasty_strings
from .test_magics_fuzz import MAGIC_EXTRAS, MUST_TRY
from .torque_replay.fixtures import TorqueReplay


def configure(shell: InteractiveShell, settings: dict[str, object]) -> None:
    shell.config["HPCConfig"] = Config(settings)
    load_ipython_extension(shell)  # a fresh context that reads these settings


@pytest.fixture
def shell(
    torque_replay: TorqueReplay, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[InteractiveShell]:
    """The shell with the site's settings choosing Torque and naming its commands (as a
    site's ipython_kernel_config.py would), in a fresh folder."""
    monkeypatch.chdir(tmp_path)
    ip = shell_with_magics()
    saved = ip.config.get("HPCConfig")
    configure(ip, {"scheduler": "torque", "command_paths": torque_replay.command_paths})
    torque_replay.clear_calls()
    yield ip
    ip.user_ns.pop("_", None)
    if saved is None:
        del ip.config["HPCConfig"]
    else:
        ip.config["HPCConfig"] = saved
    load_ipython_extension(ip)


def test_qsub_cell_on_torque(shell: InteractiveShell, torque_replay: TorqueReplay) -> None:
    job = run(
        shell,
        "%%qsub -N from-the-line -h --name-var my_job\n"
        "#PBS -N from-the-cell\n"
        "#PBS -l nodes=1:ppn=2,walltime=00:05:00\n"
        'echo "$HOME"\n',
    )
    assert isinstance(job, JobHandle)
    assert shell.user_ns["my_job"] is job
    assert job.id == "20.torque01"
    assert job.scheduler == "torque"
    assert job.state is JobState.HELD
    assert repr(job) == "Job(id='20.torque01', state='held', scheduler='torque')"
    submitted = torque_replay.calls()[0]
    assert submitted["argv"] == ["qsub", "-N", "from-the-line", "-h"]
    assert submitted["stdin"] == (
        "#!/bin/bash\n#PBS -N from-the-cell\n"
        '#PBS -l nodes=1:ppn=2,walltime=00:05:00\necho "$HOME"\n'
    )
    # The handle reads the job back with Torque's XML form.
    assert torque_replay.argvs()[1] == ["qstat", "-f", "-x", "-t", "20.torque01"]
    assert job.info is not None
    assert job.info.name == "from-the-line"  # the line wins over the cell
    assert job.info.time_limit == 300  # from the cell
    assert job.info.cpus == 2
    assert job.stdout_path == str(Path.cwd() / "from-the-line.o20")


def test_qsub_with_z_submits_and_says_there_is_no_id(
    shell: InteractiveShell, torque_replay: TorqueReplay, capsys: pytest.CaptureFixture[str]
) -> None:
    """``%%qsub -z``: qsub takes the job and prints no id; the magic says so and returns
    None instead of raising as if the submission had failed."""
    assert run(shell, "%%qsub -z -N quiet\nhostname\n") is None
    assert "printed no job id: -z" in capsys.readouterr().err
    assert torque_replay.argvs() == [["qsub", "-z", "-N", "quiet"]]
    assert "<Job_Name>quiet</Job_Name>" in torque_replay.state()["jobs"]["20.torque01"]


def test_qsub_file_array_and_its_subjobs(
    shell: InteractiveShell, torque_replay: TorqueReplay, tmp_path: Path
) -> None:
    script = tmp_path / "sweep job.sh"
    script.write_text("#!/bin/bash\n#PBS -q batch\necho $PBS_ARRAYID\n")
    shell.user_ns["script"] = str(script)
    job = run(shell, 'job = %qsub -t 1-3 "{script}"\njob')
    assert torque_replay.argvs()[0] == ["qsub", "-t", "1-3", str(script)]
    assert job.id == "20[].torque01"
    assert [r.id for r in job.records] == [
        "20[].torque01",
        "20[1].torque01",
        "20[2].torque01",
        "20[3].torque01",
    ]
    assert job.info.partition == "batch"
    assert job.records[2].array_task_id == "2"


def test_failing_submission_shows_torques_message(shell: InteractiveShell) -> None:
    error = run_failing(shell, "%%qsub -q nosuchqueue\nhostname\n")
    assert isinstance(error, BatchError)
    assert error.message == "qsub failed (exit code 172)."  # 80_qsub_bad_queue
    assert error.command == "qsub -q nosuchqueue"
    assert "Unknown queue" in error.output
    # OpenPBS's -J is not Torque's: qsub refuses it.
    bad = run_failing(shell, "%%qsub -J 1-3\nhostname\n")
    assert isinstance(bad, BatchError)
    assert "option -J not recognized" in bad.output


def test_qstat_is_a_typed_table_on_torque(
    shell: InteractiveShell, torque_replay: TorqueReplay
) -> None:
    df = run(shell, "%qstat")
    assert isinstance(df, pd.DataFrame)
    assert torque_replay.argvs() == [["qstat", "-f", "-x", "-t"]]
    table = df.set_index("id")
    assert table.loc["6.torque01"]["state"] == "running"
    assert table.loc["6.torque01"]["nodes"] == 1
    assert table.loc["11.torque01"]["cpus"] == 2
    assert table.loc["6.torque01"]["time_limit"] == pd.Timedelta(minutes=10)
    assert table.loc["9.torque01"]["state"] == "held"
    # Torque keeps finished jobs listed (state C) for keep_completed.
    assert table.loc["1.torque01"]["raw_state"] == "C"
    assert table.loc["1.torque01"]["state"] == "completed"
    assert table.loc["7[1].torque01"]["array_job_id"] == "7[].torque01"
    # -x is Torque's XML switch, already given: asked once, not twice.
    run(shell, "%qstat -x")
    bob = run(shell, "%qstat -u bob")
    assert list(bob["id"]) == []  # query_other_jobs is off: bob's job 19 is not shown
    one = run(shell, "%qstat 11.torque01")
    assert list(one["id"]) == ["11.torque01"]
    assert torque_replay.argvs()[1:] == [
        ["qstat", "-f", "-x", "-t"],
        ["qstat", "-f", "-x", "-t"],
        ["qstat", "-f", "-x", "-t", "11.torque01"],
    ]


def test_qstat_of_several_ids_on_torque(
    shell: InteractiveShell, torque_replay: TorqueReplay
) -> None:
    """Torque answers ``qstat -f -x A B`` with one XML document per id."""
    df = run(shell, "%qstat 11.torque01 9.torque01")
    assert list(df["id"]) == ["11.torque01", "9.torque01"]
    assert torque_replay.argvs() == [["qstat", "-f", "-x", "-t", "11.torque01", "9.torque01"]]
    assert list(df["state"]) == ["pending", "held"]


def test_qstat_views_torque_has_no_table_for(
    shell: InteractiveShell, torque_replay: TorqueReplay, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(shell, "%qstat -Q -f") is None
    assert capsys.readouterr().out.startswith("Queue: batch\n")
    # OpenPBS's -J (arrays only) is no table flag on Torque: qstat itself answers it.
    run_failing(shell, "%qstat -J")
    assert torque_replay.argvs()[-1] == ["qstat", "-J"]
    error = run_failing(shell, "%qstat 9999")
    assert isinstance(error, BatchError)
    assert error.message == "qstat failed (exit code 153)."
    assert error.output == "qstat: Unknown Job Id Error 9999.torque01"


def test_another_users_job_in_the_magics(
    shell: InteractiveShell, torque_replay: TorqueReplay
) -> None:
    """Bob's job 19, which Torque will not show (exit 159, 98b): one sentence saying so,
    not a failed command."""
    sentence = (
        "Torque does not show job 19.torque01 to you: it is another user's job, and this "
        "Torque server shows each user only their own jobs (its query_other_jobs setting "
        "is off)."
    )
    for line in ("%job 19.torque01", "%qstat 19.torque01", "%job wait 19.torque01"):
        error = run_failing(shell, line)
        assert isinstance(error, BatchError), line
        assert error.message == sentence, line
        assert error.output == ""
    assert torque_replay.argvs()[-1] == ["qstat", "-f", "-x", "-t", "19.torque01"]


def test_hold_release_delete_on_torque(
    shell: InteractiveShell, torque_replay: TorqueReplay, capsys: pytest.CaptureFixture[str]
) -> None:
    run(shell, "%qhold 11.torque01")
    assert "<job_state>H</job_state>" in torque_replay.state()["jobs"]["11.torque01"]
    assert "Hold requested: 11.torque01" in capsys.readouterr().out
    assert run(shell, "%job 11.torque01").state is JobState.HELD
    run(shell, "%qrls 11")
    assert run(shell, "%job 11.torque01").state is JobState.PENDING
    run(shell, "%qdel 11.torque01")
    assert torque_replay.letter("11.torque01") == "C"
    error = run_failing(shell, "%qdel 9999")
    assert isinstance(error, BatchError)
    assert error.output == "qdel: nonexistent job id: 9999.torque01"  # 65_qdel_unknown


def test_subjob_ranges_and_one_subjob_on_torque(
    shell: InteractiveShell, torque_replay: TorqueReplay, capsys: pytest.CaptureFixture[str]
) -> None:
    """The listing's folded rows (20[2-3]) go to Torque as ``-t 2-3 20[]``; one subjob is
    held, released and cancelled as it is."""
    job = run(shell, "%%qsub -t 1-5\nhostname\n")
    assert job.id == "20[].torque01"
    assert "20[1-5].torque01" in set(run(shell, "%qstat")["id"])
    torque_replay.clear_calls()
    run(shell, "%qdel 20[2-3].torque01 11.torque01")
    assert torque_replay.argvs() == [
        ["qdel", "11.torque01"],
        ["qdel", "-t", "2-3", "20[].torque01"],
    ]
    # Each qdel call says its outcome (the range goes in a call of its own).
    out = capsys.readouterr().out
    assert "Deletion requested: 11.torque01\n" in out
    assert "Deletion requested: 20[2-3].torque01\n" in out
    run(shell, "%qhold 20[4].torque01")
    assert "<job_state>H</job_state>" in torque_replay.state()["jobs"]["20[4].torque01"]
    assert "<job_state>Q</job_state>" in torque_replay.state()["jobs"]["20[5].torque01"]
    run(shell, "%qrls -t 4 20[].torque01")  # Torque's own form goes as written
    assert torque_replay.argvs()[-1] == ["qrls", "-t", "4", "20[].torque01"]
    assert "<job_state>Q</job_state>" in torque_replay.state()["jobs"]["20[4].torque01"]
    run(shell, "%job cancel 20[4-5].torque01")
    assert ["qdel", "-t", "4-5", "20[].torque01"] in torque_replay.argvs()
    letters = [torque_replay.letter(f"20[{i}].torque01") for i in range(1, 6)]
    assert letters == ["Q", "C", "C", "C", "C"]


def test_neutral_magics_on_torque(shell: InteractiveShell, torque_replay: TorqueReplay) -> None:
    job = run(
        shell,
        "%%submit -J neutral -p batch -t 5 -N 2 -c 4 --mem 1G --hold -- -A proj1\nhostname\n",
    )
    assert job.id == "20.torque01"
    assert job.state is JobState.HELD
    # Torque's words for the form: nodes=N:ppn=C, the job's total memory.
    assert torque_replay.argvs()[0] == [
        "qsub",
        "-N",
        "neutral",
        "-q",
        "batch",
        "-l",
        "walltime=00:05:00",
        "-l",
        "nodes=2:ppn=4",
        "-l",
        "mem=2gb",
        "-h",
        "-A",
        "proj1",
    ]
    mine = run(shell, "%jobs")
    assert "19.torque01" not in set(mine["id"])  # bob's
    assert {"6.torque01", "20.torque01"} <= set(mine["id"])
    everyone = run(shell, "%jobs -a")
    assert "19.torque01" not in set(everyone["id"])  # bob's, and query_other_jobs is off
    torque_replay.show_other_users_jobs()
    assert "19.torque01" in set(run(shell, "%jobs -a")["id"])


def test_job_detail_wait_cancel_on_torque(
    shell: InteractiveShell, torque_replay: TorqueReplay, capsys: pytest.CaptureFixture[str]
) -> None:
    running = run(shell, "%job 6.torque01")
    assert running.state is JobState.RUNNING
    assert running.stdout_path == "/home/alice/jobs/plain.o6"
    done = run(shell, "%job 1.torque01")
    assert done.state is JobState.COMPLETED
    assert done.info.exit_code == 0
    assert run(shell, "%job wait 1.torque01") is JobState.COMPLETED
    run(shell, "%job cancel 11.torque01")
    # Torque keeps the deleted job in state C, with no exit status (11_qdel_held, 43).
    assert "Cancellation requested: job 11.torque01 is cancelled." in capsys.readouterr().out
    torque_replay.keep_completed(0)  # a server that forgets an ended job at once
    run(shell, "%job cancel 9.torque01")
    assert "Cancelled: job 9.torque01 is no longer in the queue." in capsys.readouterr().out
    error = run_failing(shell, "%job 9999")
    assert isinstance(error, BatchError)
    assert "no longer known to Torque" in error.message
    assert "keep_completed" in error.message


def test_job_output_on_torque(shell: InteractiveShell, capsys: pytest.CaptureFixture[str]) -> None:
    job = run(shell, "%%qsub -o out.txt\necho hi\n")
    Path("out.txt").write_text("line 1\nline 2\n")
    assert job.stdout_path == str(Path.cwd() / "out.txt")
    run(shell, f"%job output {job.id} --tail 1")
    out = capsys.readouterr().out
    assert out.endswith("\nline 2\n")
    assert "line 1" not in out


def test_qstat_family_decides_when_the_site_does_not(
    shell: InteractiveShell, torque_replay: TorqueReplay
) -> None:
    """With HPCConfig.scheduler left to "auto", the PBS magics ask ``qstat --version``."""
    configure(shell, {"command_paths": torque_replay.command_paths})
    run(shell, "%qstat")
    assert torque_replay.argvs()[-1] == ["qstat", "-f", "-x", "-t"]


def test_torque_magics_survive_hostile_input(
    shell: InteractiveShell, torque_replay: TorqueReplay, capsys: pytest.CaptureFixture[str]
) -> None:
    """Nasty strings into each PBS magic on Torque: only UsageError or BatchError, and no
    shell ever runs (the canary)."""
    canary = f"jupyterlab-hpc-torque-canary-{uuid.uuid4().hex}"
    strings = [*MUST_TRY, *nasty_strings(canary)[:8], *MAGIC_EXTRAS[:4]]
    forms = (
        ("%qsub -h {q}", False),
        ("%%qsub -h {q}", True),
        ("%qstat {q}", False),
        ("%qdel 9999 {q}", False),
        ("%job {q}", False),
    )
    for template, is_cell in forms:
        for h in strings:
            line = template.format(q=shlex.quote(h))
            name, _, args = line.lstrip("%").partition(" ")
            message = None
            try:
                if is_cell:
                    shell.find_cell_magic(name)(args, "#!/bin/bash\ntrue\n")  # type: ignore[no-untyped-call]
                else:
                    shell.find_line_magic(name)(args)  # type: ignore[no-untyped-call]
            except (UsageError, BatchError) as e:
                message = str(e)
            except Exception as e:
                pytest.fail(f"{line[:120]!r} raised {type(e).__name__}: {e}")
            assert message is None or message.strip(), f"{line[:80]!r}: an empty message"
        capsys.readouterr()
    assert not (CANARY_DIR / canary).exists(), "a shell ran a payload"
    new = [
        x
        for i, x in torque_replay.state()["jobs"].items()
        if int(i.split("[")[0].split(".")[0]) >= 20  # the jobs qsub made
    ]
    assert all("<job_state>H</job_state>" in x for x in new)


def test_array_details_and_cancel_on_torque(
    shell: InteractiveShell, torque_replay: TorqueReplay, capsys: pytest.CaptureFixture[str]
) -> None:
    """``%job 20[]``: the array's own record (which ``qstat -t`` never shows) and its
    subjobs; a folded row's subjobs; ``%job cancel`` of the array: cancelled before it ran."""
    job = run(shell, "%%qsub -N sweep -t 1-3\nhostname\n")
    assert job.id == "20[].torque01"
    assert job.info.id == "20[].torque01"
    assert job.info.name == "sweep"
    assert [r.id for r in job.records[1:]] == [f"20[{i}].torque01" for i in (1, 2, 3)]
    row = run(shell, "%job 20[2-3].torque01")
    assert [r.id for r in row.records] == ["20[2].torque01", "20[3].torque01"]
    assert row.state is JobState.PENDING
    run(shell, "%job cancel 20[].torque01")
    assert "Cancellation requested: job 20[].torque01 is cancelled." in capsys.readouterr().out
    ended = run(shell, "%job 20[].torque01")
    assert ended.info.reason == "Subjobs: 3 cancelled"
    assert [r.state for r in ended.records] == [JobState.CANCELLED] * 4
    table = run(shell, "%qstat 20[].torque01")
    assert set(table["state"]) == {"cancelled"}
    assert set(table["reason"]) == {"Deleted before it ran"}


def test_recorded_endings_on_torque(shell: InteractiveShell, torque_replay: TorqueReplay) -> None:
    """The jobs of 43 (all C): a walltime kill (-11) is a timeout, deleted jobs that never
    ran are cancelled, as %qstat, %job and %job wait read them."""
    torque_replay.load_recorded("43_qstat_f_x_t_after_deletes.txt")
    rows = run(shell, "%qstat").set_index("id")
    assert rows.loc["3.torque01", "state"] == "timeout"
    assert rows.loc["3.torque01", "reason"] == (
        "Exit status -11: it ran past its walltime (JOB_EXEC_OVERLIMIT_WT)"
    )
    assert rows.loc["9.torque01", "state"] == "cancelled"
    assert rows.loc["7[3].torque01", "reason"] == "Deleted before it ran"
    assert run(shell, "%job wait 3.torque01") is JobState.TIMEOUT
    assert run(shell, "%job wait 11.torque01") is JobState.CANCELLED
    assert run(shell, "%job 2.torque01").state is JobState.FAILED
