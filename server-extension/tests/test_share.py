"""*My share* (issue 19): the user's fair-share, usage and allocation per account from
``sshare``, on an output recorded from a throwaway Slurm running priority/multifactor
with an association's allocation (scripts/record-pending-fixtures), and through the REST
API of a real Jupyter server on the local Slurm, which runs priority/basic: there Slurm
computes no fair-share and *My share* is not available (the tab hides it)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from jupyterlab_hpc.schedulers.slurm.share import parse_sshare, sshare_argv

from .conftest import FIXTURES
from .test_handlers import get_json

RECORDED = FIXTURES / "pending" / "slurm"


def test_the_recording_used_the_backends_argv() -> None:
    assert json.loads((RECORDED / "sshare.argv").read_text()) == sshare_argv("root")


def test_fair_share_usage_and_allocation_per_account() -> None:
    accounts = parse_sshare((RECORDED / "sshare.stdout").read_text(), "root")
    assert accounts is not None
    by_name = {a.account: a for a in accounts}
    # root's own association, and the two accounts the recording made.
    assert set(by_name) == {"root", "recpendacct", "recpendused"}
    used = by_name["recpendacct"]
    assert used.raw_usage is not None
    assert used.raw_usage > 0
    assert used.usage is not None
    assert 0 < used.usage <= 1
    assert used.fair_share is not None
    assert 0 <= used.fair_share <= 1
    assert used.allocation == {}  # no allocation set
    spent = by_name["recpendused"]
    assert spent.allocation == {"cpu": 0}  # GrpTRESMins=cpu=0: used up
    assert spent.to_dict()["used"] == {"cpu": 0}
    # Another user has no rows here.
    assert parse_sshare((RECORDED / "sshare.stdout").read_text(), "hpcdemo") == []


def test_priority_basic_has_no_fair_share() -> None:
    """What the local cluster's sshare prints (priority/basic): no NormShares anywhere."""
    text = "root||||0|0.000000|||cpu=0,mem=0\n root|root|1||0|0.000000|0.000000||cpu=0,mem=0\n"
    assert parse_sshare(text, "root") is None


@pytest.fixture
def jp_server_config(slurm: None) -> dict[str, object]:
    return {
        "ServerApp": {"jpserver_extensions": {"jupyterlab_hpc": True}},
        "HPCConfig": {"scheduler": "slurm"},
    }


async def test_not_available_on_the_local_slurm_and_asked_once(
    jp_fetch: Any, jp_web_app: Any
) -> None:
    body = await get_json(jp_fetch, "cluster", "share")
    assert body["available"] is False
    assert body["accounts"] == []
    await asyncio.gather(*(get_json(jp_fetch, "cluster", "share") for _ in range(5)))
    assert jp_web_app.settings["jupyterlab_hpc"].share.asked == 1
