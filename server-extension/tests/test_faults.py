"""Faults of the batch system, for real: a scheduler command that never answers."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest

from .conftest import TEST_BIN


class TestHangingSqueue:
    @pytest.fixture
    def jp_server_config(self) -> dict[str, object]:
        return {
            "ServerApp": {"jpserver_extensions": {"jupyterlab_hpc": True}},
            "HPCConfig": {
                "scheduler": "slurm",
                "command_timeout": 2.0,
                "poll_interval_floor": 0.5,
                "command_paths": {"squeue": str(TEST_BIN / "hang")},
            },
        }

    async def test_killed_at_the_timeout_and_the_server_stays_responsive(
        self, jp_fetch: Any
    ) -> None:
        start = time.monotonic()
        listing = asyncio.ensure_future(jp_fetch("jupyterlab-hpc", "jobs"))
        await asyncio.sleep(0.3)
        # While squeue hangs, other requests are answered at once.
        for _ in range(3):
            t = time.monotonic()
            caps = json.loads((await jp_fetch("jupyterlab-hpc", "capabilities")).body)
            assert caps["scheduler"]["kind"] == "slurm"
            assert time.monotonic() - t < 1.0
        assert not listing.done()

        body = json.loads((await listing).body)
        elapsed = time.monotonic() - start
        assert 1.9 < elapsed < 10
        assert body["status"]["ok"] is False
        assert "did not answer within 2 s" in body["status"]["error"]
        assert body["rows"] == []
        print(f"hanging squeue stopped after {elapsed:.1f} s; 3 other requests answered meanwhile")
