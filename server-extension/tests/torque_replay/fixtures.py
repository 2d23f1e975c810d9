"""pytest fixtures for the Torque tests: a fresh replay server per test."""

from __future__ import annotations

import os
import pwd
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ..replay_state import read_state, write_state
from .recordings import recording
from .replay import COMMANDS, STATE_ENV, initial_state, jobs_from_xml

REPLAY_BIN = Path(__file__).resolve().parent


def recorded(name: str) -> tuple[int, str, str]:
    """A recording of the real Torque 6.1 server (fixtures/torque/recorded/): its exit
    code, stdout and stderr, byte for byte."""
    return recording(name).as_tuple()


@dataclass
class TorqueReplay:
    """The replay server of one test: its state file and the paths of its commands."""

    state_path: Path

    @property
    def command_paths(self) -> dict[str, str]:
        return {name: str(REPLAY_BIN / name) for name in COMMANDS}

    def state(self) -> dict[str, Any]:
        return read_state(self.state_path)

    def reset(self, user: str) -> None:
        """Start again from the recordings, with alice's jobs given to ``user``."""
        write_state(self.state_path, initial_state(user))

    def show_other_users_jobs(self) -> None:
        """The admin sets the server's query_other_jobs to True: users see each other's
        jobs (the recorded server has it unset: False)."""
        state = self.state()
        state["query_other_jobs"] = True
        write_state(self.state_path, state)

    def calls(self) -> list[dict[str, Any]]:
        calls: list[dict[str, Any]] = self.state()["calls"]
        return calls

    def argvs(self) -> list[list[str]]:
        return [c["argv"] for c in self.calls()]

    def load_recorded(self, name: str) -> None:
        """The server's jobs become those of a recorded ``qstat -f -x`` answer, alice's
        given to the user the stand-ins serve."""
        state = self.state()
        state["jobs"] = jobs_from_xml(recorded(name)[1], state["user"])
        write_state(self.state_path, state)

    def letter(self, job_id: str) -> str | None:
        """A job's state letter (``C`` once ended); None when the server forgot it."""
        found = re.search(r"<job_state>(\w)</job_state>", self.state()["jobs"].get(job_id, ""))
        return found.group(1) if found else None

    def keep_completed(self, seconds: int) -> None:
        """Set the server's keep_completed: 0 forgets an ended job at once."""
        state = self.state()
        state["keep_completed"] = seconds
        write_state(self.state_path, state)

    def set_text(self, command: str, text: str) -> None:
        """What ``qstat -Q -f`` (``qstat_Q_f``) or ``pbsnodes -a`` (``pbsnodes_a``) prints
        from now on, in Torque's text form, instead of the recording."""
        assert command in ("qstat_Q_f", "pbsnodes_a")
        state = self.state()
        state[command] = text
        write_state(self.state_path, state)

    def clear_calls(self) -> None:
        state = self.state()
        state["calls"] = []
        write_state(self.state_path, state)


@pytest.fixture
def torque_replay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TorqueReplay:
    """A replay server from the recordings; alice's jobs (0-11) are ours, 19 is bob's."""
    path = tmp_path / "torque-state.json"
    replay = TorqueReplay(path)
    replay.reset(pwd.getpwuid(os.geteuid()).pw_name)
    monkeypatch.setenv(STATE_ENV, str(path))
    return replay
