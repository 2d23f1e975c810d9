"""``python -m jupyterlab_hpc``: the same command line as ``jupyter hpc``."""

from __future__ import annotations

from .cli import run

run()
