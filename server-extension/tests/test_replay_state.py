"""The stand-ins' state file is what the UI tests read to see the commands a server ran,
without the stand-ins' lock, while the queue panel's polls keep writing it."""

from __future__ import annotations

import json
import subprocess
import threading
from pathlib import Path

from .torque_replay.fixtures import TorqueReplay


def test_a_reader_never_sees_the_state_file_half_written(torque_replay: TorqueReplay) -> None:
    # A state as large as a UI run's, after many polls were recorded.
    state = torque_replay.state()
    state["calls"] = [{"argv": ["qstat", "-x"], "cwd": "/tmp", "stdin": "x" * 200}] * 1500
    torque_replay.state_path.write_text(json.dumps(state, indent=1))
    qstat = torque_replay.command_paths["qstat"]

    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            subprocess.run([qstat], capture_output=True, timeout=30, check=False)

    poller = threading.Thread(target=poll)
    poller.start()
    torn: list[str] = []
    try:
        for _ in range(1500):
            text = Path(torque_replay.state_path).read_text()
            try:
                json.loads(text)
            except json.JSONDecodeError as error:
                torn.append(f"{len(text)} characters: {error}")
    finally:
        stop.set()
        poller.join(timeout=60)
    assert torn == []
