"""The REST API through a real Jupyter server (non-root base_url) and the real local Slurm."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from jupyterlab_hpc.schedulers.base import LISTING_COLUMNS

pytestmark = pytest.mark.usefixtures("slurm")


async def get_json(jp_fetch: Any, *path: str, **params: str) -> Any:
    response = await jp_fetch("jupyterlab-hpc", *path, params=params)
    assert response.headers["Content-Type"].startswith("application/json")
    return json.loads(response.body)


async def expect_error(jp_fetch: Any, status: int, *path: str, **kwargs: Any) -> str:
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("jupyterlab-hpc", *path, **kwargs)
    assert info.value.code == status
    assert info.value.response is not None
    body = json.loads(info.value.response.body)
    assert isinstance(body["message"], str)
    assert body["message"]
    return str(body["message"])


def test_base_url_is_not_root(jp_base_url: str) -> None:
    assert jp_base_url != "/"


async def test_capabilities(jp_fetch: Any) -> None:
    caps = await get_json(jp_fetch, "capabilities")
    assert caps["scheduler"]["kind"] == "slurm"
    assert caps["scheduler"]["available"] is True
    assert caps["scheduler"]["version"].count(".") == 2
    assert caps["scheduler"]["cluster"] == "local"
    assert caps["user"]
    assert caps["poll_interval_floor"] == 0.5


async def test_jobs_listing_mine_and_all(jp_fetch: Any, submit: Any) -> None:
    mine = submit.sbatch("-H", "-J", "api listing mine", "--wrap", "sleep 1")
    other = submit.sbatch("-H", "-J", "api listing other", "--wrap", "sleep 1", user="hpcdemo")
    body = await get_json(jp_fetch, "jobs", scope="all")
    assert body["unchanged"] is False
    assert body["columns"] == list(LISTING_COLUMNS)
    ids = {r[0] for r in body["rows"]}
    assert {mine, other} <= ids
    body = await get_json(jp_fetch, "jobs")  # scope=mine by default
    ids = {r[0] for r in body["rows"]}
    assert mine in ids
    assert other not in ids
    row = next(r for r in body["rows"] if r[0] == mine)
    job = dict(zip(body["columns"], row, strict=True))
    assert job["name"] == "api listing mine"
    assert job["state"] == "held"
    assert body["status"]["ok"] is True


async def test_unchanged_poll_sends_no_rows(jp_fetch: Any, submit: Any) -> None:
    submit.sbatch("-H", "--wrap", "sleep 1")
    first = await get_json(jp_fetch, "jobs")
    again = await get_json(jp_fetch, "jobs", since=str(first["version"]))
    if again["version"] == first["version"]:
        assert again["unchanged"] is True
        assert "rows" not in again
        assert again["status"]["ok"] is True
    stale = await get_json(jp_fetch, "jobs", since="1")
    assert stale["unchanged"] is False
    assert "rows" in stale


async def test_gzip_listing_matches_plain(jp_fetch: Any, submit: Any) -> None:
    import gzip

    submit.sbatch("-H", "--wrap", "sleep 1")
    plain = await jp_fetch("jupyterlab-hpc", "jobs", params={"scope": "all"})
    zipped = await jp_fetch(
        "jupyterlab-hpc",
        "jobs",
        params={"scope": "all"},
        headers={"Accept-Encoding": "gzip"},
        decompress_response=False,
    )
    assert zipped.headers["Content-Encoding"] == "gzip"
    a, b = json.loads(plain.body), json.loads(gzip.decompress(zipped.body))
    if a["version"] == b["version"]:
        assert a["rows"] == b["rows"]
    assert b["columns"] == list(LISTING_COLUMNS)


async def test_filters(jp_fetch: Any, submit: Any) -> None:
    job = submit.sbatch("-H", "-p", "long", "-J", "Filter-Target", "--wrap", "sleep 1")
    ids = lambda body: {r[0] for r in body["rows"]}  # noqa: E731
    assert job in ids(await get_json(jp_fetch, "jobs", partition="long"))
    assert job not in ids(await get_json(jp_fetch, "jobs", partition="debug"))
    assert job in ids(await get_json(jp_fetch, "jobs", state="held"))
    assert job not in ids(await get_json(jp_fetch, "jobs", state="running"))
    assert job in ids(await get_json(jp_fetch, "jobs", name="filter-tar"))


@pytest.mark.parametrize(
    ("params", "word"),
    [
        ({"scope": "everyone"}, "scope"),
        ({"since": "abc"}, "since"),
        ({"since": "9" * 5000}, "since"),
        ({"since": "-1"}, "since"),
        ({"partition": "../etc"}, "partition"),
        ({"partition": "-h"}, "partition"),
        ({"state": "exploded"}, "state"),
        ({"name": "x" * 201}, "name"),
    ],
)
async def test_bad_listing_parameters(jp_fetch: Any, params: dict[str, str], word: str) -> None:
    message = await expect_error(jp_fetch, 400, "jobs", params=params)
    assert word in message


@pytest.mark.parametrize(
    ("body", "word"),
    [
        ("not json", "not valid JSON"),
        ("[]", "body must be"),
        ('{"action": "explode", "job_ids": ["1"]}', "action must be one of"),
        ('{"action": "cancel"}', "job_ids"),
        ('{"action": "cancel", "job_ids": []}', "job_ids"),
        ('{"action": "cancel", "job_ids": ["-h"]}', "not a valid job id"),
        ('{"action": "cancel", "job_ids": ["--uid=0"]}', "not a valid job id"),
        ('{"action": "cancel", "job_ids": [12]}', "not a valid job id"),
        ('{"action": "cancel", "job_ids": ["1; rm -rf /"]}', "not a valid job id"),
        ('{"action": "hold", "job_ids": ' + json.dumps(["1"] * 1001) + "}", "At most"),
    ],
)
async def test_bad_action_bodies(jp_fetch: Any, body: str, word: str) -> None:
    message = await expect_error(jp_fetch, 400, "jobs", "actions", method="POST", body=body)
    assert word in message


async def test_partitions(jp_fetch: Any) -> None:
    body = await get_json(jp_fetch, "partitions")
    parts = {p["name"]: p for p in body["partitions"]}
    assert parts["debug"]["default"] is True
    assert parts["long"]["time_limit"] == 7 * 86400


class TestWithoutBatchSystem:
    @pytest.fixture
    def jp_server_config(self) -> dict[str, object]:
        return {
            "ServerApp": {"jpserver_extensions": {"jupyterlab_hpc": True}},
            "HPCConfig": {"scheduler": "none"},
        }

    async def test_capabilities_say_so(self, jp_fetch: Any) -> None:
        caps = await get_json(jp_fetch, "capabilities")
        assert caps["scheduler"]["available"] is False
        assert "No batch system found" in caps["scheduler"]["message"]

    async def test_listing_is_503_with_a_message(self, jp_fetch: Any) -> None:
        assert "No batch system" in await expect_error(jp_fetch, 503, "jobs")
        assert "No batch system" in await expect_error(jp_fetch, 503, "partitions")
