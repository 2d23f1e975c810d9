"""Modules for a kernel through the real server: captured into env, or loaded at launch,
with real Lmod / Environment Modules trees and real kernels started by jupyter_client."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager

from jupyterlab_hpc.kernels import modules as spec_modules

from .moduletrees import LMOD_CMD, MODULES_CMD, build_lmod_tree, build_tcl_tree, clean_module_env
from .test_kernelspecs_api import call, create_from_python, refused, user_kernels

__all__ = ["user_kernels"]  # the fixture, used by name

BASE_LIB = "/opt/base/lib"


def hpclib_lua(version: str) -> str:
    return (
        f'setenv("HPCLIB_HOME", "/opt/hpclib/{version}")\n'
        f'prepend_path("PATH", "/opt/hpclib/{version}/bin")\n'
        f'prepend_path("LD_LIBRARY_PATH", "/opt/hpclib/{version}/lib")\n'
    )


def hpclib_tcl(version: str) -> str:
    return (
        f"#%Module1.0\nsetenv HPCLIB_HOME /opt/hpclib/{version}\n"
        f"prepend-path PATH /opt/hpclib/{version}/bin\n"
        f"prepend-path LD_LIBRARY_PATH /opt/hpclib/{version}/lib\n"
    )


@pytest.fixture(params=["lmod", "environment-modules"])
def module_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def module_tree(module_kind: str, tmp_path: Path) -> Iterator[Path]:
    """The test tree plus ``hpclib/1.0``; the server (this process) starts with
    ``tool/1.0`` loaded, so a capture must start from a purged environment."""
    build = build_lmod_tree if module_kind == "lmod" else build_tcl_tree
    core = build(tmp_path / "tree")
    hpclib = core / ("hpclib/1.0.lua" if module_kind == "lmod" else "hpclib/1.0")
    hpclib.parent.mkdir()
    hpclib.write_text(hpclib_lua("1.0") if module_kind == "lmod" else hpclib_tcl("1.0"))
    home = tmp_path / "home"
    home.mkdir()
    saved = dict(os.environ)
    clean = clean_module_env(core, home)  # read before clearing: it copies os.environ
    os.environ.clear()
    os.environ.update(clean)
    os.environ["LD_LIBRARY_PATH"] = BASE_LIB
    yield hpclib
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture
def jp_server_config(module_kind: str, module_tree: Path) -> dict[str, object]:
    return {
        "ServerApp": {"jpserver_extensions": {"jupyterlab_hpc": True}},
        "HPCConfig": {
            "module_system": module_kind,
            "lmod_command": LMOD_CMD,
            "modules_command": MODULES_CMD,
            "modules_at_start": ["tool/1.0"],
        },
    }


async def kernel_sees(name: str, *variables: str) -> dict[str, str | None]:
    """Start kernel ``name`` as a notebook would and read ``variables`` inside it."""
    km = AsyncKernelManager(kernel_name=name, kernel_spec_manager=KernelSpecManager())
    await km.start_kernel()
    kc = km.client()
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=60)
        out: list[str] = []
        await kc.execute_interactive(
            f"import json, os; print(json.dumps({{v: os.environ.get(v) for v in {variables!r}}}))",
            output_hook=lambda m: (
                out.append(m["content"].get("text", "")) if m["msg_type"] == "stream" else None
            ),
            timeout=60,
        )
        seen: dict[str, str | None] = json.loads("".join(out))
        return seen
    finally:
        kc.stop_channels()
        await km.shutdown_kernel(now=True)


async def test_capture_writes_env_and_the_kernel_sees_it(
    jp_fetch: Any, user_kernels: Path, module_kind: str
) -> None:
    created = await create_from_python(jp_fetch, "captured")
    own_path = created["spec"]["env"]["PATH"]  # "<prefix>/bin:${PATH}"
    assert os.environ["TOOL"] == "1.0"  # the server's start-up module
    saved = await call(
        jp_fetch,
        "POST",
        "captured",
        "modules",
        "capture",
        body={"modules": ["hpclib/1.0"], "version": created["version"]},
    )
    env = saved["spec"]["env"]
    assert env["HPCLIB_HOME"] == "/opt/hpclib/1.0"
    # Prepends keep a reference to what the kernel inherits, after the kernel's own entries.
    assert env["PATH"] == own_path.replace("${PATH}", "/opt/hpclib/1.0/bin:${PATH}")
    assert env["LD_LIBRARY_PATH"] == "/opt/hpclib/1.0/lib:${LD_LIBRARY_PATH}"
    assert "TOOL" not in env  # purged before loading, not part of the capture
    record = saved["spec"]["metadata"]["jupyterlab_hpc"]["modules"]
    assert record["mode"] == "capture"
    assert record["modules"] == ["hpclib/1.0"]
    on_disk = json.loads((user_kernels / "captured" / "kernel.json").read_text())
    assert on_disk == saved["spec"]
    assert os.environ.get("HPCLIB_HOME") is None  # the server did not change

    seen = await kernel_sees("captured", "HPCLIB_HOME", "PATH", "LD_LIBRARY_PATH")
    assert seen["HPCLIB_HOME"] == "/opt/hpclib/1.0"
    path = str(seen["PATH"]).split(":")
    assert path[1] == "/opt/hpclib/1.0/bin"
    assert path[2:] == os.environ["PATH"].split(":")
    assert seen["LD_LIBRARY_PATH"] == f"/opt/hpclib/1.0/lib:{BASE_LIB}"

    # Capturing again replaces the capture, capturing nothing takes it away.
    again = await call(
        jp_fetch,
        "POST",
        "captured",
        "modules",
        "capture",
        body={"modules": ["tool/1.0"], "version": saved["version"]},
    )
    assert again["spec"]["env"]["TOOL"] == "1.0"
    assert "HPCLIB_HOME" not in again["spec"]["env"]
    assert again["spec"]["env"]["PATH"] == own_path
    cleared = await call(
        jp_fetch,
        "POST",
        "captured",
        "modules",
        "capture",
        body={"modules": [], "version": again["version"]},
    )
    assert cleared["spec"] == created["spec"]


async def test_failing_module_and_bad_names_change_nothing(
    jp_fetch: Any, user_kernels: Path
) -> None:
    created = await create_from_python(jp_fetch, "unchanged")
    spec_file = user_kernels / "unchanged" / "kernel.json"
    before = spec_file.read_bytes()
    for mode in ("capture", "launch"):
        body = {"modules": ["hpclib/1.0", "broken/1.0"], "version": created["version"]}
        # Refused in both modes: "launch" checks the modules load before it writes argv.
        answer = await refused(jp_fetch, 422, "POST", "unchanged", "modules", mode, body=body)
        assert "needs a GPU node" in answer["message"]
        for bad in ("-rf", "a b", "x;rm -rf /", "../etc", 7):
            body = {"modules": [bad], "version": created["version"]}
            await refused(jp_fetch, 400, "POST", "unchanged", "modules", mode, body=body)
        await refused(jp_fetch, 400, "POST", "unchanged", "modules", mode, body={"modules": "x"})
    stale = {"mtime_ns": 1, "sha256": "0" * 64}
    await refused(
        jp_fetch,
        409,
        "POST",
        "unchanged",
        "modules",
        "launch",
        body={"modules": ["hpclib/1.0"], "version": stale},
    )
    assert spec_file.read_bytes() == before


async def test_load_at_launch_gives_fresh_module_state(
    jp_fetch: Any, user_kernels: Path, module_kind: str, module_tree: Path
) -> None:
    created = await create_from_python(jp_fetch, "launched")
    original = created["spec"]["argv"]
    saved = await call(
        jp_fetch,
        "POST",
        "launched",
        "modules",
        "launch",
        body={"modules": ["hpclib/1.0"], "version": created["version"]},
    )
    argv = saved["spec"]["argv"]
    assert argv[1:3] == ["-m", "jupyterlab_hpc.kernel_launcher"]
    assert argv[argv.index("--") + 1 :] == original
    assert argv[argv.index("--modules") + 1] == "hpclib/1.0"
    assert saved["spec"]["metadata"]["jupyterlab_hpc"]["modules"] == {
        "mode": "launch",
        "modules": ["hpclib/1.0"],
    }
    # Applying again replaces the prefix, never nests it.
    again = await call(
        jp_fetch,
        "POST",
        "launched",
        "modules",
        "launch",
        body={"modules": ["hpclib/1.0", "tool/1.0"], "version": saved["version"]},
    )
    argv = again["spec"]["argv"]
    assert argv.count("jupyterlab_hpc.kernel_launcher") == 1
    assert argv[argv.index("--modules") + 1] == "hpclib/1.0,tool/1.0"

    variables = ("HPCLIB_HOME", "PATH", "LD_LIBRARY_PATH", "TOOL")
    seen = await kernel_sees("launched", *variables)
    assert seen["HPCLIB_HOME"] == "/opt/hpclib/1.0"
    # The launcher runs after kernel.json's env is applied: module entries come first.
    assert str(seen["PATH"]).split(":")[0] == "/opt/hpclib/1.0/bin"
    assert seen["LD_LIBRARY_PATH"] == f"/opt/hpclib/1.0/lib:{BASE_LIB}"
    assert seen["TOOL"] == "1.0"
    # The modulefile changes: the next start of the kernel loads the new one.
    module_tree.write_text(hpclib_lua("1.1") if module_kind == "lmod" else hpclib_tcl("1.1"))
    seen = await kernel_sees("launched", *variables)
    assert seen["HPCLIB_HOME"] == "/opt/hpclib/1.1"
    assert str(seen["LD_LIBRARY_PATH"]).startswith("/opt/hpclib/1.1/lib:")

    # DELETE gives the kernel its own argv back.
    response = await jp_fetch(
        "jupyterlab-hpc",
        "kernelspecs",
        "launched",
        "modules",
        "launch",
        method="DELETE",
        body=json.dumps({"version": again["version"]}),
        allow_nonstandard_methods=True,
    )
    restored = json.loads(response.body)
    assert restored["spec"] == created["spec"]


def test_launcher_prefix_is_replaced_not_nested() -> None:
    spec = {"argv": ["/py", "-m", "ipykernel_launcher", "-f", "{connection_file}"], "env": {}}
    once = spec_modules.with_launcher(spec, "lmod", "/lmod", ["a"])
    twice = spec_modules.with_launcher(once, "lmod", "/lmod", ["b", "c"])
    assert twice["argv"][twice["argv"].index("--") + 1 :] == spec["argv"]
    assert spec_modules.with_launcher(twice, "lmod", "/lmod", []) == spec


def test_env_entry_keeps_references_only_for_prepends() -> None:
    clean = {"PATH": "/usr/bin", "CFLAGS": "-O2"}
    assert spec_modules.env_entry("PATH", clean, "/a/bin:/usr/bin") == "/a/bin:${PATH}"
    assert spec_modules.env_entry("PATH", clean, "/usr/bin:/a/bin") == "/usr/bin:/a/bin"
    assert spec_modules.env_entry("CFLAGS", clean, "-O3 -O2") == "-O3 -O2"
    assert spec_modules.env_entry("X", clean, "a$b") == "a$$b"


@pytest.mark.parametrize("module_kind", ["lmod"], indirect=True)
async def test_delete_needs_the_version_and_the_docs_say_so(
    jp_fetch: Any, user_kernels: Path
) -> None:
    """``DELETE .../modules/launch`` without a body is a 400 naming ``version`` (a save
    like any other), and the REST reference documents that body."""
    created = await create_from_python(jp_fetch, "needs-version")
    saved = await call(
        jp_fetch,
        "POST",
        "needs-version",
        "modules",
        "launch",
        body={"modules": ["hpclib/1.0"], "version": created["version"]},
    )
    answer = await refused(jp_fetch, 400, "DELETE", "needs-version", "modules", "launch")
    assert "version" in answer["message"]
    restored = await call(
        jp_fetch,
        "DELETE",
        "needs-version",
        "modules",
        "launch",
        body={"version": saved["version"]},
    )
    assert restored["spec"] == created["spec"]
    docs = (Path(__file__).resolve().parents[2] / "docs" / "architecture.md").read_text()
    reference = docs[docs.index("### Kernelspecs") :]
    delete = next(
        " ".join(item.split())
        for item in reference.split("\n- ")
        if item.startswith("`DELETE kernelspecs/{name}/modules/")
    )
    assert '`{"version": {"mtime_ns", "sha256"}}`' in delete
    assert "required" in delete
