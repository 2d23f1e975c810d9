"""The module parsers on outputs recorded from Lmod 8.6.19 and Environment Modules 5.2.0
(scripts/record-module-fixtures), plus the strict Python-statement parser on hostile input."""

from __future__ import annotations

import pytest

from jupyterlab_hpc.modules import parse
from jupyterlab_hpc.modules.base import (
    InvalidName,
    Module,
    validate_collection_name,
    validate_module_name,
    validate_module_path,
)

from .conftest import fixture_text

ROOT = "/tmp/jupyterlab-hpc-module-fixtures"


def out(name: str) -> str:
    return fixture_text(f"modules/{name}")


def by_name(modules: list[Module]) -> dict[str, Module]:
    return {m.full_name: m for m in modules}


# --- the Python the module commands print ---------------------------------------------------


def test_lmod_load_output() -> None:
    changes, status = parse.parse_python_env(out("lmod_load.stdout"))
    assert status is True
    assert changes["GCC_HOME"] == "/opt/gcc/12.2.0"
    assert changes["LOADEDMODULES"] == "gcc/12.2.0"
    assert changes["PATH"].startswith("/opt/gcc/12.2.0/bin:")
    assert changes["MODULEPATH"] == f"{ROOT}/lmod/compiler/gcc/12.2.0:{ROOT}/lmod/core"


def test_envmodules_load_output() -> None:
    changes, status = parse.parse_python_env(out("envmodules_load.stdout"))
    assert status is True
    assert changes["GCC_HOME"] == "/opt/gcc/12.2.0"
    assert changes["LOADEDMODULES"] == "gcc/12.2.0"
    assert changes["_LMFILES_"] == f"{ROOT}/tcl/core/gcc/12.2.0"


@pytest.mark.parametrize("system", ["lmod", "envmodules"])
def test_failed_load_says_false_and_why(system: str) -> None:
    changes, status = parse.parse_python_env(out(f"{system}_load_broken.stdout"))
    assert status is False
    assert "BROKEN_WAS_HERE" not in changes
    assert parse.error_message(out(f"{system}_load_broken.stderr")) == (
        "broken/1.0 needs a GPU node"
    )


def test_unknown_module_messages() -> None:
    assert parse.error_message(out("lmod_load_unknown.stderr")) == (
        'The following module(s) are unknown: "nope/1.0"'
    )
    assert parse.error_message(out("envmodules_load_unknown.stderr")) == (
        "Unable to locate a modulefile for 'nope/1.0'"
    )


def test_json_error_message() -> None:
    text = '{"errors": [ { "severity": "ERROR", "message": [ "No module path defined" ] } ] }'
    assert parse.error_message(text) == "No module path defined"


def test_unset_after_empty_wins() -> None:
    code = "import os\nos.environ['A'] = ''\ndel os.environ['A']\nos.environ['B'] = 'x y'\n"
    assert parse.parse_python_env(code) == ({"A": None, "B": "x y"}, None)


@pytest.mark.parametrize(
    "code",
    [
        "import subprocess",
        "import os as o",
        "os.system('touch /tmp/pwned')",
        "os.environ['A'] = os.getcwd()",
        "os.environ['A'] = 'a' + 'b'",
        "os.chdir('/')",
        "x = 1",
        "_mlstatus = 'yes'",
        "del os.environ",
        "exec('print(1)')",
        "os.environ[1] = 'a'",
        "os.environ['A'] = 'a'; __import__('os').system('id')",
        "def f(): pass",
        "os.environ['A'] = (",
    ],
)
def test_anything_but_environment_changes_is_refused(code: str) -> None:
    with pytest.raises(parse.UnexpectedOutput):
        parse.parse_python_env(code)


def test_apply_and_diff() -> None:
    env = {"A": "1", "B": "2"}
    new = parse.apply_changes(env, {"A": None, "C": "3", "B": "2"})
    assert env == {"A": "1", "B": "2"}
    assert new == {"B": "2", "C": "3"}
    assert parse.diff_env(env, new) == {"A": None, "C": "3"}


def test_loaded_modules_from_env() -> None:
    env = {"LOADEDMODULES": "gcc/12.2.0:tool/1.0", "_LMFILES_": "/a/gcc/12.2.0.lua:/a/tool/1.0"}
    assert [(m.full_name, m.path) for m in parse.loaded_modules(env)] == [
        ("gcc/12.2.0", "/a/gcc/12.2.0.lua"),
        ("tool/1.0", "/a/tool/1.0"),
    ]
    assert parse.loaded_modules({}) == []


# --- listings -----------------------------------------------------------------------------


def test_lmod_avail() -> None:
    modules = parse.parse_lmod_avail(
        out("lmod_avail.stderr"), out("lmod_avail_default.stderr"), out("lmod_avail_hidden.stderr")
    )
    assert "tool/.2.0-beta" not in by_name(
        parse.parse_lmod_avail(out("lmod_avail.stderr"), out("lmod_avail_default.stderr"))
    )
    found = by_name(modules)
    assert list(found) == [
        "broken/1.0",
        "gcc/12.2.0",
        "gcc/13.1.0",
        "py-numpy/1.26.4-gcc-12",
        "tool/.2.0-beta",
        "tool/1.0",
    ]
    assert found["gcc/12.2.0"].default
    assert not found["gcc/13.1.0"].default
    assert found["tool/.2.0-beta"].hidden
    assert not found["tool/1.0"].hidden
    assert found["py-numpy/1.26.4-gcc-12"].package == "py-numpy"
    assert found["py-numpy/1.26.4-gcc-12"].version == "1.26.4-gcc-12"
    assert found["gcc/12.2.0"].modulepath == f"{ROOT}/lmod/core"


def test_envmodules_avail() -> None:
    found = by_name(parse.parse_envmodules_avail(out("envmodules_avail.stderr")))
    assert sorted(found) == [
        "broken/1.0",
        "gcc/12.2.0",
        "gcc/13.1.0",
        "py-numpy/1.26.4-gcc-12",
        "tool/1.0",
        "tool/2.0-beta",
    ]
    assert found["gcc/12.2.0"].default
    assert not found["gcc/13.1.0"].default
    assert not found["tool/1.0"].default  # implicit defaults are not marked, as in `avail`
    assert found["tool/2.0-beta"].hidden
    assert found["gcc/12.2.0"].path == f"{ROOT}/tcl/core/gcc/12.2.0"


def test_lmod_spider_says_what_to_load_first() -> None:
    hits = {h.full_name: h for h in parse.parse_lmod_spider_json(out("lmod_spider.stdout"))}
    assert hits["hdf5/1.14.0"].load_first == [["gcc/12.2.0", "openmpi/4.1.5"]]
    assert hits["openmpi/4.1.5"].load_first == [["gcc/12.2.0"]]
    assert hits["gcc/12.2.0"].load_first == []
    assert hits["gcc/12.2.0"].default
    assert hits["hdf5/1.14.0"].description == "HDF5 library"
    assert "tool/.2.0-beta" not in hits
    only = parse.parse_lmod_spider_json(out("lmod_spider.stdout"), "HDF5")
    assert [h.full_name for h in only] == ["hdf5/1.14.0"]


def test_envmodules_search() -> None:
    hits = {h.full_name: h for h in parse.parse_envmodules_search(out("envmodules_search.stderr"))}
    assert hits["gcc/13.1.0"].description == "GNU compiler collection 13.1.0"
    assert "hdf5/1.14.0" not in hits  # no hierarchy search in Environment Modules
    assert [
        h.full_name for h in parse.parse_envmodules_search(out("envmodules_search.stderr"), "numpy")
    ] == ["py-numpy/1.26.4-gcc-12"]


def test_show_whatis_help() -> None:
    path, actions = parse.parse_lmod_show(out("lmod_show.stderr"))
    assert path == f"{ROOT}/lmod/core/gcc/12.2.0.lua"
    assert [(a.action, a.name, a.value) for a in actions] == [
        ("setenv", "GCC_HOME", "/opt/gcc/12.2.0"),
        ("prepend-path", "PATH", "/opt/gcc/12.2.0/bin"),
        ("prepend-path", "MODULEPATH", f"{ROOT}/lmod/compiler/gcc/12.2.0"),
    ]
    assert parse.parse_lmod_whatis(out("lmod_whatis.stderr")) == [
        "Name: gcc",
        "Description: GNU compiler collection 12.2.0",
    ]
    assert parse.parse_lmod_help(out("lmod_help.stderr")) == "The GNU compilers, version 12.2.0."

    path, actions = parse.parse_envmodules_show(out("envmodules_show.stderr"))
    assert path == f"{ROOT}/tcl/core/gcc/12.2.0"
    assert [(a.action, a.name, a.value) for a in actions] == [
        ("setenv", "GCC_HOME", "/opt/gcc/12.2.0"),
        ("prepend-path", "PATH", "/opt/gcc/12.2.0/bin"),
    ]
    assert parse.parse_envmodules_whatis(out("envmodules_whatis.stderr")) == [
        "Name: gcc",
        "Description: GNU compiler collection 12.2.0",
    ]
    assert parse.parse_envmodules_help(out("envmodules_help.stderr")) == (
        "The GNU compilers, version 12.2.0."
    )


def test_versions_and_empty_collections() -> None:
    assert parse.parse_lmod_version(out("lmod_version.stderr")) == "8.6.19"
    assert parse.parse_envmodules_version(out("envmodules_version.stderr")) == "5.2.0"
    assert parse.parse_lmod_savelist(out("lmod_savelist.stderr")) == []
    assert parse.parse_envmodules_savelist(out("envmodules_savelist.stderr")) == []
    assert parse.parse_lmod_savelist("default\nmy-env\n") == ["default", "my-env"]


# --- names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "gcc/12.2.0",
        "py-numpy/1.26.4-gcc-12",
        "Core/foo",
        "intel-oneapi/2023.1+x",
        "boost/1.82.0~mpi",
        "cuda/12.2@sm80",
        "R",
        "tool/.2.0-beta",
        "python/3.11:amd",
    ],
)
def test_real_module_names_pass(name: str) -> None:
    assert validate_module_name(name) == name


@pytest.mark.parametrize(
    "name",
    [
        "-x",
        "--ignore_cache",
        "gcc 12",
        "gcc;rm",
        "gcc/$(id)",
        "a`b`",
        "gcc/",
        "a//b",
        "../etc",
        "a/../b",
        "",
        "gcc\n",
        "x" * 300,
        5,
        None,
    ],
)
def test_bad_module_names_are_refused(name: object) -> None:
    with pytest.raises(InvalidName):
        validate_module_name(name)


def test_collection_names_and_paths() -> None:
    assert validate_collection_name("my-env_2.0") == "my-env_2.0"
    for bad in ("-x", ".hidden", "a/b", "a b", ""):
        with pytest.raises(InvalidName):
            validate_collection_name(bad)
    assert validate_module_path("/opt/modules/") == "/opt/modules"
    for bad_path in ("relative", "/a:b", "/a\nb", ""):
        with pytest.raises(InvalidName):
            validate_module_path(bad_path)
