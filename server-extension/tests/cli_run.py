"""Run the real ``jupyter hpc`` console script in a subprocess, with its own Jupyter folders."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

VENV_BIN = str(Path(sys.executable).parent)


@dataclass
class CLIResult:
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


class CLI:
    """``jupyter hpc`` with JUPYTER_CONFIG_DIR / JUPYTER_DATA_DIR in a test folder, so the
    server configuration and kernels it reads are the test's."""

    def __init__(self, root: Path) -> None:
        self.config_dir = root / "config"
        self.data_dir = root / "data"
        self.config_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.cwd = root

    def write_server_config(self, hpc: dict[str, Any]) -> None:
        """What a site admin puts in jupyter_server_config.json."""
        path = self.config_dir / "jupyter_server_config.json"
        path.write_text(json.dumps({"HPCConfig": hpc}))

    def environment(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env["PATH"] = VENV_BIN + os.pathsep + env.get("PATH", "")
        env["JUPYTER_CONFIG_DIR"] = str(self.config_dir)
        env["JUPYTER_DATA_DIR"] = str(self.data_dir)
        env.pop("JUPYTER_PATH", None)
        env.update(extra)
        return env

    def run(self, *args: str, module: bool = False, **env: str) -> CLIResult:
        argv = (
            [sys.executable, "-m", "jupyterlab_hpc", *args] if module else ["jupyter", "hpc", *args]
        )
        done = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            env=self.environment(**env),
            cwd=self.cwd,
            timeout=120,
            check=False,
        )
        return CLIResult(done.returncode, done.stdout, done.stderr)
