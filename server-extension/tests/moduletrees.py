"""Real module trees for the tests: Lmod (.lua) and Environment Modules (Tcl) modulefiles.

Both trees hold the same shape:
  core/      gcc/12.2.0 (default), gcc/13.1.0, py-numpy/1.26.4-gcc-12, tool/1.0,
             tool 2.0-beta (hidden), broken/1.0 (fails to load)
  compiler/  openmpi/4.1.5, visible after loading gcc/12.2.0
  mpi/       hdf5/1.14.0, visible after loading gcc/12.2.0 and openmpi/4.1.5
"""

from __future__ import annotations

import os
from pathlib import Path

LMOD_CMD = "/usr/share/lmod/lmod/libexec/lmod"
# Debian's lmod and environment-modules conflict; scripts/install-system-deps unpacks the
# latter here (see the script).
MODULES_CMD = "/opt/environment-modules/usr/lib/x86_64-linux-gnu/modulecmd.tcl"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def build_lmod_tree(root: Path) -> Path:
    """The Lmod tree under ``root``; returns the core MODULEPATH entry."""
    core, compiler, mpi = root / "core", root / "compiler/gcc/12.2.0", root / "mpi/gcc-ompi"
    for version in ("12.2.0", "13.1.0"):
        extra = f'prepend_path("MODULEPATH", "{compiler}")\n' if version == "12.2.0" else ""
        _write(
            core / f"gcc/{version}.lua",
            f'whatis("Name: gcc")\nwhatis("Description: GNU compiler collection {version}")\n'
            f'help([[The GNU compilers, version {version}.]])\nfamily("compiler")\n'
            f'setenv("GCC_HOME", "/opt/gcc/{version}")\n'
            f'prepend_path("PATH", "/opt/gcc/{version}/bin")\n{extra}',
        )
    _write(core / "gcc/.modulerc.lua", 'module_version("gcc/12.2.0", "default")\n')
    _write(
        core / "py-numpy/1.26.4-gcc-12.lua",
        'whatis("Description: NumPy")\nsetenv("NUMPY_ROOT", "/opt/numpy")\n',
    )
    _write(core / "tool/1.0.lua", 'whatis("Description: A tool")\nsetenv("TOOL", "1.0")\n')
    _write(core / "tool/.2.0-beta.lua", 'whatis("Description: A beta")\nsetenv("TOOL", "beta")\n')
    _write(
        core / "broken/1.0.lua",
        'setenv("BROKEN_WAS_HERE", "1")\nLmodError("broken/1.0 needs a GPU node")\n',
    )
    _write(
        compiler / "openmpi/4.1.5.lua",
        f'whatis("Description: Open MPI")\nfamily("mpi")\nsetenv("MPI_HOME", "/opt/openmpi")\n'
        f'prepend_path("MODULEPATH", "{mpi}")\n',
    )
    _write(
        mpi / "hdf5/1.14.0.lua",
        'whatis("Description: HDF5 library")\nsetenv("HDF5_DIR", "/opt/hdf5")\n',
    )
    return core


def build_tcl_tree(root: Path) -> Path:
    """The Environment Modules tree under ``root``; returns the core MODULEPATH entry."""
    core, compiler, mpi = root / "core", root / "compiler/gcc/12.2.0", root / "mpi/gcc-ompi"
    head = "#%Module1.0\n"
    for version in ("12.2.0", "13.1.0"):
        extra = f"module use {compiler}\n" if version == "12.2.0" else ""
        _write(
            core / f"gcc/{version}",
            f'{head}module-whatis "Name: gcc"\n'
            f'module-whatis "Description: GNU compiler collection {version}"\n'
            f'proc ModulesHelp {{}} {{ puts stderr "The GNU compilers, version {version}." }}\n'
            f"conflict gcc\nsetenv GCC_HOME /opt/gcc/{version}\n"
            f"prepend-path PATH /opt/gcc/{version}/bin\n{extra}",
        )
    _write(core / "gcc/.modulerc", f"{head}module-version gcc/12.2.0 default\n")
    _write(
        core / "py-numpy/1.26.4-gcc-12",
        f'{head}module-whatis "Description: NumPy"\nsetenv NUMPY_ROOT /opt/numpy\n',
    )
    _write(core / "tool/1.0", f'{head}module-whatis "Description: A tool"\nsetenv TOOL 1.0\n')
    _write(core / "tool/2.0-beta", f'{head}module-whatis "Description: A beta"\nsetenv TOOL beta\n')
    _write(core / "tool/.modulerc", f"{head}module-hide tool/2.0-beta\n")
    _write(
        core / "broken/1.0",
        f'{head}setenv BROKEN_WAS_HERE 1\nerror "broken/1.0 needs a GPU node"\n',
    )
    _write(
        compiler / "openmpi/4.1.5",
        f'{head}module-whatis "Description: Open MPI"\nconflict openmpi\n'
        f"setenv MPI_HOME /opt/openmpi\nmodule use {mpi}\n",
    )
    _write(
        mpi / "hdf5/1.14.0",
        f'{head}module-whatis "Description: HDF5 library"\nsetenv HDF5_DIR /opt/hdf5\n',
    )
    return core


def clean_module_env(modulepath: Path, home: Path) -> dict[str, str]:
    """A process environment with no module loaded and only ``modulepath`` on MODULEPATH."""
    drop = (
        "LOADEDMODULES",
        "_LMFILES_",
        "MODULEPATH",
        "LMOD_",
        "__LMOD",
        "_ModuleTable",
        "__MODULES_",
        "MODULES_",
        "MODULESHOME",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env.update({"MODULEPATH": str(modulepath), "HOME": str(home)})
    return env
