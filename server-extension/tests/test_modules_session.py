"""The module session against real Lmod and real Environment Modules, on trees built here."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from jupyterlab_hpc.config import HPCConfig
from jupyterlab_hpc.modules import (
    EnvironmentModulesSystem,
    InvalidName,
    LmodSystem,
    ModuleError,
    ModuleSession,
    compute_module_environment,
    detect_module_system,
)
from jupyterlab_hpc.runner import CommandRunner

from .moduletrees import (
    LMOD_CMD,
    MODULES_CMD,
    build_lmod_tree,
    build_tcl_tree,
    clean_module_env,
)


@dataclass
class Tree:
    kind: str
    root: Path
    core: Path
    hidden: str  # the full name of the hidden module in this system


@pytest.fixture(params=["lmod", "environment-modules"])
def tree(request: pytest.FixtureRequest, tmp_path: Path) -> Tree:
    if request.param == "lmod":
        return Tree("lmod", tmp_path, build_lmod_tree(tmp_path / "tree"), "tool/.2.0-beta")
    return Tree("environment-modules", tmp_path, build_tcl_tree(tmp_path / "tree"), "tool/2.0-beta")


def make_session(tree: Tree) -> tuple[ModuleSession, dict[str, str]]:
    home = tree.root / "home"
    home.mkdir(exist_ok=True)
    process_env = clean_module_env(tree.core, home)  # stands for os.environ: a plain dict
    system = LmodSystem(LMOD_CMD) if tree.kind == "lmod" else EnvironmentModulesSystem(MODULES_CMD)
    return ModuleSession(system, CommandRunner(), environ=process_env, timeout=60), process_env


def loaded(session: ModuleSession) -> list[str]:
    return [m["full_name"] for m in session.loaded()]


async def test_version(tree: Tree) -> None:
    session, _ = make_session(tree)
    version = await session.version()
    assert version == ("8.6.19" if tree.kind == "lmod" else "5.2.0")


async def test_avail_marks_default_and_hidden_and_is_cached(tree: Tree) -> None:
    session, _ = make_session(tree)
    listing, cached = await session.avail(hidden=True)
    assert cached is False
    assert listing.with_hidden is True
    found = {m.full_name: m for m in listing.items}
    assert {"gcc/12.2.0", "gcc/13.1.0", "py-numpy/1.26.4-gcc-12", "tool/1.0", "broken/1.0"} <= set(
        found
    )
    assert "openmpi/4.1.5" not in found  # behind gcc/12.2.0 in the hierarchy
    assert found["gcc/12.2.0"].default
    assert not found["gcc/13.1.0"].default
    assert found[tree.hidden].hidden
    assert not found["tool/1.0"].hidden
    calls = dict(session.runner.calls)
    again, cached = await session.avail()
    assert cached is True
    assert again is listing
    assert session.runner.calls == calls  # nothing ran
    await session.load(["tool/1.0"])  # MODULEPATH unchanged: still cached, avail not re-run
    _, cached = await session.avail()
    assert cached is True
    _, cached = await session.avail(refresh=True)
    assert cached is False


async def test_hierarchy_load_unload_swap_purge(tree: Tree) -> None:
    session, process_env = make_session(tree)
    changed = await session.load(["gcc"])
    assert loaded(session) == ["gcc/12.2.0"]
    assert {"GCC_HOME", "PATH", "MODULEPATH", "LOADEDMODULES"} <= set(changed)
    assert process_env["GCC_HOME"] == "/opt/gcc/12.2.0"  # the "server" got it
    # MODULEPATH changed: the listing is new and shows the next level of the hierarchy.
    listing, cached = await session.avail()
    assert cached is False
    assert "openmpi/4.1.5" in {m.full_name for m in listing.items}
    await session.load(["openmpi/4.1.5"])
    await session.load(["hdf5/1.14.0"])
    assert loaded(session) == ["gcc/12.2.0", "openmpi/4.1.5", "hdf5/1.14.0"]
    assert session.env["HDF5_DIR"] == "/opt/hdf5"

    await session.unload(["hdf5/1.14.0"])
    assert "HDF5_DIR" not in session.env
    assert "HDF5_DIR" not in process_env
    await session.unload(["openmpi/4.1.5"])
    await session.swap("gcc/12.2.0", "gcc/13.1.0")
    assert loaded(session) == ["gcc/13.1.0"]
    assert session.env["GCC_HOME"] == "/opt/gcc/13.1.0"
    await session.purge()
    assert loaded(session) == []
    assert "GCC_HOME" not in process_env


async def test_failed_load_changes_nothing(tree: Tree) -> None:
    session, process_env = make_session(tree)
    await session.load(["tool/1.0"])
    before, before_process = dict(session.env), dict(process_env)
    with pytest.raises(ModuleError) as info:
        await session.load(["broken/1.0"])
    assert "broken/1.0 needs a GPU node" in info.value.message
    assert session.env == before
    assert process_env == before_process
    assert "BROKEN_WAS_HERE" not in session.env
    with pytest.raises(ModuleError) as info:
        await session.load(["nope/1.0"])
    assert "nope/1.0" in info.value.message
    assert session.env == before
    with pytest.raises(InvalidName):
        await session.load(["--help"])


async def test_reset_returns_to_the_site_defaults(tree: Tree) -> None:
    session, process_env = make_session(tree)
    session.start([], ["tool/1.0"])
    assert session.start_errors == []
    assert loaded(session) == ["tool/1.0"]
    assert process_env["TOOL"] == "1.0"
    await session.load(["gcc/13.1.0"])
    await session.unload(["tool/1.0"])
    await session.reset()
    assert loaded(session) == ["tool/1.0"]
    assert "GCC_HOME" not in process_env
    assert process_env["TOOL"] == "1.0"


async def test_start_keeps_errors(tree: Tree) -> None:
    session, _ = make_session(tree)
    session.start(["relative/path"], ["broken/1.0", "-x", "tool/1.0"])
    assert len(session.start_errors) == 3
    assert loaded(session) == ["tool/1.0"]


async def test_spider(tree: Tree) -> None:
    session, _ = make_session(tree)
    listing, cached = await session.spider("hdf5")
    assert cached is False
    if tree.kind == "lmod":
        assert [h.full_name for h in listing.items] == ["hdf5/1.14.0"]
        assert listing.items[0].load_first == [["gcc/12.2.0", "openmpi/4.1.5"]]
    else:  # only the current MODULEPATH; the panel says so
        assert listing.items == []
    listing, cached = await session.spider("GNU")
    assert cached is True
    assert {h.full_name for h in listing.items} == {"gcc/12.2.0", "gcc/13.1.0"}


async def test_empty_modulepath(tree: Tree) -> None:
    session, _ = make_session(tree)
    session.env.pop("MODULEPATH")
    listing, _ = await session.spider("gcc")
    assert listing.items == []
    listing, _ = await session.avail()
    assert listing.items == []


async def test_show(tree: Tree) -> None:
    session, _ = make_session(tree)
    details = await session.details("gcc/12.2.0")
    assert details.path.startswith(str(tree.core / "gcc/12.2.0"))
    assert "Description: GNU compiler collection 12.2.0" in details.whatis
    assert details.help == "The GNU compilers, version 12.2.0."
    assert ("setenv", "GCC_HOME", "/opt/gcc/12.2.0") in [
        (a.action, a.name, a.value) for a in details.actions
    ]
    with pytest.raises(ModuleError):
        await session.details("nope/1.0")


async def test_collections(tree: Tree) -> None:
    session, _ = make_session(tree)
    assert await session.collections() == []
    await session.load(["gcc/12.2.0", "tool/1.0"])
    await session.save("my-env")
    assert await session.collections() == ["my-env"]
    await session.purge()
    assert loaded(session) == []
    await session.restore("my-env")
    assert loaded(session) == ["gcc/12.2.0", "tool/1.0"]
    await session.delete_collection("my-env")
    assert await session.collections() == []
    with pytest.raises(ModuleError):
        await session.restore("my-env")
    with pytest.raises(ModuleError):
        await session.delete_collection("my-env")


async def test_use_and_unuse(tree: Tree) -> None:
    session, process_env = make_session(tree)
    extra = tree.root / "tree/mpi/gcc-ompi"
    await session.use(str(extra))
    assert session.modulepath()[0] == str(extra)
    assert process_env["MODULEPATH"].startswith(str(extra))
    listing, _ = await session.avail()
    assert "hdf5/1.14.0" in {m.full_name for m in listing.items}
    await session.unuse(str(extra))
    assert str(extra) not in session.modulepath()
    with pytest.raises(ModuleError):
        await session.use(str(tree.root / "missing"))


async def test_compute_module_environment_changes_nothing(tree: Tree) -> None:
    session, process_env = make_session(tree)
    base = dict(session.env)
    changes = await compute_module_environment(
        session.system, session.runner, ["gcc/12.2.0", "tool/1.0"], base
    )
    assert changes["GCC_HOME"] == "/opt/gcc/12.2.0"
    assert changes["TOOL"] == "1.0"
    assert changes["LOADEDMODULES"] == "gcc/12.2.0:tool/1.0"
    assert base == session.env
    assert "GCC_HOME" not in process_env
    with pytest.raises(ModuleError):
        await compute_module_environment(session.system, session.runner, ["broken/1.0"], base)


def test_detect(tmp_path: Path) -> None:
    config = HPCConfig()
    lmod = detect_module_system(config, {"LMOD_CMD": LMOD_CMD})
    assert isinstance(lmod, LmodSystem)
    assert lmod.spider_command.endswith("libexec/spider")
    mods = detect_module_system(config, {"MODULES_CMD": MODULES_CMD})
    assert isinstance(mods, EnvironmentModulesSystem)
    config = HPCConfig(module_system="environment-modules", modules_command=MODULES_CMD)
    assert isinstance(detect_module_system(config, {}), EnvironmentModulesSystem)
    config = HPCConfig(module_system="lmod", lmod_command=str(tmp_path / "missing"))
    assert detect_module_system(config, {}) is None
    assert detect_module_system(HPCConfig(module_system="none"), {"LMOD_CMD": LMOD_CMD}) is None
