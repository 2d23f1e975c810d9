"""A third JupyterLab server for the Galata tests, on Torque: its qstat, qsub, qdel, qhold,
qrls and pbsnodes are the test-only Torque stand-ins (server-extension/tests/torque_replay)
over a fresh state made from recordings of a real Torque 6.1 server."""

import os
import pwd
import sys
from pathlib import Path
from tempfile import mkdtemp

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # type: ignore[name-defined]  # noqa: F821

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "server-extension"))
from tests.replay_state import write_state  # noqa: E402
from tests.torque_replay.fixtures import REPLAY_BIN  # noqa: E402
from tests.torque_replay.replay import COMMANDS, STATE_ENV, initial_state  # noqa: E402

c.ServerApp.allow_root = True  # type: ignore[name-defined]  # noqa: F821
c.ServerApp.root_dir = mkdtemp(prefix="jupyterlab-hpc-ui-torque-")  # type: ignore[name-defined]  # noqa: F821
c.HPCConfig.poll_interval_floor = 1.0  # type: ignore[name-defined]  # noqa: F821
# Listings as often as the floor allows, however slow squeue/qstat is on a busy test machine.
c.HPCConfig.listing_cost_factor = 0.0  # type: ignore[name-defined]  # noqa: F821
c.HPCConfig.scheduler = "torque"  # type: ignore[name-defined]  # noqa: F821
c.HPCConfig.command_paths = {name: str(REPLAY_BIN / name) for name in COMMANDS}  # type: ignore[name-defined]  # noqa: F821

# The replay commands find their state through the environment they inherit; the spec
# reads the same file (its calls) through UI_TEST_TORQUE_STATE.
_state = Path(os.environ.get("UI_TEST_TORQUE_STATE") or Path(mkdtemp()) / "torque-state.json")
_state.parent.mkdir(parents=True, exist_ok=True)
write_state(_state, initial_state(pwd.getpwuid(os.geteuid()).pw_name))
os.environ[STATE_ENV] = str(_state)
