"""``jupyter hpc`` on PBS: the site's configuration points at the replay executables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jupyterlab_hpc.cli.jobs import headings

from .cli_run import CLI
from .pbs_replay.fixtures import REPLAY_BIN, PBSReplay
from .test_handlers import get_json
from .test_pbs_json import qsub


@pytest.fixture
def jp_server_config(pbs_replay: PBSReplay) -> dict[str, object]:
    return {
        "ServerApp": {"jpserver_extensions": {"jupyterlab_hpc": True}},
        "HPCConfig": {"scheduler": "pbs", "command_paths": pbs_replay.command_paths},
    }


@pytest.fixture
def cli(tmp_path: Path, pbs_replay: PBSReplay) -> CLI:
    """The admin's jupyter_server_config.json chooses PBS and names its commands."""
    tool = CLI(tmp_path / "cli")
    tool.write_server_config({"scheduler": "pbs", "command_paths": pbs_replay.command_paths})
    return tool


def test_doctor_on_pbs(cli: CLI) -> None:
    result = cli.run("doctor")
    assert result.returncode == 0, result.stdout
    out = result.stdout
    assert "ok       OpenPBS 23.06.06, cluster \"pbs01\" (HPCConfig.scheduler = 'pbs')" in out
    assert f"qstat     {REPLAY_BIN / 'qstat'}" in out
    assert f"pbsnodes  {REPLAY_BIN / 'pbsnodes'}" in out
    assert "The job listing works: 8 jobs, 6 of them yours." in out


def test_doctor_on_pbs_with_a_broken_command(cli: CLI, pbs_replay: PBSReplay) -> None:
    paths = {**pbs_replay.command_paths, "qstat": "/opt/pbs/bin/qstat"}
    cli.write_server_config({"scheduler": "pbs", "command_paths": paths})
    result = cli.run("doctor")
    assert result.returncode == 1
    assert (
        "OpenPBS / PBS Professional was chosen (HPCConfig.scheduler = 'pbs') but does not "
        "answer: " in result.stdout
    )
    assert "The command qstat was not found: the queue panel and job listings need it." in (
        result.stdout
    )


async def test_jobs_json_is_the_apis_listing_on_pbs(cli: CLI, jp_fetch: Any) -> None:
    for scope, flags in (("mine", ()), ("all", ("--all",))):
        result = cli.run("jobs", "--json", *flags)
        assert result.returncode == 0, result.stderr
        answer = result.json()
        api = await get_json(jp_fetch, "jobs", scope=scope)
        assert answer["columns"] == api["columns"]
        assert answer["rows"] == api["rows"]
    table = cli.run("jobs", "--all").stdout
    assert "3[2-3].pbs01" in table
    assert "alice" in table


def test_submit_and_cancel_on_pbs(cli: CLI, pbs_replay: PBSReplay) -> None:
    script = cli.cwd / "job.pbs"
    script.write_text("#!/bin/bash\n#PBS -N from-cli\nhostname\n")
    result = cli.run("submit", str(script), "-h")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "10.pbs01\n"
    assert ["qsub", "-h", str(script)] in pbs_replay.calls()
    job = pbs_replay.state()["jobs"]["10.pbs01"]
    assert (job["Job_Name"], job["job_state"]) == ("from-cli", "H")
    cancelled = cli.run("cancel", "10.pbs01")
    assert cancelled.returncode == 0, cancelled.stderr
    assert "10.pbs01" not in pbs_replay.state()["jobs"]
    refused = cli.run("cancel", "6.pbs01", "9999.pbs01")
    assert refused.returncode == 1
    assert "6.pbs01: not cancelled: Job 6.pbs01 belongs to alice" in refused.stderr
    assert "9999.pbs01: not cancelled: Job 9999.pbs01 is not in the queue" in refused.stderr
    assert "6.pbs01" in pbs_replay.state()["jobs"]
    assert not [c for c in pbs_replay.calls() if c[0] == "qdel" and "6.pbs01" in c]
    bad_queue = cli.run("submit", str(script), "-q", "nosuchqueue")
    assert bad_queue.returncode == 1
    assert "qsub refused: qsub: Unknown queue" in bad_queue.stderr
    slurm_id = cli.run("cancel", "12_3")
    assert slurm_id.returncode == 2
    assert "not a valid PBS job id" in slurm_id.stderr


def test_config_file_given_on_the_command_line(
    cli: CLI, pbs_replay: PBSReplay, tmp_path: Path
) -> None:
    """--config FILE replaces the search, as ``jupyter lab --config FILE`` does."""
    cli.write_server_config({"scheduler": "none"})  # the folder's config is not read
    site = tmp_path / "site_config.py"
    site.write_text(
        f'c.HPCConfig.scheduler = "pbs"\nc.HPCConfig.command_paths = {pbs_replay.command_paths!r}\n'
    )
    result = cli.run("--config", str(site), "jobs", "--json")
    assert result.returncode == 0, result.stderr
    assert "1.pbs01" in {r[0] for r in result.json()["rows"]}
    assert cli.run("jobs").returncode == 3  # without it: "none" from the folder's config


def test_cancel_a_subjob_with_other_jobs_on_pbs(cli: CLI, pbs_replay: PBSReplay) -> None:
    """One qdel naming a subjob or range with another id crashes the released server."""
    result = cli.run("cancel", "3[1].pbs01", "4.pbs01", "3[2-3].pbs01")
    assert result.returncode == 0, result.stderr
    for job_id in ("3[1].pbs01", "4.pbs01", "3[2-3].pbs01"):
        assert f"{job_id}: cancellation requested" in result.stdout
    state = pbs_replay.state()
    assert "4.pbs01" not in state["jobs"]
    # every subjob ended, so the array went to the history with them
    assert state["history"]["3[].pbs01"]["job_state"] == "F"
    # the ended array's subjobs are F (release-23.06.06/49)
    assert [state["history"][f"3[{i}].pbs01"]["job_state"] for i in (1, 2, 3)] == ["F"] * 3
    qdels = [c for c in pbs_replay.calls() if c[0] == "qdel"]
    assert qdels == [["qdel", "4.pbs01"], ["qdel", "3[1].pbs01"], ["qdel", "3[2-3].pbs01"]]


def test_jobs_table_says_queue_on_pbs(cli: CLI) -> None:
    """PBS calls a partition a queue, as the queue panel's column does."""
    header = cli.run("jobs", "--all").stdout.splitlines()[0].split()
    assert header[:5] == ["JOBID", "NAME", "USER", "STATE", "QUEUE"]
    assert "PARTITION" not in header


def test_table_headings_in_each_batch_systems_words() -> None:
    assert headings("pbs")[4] == headings("torque")[4] == "QUEUE"
    assert headings("slurm")[4] == "PARTITION"


def test_jobs_on_the_release_show_names_as_submitted(
    cli: CLI, pbs_replay: PBSReplay, tmp_path: Path
) -> None:
    """The released 23.06.06 prints -N 00 / 1.50 and -A 0.10 as bare, invalid JSON."""
    pbs_replay.update(json_printer="release")
    for option in (("-N", "1.50"), ("-N", "00"), ("-A", "0.10")):
        qsub(tmp_path, *option)
    pbs_replay.clear_calls()
    rows = {r[0]: r for r in cli.run("jobs", "--json").json()["rows"]}
    assert [rows[f"{n}.pbs01"][3] for n in (10, 11)] == ["1.50", "00"]
    assert rows["12.pbs01"][5] == "0.10"
    table = [line.split()[:2] for line in cli.run("jobs").stdout.splitlines()]
    assert ["10.pbs01", "1.50"] in table
    assert ["11.pbs01", "00"] in table
    assert pbs_replay.calls() == [["qstat", "-f", "-F", "json", "-t"]] * 2
