"""``jupyter hpc`` as a user runs it, against the real local Slurm."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from jupyterlab_hpc.schedulers.base import LISTING_COLUMNS

from .cli_run import CLI
from .conftest import OTHER_USER, TEST_BIN, Submitter
from .magic_shell import scontrol_fields
from .test_handlers import get_json

pytestmark = pytest.mark.usefixtures("slurm")


@pytest.fixture
def cli(tmp_path: Path) -> CLI:
    return CLI(tmp_path)


def squeue_state(job_id: str) -> str:
    return subprocess.run(
        ["squeue", "-h", "--states=all", "-j", job_id, "-o", "%T"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()


def test_help_documents_the_commands_and_exit_codes(cli: CLI) -> None:
    result = cli.run("--help")
    assert result.returncode == 0
    for word in ("doctor", "jobs", "submit", "cancel", "exit codes:", "3  no batch system"):
        assert word in result.stdout
    # The same command line through python -m.
    same = cli.run("--help", module=True)
    assert same.returncode == 0
    assert same.stdout == result.stdout
    assert cli.run("frobnicate").returncode == 2
    assert cli.run().returncode == 2


def test_doctor_reports_slurm_modules_and_kernels(cli: CLI) -> None:
    kernel = cli.data_dir / "kernels" / "mine"
    kernel.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Mine",
        "language": "python",
    }
    (kernel / "kernel.json").write_text(json.dumps(spec))
    result = cli.run("doctor")
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert 'ok       Slurm 22.05.8, cluster "local" (found on this machine)' in out
    assert f"squeue    {shutil.which('squeue')}" in out
    assert "The job listing works:" in out
    assert "Module system" in out
    assert "ok       Kernel mine: Mine [user]" in out
    assert str(cli.data_dir / "kernels") in out
    report = cli.run("doctor", "--json").json()
    assert report["healthy"] is True
    titles = [s["title"] for s in report["sections"]]
    assert titles == ["Configuration", "Batch system", "Module system", "Kernels"]
    batch = report["sections"][1]
    assert ["sbatch", shutil.which("sbatch")] in batch["details"]


def test_doctor_says_what_is_broken_and_exits_1(cli: CLI) -> None:
    cli.write_server_config({"command_paths": {"scancel": "/nonexistent/scancel"}})
    broken = cli.data_dir / "kernels" / "broken"
    broken.mkdir(parents=True)
    (broken / "kernel.json").write_text("{not json")
    missing = cli.data_dir / "kernels" / "gone"
    missing.mkdir(parents=True)
    (missing / "kernel.json").write_text(
        '{"argv": ["/opt/nowhere/python", "-f", "{connection_file}"], "display_name": "Gone"}'
    )
    old_capture = cli.data_dir / "kernels" / "oldcap"
    old_capture.mkdir(parents=True)
    (old_capture / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "Old capture",
                "env": {"GCC_HOME": "/opt/gcc/12.2.0", "LOADEDMODULES": "gcc/12.2.0"},
                "metadata": {
                    "jupyterlab_hpc": {"modules": {"mode": "capture", "modules": ["gcc/12.2.0"]}}
                },
            }
        )
    )
    result = cli.run("doctor")
    assert result.returncode == 1
    out = result.stdout
    assert (
        "WARNING  Kernel oldcap: its modules were captured by an earlier version, so it also "
        "gets the modules loaded in the server session." in out
    )
    assert str(cli.config_dir / "jupyter_server_config.json") in out
    assert (
        "PROBLEM  HPCConfig.command_paths sets scancel to /nonexistent/scancel, which is not "
        "an executable file" in out
    )
    assert "PROBLEM  The command scancel was not found: cancelling jobs needs it." in out
    assert f"PROBLEM  Kernel broken ({broken}) is broken: kernel.json cannot be read" in out
    assert (
        f"PROBLEM  Kernel gone ({missing}) cannot start: its program /opt/nowhere/python "
        "was not found." in out
    )
    assert re.search(r"^4 problems and \d+ warnings?\.$", out, re.M)


async def test_jobs_json_is_the_apis_listing(cli: CLI, submit: Submitter, jp_fetch: Any) -> None:
    mine = submit.sbatch("-H", "-t", "1", "-J", "cli listing", "--wrap", "sleep 1")
    theirs = submit.sbatch("-H", "-t", "1", "--wrap", "sleep 1", user=OTHER_USER)
    result = cli.run("jobs", "--json")
    assert result.returncode == 0, result.stderr
    answer = result.json()
    assert answer["scope"] == "mine"
    assert answer["columns"] == list(LISTING_COLUMNS)
    api = await get_json(jp_fetch, "jobs", scope="mine")
    assert answer["user"] == (await get_json(jp_fetch, "capabilities"))["user"]
    cli_rows = {r[0]: r for r in answer["rows"]}
    api_rows = {r[0]: r for r in api["rows"]}
    assert cli_rows[mine] == api_rows[mine]  # a held job: every field the same
    assert theirs not in cli_rows
    everyone = cli.run("jobs", "--all", "--json").json()
    assert everyone["scope"] == "all"
    assert theirs in {r[0] for r in everyone["rows"]}
    table = cli.run("jobs").stdout
    header, *lines = table.splitlines()
    assert header.split()[:4] == ["JOBID", "NAME", "USER", "STATE"]
    line = next(ln for ln in lines if ln.startswith(mine + " "))
    assert "cli listing" in line
    assert "held" in line
    assert "JobHeldUser" in line


def test_submit_a_held_job_and_cancel_it(cli: CLI, submit: Submitter) -> None:
    script = cli.cwd / "cli job.sh"
    script.write_text("#!/bin/bash\n#SBATCH -t 1\n#SBATCH -o /dev/null\nsleep 1\n")
    result = cli.run("submit", str(script), "--hold", "-J", "from-cli")
    assert result.returncode == 0, result.stderr
    job_id = result.stdout.strip()
    submit.ids.append(job_id)  # cancelled at the end whatever happens
    assert job_id.isdigit()
    assert result.stdout == job_id + "\n"  # only the id: id=$(jupyter hpc submit ...)
    assert squeue_state(job_id) == "PENDING"
    cancelled = cli.run("cancel", job_id)
    assert cancelled.returncode == 0, cancelled.stderr
    assert cancelled.stdout == f"{job_id}: cancellation requested\n"
    assert squeue_state(job_id) in ("CANCELLED", "")


def test_submit_takes_options_before_the_file_too(cli: CLI, submit: Submitter) -> None:
    """As sbatch takes them: options first, the script last."""
    script = cli.cwd / "job.sh"
    script.write_text("#!/bin/bash\n#SBATCH -o /dev/null\nsleep 1\n")
    result = cli.run(
        "submit", "-p", "long", "-t", "1", "--hold", "-J", "options-first", str(script)
    )
    assert result.returncode == 0, result.stderr
    job_id = result.stdout.strip()
    submit.ids.append(job_id)
    fields = scontrol_fields(job_id)
    assert (fields["JobName"], fields["Partition"], fields["JobState"]) == (
        "options-first",
        "long",
        "PENDING",
    )
    help_text = cli.run("submit", "-h")
    assert help_text.returncode == 0
    assert "before it as sbatch and qsub take them" in help_text.stdout.replace("\n", " ")
    no_file = cli.run("submit", "-p", "long")
    assert no_file.returncode == 2


def test_someone_elses_job_is_not_cancelled(cli: CLI, submit: Submitter) -> None:
    theirs = submit.sbatch("-H", "-t", "1", "--wrap", "sleep 1", user=OTHER_USER)
    result = cli.run("cancel", theirs, "999999999")
    assert result.returncode == 1
    assert (
        f"{theirs}: not cancelled: Job {theirs} belongs to {OTHER_USER}; you can cancel only "
        "your own jobs." in result.stderr
    )
    assert "999999999: not cancelled: Job 999999999 is not in the queue" in result.stderr
    assert squeue_state(theirs) == "PENDING"


def test_clear_errors_and_exit_codes(cli: CLI, tmp_path: Path) -> None:
    bad_id = cli.run("cancel", "12;rm")
    assert bad_id.returncode == 2
    assert "'12;rm' is not a valid job id" in bad_id.stderr
    no_file = cli.run("submit", "nowhere.sh")
    assert no_file.returncode == 2
    assert "nowhere.sh: there is no such file to submit." in no_file.stderr
    script = tmp_path / "job.sh"
    script.write_text("#!/bin/bash\nsleep 1\n")
    refused = cli.run("submit", str(script), "-p", "nosuchpartition", "-H")
    assert refused.returncode == 1
    assert "sbatch refused:" in refused.stderr
    assert "invalid partition" in refused.stderr.lower()
    assert f"command: sbatch --parsable -p nosuchpartition -H {script}" in refused.stderr
    # No batch system at all: the commands are looked for and the answer says where.
    cli.write_server_config({"scheduler": "auto"})
    none = cli.run("jobs", module=True, PATH="/nonexistent")
    assert none.returncode == 3
    assert "No batch system found on this server: looked for squeue, sbatch" in none.stderr
    off = CLI(tmp_path / "off")
    off.write_server_config({"scheduler": "none"})
    report = off.run("doctor", module=True, PATH="/nonexistent")
    assert "Turned off by the site's configuration (HPCConfig.scheduler)." in report.stdout


def test_an_unreachable_controller_is_exit_3_not_a_refusal(cli: CLI, tmp_path: Path) -> None:
    """sbatch exits 1 both when it refuses a job and when slurmctld is down; the words
    tell them apart (test-only stand-in: what Slurm prints without its controller)."""
    cli.write_server_config({"command_paths": {"sbatch": str(TEST_BIN / "squeue-down")}})
    script = tmp_path / "job.sh"
    script.write_text("#!/bin/bash\nsleep 1\n")
    result = cli.run("submit", str(script), "-H")
    assert result.returncode == 3
    assert "sbatch did not answer: slurm_load_jobs error: Unable to contact slurm controller" in (
        result.stderr
    )
