"""The modules REST API through a real Jupyter server, with real Lmod and Environment Modules."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from .moduletrees import LMOD_CMD, MODULES_CMD, build_lmod_tree, build_tcl_tree, clean_module_env


@pytest.fixture(params=["lmod", "environment-modules"])
def module_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def module_tree(module_kind: str, tmp_path: Path) -> Iterator[Path]:
    """The server process starts with only the test tree on MODULEPATH and a fresh HOME;
    os.environ is restored afterwards (loads with target "server" change it)."""
    build = build_lmod_tree if module_kind == "lmod" else build_tcl_tree
    core = build(tmp_path / "tree")
    home = tmp_path / "home"
    home.mkdir()
    saved = dict(os.environ)
    clean = clean_module_env(core, home)  # read before clearing: it copies os.environ
    os.environ.clear()
    os.environ.update(clean)
    yield core
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture
def jp_server_config(module_kind: str, module_tree: Path) -> dict[str, object]:
    return {
        "ServerApp": {"jpserver_extensions": {"jupyterlab_hpc": True}},
        "HPCConfig": {
            "poll_interval_floor": 0.5,
            "listing_cost_factor": 0.0,  # the tests wait just past the floor
            "module_system": module_kind,
            "lmod_command": LMOD_CMD,
            "modules_command": MODULES_CMD,
            "modules_at_start": ["tool/1.0"],
        },
    }


async def call(jp_fetch: Any, path: str, body: Any = None, **params: str) -> Any:
    if body is None:
        response = await jp_fetch("jupyterlab-hpc", "modules", path, params=params)
    else:
        response = await jp_fetch(
            "jupyterlab-hpc", "modules", path, method="POST", body=json.dumps(body)
        )
    assert response.headers["Content-Type"].startswith("application/json")
    return json.loads(response.body)


async def refused(jp_fetch: Any, status: int, path: str, body: Any = None, **params: str) -> str:
    with pytest.raises(HTTPClientError) as info:
        await call(jp_fetch, path, body, **params)
    assert info.value.code == status
    assert info.value.response is not None
    message = json.loads(info.value.response.body)["message"]
    assert isinstance(message, str)
    assert message
    return message


def names(answer: dict[str, Any]) -> list[str]:
    return [m["full_name"] for m in answer["loaded"]]


async def test_status_and_start_modules(jp_fetch: Any, module_kind: str) -> None:
    status = await call(jp_fetch, "status")
    assert status["system"]["kind"] == module_kind
    assert status["system"]["available"] is True
    assert status["system"]["version"] in ("8.6.19", "5.2.0")
    assert status["system"]["hierarchy_search"] is (module_kind == "lmod")
    assert names(status) == ["tool/1.0"]  # HPCConfig.modules_at_start
    assert os.environ["TOOL"] == "1.0"
    assert status["start_errors"] == []
    assert status["targets"] == ["server"]


async def test_avail_and_cache(jp_fetch: Any, module_kind: str) -> None:
    plain = await call(jp_fetch, "avail")
    assert plain["cached"] is False
    hidden = "tool/.2.0-beta" if module_kind == "lmod" else "tool/2.0-beta"
    if module_kind == "lmod":  # hidden modules are listed only on request
        assert plain["with_hidden"] is False
        assert hidden not in {r[0] for r in plain["rows"]}
    first = await call(jp_fetch, "avail", hidden="1")
    assert first["with_hidden"] is True
    modules = {r[0]: dict(zip(first["columns"], r, strict=True)) for r in first["rows"]}
    assert modules["gcc/12.2.0"]["default"] is True
    assert modules["gcc/12.2.0"]["package"] == "gcc"
    assert modules[hidden]["hidden"] is True
    second = await call(jp_fetch, "avail")  # the listing with hidden modules serves it
    assert second["cached"] is True
    assert second["rows"] == first["rows"]
    assert (await call(jp_fetch, "avail", refresh="1"))["cached"] is False


async def test_spider(jp_fetch: Any, module_kind: str) -> None:
    answer = await call(jp_fetch, "spider", q="hdf5")
    if module_kind == "lmod":
        assert answer["hierarchy"] is True
        assert [h["full_name"] for h in answer["hits"]] == ["hdf5/1.14.0"]
        assert answer["hits"][0]["load_first"] == [["gcc/12.2.0", "openmpi/4.1.5"]]
    else:
        assert answer["hierarchy"] is False
        assert "cannot search the module hierarchy" in answer["message"]
        assert answer["hits"] == []
    await refused(jp_fetch, 400, "spider", q="x" * 201)


async def test_show(jp_fetch: Any) -> None:
    details = await call(jp_fetch, "show", name="gcc/12.2.0")
    assert details["help"] == "The GNU compilers, version 12.2.0."
    assert {"action": "setenv", "name": "GCC_HOME", "value": "/opt/gcc/12.2.0"} in details[
        "actions"
    ]
    assert details["path"]
    await refused(jp_fetch, 404, "show", name="nope/1.0")
    await refused(jp_fetch, 400, "show", name="-x")
    await refused(jp_fetch, 400, "show", name="gcc; id")


def test_the_server_keeps_its_path(module_tree: Path) -> None:
    """The fixture swaps only the module variables and HOME: the server still has PATH
    (it once read os.environ after clearing it, and the server ran without PATH)."""
    assert os.environ.get("PATH")
    assert "/usr/bin" in os.environ["PATH"].split(os.pathsep)
    assert os.environ["MODULEPATH"] == str(module_tree)
    assert "LOADEDMODULES" not in os.environ


async def test_load_needs_an_explicit_target(jp_fetch: Any) -> None:
    message = await refused(jp_fetch, 400, "load", {"modules": ["gcc/12.2.0"]})
    assert "target" in message
    assert "GCC_HOME" not in os.environ
    await refused(jp_fetch, 400, "load", {"modules": ["gcc/12.2.0"], "target": "kernel"})
    await refused(jp_fetch, 400, "load", {"modules": [], "target": "server"})
    await refused(jp_fetch, 400, "load", {"modules": ["--ignore_cache"], "target": "server"})
    await refused(jp_fetch, 400, "load", ["gcc"])
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("jupyterlab-hpc", "modules", "load", method="POST", body=b"{not json")
    assert info.value.code == 400


async def test_load_unload_swap_reset(jp_fetch: Any) -> None:
    answer = await call(jp_fetch, "load", {"modules": ["gcc"], "target": "server"})
    assert answer["target"] == "server"
    assert names(answer) == ["tool/1.0", "gcc/12.2.0"]
    assert "GCC_HOME" in answer["changed"]
    assert os.environ["GCC_HOME"] == "/opt/gcc/12.2.0"  # new kernels and terminals get it
    assert answer["modulepath"][0].endswith("compiler/gcc/12.2.0")
    answer = await call(jp_fetch, "load", {"modules": ["openmpi/4.1.5"], "target": "server"})
    answer = await call(jp_fetch, "load", {"modules": ["hdf5/1.14.0"], "target": "server"})
    assert names(answer)[-1] == "hdf5/1.14.0"
    answer = await call(jp_fetch, "unload", {"modules": ["hdf5/1.14.0"], "target": "server"})
    assert "HDF5_DIR" not in os.environ
    await call(jp_fetch, "unload", {"modules": ["openmpi/4.1.5"], "target": "server"})
    answer = await call(
        jp_fetch, "swap", {"old": "gcc/12.2.0", "new": "gcc/13.1.0", "target": "server"}
    )
    assert names(answer) == ["tool/1.0", "gcc/13.1.0"]
    assert os.environ["GCC_HOME"] == "/opt/gcc/13.1.0"
    answer = await call(jp_fetch, "reset", {"to": "none", "target": "server"})
    assert names(answer) == []
    assert "TOOL" not in os.environ
    answer = await call(jp_fetch, "reset", {"to": "start", "target": "server"})
    assert names(answer) == ["tool/1.0"]
    assert os.environ["TOOL"] == "1.0"
    await refused(jp_fetch, 400, "reset", {"to": "elsewhere", "target": "server"})


async def test_failed_load_leaves_everything_unchanged(jp_fetch: Any) -> None:
    before = dict(os.environ)
    message = await refused(jp_fetch, 409, "load", {"modules": ["broken/1.0"], "target": "server"})
    assert "broken/1.0 needs a GPU node" in message
    assert dict(os.environ) == before
    status = await call(jp_fetch, "status")
    assert names(status) == ["tool/1.0"]


async def test_collections(jp_fetch: Any) -> None:
    assert (await call(jp_fetch, "collections"))["collections"] == []
    await call(jp_fetch, "load", {"modules": ["gcc/12.2.0"], "target": "server"})
    saved = await call(jp_fetch, "collections", {"action": "save", "name": "work"})
    assert saved["collections"] == ["work"]
    await call(jp_fetch, "reset", {"to": "none", "target": "server"})
    restored = await call(
        jp_fetch, "collections", {"action": "restore", "name": "work", "target": "server"}
    )
    assert names(restored) == ["tool/1.0", "gcc/12.2.0"]
    deleted = await call(jp_fetch, "collections", {"action": "delete", "name": "work"})
    assert deleted["collections"] == []
    await refused(jp_fetch, 409, "collections", {"action": "delete", "name": "work"})
    await refused(jp_fetch, 400, "collections", {"action": "save", "name": "../x"})
    await refused(jp_fetch, 400, "collections", {"action": "restore", "name": "work"})


async def test_use_unuse(jp_fetch: Any, module_tree: Path) -> None:
    extra = str(module_tree.parent / "mpi/gcc-ompi")
    answer = await call(jp_fetch, "paths", {"action": "use", "path": extra, "target": "server"})
    assert answer["modulepath"][0] == extra
    assert os.environ["MODULEPATH"].startswith(extra)
    avail = await call(jp_fetch, "avail")
    assert "hdf5/1.14.0" in {r[0] for r in avail["rows"]}
    answer = await call(jp_fetch, "paths", {"action": "unuse", "path": extra, "target": "server"})
    assert extra not in answer["modulepath"]
    await refused(jp_fetch, 400, "paths", {"action": "use", "path": "rel", "target": "server"})
    await refused(
        jp_fetch, 409, "paths", {"action": "use", "path": "/nonexistent", "target": "server"}
    )


async def start_kernel(jp_fetch: Any) -> str:
    response = await jp_fetch("api", "kernels", method="POST", body=json.dumps({"name": "echo"}))
    return str(json.loads(response.body)["id"])


async def start_terminal(jp_fetch: Any) -> str:
    response = await jp_fetch("api", "terminals", method="POST", body="{}")
    return str(json.loads(response.body)["name"])


def unreached(answer: dict[str, Any]) -> tuple[set[str], set[str]]:
    found = answer["not_affected"]
    return {k["id"] for k in found["kernels"]}, {t["name"] for t in found["terminals"]}


@pytest.mark.parametrize("module_kind", ["lmod"], indirect=True)
async def test_only_what_ran_before_the_last_change_is_not_affected(jp_fetch: Any) -> None:
    """Kernels and terminals started after a change inherit it: they are not listed as
    not affected, in the change's answer or in status. A new terminal that gets the name
    of a closed one (terminado reuses names) is a new terminal."""
    started: list[str] = []
    before = await start_kernel(jp_fetch)
    started.append(before)
    old_terminal = await start_terminal(jp_fetch)
    try:
        status = await call(jp_fetch, "status")
        assert unreached(status) == (set(), set())  # nothing changed since they started
        answer = await call(jp_fetch, "load", {"modules": ["gcc/12.2.0"], "target": "server"})
        assert unreached(answer) == ({before}, {old_terminal})

        after = await start_kernel(jp_fetch)
        started.append(after)
        await jp_fetch("api", "terminals", old_terminal, method="DELETE")
        new_terminal = await start_terminal(jp_fetch)
        assert new_terminal == old_terminal  # the same name, another terminal
        status = await call(jp_fetch, "status")
        assert unreached(status) == ({before}, set())

        # A change that changes nothing leaves the list as it was.
        answer = await call(jp_fetch, "load", {"modules": ["gcc/12.2.0"], "target": "server"})
        assert answer["changed"] == []
        assert unreached(answer) == ({before}, set())
        # The next real change reaches none of the running ones.
        answer = await call(jp_fetch, "unload", {"modules": ["gcc"], "target": "server"})
        assert unreached(answer) == ({before, after}, {new_terminal})
        await jp_fetch("api", "terminals", new_terminal, method="DELETE")
    finally:
        for kernel_id in started:
            await jp_fetch("api", "kernels", kernel_id, method="DELETE")
