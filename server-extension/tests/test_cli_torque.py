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
    assert "ok       Torque 6.1.2, cluster \"torque01\" (HPCConfig.scheduler = 'torque')" in out
    assert f"qstat     {REPLAY_BIN / 'qstat'}" in out
    assert "The job listing works: 7 jobs, 6 of them yours." in out


async def test_jobs_json_is_the_apis_listing_on_torque(cli: CLI, jp_fetch: Any) -> None:
    for scope, flags in (("mine", ()), ("all", ("--all",))):
        result = cli.run("jobs", "--json", *flags)
        assert result.returncode == 0, result.stderr
        answer = result.json()
        api = await get_json(jp_fetch, "jobs", scope=scope)
        assert answer["columns"] == api["columns"]
        assert answer["rows"] == api["rows"]
    table = cli.run("jobs", "--all").stdout
    assert "17[1].torque01" in table
    assert "bob" in table


def test_submit_and_cancel_on_torque(cli: CLI, torque_replay: TorqueReplay) -> None:
    script = cli.cwd / "job.sh"
    script.write_text("#!/bin/bash\n#PBS -N from-cli\n#PBS -l nodes=1:ppn=2\nhostname\n")
    result = cli.run("submit", str(script), "-h")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "18.torque01\n"
    assert ["qsub", "-h", str(script)] in torque_replay.argvs()
    job = torque_replay.state()["jobs"]["18.torque01"]
    assert "<Job_Name>from-cli</Job_Name>" in job
    assert "<job_state>H</job_state>" in job
    cancelled = cli.run("cancel", "18.torque01")
    assert cancelled.returncode == 0, cancelled.stderr
    assert torque_replay.letter("18.torque01") == "C"
    refused = cli.run("cancel", "14.torque01", "9999.torque01")
    assert refused.returncode == 1
    assert "14.torque01: not cancelled: Job 14.torque01 belongs to bob" in refused.stderr
    assert "9999.torque01: not cancelled: Job 9999.torque01 is not in the queue" in refused.stderr
    assert "14.torque01" in torque_replay.state()["jobs"]
    assert not [a for a in torque_replay.argvs() if a[0] == "qdel" and "14.torque01" in a]
    bad_queue = cli.run("submit", str(script), "-q", "nosuchqueue")
    assert bad_queue.returncode == 1
    assert "qsub refused: qsub: submit error (Unknown queue" in bad_queue.stderr


def test_cancel_several_jobs_on_torque(cli: CLI, torque_replay: TorqueReplay) -> None:
    """``jupyter hpc cancel A B``: one qstat of both ids (one XML document each), then one qdel."""
    result = cli.run("cancel", "12.torque01", "13.torque01")
    assert result.returncode == 0, result.stderr
    assert "12.torque01: cancellation requested" in result.stdout
    assert "13.torque01: cancellation requested" in result.stdout
    assert ["qdel", "12.torque01", "13.torque01"] in torque_replay.argvs()
    assert torque_replay.letter("12.torque01") == "C"
    assert torque_replay.letter("13.torque01") == "C"


def test_cancel_a_range_of_subjobs_on_torque(cli: CLI, torque_replay: TorqueReplay) -> None:
    """``jupyter hpc cancel 18[2-3].torque01``: Torque's qdel refuses the range in the id,
    so it goes as ``qdel -t 2-3 18[].torque01``."""
    script = cli.cwd / "sweep.sh"
    script.write_text("#!/bin/bash\nhostname\n")
    assert cli.run("submit", str(script), "-t", "1-4").stdout == "18[].torque01\n"
    result = cli.run("cancel", "18[2-3].torque01")
    assert result.returncode == 0, result.stderr
    assert "18[2-3].torque01: cancellation requested" in result.stdout
    assert ["qdel", "-t", "2-3", "18[].torque01"] in torque_replay.argvs()
    letters = [torque_replay.letter(f"18[{i}].torque01") for i in range(1, 5)]
    assert letters == ["Q", "C", "C", "Q"]
