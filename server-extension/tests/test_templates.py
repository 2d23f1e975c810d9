"""Submit templates: the site's from HPCConfig (read-only) and the user's own file."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from jupyterlab_hpc.jobs.templates import (
    TemplateError,
    TemplateStore,
    site_templates,
    validate_template_name,
)

SITE = [
    {
        "name": "GPU job",
        "description": "One GPU for an hour",
        "script": "#!/bin/bash\nnvidia-smi\n",
        "options": {"partition": "debug", "gres": "gpu:1", "time_limit": "60"},
    },
    {"name": "bad/name", "script": "#!/bin/bash\n"},
    {"name": "bad option", "script": "#!/bin/bash\n", "options": {"nodes": "many"}},
    "not an object",
    {"name": "GPU job", "script": "#!/bin/bash\n"},
]


def test_site_templates_keep_the_good_and_log_the_bad(caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("test-templates")
    with caplog.at_level(logging.WARNING, logger="test-templates"):
        templates = site_templates(SITE, log)
    assert [t.name for t in templates] == ["GPU job"]
    assert templates[0].options == {"partition": "debug", "gres": "gpu:1", "time_limit": "60"}
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 4
    assert "entry 2 ('bad/name') is ignored: 'bad/name' is not a valid template name" in lines[0]
    assert "entry 3 ('bad option') is ignored: nodes must be a whole number." in lines[1]
    assert "entry 4 (#4) is ignored" in lines[2]
    assert "entry 5 ('GPU job') is ignored: an earlier entry has the same name." in lines[3]


@pytest.mark.parametrize(
    "name", ["", " x", "x ", "a/b", "..", ".x", "x" * 65, "$(id)", "a\nb", "-h", "é"]
)
def test_bad_template_names(name: str) -> None:
    with pytest.raises(TemplateError):
        validate_template_name(name)


def test_good_template_names() -> None:
    for name in ("a", "GPU job (2)", "mpi_4.1-x+y", "x" * 64):
        assert validate_template_name(name) == name


def store(tmp_path: Path) -> TemplateStore:
    log = logging.getLogger("test-templates")
    return TemplateStore(site_templates(SITE[:1], log), tmp_path / "t" / "templates.json", log)


def test_user_templates_round_trip(tmp_path: Path) -> None:
    s = store(tmp_path)
    s.save("mine", {"description": "d", "script": "#!/bin/sh\n", "options": {"nodes": 2}})
    s.save("other", {"script": "#!/bin/sh\necho 2\n"})
    s.save("mine", {"description": "new", "script": "#!/bin/sh\n"})
    assert [(t.name, t.source, t.description) for t in s.list()] == [
        ("GPU job", "site", "One GPU for an hour"),
        ("mine", "user", "new"),
        ("other", "user", ""),
    ]
    on_disk = json.loads(s.user_file.read_text())
    assert [t["name"] for t in on_disk["templates"]] == ["mine", "other"]
    assert s.user_file.stat().st_mode & 0o777 == 0o600
    s.delete("mine")
    assert [t.name for t in s.list()] == ["GPU job", "other"]
    with pytest.raises(TemplateError) as info:
        s.delete("mine")
    assert info.value.status == 404
    for change in (lambda: s.delete("GPU job"), lambda: s.save("GPU job", {"script": ""})):
        with pytest.raises(TemplateError) as info:
            change()
        assert info.value.status == 403
    assert not list(s.user_file.parent.glob(".templates.json.*"))  # no temp file left


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"[]",
        b'{"templates": [{"name": "../x", "script": ""}]}',
        b'{"templates": [{"name": "a", "script": ""}, {"name": "a", "script": ""}]}',
        b"\xff\xfe",
    ],
)
def test_a_corrupt_file_is_kept_aside_and_reported(tmp_path: Path, content: bytes) -> None:
    s = store(tmp_path)
    s.user_file.parent.mkdir(parents=True)
    s.user_file.write_bytes(content)
    assert [t.name for t in s.list()] == ["GPU job"]
    kept = list(s.user_file.parent.glob("templates.json.corrupt-*"))
    assert len(kept) == 1
    assert kept[0].read_bytes() == content  # nothing lost
    assert len(s.warnings) == 1
    assert str(kept[0]) in s.warnings[0]
    # The next save starts a new file and leaves the kept one alone.
    s.save("fresh", {"script": "#!/bin/sh\n"})
    assert [t.name for t in s.list()] == ["GPU job", "fresh"]
    assert kept[0].read_bytes() == content


@pytest.fixture
def jp_server_config() -> dict[str, object]:
    return {
        "ServerApp": {"jpserver_extensions": {"jupyterlab_hpc": True}},
        "HPCConfig": {
            "poll_interval_floor": 0.5,
            "listing_cost_factor": 0.0,
            "submit_templates": SITE,
        },
    }


async def templates(jp_fetch: Any) -> list[dict[str, Any]]:
    body = json.loads((await jp_fetch("jupyterlab-hpc", "submit", "templates")).body)
    assert body["warnings"] == []
    result: list[dict[str, Any]] = body["templates"]
    return result


async def test_templates_api(jp_fetch: Any, jp_data_dir: Path) -> None:
    assert await templates(jp_fetch) == [
        {
            "name": "GPU job",
            "source": "site",
            "description": "One GPU for an hour",
            "script": "#!/bin/bash\nnvidia-smi\n",
            "options": {"partition": "debug", "gres": "gpu:1", "time_limit": "60"},
        }
    ]
    body = {"description": "mine", "script": "#!/bin/bash\necho 1\n", "options": {"ntasks": 4}}
    saved = await jp_fetch(
        "jupyterlab-hpc", "submit", "templates", "My job (1)", method="PUT", body=json.dumps(body)
    )
    assert json.loads(saved.body) == {"name": "My job (1)", "source": "user", **body}
    assert [t["name"] for t in await templates(jp_fetch)] == ["GPU job", "My job (1)"]
    stored = json.loads((jp_data_dir / "jupyterlab-hpc" / "templates.json").read_text())
    assert stored["templates"][0]["options"] == {"ntasks": 4}

    for method in ("PUT", "DELETE"):
        with pytest.raises(HTTPClientError) as info:
            await jp_fetch(
                "jupyterlab-hpc",
                "submit",
                "templates",
                "GPU job",
                method=method,
                body=json.dumps(body) if method == "PUT" else None,
                allow_nonstandard_methods=True,
            )
        assert info.value.code == 403
        assert "site template" in json.loads(info.value.response.body)["message"]  # type: ignore[union-attr]

    with pytest.raises(HTTPClientError) as info:
        await jp_fetch(
            "jupyterlab-hpc",
            "submit",
            "templates",
            "x",
            method="PUT",
            body=json.dumps({"script": "#!/bin/sh\n", "options": {"memory": "lots"}}),
        )
    assert info.value.code == 400
    assert json.loads(info.value.response.body)["field"] == "memory"  # type: ignore[union-attr]

    deleted = await jp_fetch("jupyterlab-hpc", "submit", "templates", "My job (1)", method="DELETE")
    assert deleted.code == 204
    assert [t["name"] for t in await templates(jp_fetch)] == ["GPU job"]
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("jupyterlab-hpc", "submit", "templates", "My job (1)", method="DELETE")
    assert info.value.code == 404
