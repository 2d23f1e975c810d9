"""The demo's JupyterLab: `make demo` starts it, and so do the UI tests of the demo.

Everything it changes lives in one state folder, DEMO_STATE (`.demo` in the repository for
`make demo`), never in the user's own Jupyter folders:
- `home/`: the server's root, a copy of `demo/files` (made once: your changes are kept);
- `settings/`: JupyterLab settings for the demo (no news prompt);
- `workspaces/`: the first layout: the HPC jobs panel open, the tour's README and notebook;
- `modules/`: a small Lmod tree (the one the tests build), added to MODULEPATH as a site
  admin would, with HPCConfig.module_paths;
- `data/`: the Jupyter data folder (JUPYTER_DATA_DIR, set by whoever starts the server),
  with a kernel that loads a module when it starts.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from jupyter_core.paths import jupyter_data_dir
from jupyterlab_server.workspaces_handler import WorkspacesManager

DEMO = Path(__file__).resolve().parent
REPO = DEMO.parent
STATE = Path(os.environ.get("DEMO_STATE", REPO / ".demo")).resolve()
KERNEL_NAME = "demo-python-gcc"

sys.path.insert(0, str(REPO / "server-extension"))
from jupyterlab_hpc.kernels.modules import with_launcher  # noqa: E402
from tests.moduletrees import LMOD_CMD, build_lmod_tree  # noqa: E402


def _home() -> Path:
    home = STATE / "home"
    if not home.exists():
        shutil.copytree(DEMO / "files", home)
    return home


def _settings() -> Path:
    folder = STATE / "settings" / "@jupyterlab" / "apputils-extension"
    folder.mkdir(parents=True, exist_ok=True)
    # No "would you like to receive news?" prompt on a machine that has no internet anyway.
    (folder / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}, indent=2) + "\n"
    )
    return STATE / "settings"


def _workspaces() -> Path:
    folder = STATE / "workspaces"
    folder.mkdir(parents=True, exist_ok=True)
    manager = WorkspacesManager(str(folder))
    if not manager.list_workspaces():  # the first start only: later, the user's own layout
        manager.save("default", (DEMO / "workspace.json").read_text())
    return folder


def _modules() -> Path:
    return build_lmod_tree(STATE / "modules")


def _kernel() -> None:
    """A Python kernel that loads gcc/12.2.0 each time it starts (the kernel editor's
    "load at launch"), in the demo's own Jupyter data folder."""
    folder = Path(jupyter_data_dir()) / "kernels" / KERNEL_NAME
    folder.mkdir(parents=True, exist_ok=True)
    spec: dict[str, Any] = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 with gcc 12.2.0 (demo)",
        "language": "python",
        "metadata": {"debugger": True},
    }
    spec = with_launcher(spec, "lmod", LMOD_CMD, ["gcc/12.2.0"])
    (folder / "kernel.json").write_text(json.dumps(spec, indent=1) + "\n")


c: Any
c = get_config()  # type: ignore[name-defined]  # noqa: F821
c.ServerApp.root_dir = str(_home())
c.LabApp.user_settings_dir = str(_settings())
c.LabApp.workspaces_dir = str(_workspaces())
c.HPCConfig.module_system = "lmod"
c.HPCConfig.lmod_command = LMOD_CMD
c.HPCConfig.module_paths = [str(_modules())]
if "JUPYTER_DATA_DIR" in os.environ:  # never write into the user's own kernels folder
    _kernel()
if os.getuid() == 0:
    c.ServerApp.allow_root = True
