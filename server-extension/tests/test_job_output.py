"""Reading windows of an output file: ranges, limits and UTF-8 boundaries."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jupyterlab_hpc.jobs.output import OutputUnreadable, read_output, window

TEXT = "ab é漢🚀\nline two\n"  # 1, 2 (é), 3 (漢) and 4 (🚀) byte characters
DATA = TEXT.encode()


@pytest.fixture
def out(tmp_path: Path) -> str:
    path = tmp_path / "slurm-1.out"
    path.write_bytes(DATA)
    return str(path)


def test_window() -> None:
    assert window(100, 10, None, 20) == (10, 30)
    assert window(100, 90, None, 20) == (90, 100)
    assert window(100, 200, None, 20) == (100, 100)  # past the end (file truncated)
    assert window(100, None, 50, 20) == (30, 50)
    assert window(100, None, 10, 20) == (0, 10)
    assert window(100, None, None, 20) == (80, 100)
    assert window(10, None, None, 20) == (0, 10)


def test_missing_file_is_not_an_error(tmp_path: Path) -> None:
    chunk = read_output(str(tmp_path / "not-yet.out"), limit=10)
    assert (chunk.exists, chunk.size, chunk.start, chunk.end, chunk.data) == (
        False,
        0,
        0,
        0,
        "",
    )
    assert read_output("", limit=10).exists is False


def test_every_cut_lands_on_a_character_boundary(out: str) -> None:
    """Follow with every limit from 1 byte up: the pieces always add up to the text."""
    for limit in range(1, len(DATA) + 2):
        seen, offset = "", 0
        while offset < len(DATA):
            chunk = read_output(out, offset=offset, limit=limit)
            assert chunk.start == offset
            assert chunk.end > offset, f"no progress at {offset} with limit {limit}"
            assert DATA[chunk.start : chunk.end].decode() == chunk.data
            seen += chunk.data
            offset = chunk.end
        assert seen == TEXT


def test_tail_and_before_skip_a_cut_character(out: str) -> None:
    tail = read_output(out, limit=len("\nline two\n") + 2)  # starts inside 🚀
    assert tail.data == "\nline two\n"
    assert tail.end == tail.size == len(DATA)
    earlier = read_output(out, before=tail.start, limit=5)  # starts inside 漢
    assert earlier.end == tail.start
    assert earlier.data == "🚀"
    first = read_output(out, before=earlier.start, limit=100)
    assert first.start == 0
    assert first.data == "ab é漢"


def test_offset_inside_a_character_moves_to_the_next(out: str) -> None:
    at_e = DATA.index("é".encode())
    chunk = read_output(out, offset=at_e + 1, limit=4)
    assert chunk.start == at_e + 2
    assert chunk.data == "漢"


def test_a_character_still_being_written_waits(tmp_path: Path) -> None:
    path = tmp_path / "growing.out"
    path.write_bytes(b"ok " + "漢".encode()[:2])
    chunk = read_output(str(path), offset=0, limit=100)
    assert chunk.data == "ok "
    assert chunk.end == 3
    with path.open("ab") as f:
        f.write("漢".encode()[2:])
    assert read_output(str(path), offset=chunk.end, limit=100).data == "漢"


def test_invalid_bytes_become_replacement_characters(tmp_path: Path) -> None:
    path = tmp_path / "binary.out"
    path.write_bytes(b"a\xffb\n")
    assert read_output(str(path), offset=0, limit=100).data == "a\ufffdb\n"


def test_a_fifo_or_folder_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(OutputUnreadable, match="not a regular file"):
        read_output(str(fifo), limit=10)
    with pytest.raises(OutputUnreadable, match="not a regular file"):
        read_output(str(tmp_path), limit=10)
