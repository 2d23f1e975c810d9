"""The PBS magics (and the scheduler-neutral ones on PBS) in a real IPython shell, against
the PBS replay executables (tests/pbs_replay/)."""

from __future__ import annotations

import datetime as dt
import random
import re
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
from jupyterlab_hpc.schedulers.pbs.blocking import BlockingPBS

from .magic_shell import run, run_failing, shell_with_magics
from .pbs_replay.fixtures import PBSReplay
from .test_fuzz import CANARY_DIR, nasty_strings
from .test_magics_fuzz import MAGIC_EXTRAS, MUST_TRY
from .test_pbs_json import qsub


@pytest.fixture
def shell(
    pbs_replay: PBSReplay, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[InteractiveShell]:
    """The shell with the site's settings pointing at the replay commands (as a site's
    ipython_kernel_config.py would), in a fresh folder."""
    monkeypatch.chdir(tmp_path)
    ip = shell_with_magics()
    saved = ip.config.get("HPCConfig")
    ip.config["HPCConfig"] = Config({"scheduler": "pbs", "command_paths": pbs_replay.command_paths})
    load_ipython_extension(ip)  # a fresh context that reads these settings
    pbs_replay.clear_calls()
    yield ip
    ip.user_ns.pop("_", None)
    if saved is None:
        del ip.config["HPCConfig"]
    else:
        ip.config["HPCConfig"] = saved
    load_ipython_extension(ip)


def test_qsub_cell_honours_pbs_lines_and_line_options(
    shell: InteractiveShell, pbs_replay: PBSReplay
) -> None:
    job = run(
        shell,
        "%%qsub -N from-the-line -h --name-var my_job\n"
        "#PBS -N from-the-cell\n"
        "#PBS -l walltime=00:05:00\n"
        'echo "$HOME"\n',
    )
    assert isinstance(job, JobHandle)
    assert shell.user_ns["_"] is job
    assert shell.user_ns["my_job"] is job
    assert job.id == "10.pbs01"
    assert job.state is JobState.HELD
    assert job.scheduler == "pbs"
    assert repr(job) == "Job(id='10.pbs01', state='held', scheduler='pbs')"
    assert pbs_replay.calls()[0] == ["qsub", "-N", "from-the-line", "-h"]
    state = pbs_replay.state()
    attrs = state["jobs"]["10.pbs01"]
    assert attrs["Job_Name"] == "from-the-line"  # the line wins over the cell
    assert attrs["Resource_List"]["walltime"] == "00:05:00"  # from the cell
    # The cell is the script, unchanged, with a #! line; $HOME stays for bash.
    assert state["scripts"]["10.pbs01"] == (
        '#!/bin/bash\n#PBS -N from-the-cell\n#PBS -l walltime=00:05:00\necho "$HOME"\n'
    )
    assert job.info is not None
    assert job.info.time_limit == 300
    assert job.stdout_path == str(Path.cwd() / "from-the-line.o10")


def test_qsub_file_with_variables_from_the_notebook(
    shell: InteractiveShell, pbs_replay: PBSReplay, tmp_path: Path
) -> None:
    script = tmp_path / "train job.pbs"
    script.write_text("#!/bin/bash\n#PBS -q workq\nhostname\n")
    shell.user_ns["script"] = str(script)
    shell.user_ns["queue"] = "workq"
    job = run(shell, 'job = %qsub -h -q $queue "{script}"\njob')
    assert pbs_replay.calls()[0] == ["qsub", "-h", "-q", "workq", str(script)]
    assert job.info.name == "train job.pbs"
    assert job.info.partition == "workq"
    assert shell.user_ns["job"] is job


def test_failing_submission_shows_the_command_and_pbs_message(
    shell: InteractiveShell, pbs_replay: PBSReplay
) -> None:
    error = run_failing(shell, "%%qsub -q nosuchqueue\nhostname\n")
    assert isinstance(error, BatchError)
    assert error.message == "qsub failed (exit code 170)."
    assert error.command == "qsub -q nosuchqueue"
    assert error.output == "qsub: Unknown queue"
    rendered = error._render_traceback_()
    assert rendered == [
        "BatchError: qsub failed (exit code 170).",
        "command: qsub -q nosuchqueue",
        "  qsub: Unknown queue",
    ]
    bad = run_failing(shell, "%%qsub -Z\nhostname\n")
    assert isinstance(bad, BatchError)
    assert "qsub: invalid option -- 'Z'" in bad.output


def test_usage_errors(shell: InteractiveShell) -> None:
    assert isinstance(run_failing(shell, "%qsub"), UsageError)
    assert isinstance(run_failing(shell, "%%qsub\n\n"), UsageError)
    assert isinstance(run_failing(shell, "%qsub --name-var 1x job.pbs"), UsageError)
    assert isinstance(run_failing(shell, "%qdel"), UsageError)
    assert isinstance(run_failing(shell, "%qstat -u"), UsageError)
    assert isinstance(run_failing(shell, "%qstat 'unclosed"), UsageError)
    # %job checks ids by PBS's rules: a Slurm array task id is not a PBS id.
    error = run_failing(shell, "%job 12_3")
    assert isinstance(error, UsageError)
    assert "not a valid PBS job id" in str(error)


def test_qstat_is_a_typed_table(shell: InteractiveShell, pbs_replay: PBSReplay) -> None:
    df = run(shell, "%qstat")
    assert isinstance(df, pd.DataFrame)
    assert pbs_replay.calls() == [["qstat", "-f", "-F", "json", "-t"]]
    assert list(df["id"]) == [
        "1.pbs01",
        "2.pbs01",
        "3[1].pbs01",
        "3[2-3].pbs01",
        "4.pbs01",
        "5.pbs01",
        "6.pbs01",
        "8.pbs01",
    ]
    assert str(df["id"].dtype) == "string"
    assert str(df["nodes"].dtype) == "Int64"
    first = df.iloc[0]
    assert first["name"] == "basicjob"
    assert first["state"] == "running"
    assert first["raw_state"] == "R"
    assert first["partition"] == "workq"
    assert first["time_limit"] == pd.Timedelta(minutes=15)
    assert first["submit_time"] == pd.Timestamp(dt.datetime(2026, 11, 22, 0, 8, 19))
    array = df.set_index("id").loc["3[2-3].pbs01"]
    assert (array["array_job_id"], array["array_task_id"]) == ("3[].pbs01", "[2-3]")


def test_qstat_filters_users_history_and_ids(
    shell: InteractiveShell, pbs_replay: PBSReplay
) -> None:
    alice = run(shell, "%qstat -u alice")
    assert list(alice["id"]) == ["6.pbs01", "8.pbs01"]
    assert set(alice["user"]) == {"alice"}
    with_history = run(shell, "%qstat -x")
    assert "0.pbs01" in set(with_history["id"])
    finished = with_history.set_index("id").loc["0.pbs01"]
    assert (finished["state"], finished["reason"]) == ("completed", "Exit status 0")
    one = run(shell, "%qstat 4.pbs01")
    assert list(one["id"]) == ["4.pbs01"]
    assert pbs_replay.calls()[-2:] == [
        ["qstat", "-f", "-F", "json", "-t", "-x"],
        ["qstat", "-f", "-F", "json", "-t", "4.pbs01"],
    ]


def test_qstat_own_views_print_qstat_text(
    shell: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(shell, "%qstat -Q -f") is None
    out = capsys.readouterr().out
    assert out.startswith("Queue: workq\n")
    assert "queue_type = Execution" in out


def test_qstat_unknown_job_raises_with_pbs_message(shell: InteractiveShell) -> None:
    error = run_failing(shell, "%qstat 9999")
    assert isinstance(error, BatchError)
    assert error.message == "qstat failed (exit code 153)."
    assert error.command == "qstat -f -F json -t 9999"
    assert error.output == "qstat: Unknown Job Id 9999.pbs01"


def test_qstat_falls_back_to_text_where_json_is_refused(
    shell: InteractiveShell, pbs_replay: PBSReplay
) -> None:
    pbs_replay.update(json=False)  # an older PBS Professional without -F json
    df = run(shell, "%qstat")
    assert "3[2-3].pbs01" in set(df["id"])
    assert df.set_index("id").loc["1.pbs01"]["time_limit"] == pd.Timedelta(minutes=15)
    again = run(shell, "%qstat")
    assert list(again["id"]) == list(df["id"])
    assert pbs_replay.calls() == [
        ["qstat", "-f", "-F", "json", "-t"],
        ["qstat", "-f", "-t"],
        ["qstat", "-f", "-t"],  # remembered: no second try of -F json
    ]


def test_hold_release_delete(
    shell: InteractiveShell, pbs_replay: PBSReplay, capsys: pytest.CaptureFixture[str]
) -> None:
    run(shell, "%qhold 4.pbs01")
    assert pbs_replay.state()["jobs"]["4.pbs01"]["job_state"] == "H"
    assert "Hold requested: 4.pbs01" in capsys.readouterr().out
    run(shell, "%qrls 4.pbs01")
    assert pbs_replay.state()["jobs"]["4.pbs01"]["job_state"] == "Q"
    run(shell, "%qdel 4.pbs01")
    assert "4.pbs01" not in pbs_replay.state()["jobs"]
    assert "Deletion requested: 4.pbs01" in capsys.readouterr().out
    error = run_failing(shell, "%qdel 9999")
    assert isinstance(error, BatchError)
    assert error.message == "qdel failed (exit code 153)."
    assert error.command == "qdel 9999"
    assert error.output == "qdel: Unknown Job Id 9999.pbs01"
    finished = run_failing(shell, "%qdel 0.pbs01")
    assert isinstance(finished, BatchError)
    assert finished.output == "qdel: Job has finished 0.pbs01"


def test_neutral_submit_on_pbs(shell: InteractiveShell, pbs_replay: PBSReplay) -> None:
    job = run(
        shell,
        "%%submit -J neutral -p workq -t 5 -c 2 --mem 1G --hold --name-var j -- -A proj1\n"
        "hostname\n",
    )
    assert job.id == "10.pbs01"
    assert shell.user_ns["j"] is job
    assert job.state is JobState.HELD
    assert pbs_replay.calls()[0] == [
        "qsub",
        "-N",
        "neutral",
        "-q",
        "workq",
        "-l",
        "walltime=00:05:00",
        "-l",
        "select=1:ncpus=2:mem=1gb",
        "-h",
        "-A",
        "proj1",
    ]
    assert job.info.account == "proj1"
    # A value PBS cannot take is refused before qsub runs.
    error = run_failing(shell, "%%submit -J 'two words'\nhostname\n")
    assert isinstance(error, BatchError)
    assert "cannot be used on PBS" in error.message


def test_jobs_on_pbs(shell: InteractiveShell) -> None:
    mine = run(shell, "%jobs")
    assert "6.pbs01" not in set(mine["id"])  # alice's
    assert "1.pbs01" in set(mine["id"])
    everyone = run(shell, "%jobs -a")
    assert {"6.pbs01", "8.pbs01"} <= set(everyone["id"])
    held = run(shell, "%jobs -s held")
    assert list(held["id"]) == ["2.pbs01"]
    alice = run(shell, "%jobs -u alice")
    assert list(alice["id"]) == ["6.pbs01", "8.pbs01"]


def test_job_detail_wait_cancel_on_pbs(
    shell: InteractiveShell, pbs_replay: PBSReplay, capsys: pytest.CaptureFixture[str]
) -> None:
    running = run(shell, "%job 1.pbs01")
    assert running.state is JobState.RUNNING
    assert running.stdout_path == "/home/alice/pbsout/basicjob.out"
    assert running.stderr_path == "/home/alice/pbsout/basicjob.err"
    assert "1.pbs01" in running._repr_html_()
    # A finished job from the server's history: its exit status and end.
    done = run(shell, "%job 0.pbs01")
    assert done.state is JobState.COMPLETED
    assert done.info.exit_code == 0
    assert done.info.end_time == "2026-11-22T00:07:34"
    assert run(shell, "%job wait 0.pbs01") is JobState.COMPLETED
    # An array: the array's record and each subjob's.
    array = run(shell, "%job 3[].pbs01")
    assert array.state is JobState.RUNNING
    assert [r.id for r in array.records] == ["3[].pbs01", "3[1].pbs01", "3[2].pbs01", "3[3].pbs01"]
    assert array.records[2].array_task_id == "2"
    run(shell, "%job cancel 4.pbs01")
    assert "job 4.pbs01 is cancelled" in capsys.readouterr().out
    error = run_failing(shell, "%job 9999")
    assert isinstance(error, BatchError)
    assert "no longer known to PBS" in error.message
    assert pbs_replay.calls()[0] == ["qstat", "-f", "-F", "json", "-x", "-t", "1.pbs01"]


def test_job_and_wait_with_job_history_off(
    shell: InteractiveShell, pbs_replay: PBSReplay, capsys: pytest.CaptureFixture[str]
) -> None:
    """job_history_enable off (the OpenPBS default): qstat -x answers nothing, not even a
    running job (release recording 68), so %job asks again without -x, and then first."""
    pbs_replay.set_job_history(False)
    running = run(shell, "%job 1.pbs01")
    assert running.state is JobState.RUNNING
    assert not running.forgotten
    assert pbs_replay.calls() == [
        ["qstat", "-f", "-F", "json", "-x", "-t", "1.pbs01"],  # nothing, "not configured"
        ["qstat", "-f", "-F", "json", "-t", "1.pbs01"],
    ]
    pbs_replay.clear_calls()
    assert run(shell, "%job 1.pbs01").state is JobState.RUNNING
    assert pbs_replay.calls() == [["qstat", "-f", "-F", "json", "-t", "1.pbs01"]]
    error = run_failing(shell, "%job wait 1.pbs01 --timeout 0.2")
    assert isinstance(error, BatchError)
    assert "still running" in error.message  # it waited: the job is known
    # A job that ends is forgotten at once; the message says the server keeps no history.
    run(shell, "%qdel 4.pbs01")
    error = run_failing(shell, "%job 4.pbs01")
    assert isinstance(error, BatchError)
    assert "keeps no job history (job_history_enable is off)" in error.message
    capsys.readouterr()


def test_job_history_switched_on_again_is_noticed(
    shell: InteractiveShell, pbs_replay: PBSReplay
) -> None:
    """An administrator turning job history on while the kernel runs (qmgr, recording 71):
    the next job that is not in the queue is asked for with -x, and found."""
    pbs_replay.set_job_history(False)
    assert run(shell, "%job 4.pbs01").state is JobState.PENDING
    pbs_replay.set_job_history(True)
    run(shell, "%qdel 4.pbs01")
    pbs_replay.clear_calls()
    done = run(shell, "%job 4.pbs01")
    assert done.state is JobState.CANCELLED
    assert pbs_replay.calls() == [
        ["qstat", "-f", "-F", "json", "-t", "4.pbs01"],  # 35: finished, so history is on
        ["qstat", "-f", "-F", "json", "-x", "-t", "4.pbs01"],
    ]


def test_qstat_x_with_job_history_off(
    shell: InteractiveShell, pbs_replay: PBSReplay, capsys: pytest.CaptureFixture[str]
) -> None:
    """qstat -x on such a server prints no job at all (69): %qstat -x shows the queue and
    says plainly that the server keeps no history."""
    pbs_replay.set_job_history(False)
    table = run(shell, "%qstat -x")
    assert {"1.pbs01", "4.pbs01", "3[2-3].pbs01"} <= set(table["id"])
    assert "0.pbs01" not in set(table["id"])  # finished, forgotten when history went off
    assert "keeps no job history (job_history_enable is off)" in capsys.readouterr().err


def test_job_output_on_pbs(
    shell: InteractiveShell, pbs_replay: PBSReplay, capsys: pytest.CaptureFixture[str]
) -> None:
    job = run(shell, "%%qsub -o out.txt\necho hi\n")
    Path("out.txt").write_text("line 1\nline 2\n")
    assert job.stdout_path == str(Path.cwd() / "out.txt")
    run(shell, f"%job output {job.id} --tail 1")
    out = capsys.readouterr().out
    assert out.endswith("\nline 2\n")
    assert "line 1" not in out


def test_job_output_in_a_folder_on_pbs(
    shell: InteractiveShell, pbs_replay: PBSReplay, capsys: pytest.CaptureFixture[str]
) -> None:
    """-o and -e naming a folder: PBS writes <job id>.OU and <job id>.ER there (release
    recordings 53-55); the folder without its / (57) is made one by qsub."""
    Path("out").mkdir()
    job = run(shell, "%%qsub -o out/ -e out\necho hi\n")
    Path("out", f"{job.id}.OU").write_text("quick out\n")
    Path("out", f"{job.id}.ER").write_text("quick err\n")
    assert job.stdout_path == str(Path.cwd() / "out" / "10.pbs01.OU")
    assert job.stderr_path == str(Path.cwd() / "out" / "10.pbs01.ER")
    assert (job.read_stdout(), job.read_stderr()) == ("quick out\n", "quick err\n")
    run(shell, f"%job output {job.id}")
    assert capsys.readouterr().out.endswith("quick out\n")


def test_blocking_pbs_rejects_bad_ids_before_running_anything(pbs_replay: PBSReplay) -> None:
    from jupyterlab_hpc.runner import CommandRunner
    from jupyterlab_hpc.schedulers.base import InvalidJobId

    pbs = BlockingPBS(CommandRunner(pbs_replay.command_paths))
    pbs_replay.clear_calls()
    for bad in ("-x", "1;rm", "1 2", "12_3"):
        with pytest.raises(InvalidJobId):
            pbs.cancel(bad)
        with pytest.raises(InvalidJobId):
            pbs.job_detail(bad)
    assert pbs_replay.calls() == []


def test_pbs_magics_survive_hostile_input(
    shell: InteractiveShell, pbs_replay: PBSReplay, capsys: pytest.CaptureFixture[str]
) -> None:
    """test_fuzz's nasty strings into each PBS magic: only UsageError or BatchError, and no
    shell ever runs (the canary). The replay answers 99 for what it has no recording of,
    which the magics show as a BatchError like any PBS refusal."""
    canary = f"jupyterlab-hpc-pbs-canary-{uuid.uuid4().hex}"
    strings = [*nasty_strings(canary), *MAGIC_EXTRAS]
    rng = random.Random(20261122)
    forms = (
        ("%qsub -h {q}", False),
        ("%%qsub -h {q}", True),
        ("%qstat {q}", False),
        ("%qstat -u {q}", False),
        ("%qdel 9999 {q}", False),
        ("%qhold 9999 {q}", False),
        ("%qrls 9999 {q}", False),
        ("%job {q}", False),
        ("%%submit --hold -J {q}", True),
    )
    outcomes = {"ok": 0, "UsageError": 0, "BatchError": 0}
    for template, is_cell in forms:
        for h in [*MUST_TRY, *rng.sample(strings, 5)]:
            line = template.format(q=shlex.quote(h))
            name, _, args = line.lstrip("%").partition(" ")
            error: UsageError | BatchError | None = None
            try:
                if is_cell:
                    shell.find_cell_magic(name)(args, "#!/bin/bash\ntrue\n")  # type: ignore[no-untyped-call]
                else:
                    shell.find_line_magic(name)(args)  # type: ignore[no-untyped-call]
            except (UsageError, BatchError) as e:
                error = e
            except Exception as e:
                pytest.fail(f"{line[:120]!r} raised {type(e).__name__}: {e}")
            outcomes["ok" if error is None else type(error).__name__] += 1
            assert error is None or str(error).strip(), f"{line[:80]!r}: an empty message"
        capsys.readouterr()
    assert not (CANARY_DIR / canary).exists(), "a shell ran a payload"
    # Whatever was submitted is held: nothing hostile made a job that would run.
    jobs = pbs_replay.state()["jobs"]
    new_jobs = [a for i, a in jobs.items() if int(re.match(r"\d+", i).group()) >= 10]  # type: ignore[union-attr]
    assert all(a["job_state"] == "H" for a in new_jobs)
    print(f"PBS magic fuzz: outcomes {outcomes}")


def test_qdel_sends_a_subjob_alone(
    shell: InteractiveShell, pbs_replay: PBSReplay, capsys: pytest.CaptureFixture[str]
) -> None:
    """One qdel naming a subjob or range with another id crashes the released server."""
    run(shell, "%qdel 3[1].pbs01 4.pbs01")
    out = capsys.readouterr().out
    assert "Deletion requested: 4.pbs01" in out
    assert "Deletion requested: 3[1].pbs01" in out
    run(shell, "%qdel 5.pbs01 3[2-3].pbs01")
    assert "Deletion requested: 3[2-3].pbs01" in capsys.readouterr().out
    state = pbs_replay.state()
    assert "4.pbs01" not in state["jobs"]
    assert "5.pbs01" not in state["jobs"]
    # every subjob ended, so the array went to the history with them
    assert state["history"]["3[].pbs01"]["job_state"] == "F"
    # the ended array's subjobs are F (release-23.06.06/49)
    assert [state["history"][f"3[{i}].pbs01"]["job_state"] for i in (1, 2, 3)] == ["F"] * 3
    assert not state.get("server_down")
    assert pbs_replay.calls() == [
        ["qdel", "4.pbs01"],
        ["qdel", "3[1].pbs01"],
        ["qdel", "5.pbs01"],
        ["qdel", "3[2-3].pbs01"],
    ]


def test_qdel_keeps_its_options_in_every_call(
    shell: InteractiveShell, pbs_replay: PBSReplay
) -> None:
    # qdel -W force is not recorded, so the stand-in refuses both calls (exit 99)
    error = run_failing(shell, "%qdel -W force 5.pbs01 3[2-3].pbs01")
    assert isinstance(error, BatchError)
    assert error.message == "qdel failed for 2 of its 2 calls."
    assert pbs_replay.calls() == [
        ["qdel", "-W", "force", "5.pbs01"],
        ["qdel", "-W", "force", "3[2-3].pbs01"],
    ]


def test_qdel_shows_each_calls_outcome(
    shell: InteractiveShell, pbs_replay: PBSReplay, capsys: pytest.CaptureFixture[str]
) -> None:
    error = run_failing(shell, "%qdel 9999 3[1].pbs01")
    assert isinstance(error, BatchError)
    assert error.command == "qdel 9999"
    assert error.output == "qdel: Unknown Job Id 9999.pbs01"
    captured = capsys.readouterr()
    assert "Deletion requested: 3[1].pbs01" in captured.out
    assert "Not deleted: 9999: qdel: Unknown Job Id 9999.pbs01" in captured.err
    assert pbs_replay.state()["jobs"]["3[1].pbs01"]["job_state"] == "X"


def test_qstat_and_job_on_the_release_show_names_as_submitted(
    shell: InteractiveShell, pbs_replay: PBSReplay, tmp_path: Path
) -> None:
    """The released 23.06.06 prints -N 1.50 / 00 / inf as bare tokens, invalid JSON."""
    pbs_replay.update(json_printer="release")
    for name in ("1.50", "00", "inf"):
        qsub(tmp_path, "-N", name)
    pbs_replay.clear_calls()
    df = run(shell, "%qstat")
    names = df.set_index("id")["name"]
    assert [names[f"{n}.pbs01"] for n in (10, 11, 12)] == ["1.50", "00", "inf"]
    job = run(shell, "%job 11.pbs01")
    assert job.info.name == "00"
    assert pbs_replay.calls() == [
        ["qstat", "-f", "-F", "json", "-t"],
        ["qstat", "-f", "-F", "json", "-x", "-t", "11.pbs01"],
    ]
