"""Modules for a kernel through the real server: captured into env, or loaded at launch,
with real Lmod / Environment Modules trees and real kernels started by jupyter_client."""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from string import Template
from typing import Any

import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager

from jupyterlab_hpc.kernels import modules as spec_modules
from jupyterlab_hpc.modules.parse import parse_python_env

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


async def run_in_kernel(name: str, code: str) -> str:
    """Start kernel ``name`` as a notebook would, run ``code``, return what it printed."""
    km = AsyncKernelManager(kernel_name=name, kernel_spec_manager=KernelSpecManager())
    await km.start_kernel()
    kc = km.client()
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=60)
        out: list[str] = []
        await kc.execute_interactive(
            code,
            output_hook=lambda m: (
                out.append(m["content"].get("text", "")) if m["msg_type"] == "stream" else None
            ),
            timeout=60,
        )
        return "".join(out)
    finally:
        kc.stop_channels()
        await km.shutdown_kernel(now=True)


async def kernel_sees(name: str, *variables: str) -> dict[str, str | None]:
    """Start kernel ``name`` as a notebook would and read ``variables`` inside it."""
    printed = await run_in_kernel(
        name,
        f"import json, os; print(json.dumps({{v: os.environ.get(v) for v in {variables!r}}}))",
    )
    seen: dict[str, str | None] = json.loads(printed)
    return seen


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


async def load_into_session(jp_fetch: Any, *modules: str) -> None:
    """Load ``modules`` into the server session (target "server": os.environ changes)."""
    await jp_fetch(
        "jupyterlab-hpc",
        "modules",
        "load",
        method="POST",
        body=json.dumps({"modules": list(modules), "target": "server"}),
    )


def module_command(module_kind: str) -> str:
    return LMOD_CMD if module_kind == "lmod" else MODULES_CMD


async def test_a_captured_kernel_gets_its_modules_not_the_sessions(
    jp_fetch: Any, user_kernels: Path, module_kind: str
) -> None:
    """Issue 15: with gcc/13.1.0 and tool/1.0 in the server session, a kernel that captured
    gcc/12.2.0 starts with gcc/12.2.0 only (PATH, variables, the module records), and
    kernel.json holds nothing of the server's PATH, so a later change of it reaches the
    kernel."""
    await load_into_session(jp_fetch, "gcc/13.1.0")
    assert "/opt/gcc/13.1.0/bin" in os.environ["PATH"].split(":")
    assert os.environ["TOOL"] == "1.0"
    created = await create_from_python(jp_fetch, "isolated")
    own_bin = created["spec"]["env"]["PATH"].split(":")[0]
    saved = await call(
        jp_fetch,
        "POST",
        "isolated",
        "modules",
        "capture",
        body={"modules": ["gcc/12.2.0"], "version": created["version"]},
    )
    spec = saved["spec"]
    argv = spec["argv"]
    assert argv[1:3] == ["-m", "jupyterlab_hpc.kernel_launcher"]
    assert argv[argv.index("--captured") + 1] == "{resource_dir}"
    assert argv[argv.index("--") + 1 :] == created["spec"]["argv"]
    assert spec["env"]["PATH"] == f"{own_bin}:/opt/gcc/12.2.0/bin:${{PATH}}"
    assert spec["env"]["GCC_HOME"] == "/opt/gcc/12.2.0"
    # The module system's records are the launcher's, not env's; no reference counts of
    # the server's entries anywhere (Lmod's __LMOD_REF_COUNT_PATH was a copy of its PATH).
    record = spec["metadata"]["jupyterlab_hpc"]["modules"]
    assert record["state"]["LOADEDMODULES"] == "gcc/12.2.0"
    assert not {"LOADEDMODULES", "_LMFILES_"} & set(spec["env"])
    assert not [k for k in spec["env"] if k.startswith(("__LMOD", "_ModuleTable", "__MODULES"))]
    values = [*spec["env"].values(), *(v for v in record["state"].values() if v)]
    written = {part for v in values for part in re.split(r"[:;]", v)}
    assert written & set(os.environ["PATH"].split(":")) == {own_bin}

    seen = await kernel_sees(
        "isolated", "PATH", "GCC_HOME", "TOOL", "LOADEDMODULES", "MODULEPATH", "LD_LIBRARY_PATH"
    )
    path = str(seen["PATH"]).split(":")
    assert path[:2] == [own_bin, "/opt/gcc/12.2.0/bin"]
    assert "/opt/gcc/13.1.0/bin" not in path
    assert seen["TOOL"] is None
    assert seen["GCC_HOME"] == "/opt/gcc/12.2.0"
    assert seen["LOADEDMODULES"] == "gcc/12.2.0"
    assert str(seen["MODULEPATH"]).split(":")[0].endswith("compiler/gcc/12.2.0")
    assert seen["LD_LIBRARY_PATH"] == BASE_LIB
    # The kernel's module records are its own: its module command unloads gcc/12.2.0.
    printed = await run_in_kernel(
        "isolated",
        "import subprocess\n"
        f"r = subprocess.run([{module_command(module_kind)!r}, 'python', 'unload', 'gcc'],"
        " capture_output=True, text=True)\nprint(r.stdout)",
    )
    unloaded, status = parse_python_env(printed)
    assert status is not False
    assert unloaded.get("GCC_HOME", "gone") is None
    assert "/opt/gcc/12.2.0/bin" not in str(unloaded["PATH"]).split(":")
    assert not unloaded.get("LOADEDMODULES")

    # The server's PATH changes after the capture: the kernel follows it.
    os.environ["PATH"] = "/opt/added-later/bin:" + os.environ["PATH"]
    seen = await kernel_sees("isolated", "PATH")
    path = str(seen["PATH"]).split(":")
    assert path[:2] == [own_bin, "/opt/gcc/12.2.0/bin"]
    assert "/opt/added-later/bin" in path
    assert "/opt/gcc/13.1.0/bin" not in path


async def test_a_capture_of_the_old_form_still_starts_and_is_rewritten(
    jp_fetch: Any, user_kernels: Path, module_kind: str
) -> None:
    """A kernel.json captured before the launcher took part (no prefix, the module records
    and Lmod's reference counts in env) starts as it did; capturing again rewrites it in
    the new form, and removing the modules gives the kernel back as it was."""
    created = await create_from_python(jp_fetch, "old-capture")
    own = created["spec"]
    old = copy.deepcopy(own)
    old["env"] = dict(
        own["env"],
        PATH=own["env"]["PATH"].replace("${PATH}", "/opt/hpclib/1.0/bin:${PATH}"),
        HPCLIB_HOME="/opt/hpclib/1.0",
        LOADEDMODULES="hpclib/1.0",
        __LMOD_REF_COUNT_PATH="/opt/hpclib/1.0/bin:1;" + os.environ["PATH"].replace(":", ":1;"),
    )
    old["metadata"] = dict(
        own.get("metadata") or {},
        jupyterlab_hpc={
            "modules": {
                "mode": "capture",
                "modules": ["hpclib/1.0"],
                "replaced": {
                    "PATH": own["env"]["PATH"],
                    "HPCLIB_HOME": None,
                    "LOADEDMODULES": None,
                    "__LMOD_REF_COUNT_PATH": None,
                },
            }
        },
    )
    (user_kernels / "old-capture" / "kernel.json").write_text(json.dumps(old))
    seen = await kernel_sees("old-capture", "HPCLIB_HOME", "TOOL")
    assert seen == {"HPCLIB_HOME": "/opt/hpclib/1.0", "TOOL": "1.0"}  # as before, session too

    loaded = await call(jp_fetch, "GET", "old-capture")
    again = await call(
        jp_fetch,
        "POST",
        "old-capture",
        "modules",
        "capture",
        body={"modules": ["hpclib/1.0"], "version": loaded["version"]},
    )
    assert "--captured" in again["spec"]["argv"]
    assert "__LMOD_REF_COUNT_PATH" not in again["spec"]["env"]
    assert "LOADEDMODULES" not in again["spec"]["env"]
    assert again["spec"]["env"]["PATH"] == old["env"]["PATH"]
    seen = await kernel_sees("old-capture", "HPCLIB_HOME", "TOOL")
    assert seen == {"HPCLIB_HOME": "/opt/hpclib/1.0", "TOOL": None}
    removed = await call(
        jp_fetch,
        "DELETE",
        "old-capture",
        "modules",
        "capture",
        body={"version": again["version"]},
    )
    assert removed["spec"] == own


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

    # The test launch shows what the modules set and the loaded modules, the server's too.
    answer = await call(jp_fetch, "POST", "launched", "launch", body={})
    assert answer["ok"] is True, answer
    assert answer["modules"] == {"kernel": ["hpclib/1.0", "tool/1.0"], "server": ["tool/1.0"]}
    found = {d["name"]: d for d in answer["differences"]}
    assert found["HPCLIB_HOME"]["change"] == "added"
    assert found["HPCLIB_HOME"]["kernel"] == "/opt/hpclib/1.0"
    assert found["LOADEDMODULES"] == {
        "name": "LOADEDMODULES",
        "change": "changed",
        "kernel": "hpclib/1.0:tool/1.0",
        "server": "tool/1.0",
        "set_by": None,
    }
    assert found["PATH"]["kernel"].startswith("/opt/hpclib/1.0/bin:")

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


def test_env_entry_keeps_references_where_entries_were_only_added() -> None:
    clean = {"PATH": "/usr/bin:/bin", "CFLAGS": "-O2"}
    entry = spec_modules.env_entry
    assert entry("PATH", clean, "/a/bin:/usr/bin:/bin") == "/a/bin:${PATH}"
    # Appended entries keep the reference too: nothing of the server's PATH is frozen.
    assert entry("PATH", clean, "/usr/bin:/bin:/a/bin") == "${PATH}:/a/bin"
    assert entry("PATH", clean, "/a/bin:/usr/bin:/bin:/z/bin") == "/a/bin:${PATH}:/z/bin"
    # Lmod drops duplicates on the way: still only added entries.
    assert entry("PATH", {"PATH": "/usr/bin:/bin:/usr/bin"}, "/a:/usr/bin:/bin") == "/a:${PATH}"
    assert entry("PATH", clean, "/usr/bin:/bin") is None  # nothing added: nothing to write
    # Entries taken away or reordered: the full value.
    assert entry("PATH", clean, "/a/bin:/bin") == "/a/bin:/bin"
    assert entry("CFLAGS", clean, "-O3 -O2") == "-O3 -O2"
    assert entry("X", clean, "a$b") == "a$$b"
    assert entry("PATH", clean, "/$x/bin:/usr/bin:/bin") == "/$$x/bin:${PATH}"


SERVER_PATH = "/usr/local/bin:/usr/bin:/bin"


def test_split_capture_keeps_the_server_out_of_the_capture() -> None:
    """What Lmod makes of ``gcc/12.2.0`` loaded over a clean base: the variables a person
    reads go to env, the module system's records to state, and the reference counts
    only for the entries the module added (no copy of the server's PATH)."""
    clean = {
        "PATH": SERVER_PATH,
        "MODULEPATH": "/tree/core",
        "__LMOD_REF_COUNT_PATH": "/usr/local/bin:1;/usr/bin:1;/bin:1",
        "__LMOD_REF_COUNT_MODULEPATH": "/tree/core:1",
        "_ModuleTable001_": "e30=",
        "_ModuleTable_Sz_": "1",
        "GONE": "x",
        "HOME": "/home/u",
    }
    loaded = dict(
        clean,
        PATH="/opt/gcc/12.2.0/bin:" + SERVER_PATH,
        MODULEPATH="/tree/compiler/gcc/12.2.0:/tree/core",
        __LMOD_REF_COUNT_PATH="/opt/gcc/12.2.0/bin:1;/usr/local/bin:1;/usr/bin:2;/bin:1",
        __LMOD_REF_COUNT_MODULEPATH="/tree/compiler/gcc/12.2.0:1;/tree/core:1",
        _ModuleTable001_="bW9kdWxl",
        _ModuleTable002_="dGFibGU=",
        _ModuleTable_Sz_="2",
        GCC_HOME="/opt/gcc/12.2.0",
        LOADEDMODULES="gcc/12.2.0",
        _LMFILES_="/tree/core/gcc/12.2.0.lua",
    )
    del loaded["GONE"]
    env, state = spec_modules.split_capture(clean, loaded)
    assert env == {
        "GCC_HOME": "/opt/gcc/12.2.0",
        "MODULEPATH": "/tree/compiler/gcc/12.2.0:${MODULEPATH}",
        "PATH": "/opt/gcc/12.2.0/bin:${PATH}",
    }
    assert state == {
        "GONE": None,
        "LOADEDMODULES": "gcc/12.2.0",
        "_LMFILES_": "/tree/core/gcc/12.2.0.lua",
        "_ModuleTable001_": "bW9kdWxl",
        "_ModuleTable002_": "dGFibGU=",
        "_ModuleTable_Sz_": "2",
        "__LMOD_REF_COUNT_MODULEPATH": "/tree/compiler/gcc/12.2.0:1",
        "__LMOD_REF_COUNT_PATH": "/opt/gcc/12.2.0/bin:1",
    }
    # Environment Modules' shared-entry counts, "entry:count:entry:count".
    em_env, em_state = spec_modules.split_capture(
        {"PATH": SERVER_PATH},
        {"PATH": "/opt/s/bin:" + SERVER_PATH, "__MODULES_SHARE_PATH": "/opt/s/bin:2:/usr/bin:2"},
    )
    assert em_env == {"PATH": "/opt/s/bin:${PATH}"}
    assert em_state == {"__MODULES_SHARE_PATH": "/opt/s/bin:2"}


def test_launch_environment_of_a_capture_starts_from_the_clean_base() -> None:
    """The launcher's arithmetic: tell back what jupyter_client applied the env block to,
    then (after the purge) expand the block over the clean base and apply the state."""
    spec_env = {
        "PATH": "/venv/bin:/opt/gcc/12.2.0/bin:${PATH}",
        "LD_LIBRARY_PATH": "/opt/gcc/lib:${LD_LIBRARY_PATH}",
        "GCC_HOME": "/opt/gcc/12.2.0",
        "PRICE": "$$5 ${HOME}",
    }
    session = {  # the server with gcc/13.1.0 and tool/1.0 loaded
        "PATH": "/opt/gcc/13.1.0/bin:" + SERVER_PATH,
        "HOME": "/home/u",
        "GCC_HOME": "/opt/gcc/13.1.0",
        "TOOL": "1.0",
        "LOADEDMODULES": "gcc/13.1.0:tool/1.0",
        "__LMOD_REF_COUNT_PATH": "/opt/gcc/13.1.0/bin:1;/usr/local/bin:1;/usr/bin:2;/bin:1",
    }
    applied = dict(session)  # what jupyter_client hands the launcher
    for name, template in spec_env.items():
        applied[name] = Template(template).safe_substitute(session)
    assert applied["LD_LIBRARY_PATH"] == "/opt/gcc/lib:${LD_LIBRARY_PATH}"  # not set
    inherited = spec_modules.inherited_environment(applied, spec_env)
    assert inherited["PATH"] == session["PATH"]
    assert "LD_LIBRARY_PATH" not in inherited
    assert inherited["LOADEDMODULES"] == session["LOADEDMODULES"]  # the session's records
    assert spec_modules.has_modules_loaded(inherited)
    # What the purge of the session's modules gives.
    clean = {
        "PATH": SERVER_PATH,
        "HOME": "/home/u",
        "__LMOD_REF_COUNT_PATH": "/usr/local/bin:1;/usr/bin:2;/bin:1",
    }
    state = {
        "LOADEDMODULES": "gcc/12.2.0",
        "__LMOD_REF_COUNT_PATH": "/opt/gcc/12.2.0/bin:1",
        "UNSET_BY_MODULE": None,
    }
    final = spec_modules.captured_environment(dict(clean, UNSET_BY_MODULE="x"), spec_env, state)
    assert final == {
        "PATH": "/venv/bin:/opt/gcc/12.2.0/bin:" + SERVER_PATH,
        "LD_LIBRARY_PATH": "/opt/gcc/lib:${LD_LIBRARY_PATH}",  # as jupyter_client would
        "GCC_HOME": "/opt/gcc/12.2.0",
        "PRICE": "$5 /home/u",
        "HOME": "/home/u",
        "LOADEDMODULES": "gcc/12.2.0",
        "__LMOD_REF_COUNT_PATH": "/opt/gcc/12.2.0/bin:1;/usr/local/bin:1;/usr/bin:2;/bin:1",
    }
    # A value that does not refer to itself, or does not match, is left as it is.
    odd = {"PATH": "/x/bin", "MANPATH": "/m:${MANPATH}"}
    assert spec_modules.inherited_environment({"PATH": "/x/bin", "MANPATH": "/other"}, odd) == {
        "PATH": "/x/bin",
        "MANPATH": "/other",
    }


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
