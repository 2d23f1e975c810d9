"""A second JupyterLab server for the Galata tests, on PBS: its qstat, qsub, qdel, qhold,
qrls and pbsnodes are the test-only replay executables (server-extension/tests/pbs_replay)
over a fresh state made from the recorded OpenPBS 23.06.06 outputs."""

import os
import pwd
import sys
from pathlib import Path
from tempfile import mkdtemp

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # type: ignore[name-defined]  # noqa: F821

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "server-extension"))
from tests.pbs_replay.fixtures import REPLAY_BIN  # noqa: E402
from tests.pbs_replay.replay import (  # noqa: E402
    COMMANDS,
    STATE_ENV,
    finish_recorded_jobs,
    initial_state,
)
from tests.replay_state import write_state  # noqa: E402

c.ServerApp.allow_root = True  # type: ignore[name-defined]  # noqa: F821
c.ServerApp.root_dir = mkdtemp(prefix="jupyterlab-hpc-ui-pbs-")  # type: ignore[name-defined]  # noqa: F821
c.HPCConfig.poll_interval_floor = 1.0  # type: ignore[name-defined]  # noqa: F821
# Listings as often as the floor allows, however slow squeue/qstat is on a busy test machine.
c.HPCConfig.listing_cost_factor = 0.0  # type: ignore[name-defined]  # noqa: F821
c.HPCConfig.scheduler = "pbs"  # type: ignore[name-defined]  # noqa: F821
c.HPCConfig.command_paths = {name: str(REPLAY_BIN / name) for name in COMMANDS}  # type: ignore[name-defined]  # noqa: F821

# The replay commands find their state through the environment they inherit.
_state = Path(mkdtemp(prefix="jupyterlab-hpc-ui-pbs-state-")) / "pbs-state.json"
# Jobs 2, 5, 6 and 8 have ended, as recorded later (72_qstat_x_f_F_json), so the history
# tab has PBS's finished jobs of every kind: completed, failed, over its walltime, deleted.
_user = pwd.getpwuid(os.geteuid()).pw_name
write_state(_state, finish_recorded_jobs(initial_state(_user), _user))
os.environ[STATE_ENV] = str(_state)
