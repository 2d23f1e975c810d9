"""The state file the test-only batch-system stand-ins (pbs_replay, torque_replay) share
between their commands: JSON, locked for the length of one command."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

State = dict[str, Any]
# A stand-in's exit code for what it cannot answer (no recording, no state file).
NOT_RECORDED = 99


def write_state(path: Path, state: State) -> None:
    """Written whole or not at all: the UI tests read the file without the lock (the calls
    the stand-ins were asked) while the queue panel's polls write it, and a reader must never
    see it half written."""
    part = path.with_name(f".{path.name}.{os.getpid()}.part")
    part.write_text(json.dumps(state, indent=1))
    os.replace(part, path)


def read_state(path: Path) -> State:
    data: State = json.loads(path.read_text())
    return data


@contextlib.contextmanager
def locked_state_in(env_name: str, program: str) -> Iterator[State]:
    """The state named by ``$env_name``, locked for one command, written back when the
    command is done."""
    name = os.environ.get(env_name)
    if not name:
        sys.stderr.write(f"{program}: set {env_name} to the state file\n")
        raise SystemExit(NOT_RECORDED)
    path = Path(name)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        state = read_state(path)
        yield state
        write_state(path, state)
