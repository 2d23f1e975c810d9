"""The recordings of a real Torque 6.1 server kept in tests/fixtures/torque/recorded/, read
the way their README describes them: a ``# cmd:`` header, ``# exit_code:``, then the exact
bytes of stdout and stderr in sections that give their length."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

RECORDED = Path(__file__).resolve().parent.parent / "fixtures" / "torque" / "recorded"


@dataclass(frozen=True)
class Recording:
    exit_code: int
    stdout: str
    stderr: str

    def as_tuple(self) -> tuple[int, str, str]:
        return self.exit_code, self.stdout, self.stderr


def recording(name: str) -> Recording:
    """One recording by its file name (``01_qstat_version.txt``), byte for byte."""
    data = (RECORDED / name).read_bytes()
    code = re.search(rb"^# exit_code: (\d+)\n", data, re.M)
    assert code is not None, name
    sections: list[str] = []
    for stream in (b"stdout", b"stderr"):
        head = re.search(rb"^# ===== " + stream + rb" \((\d+) bytes\) =====\n", data, re.M)
        assert head is not None, name
        sections.append(data[head.end() : head.end() + int(head.group(1))].decode())
    return Recording(int(code.group(1)), sections[0], sections[1])
