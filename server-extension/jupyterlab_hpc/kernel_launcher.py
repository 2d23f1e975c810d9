"""``python -m jupyterlab_hpc.kernel_launcher``: the name kernel.json files with modules attached
start with (users' own files say it, so it stays). The launcher is kernels/launcher.py.
"""

from __future__ import annotations

from .kernels.launcher import main

if __name__ == "__main__":
    main()
