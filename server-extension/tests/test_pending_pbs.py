"""Pending jobs explained on PBS and Torque (issue 19): the comment each gives a queued
job, and PBS's ``estimated.start_time`` where it has one, through the REST API of a real
Jupyter server over the replays of real recordings; nothing PBS does not give is shown."""

from __future__ import annotations

from typing import Any

import pytest

from .pbs_replay.fixtures import PBSReplay
from .test_handlers import get_json
from .torque_replay.fixtures import TorqueReplay


@pytest.fixture
def jp_server_config(pbs_replay: PBSReplay) -> dict[str, object]:
    return {
        "ServerApp": {"jpserver_extensions": {"jupyterlab_hpc": True}},
        "HPCConfig": {
            "scheduler": "pbs",
            "command_paths": pbs_replay.command_paths,
            "poll_interval_floor": 0.5,
            "listing_cost_factor": 0.0,
        },
    }


async def test_pbs_pending_jobs_explained(jp_fetch: Any, pbs_replay: PBSReplay) -> None:
    body = await get_json(jp_fetch, "jobs", "pending")
    jobs = {j["job_id"]: j for j in body["jobs"]}
    # The user's queued and held jobs; 6 and 8 are alice's.
    assert set(jobs) == {"2.pbs01", "3[2-3].pbs01", "4.pbs01", "5.pbs01"}
    assert jobs["4.pbs01"] == {
        "job_id": "4.pbs01",
        "reason": "Not enough free nodes available",
        "summary": "Not enough free nodes available",
        "advice": "",
        "expected_start": None,  # these recordings have no estimated.start_time
        "facts": {},
    }
    assert jobs["2.pbs01"]["summary"] == "User hold"
    # One qstat -f per job (the subjob range is explained from its row), none again
    # within the interval.
    ones = sorted(c[-1] for c in pbs_replay.calls() if c[:2] == ["qstat", "-f"] and "-t" not in c)
    assert ones == ["2.pbs01", "4.pbs01", "5.pbs01"]
    await get_json(jp_fetch, "jobs", "pending", job="4.pbs01")
    again = [c for c in pbs_replay.calls() if c[:2] == ["qstat", "-f"] and "-t" not in c]
    assert len(again) == 3


class TestTorque:
    @pytest.fixture
    def jp_server_config(self, torque_replay: TorqueReplay) -> dict[str, object]:
        return {
            "ServerApp": {"jpserver_extensions": {"jupyterlab_hpc": True}},
            "HPCConfig": {
                "scheduler": "torque",
                "command_paths": torque_replay.command_paths,
                "poll_interval_floor": 0.5,
                "listing_cost_factor": 0.0,
            },
        }

    async def test_torque_pending_jobs_explained(
        self, jp_fetch: Any, torque_replay: TorqueReplay
    ) -> None:
        body = await get_json(jp_fetch, "jobs", "pending")
        jobs = {j["job_id"]: j for j in body["jobs"]}
        assert set(jobs) == {
            "7[2-4].torque01",
            "8[1-5:2].torque01",
            "8[6-7].torque01",
            "9.torque01",
            "11.torque01",
        }
        nodes = "Not enough of the right type of nodes are available"
        assert jobs["11.torque01"]["summary"] == nodes
        assert jobs["7[2-4].torque01"]["summary"] == nodes
        assert jobs["9.torque01"]["summary"] == "User hold"
        # Torque gives no expected start.
        assert {j["expected_start"] for j in jobs.values()} == {None}
