"""What the submit tab sends on Torque: a script whose ``#PBS`` lines are Torque's forms
(``-l nodes=N:ppn=C:gpus=G``, the job's ``-l mem=``, ``-t`` arrays), with only the working
folder and the hold as options. The REST API against the Torque replay checks them,
submits them, and agrees with the tab on what ``mem`` means."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from jupyterlab_hpc.schedulers.base import SubmitRequest
from jupyterlab_hpc.schedulers.pbs.submit import TORQUE_FLAGS, TORQUE_VALUED, check_directives
from jupyterlab_hpc.schedulers.pbs.submit import qsub_options as pbs_qsub_options

from .test_handlers import expect_error, get_json
from .test_pbs_handlers import listing, post_submit
from .torque_replay.fixtures import TorqueReplay
from .torque_replay.recordings import recording

# The script the tab writes for 2 nodes x 4 CPUs, 1 GPU each, 8gb in all, an array of
# ten with two at once (see src/__tests__/submit-directives-torque.spec.ts).
TAB_SCRIPT = "\n".join(
    [
        "#!/bin/bash",
        "#PBS -N ui-torque",
        "#PBS -l walltime=00:10:00",
        "#PBS -l nodes=2:ppn=4:gpus=1",
        "#PBS -l mem=8gb",
        "#PBS -t 1-10%2",
        "",
        'cd "$PBS_O_WORKDIR"',
        "echo hi",
        "",
    ]
)


@pytest.fixture
def jp_server_config(torque_replay: TorqueReplay) -> dict[str, object]:
    return {
        "ServerApp": {"jpserver_extensions": {"jupyterlab_hpc": True}},
        "HPCConfig": {
            "scheduler": "torque",
            "command_paths": torque_replay.command_paths,
            "poll_interval_floor": 0.5,
            "listing_cost_factor": 0.0,  # the tests wait just past the floor
        },
    }


def torque_directives(script: str) -> int:
    return check_directives(script, TORQUE_FLAGS, TORQUE_VALUED, torque=True)


def test_torque_array_directives() -> None:
    assert torque_directives(TAB_SCRIPT) == 5
    assert torque_directives("#!/bin/sh\n#PBS -t 1,3,5-7%2\n") == 1
    with pytest.raises(Exception, match="Torque arrays have no step"):
        torque_directives("#!/bin/sh\n#PBS -t 1-9:2\n")
    with pytest.raises(Exception, match="ids and ranges"):
        torque_directives("#!/bin/sh\n#PBS -t all\n")


def test_directives_as_torques_qsub_reads_them() -> None:
    """Torque 6.1's qsub takes ``-K <kill delay seconds>`` (its usage, 81) and, on its
    server, a walltime with days (``[[[DD:]HH:]MM:]SS``); it refuses ``-x`` without
    ``-I`` ("'-x' invalid on non-interactive job"). ``-z`` is refused here: qsub would
    print no job id, and the job is followed by its id."""
    usage = recording("81_qsub_bad_option.txt").stderr
    for option in ("[-K <kill delay seconds>]", "[-x]", "[-z]"):
        assert option in usage
    script = "#!/bin/sh\n#PBS -K 10\n#PBS -l walltime=2:00:00:00,nodes=1\nhostname\n"
    assert torque_directives(script) == 2
    with pytest.raises(Exception, match="-x only goes with an interactive job"):
        torque_directives("#!/bin/sh\n#PBS -x\n")
    with pytest.raises(Exception, match="-z makes qsub print no job id"):
        torque_directives("#!/bin/sh\n#PBS -N quiet\n#PBS -z\n")
    with pytest.raises(Exception, match="walltime 'abc'"):
        torque_directives("#!/bin/sh\n#PBS -l walltime=abc\n")
    with pytest.raises(Exception, match="walltime '1:2:3:4:5'"):
        torque_directives("#!/bin/sh\n#PBS -l walltime=1:2:3:4:5\n")
    # OpenPBS reads no days in a walltime, and has no -K.
    with pytest.raises(Exception, match="walltime '2:00:00:00'"):
        check_directives("#!/bin/sh\n#PBS -l walltime=2:00:00:00\n")


def test_memory_means_the_same_in_the_tab_and_the_options() -> None:
    # The API's memory is per node; the tab writes the job's total, as this does.
    options = pbs_qsub_options(SubmitRequest(nodes=2, cpus=4, gpus=1, memory="4G"), torque=True)
    assert options == ["-l", "nodes=2:ppn=4:gpus=1", "-l", "mem=8gb"]


async def test_check_names_torque_and_submit_keeps_the_directives(
    jp_fetch: Any, torque_replay: TorqueReplay, tmp_path: Path
) -> None:
    checked = await post_submit(
        jp_fetch,
        {"script": TAB_SCRIPT, "options": {"workdir": str(tmp_path)}, "test_only": True},
    )
    assert checked["job_id"] is None
    assert "Torque has no test submission" in checked["message"]
    assert "PBS has" not in checked["message"]
    assert not [c for c in torque_replay.argvs() if c[0] == "qsub"]

    answer = await post_submit(
        jp_fetch, {"script": TAB_SCRIPT, "options": {"workdir": str(tmp_path), "hold": True}}
    )
    assert answer["job_id"] == "20[].torque01"
    qsub = [c for c in torque_replay.calls() if c["argv"][0] == "qsub"][-1]
    assert qsub["argv"] == ["qsub", "-h", "-d", str(tmp_path)]
    assert qsub["stdin"] == TAB_SCRIPT
    job = torque_replay.state()["jobs"]["20[].torque01"]
    assert "<nodes>2:ppn=4:gpus=1</nodes>" in job
    assert "<mem>8gb</mem>" in job
    assert "<job_state>H</job_state>" in job
    assert "20[10].torque01" in torque_replay.state()["jobs"]


async def test_a_stepped_array_in_the_script_is_refused(
    jp_fetch: Any, torque_replay: TorqueReplay
) -> None:
    body = {"script": "#!/bin/sh\n#PBS -t 1-9:2\nhostname\n", "test_only": True}
    message = await expect_error(
        jp_fetch, 400, "jobs", "submit", method="POST", body=json.dumps(body)
    )
    assert "Torque arrays have no step" in message
    assert not [c for c in torque_replay.argvs() if c[0] == "qsub"]


async def test_walltime_with_days_and_no_quiet_qsub(
    jp_fetch: Any, torque_replay: TorqueReplay, tmp_path: Path
) -> None:
    """A day-long walltime written Torque's way is submitted (Torque keeps 24:00:00);
    ``#PBS -z`` or ``-z`` in the extra options is refused before qsub runs: with it qsub
    prints no id, and the answer was a 503 for a job that had been created."""
    script = "#!/bin/bash\n#PBS -l walltime=1:00:00:00\nhostname\n"
    answer = await post_submit(jp_fetch, {"script": script, "options": {"workdir": str(tmp_path)}})
    assert answer["job_id"] == "20.torque01"
    assert "<walltime>24:00:00</walltime>" in torque_replay.state()["jobs"]["20.torque01"]
    detail = await get_json(jp_fetch, "jobs", "20.torque01")
    assert detail["job"]["time_limit"] == 86400

    for body in (
        {"script": "#!/bin/bash\n#PBS -z\nhostname\n"},
        {"script": "#!/bin/bash\nhostname\n", "options": {"extra": ["-z"]}},
    ):
        message = await expect_error(
            jp_fetch, 400, "jobs", "submit", method="POST", body=json.dumps(body)
        )
        assert "-z makes qsub print no job id" in message
    assert len([c for c in torque_replay.argvs() if c[0] == "qsub"]) == 1
    assert "21.torque01" not in torque_replay.state()["jobs"]


async def test_slot_limited_array_reads_as_held_by_its_slot_limit(
    jp_fetch: Any, torque_replay: TorqueReplay
) -> None:
    """``-t 1-3%1`` (27, 46): the subjobs past the limit are held by it, and the folded
    row of them is named as the array."""
    body = {"script": "#!/bin/bash\nhostname\n", "options": {"name": "slotl", "array": "1-3%1"}}
    assert (await post_submit(jp_fetch, body))["job_id"] == "20[].torque01"
    rows = await listing(jp_fetch, scope="mine")
    assert rows["20[1].torque01"]["state"] == "pending"
    waiting = rows["20[2-3].torque01"]
    assert (waiting["name"], waiting["state"]) == ("slotl", "held")
    assert waiting["reason"] == (
        "Held by the array's slot limit: it starts when a running subjob ends"
    )
