"""Read the recorded OpenPBS outputs in tests/fixtures/pbs/.

Each file is one command run: ``# key: value`` header lines (cmd, run as, exit_code,
notes), then ``# ===== stdout (N bytes) =====``, the output, ``# ===== stderr (N bytes)
=====``, the error output and ``# ===== end =====``. (The recorder wrote "18 bytes" for
every empty stderr: the sections are found by their markers, not by their counts.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "pbs"

_SECTIONS = re.compile(
    r"# ===== stdout \(\d+ bytes\) =====\n(?P<stdout>.*?)"
    r"# ===== stderr \(\d+ bytes\) =====\n(?P<stderr>.*?)"
    r"# ===== end =====\n?\Z",
    re.S,
)


@dataclass(frozen=True)
class Recording:
    name: str
    cmd: str
    exit_code: int
    stdout: str
    stderr: str
    notes: tuple[str, ...]


def recording(name: str) -> Recording:
    """The recording in ``fixtures/pbs/<name>`` (``.txt`` may be left out)."""
    path = FIXTURES / (name if name.endswith(".txt") else name + ".txt")
    text = path.read_text()
    match = _SECTIONS.search(text)
    if match is None:
        raise ValueError(f"{path.name} is not a recording")
    header: dict[str, str] = {}
    notes: list[str] = []
    for line in text[: match.start()].splitlines():
        key, _, value = line.removeprefix("# ").partition(": ")
        if key == "note":
            notes.append(value)
        else:
            header[key] = value
    return Recording(
        name=path.stem,
        cmd=header["cmd"],
        exit_code=int(header["exit_code"]),
        stdout=match["stdout"],
        stderr=match["stderr"],
        notes=tuple(notes),
    )


def stdout(name: str) -> str:
    return recording(name).stdout
