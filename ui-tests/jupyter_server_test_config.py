"""JupyterLab server for the Galata tests: no token (Galata's setup), root allowed (CI runs
as root), and a short queue poll floor.

The base URL stays "/": Galata 5.6's helpers (its per-test folder, its readiness checks)
build API paths without the base path. The REST API is tested under a non-root base URL
by pytest (server-extension/tests/test_handlers.py).
"""

from pathlib import Path
from tempfile import mkdtemp

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # type: ignore[name-defined]  # noqa: F821

c.ServerApp.allow_root = True  # type: ignore[name-defined]  # noqa: F821
c.ServerApp.root_dir = mkdtemp(prefix="jupyterlab-hpc-ui-")  # type: ignore[name-defined]  # noqa: F821
c.HPCConfig.poll_interval_floor = 1.0  # type: ignore[name-defined]  # noqa: F821
# Listings as often as the floor allows, however slow squeue/qstat is on a busy test machine.
c.HPCConfig.listing_cost_factor = 0.0  # type: ignore[name-defined]  # noqa: F821
Path(c.ServerApp.root_dir, "README.txt").write_text("UI test folder\n")  # type: ignore[name-defined]  # noqa: F821

# The Modules panel: a small real Lmod tree (the same one pytest builds), added to
# MODULEPATH the way a site admin would, with HPCConfig.module_paths.
import sys  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "server-extension"))
from tests.moduletrees import LMOD_CMD, build_lmod_tree  # noqa: E402

_module_root = Path(mkdtemp(prefix="jupyterlab-hpc-ui-modules-"))
c.HPCConfig.module_system = "lmod"  # type: ignore[name-defined]  # noqa: F821
c.HPCConfig.lmod_command = LMOD_CMD  # type: ignore[name-defined]  # noqa: F821
c.HPCConfig.module_paths = [str(build_lmod_tree(_module_root))]  # type: ignore[name-defined]  # noqa: F821

# A site template for the submit panel (read-only for users).
c.HPCConfig.submit_templates = [  # type: ignore[name-defined]  # noqa: F821
    {
        "name": "Short test job",
        "description": "One CPU for a few minutes on the debug partition",
        "script": '#!/bin/bash\n\necho "Hello from $(hostname)"\nsleep 30\n',
        "options": {"partition": "debug", "time_limit": "5", "ntasks": 1},
    }
]

# Kernels in batch jobs (batch-kernels.spec.ts): the one-node cluster's kernels listen on
# loopback, as a site would set the compute nodes' interface.
c.BatchKernelProvisioner.node_address = "loopback"  # type: ignore[name-defined]  # noqa: F821
