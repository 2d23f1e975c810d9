"""pytest fixtures for the PBS tests: a fresh replay server per test."""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ..replay_state import read_state, write_state
from .replay import COMMANDS, STATE_ENV, initial_state, set_job_history

REPLAY_BIN = Path(__file__).resolve().parent


@dataclass
class PBSReplay:
    """The replay server of one test: its state file and the paths of its commands."""

    state_path: Path

    @property
    def command_paths(self) -> dict[str, str]:
        return {name: str(REPLAY_BIN / name) for name in COMMANDS}

    def state(self) -> dict[str, Any]:
        return read_state(self.state_path)

    def update(self, **values: Any) -> None:
        state = self.state()
        state.update(values)
        write_state(self.state_path, state)

    def set_job_history(self, enabled: bool) -> None:
        """An administrator's ``qmgr -c 'set server job_history_enable=...'``."""
        write_state(self.state_path, set_job_history(self.state(), enabled))

    def calls(self) -> list[list[str]]:
        calls: list[list[str]] = self.state()["calls"]
        return calls

    def clear_calls(self) -> None:
        self.update(calls=[])


@pytest.fixture
def pbs_replay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> PBSReplay:
    """A replay server initialised from the recordings; jobs 1-5 and the array are ours."""
    path = tmp_path / "pbs-state.json"
    write_state(path, initial_state(pwd.getpwuid(os.geteuid()).pw_name))
    monkeypatch.setenv(STATE_ENV, str(path))
    return PBSReplay(path)
