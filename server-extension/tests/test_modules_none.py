"""The modules API when the admin turned the module panel off."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError


@pytest.fixture
def jp_server_config() -> dict[str, object]:
    return {
        "ServerApp": {"jpserver_extensions": {"jupyterlab_hpc": True}},
        "HPCConfig": {"module_system": "none"},
    }


async def test_no_module_system(jp_fetch: Any) -> None:
    response = await jp_fetch("jupyterlab-hpc", "modules", "status")
    status = json.loads(response.body)
    assert status["system"]["available"] is False
    assert "turned off" in status["system"]["message"]
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("jupyterlab-hpc", "modules", "avail")
    assert info.value.code == 503
    assert info.value.response is not None
    assert "turned off" in json.loads(info.value.response.body)["message"]
