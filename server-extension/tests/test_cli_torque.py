"""``jupyter hpc`` on Torque: the site's configuration points at the Torque replay."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .cli_run import CLI
from .test_handlers import get_json
from .torque_replay.fixtures import REPLAY_BIN, TorqueReplay


@pytest.fixture
def jp_server_config(torque_replay: TorqueReplay) -> dict[str, object]:
    return {
        "ServerApp": {"jpserver_extensions": {"jupyterlab_hpc": True}},
        "HPCConfig": {"scheduler": "torque", "command_paths": torque_replay.command_paths},
    }


@pytest.fixture
def cli(tmp_path: Path, torque_replay: TorqueReplay) -> CLI:
    """The admin's jupyter_server_config.json chooses Torque and names its commands."""
    tool = CLI(tmp_path / "cli")
    tool.write_server_config({"scheduler": "torque", "command_paths": torque_replay.command_paths})
    return tool


def test_doctor_on_torque(cli: CLI) -> None:
    result = cli.run("doctor")
    assert result.returncode == 0, result.stdout
    out = result.stdout
    assert "ok       Torque 6.1-dev, cluster \"torque01\" (HPCConfig.scheduler = 'torque')" in out
    assert f"qstat     {REPLAY_BIN / 'qstat'}" in out
    assert "The job listing works: 13 jobs, 13 of them yours." in out


async def test_jobs_json_is_the_apis_listing_on_torque(cli: CLI, jp_fetch: Any) -> None:
    for scope, flags in (("mine", ()), ("all", ("--all",))):
        result = cli.run("jobs", "--json", *flags)
        assert result.returncode == 0, result.stderr
        answer = result.json()
        api = await get_json(jp_fetch, "jobs", scope=scope)
        assert answer["columns"] == api["columns"]
        assert answer["rows"] == api["rows"]
    everyone = cli.run("jobs", "--all")
    assert "7[1].torque01" in everyone.stdout
    # query_other_jobs is off (Torque's default): bob's job 19 is not listed, and the
    # command says that "all" are the user's own.
    assert "19.torque01" not in everyone.stdout
    assert everyone.stderr == (
        "Only your own jobs are listed: Torque shows each user only their own jobs (its "
        "query_other_jobs setting is off).\n"
    )
    assert cli.run("jobs").stderr == ""


def test_submit_and_cancel_on_torque(cli: CLI, torque_replay: TorqueReplay) -> None:
    script = cli.cwd / "job.sh"
    script.write_text("#!/bin/bash\n#PBS -N from-cli\n#PBS -l nodes=1:ppn=2\nhostname\n")
    result = cli.run("submit", str(script), "-h")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "20.torque01\n"
    assert ["qsub", "-h", str(script)] in torque_replay.argvs()
    job = torque_replay.state()["jobs"]["20.torque01"]
    assert "<Job_Name>from-cli</Job_Name>" in job
    assert "<job_state>H</job_state>" in job
    cancelled = cli.run("cancel", "20.torque01")
    assert cancelled.returncode == 0, cancelled.stderr
    assert torque_replay.letter("20.torque01") == "C"
    refused = cli.run("cancel", "19.torque01", "9999.torque01")
    assert refused.returncode == 1  # refused, not "the batch system did not answer" (3)
    assert (
        "19.torque01: not cancelled: Torque does not show job 19.torque01 to you: it is "
        "another user's job" in refused.stderr
    )
    assert "9999.torque01: not cancelled: Job 9999.torque01 is not in the queue" in refused.stderr
    assert "19.torque01" in torque_replay.state()["jobs"]
    assert not [a for a in torque_replay.argvs() if a[0] == "qdel" and "19.torque01" in a]
    bad_queue = cli.run("submit", str(script), "-q", "nosuchqueue")
    assert bad_queue.returncode == 1
    assert "qsub refused: qsub: submit error (Unknown queue" in bad_queue.stderr


def test_cancel_several_jobs_on_torque(cli: CLI, torque_replay: TorqueReplay) -> None:
    """``jupyter hpc cancel A B``: one qstat of both ids (one XML document each), then one qdel."""
    result = cli.run("cancel", "6.torque01", "11.torque01")
    assert result.returncode == 0, result.stderr
    assert "6.torque01: cancellation requested" in result.stdout
    assert "11.torque01: cancellation requested" in result.stdout
    assert ["qdel", "6.torque01", "11.torque01"] in torque_replay.argvs()
    assert torque_replay.letter("6.torque01") == "C"
    assert torque_replay.letter("11.torque01") == "C"


def test_cancel_a_range_of_subjobs_on_torque(cli: CLI, torque_replay: TorqueReplay) -> None:
    """``jupyter hpc cancel 20[2-3].torque01``: Torque's qdel refuses the range in the id,
    so it goes as ``qdel -t 2-3 20[].torque01``."""
    script = cli.cwd / "sweep.sh"
    script.write_text("#!/bin/bash\nhostname\n")
    assert cli.run("submit", str(script), "-t", "1-4").stdout == "20[].torque01\n"
    result = cli.run("cancel", "20[2-3].torque01")
    assert result.returncode == 0, result.stderr
    assert "20[2-3].torque01: cancellation requested" in result.stdout
    assert ["qdel", "-t", "2-3", "20[].torque01"] in torque_replay.argvs()
    letters = [torque_replay.letter(f"20[{i}].torque01") for i in range(1, 5)]
    assert letters == ["Q", "C", "C", "Q"]


def test_submit_with_z_says_the_job_went_in_without_an_id(
    cli: CLI, torque_replay: TorqueReplay
) -> None:
    """qsub -z prints no job id, though the job is created: exit 0 and a sentence, not
    "the batch system did not answer" (exit 3)."""
    script = cli.cwd / "quiet.sh"
    script.write_text("#!/bin/bash\n#PBS -z\nhostname\n")
    result = cli.run("submit", str(script))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == (
        "jupyter hpc submit: qsub took the job (exit code 0) but printed no job id: -z, on "
        "its command line or in the script's #PBS lines, asks it not to. Find the job with "
        "qstat.\n"
    )
    assert "20.torque01" in torque_replay.state()["jobs"]
