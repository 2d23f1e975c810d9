"""``qstat -F json`` read as qstat's text form shows the values, on the released OpenPBS
23.06.06 (fixtures/pbs/release-23.06.06: bare numeric-looking values, raw backslashes,
invalid JSON) and on the upstream-master build (fixtures/pbs); and the JSON the PBS
stand-in prints in its release mode."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from jupyterlab_hpc.runner import CommandRunner
from jupyterlab_hpc.schedulers.base import Job
from jupyterlab_hpc.schedulers.pbs.blocking import BlockingPBS
from jupyterlab_hpc.schedulers.pbs.detail import flat_fields, job_detail
from jupyterlab_hpc.schedulers.pbs.json_reading import JsonReading
from jupyterlab_hpc.schedulers.pbs.parse import (
    listing_rows,
    parse_qstat_json,
    parse_qstat_text,
    parse_server_json,
)
from jupyterlab_hpc.schedulers.pbs.pbs_json import load_pbs_json
from jupyterlab_hpc.schedulers.pbs.scheduler import PBSScheduler

from .pbs_replay.fixtures import REPLAY_BIN, PBSReplay
from .pbs_replay.recordings import FIXTURES, stdout
from .pbs_replay.release_json import release_document

RELEASE = "release-23.06.06/"
JSON_LISTING = ["qstat", "-f", "-F", "json", "-t"]
TEXT_LISTING = ["qstat", "-f", "-t"]
# (the JSON recording, the text form of the same jobs)
SAME_JOBS = [
    ("09_qstat_f_F_json_numeric_names_all5", "11_qstat_f_numeric_names_text"),
    ("18_qstat_f_F_json_v_backslash", "19_qstat_f_v_backslash_text"),
    ("21_qstat_f_F_json_v_single_backslash", "22_qstat_f_v_single_backslash_text"),
]


def release(name: str) -> str:
    return stdout(RELEASE + name)


@pytest.mark.parametrize(("json_name", "text_name"), SAME_JOBS)
def test_release_json_reads_as_its_text_form(json_name: str, text_name: str) -> None:
    """Every attribute of every job, and so every row, as ``qstat -f`` shows it."""
    from_json = parse_qstat_json(release(json_name)).jobs
    from_text = parse_qstat_text(release(text_name)).jobs
    assert listing_rows(from_json) == listing_rows(from_text)
    assert list(from_json) == list(from_text)
    for job_id in from_text:
        assert flat_fields(from_json[job_id]) == flat_fields(from_text[job_id])


def test_numeric_looking_names_and_account_keep_their_characters() -> None:
    # 09 is not JSON at all ("Job_Name":00); 10, the same jobs without 00, is, but
    # json.loads turns 1.50 into 1.5 and 1e5 into 100000.0.
    with pytest.raises(json.JSONDecodeError, match="Expecting ',' delimiter"):
        json.loads(release("09_qstat_f_F_json_numeric_names_all5"))
    assert json.loads(release("10_qstat_f_F_json_numeric_names_without_00"))["Jobs"]["4049.pbs01"][
        "Job_Name"
    ] == pytest.approx(1.5)
    jobs = parse_qstat_json(release("09_qstat_f_F_json_numeric_names_all5")).jobs
    rows = {r[0]: Job.from_row(r) for r in listing_rows(jobs)}
    assert [j.name for j in rows.values()] == ["1.50", "1e5", "00", "12345", "wait.sh"]
    assert rows["4053.pbs01"].account == "0.10"
    valid = parse_qstat_json(release("10_qstat_f_F_json_numeric_names_without_00")).jobs
    assert [a["Job_Name"] for a in valid.values()] == ["1.50", "1e5", "12345", "wait.sh"]
    inf = parse_qstat_json(release("17_qstat_f_F_json_name_inf")).jobs["4054.pbs01"]
    assert (inf["Job_Name"], inf["Error_Path"]) == ("inf", "pbs01:/home/alice/jobs/inf.e4054")


def test_backslashes_read_as_the_text_form_shows_them() -> None:
    # 18 parses, but json.loads halves its backslashes; 21 has "\s", not JSON.
    two = release("18_qstat_f_F_json_v_backslash")
    assert json.loads(two)["Jobs"]["4055.pbs01"]["Submit_arguments"] == ("-v X=back\\slash wait.sh")
    detail = job_detail("4055.pbs01", parse_qstat_json(two).jobs)
    assert detail is not None
    fields = dict(detail.fields)
    assert fields["Submit_arguments"] == "-v X=back\\\\slash wait.sh"
    assert "X=back" + "\\" * 8 + "slash," in fields["Variable_List"]
    one = release("21_qstat_f_F_json_v_single_backslash")
    with pytest.raises(json.JSONDecodeError, match="Invalid \\\\escape"):
        json.loads(one)
    attrs = parse_qstat_json(one).jobs["4056.pbs01"]
    assert attrs["Submit_arguments"] == "-v X=back\\slash wait.sh"
    assert attrs["Variable_List"]["X"] == "back\\\\\\\\slash"


def test_every_release_value_is_the_printed_text() -> None:
    server = parse_server_json(release("02_qstat_B_f_F_json"))
    assert (server.name, server.default_queue, server.history_enabled) == (
        "pbs01",
        "workq",
        True,
    )
    # The wrapper alone, without its last newline, when nothing matched (45).
    assert parse_qstat_json(release("45_qstat_f_F_json_depend_unknown_job_without_x")).jobs == {}
    # Arrays (none recorded) and quotes follow the same writer's rules.
    assert load_pbs_json(
        '{\n    "a":[\n        1.50,\n        "x\\\\y",\n        {\n'
        '            "b":00\n        }\n    ],\n    "c":"say \\"hi\\""\n}'
    ) == {
        "a": ["1.50", "x\\\\y", {"b": "00"}],
        "c": 'say "hi"',
    }


def test_master_json_keeps_working() -> None:
    """The upstream-master build escapes properly and quotes the name; its numbers are
    kept as printed (it has already made 007 a 7)."""
    attrs = parse_qstat_json(stdout("72_qstat_x_f_F_json")).jobs["9.pbs01"]
    assert attrs["Job_Name"] == "12345"
    assert attrs["Submit_arguments"] == (
        '-h -N 12345 -v MSG=tab\tand \\"quotes\\" and back\\\\slash,NUM=007,FLOAT=1.50 held.sh'
    )
    assert (attrs["Variable_List"]["NUM"], attrs["Variable_List"]["FLOAT"]) == ("7", "1.5")
    assert attrs["Priority"] == "0"


def test_the_stand_in_prints_json_as_the_release() -> None:
    """Each JSON recording of the release, read and printed again by the stand-in's
    release writer, comes out byte for byte."""
    names = sorted(p.name for p in (FIXTURES / RELEASE).glob("*json*.txt"))
    assert len(names) >= 6
    for name in names:
        printed = release(name)
        doc = load_pbs_json(printed)
        assert release_document(doc, matched=len(doc) > 3) == printed, name


# ---------------------------------------------------------------------------
# The backends against the stand-in in its release mode


def qsub(tmp_path: Path, *args: str) -> str:
    """The stand-in's qsub run as the recordings ran the real one (``qsub -N 1.50 wait.sh``)."""
    (tmp_path / "wait.sh").write_text("#!/bin/bash\nsleep 120\n")
    done = subprocess.run(
        [str(REPLAY_BIN / "qsub"), *args, "wait.sh"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


@pytest.fixture
def release_jobs(pbs_replay: PBSReplay, tmp_path: Path) -> dict[str, str]:
    """The release's odd jobs of 04-08, 15, 16 and 20 in the stand-in: id -> what qsub got."""
    pbs_replay.update(json_printer="release")
    asked = [
        ("-N", "1.50"),
        ("-N", "1e5"),
        ("-N", "00"),
        ("-N", "12345"),
        ("-A", "0.10"),
        ("-N", "inf"),
        ("-v", "X=back\\\\slash"),
        ("-v", "X=back\\slash"),
    ]
    jobs = {qsub(tmp_path, *option): option[1] for option in asked}
    pbs_replay.clear_calls()
    return jobs


def stand_in_listing() -> str:
    return subprocess.run(
        [str(REPLAY_BIN / "qstat"), "-f", "-F", "json", "-t"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


async def test_listing_on_the_release_shows_names_as_submitted_with_one_qstat(
    pbs_replay: PBSReplay, release_jobs: dict[str, str]
) -> None:
    with pytest.raises(json.JSONDecodeError):  # as the release's, not JSON
        json.loads(stand_in_listing())
    pbs_replay.clear_calls()
    sched = PBSScheduler(CommandRunner(pbs_replay.command_paths, timeout=10))
    for _ in range(3):
        jobs = {r[0]: Job.from_row(r) for r in await sched.list_rows()}
        assert [jobs[i].name for i in list(release_jobs)[:4]] == ["1.50", "1e5", "00", "12345"]
        assert jobs["14.pbs01"].account == "0.10"
        assert jobs["15.pbs01"].name == "inf"
    assert pbs_replay.calls() == [JSON_LISTING] * 3


async def test_detail_on_the_release_shows_backslashes_as_submitted(
    pbs_replay: PBSReplay, release_jobs: dict[str, str]
) -> None:
    sched = PBSScheduler(CommandRunner(pbs_replay.command_paths, timeout=10))
    two = dict((await sched.job_detail("16.pbs01")).fields)
    one = dict((await sched.job_detail("17.pbs01")).fields)
    assert two["Submit_arguments"] == "-v X=back\\\\slash wait.sh"
    assert one["Submit_arguments"] == "-v X=back\\slash wait.sh"
    assert "X=back" + "\\" * 4 + "slash" in one["Variable_List"]
    assert pbs_replay.calls() == [
        ["qstat", "-f", "-F", "json", "16.pbs01"],
        ["qstat", "-f", "-F", "json", "17.pbs01"],
    ]


def test_blocking_backend_on_the_release(
    pbs_replay: PBSReplay, release_jobs: dict[str, str]
) -> None:
    pbs = BlockingPBS(CommandRunner(pbs_replay.command_paths, timeout=10))
    jobs = {r[0]: Job.from_row(r) for r in pbs.list_rows()}
    assert [jobs[i].name for i in release_jobs][:6] == [
        "1.50",
        "1e5",
        "00",
        "12345",
        "wait.sh",
        "inf",
    ]
    records = pbs.job_detail("10.pbs01")
    assert [r.name for r in records] == ["1.50"]
    detail_call = ["qstat", "-f", "-F", "json", "-x", "-t", "10.pbs01"]
    assert pbs_replay.calls() == [JSON_LISTING, detail_call]


# ---------------------------------------------------------------------------
# JSON that does not read even so: the text form, remembered for a while


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def unreadable_qstat(tmp_path: Path) -> Path:
    """A qstat whose JSON no reader takes (cut short), with the text form of 11_qstat_f;
    it logs each call's arguments."""
    text = tmp_path / "qstat_f.txt"
    text.write_text(stdout("11_qstat_f"))
    log = tmp_path / "calls"
    qstat = tmp_path / "qstat"
    qstat.write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> "{log}"\n'
        'case " $* " in\n'
        '  *" -F "*) printf \'{\\n    "Jobs":{\\n        "1.pbs01":{\\n\' ;;\n'
        f'  *) cat "{text}" ;;\n'
        "esac\n"
    )
    qstat.chmod(0o755)
    return qstat


def calls(tmp_path: Path) -> list[str]:
    log = tmp_path / "calls"
    lines = log.read_text().splitlines() if log.exists() else []
    log.unlink(missing_ok=True)
    return lines


async def test_unreadable_json_sends_the_server_to_the_text_form_for_a_while(
    tmp_path: Path,
) -> None:
    clock = Clock()
    sched = PBSScheduler(CommandRunner({"qstat": str(unreadable_qstat(tmp_path))}))
    sched._json_reading = JsonReading(retry_seconds=600, clock=clock)
    rows = await sched.list_rows()
    assert [r[0] for r in rows][:2] == ["1.pbs01", "2.pbs01"]
    assert calls(tmp_path) == ["-f -F json -t", "-f -t"]
    clock.now += 599
    assert await sched.list_rows() == rows
    detail = await sched.job_detail("1.pbs01")
    assert detail.job.name == "basicjob"
    assert calls(tmp_path) == ["-f -t", "-f 1.pbs01"]  # one qstat each, no JSON
    clock.now += 1  # then JSON again (an upgraded server would be read as JSON)
    assert await sched.list_rows() == rows
    assert calls(tmp_path) == ["-f -F json -t", "-f -t"]
    assert sched.uses_json  # -F json itself was never refused


def test_unreadable_json_sends_the_blocking_backend_to_the_text_form_for_a_while(
    tmp_path: Path,
) -> None:
    clock = Clock()
    pbs = BlockingPBS(CommandRunner({"qstat": str(unreadable_qstat(tmp_path))}))
    pbs._json_reading = JsonReading(retry_seconds=600, clock=clock)
    rows = pbs.list_rows()
    assert [r[0] for r in rows][:2] == ["1.pbs01", "2.pbs01"]
    assert pbs.list_rows() == rows
    assert calls(tmp_path) == ["-f -F json -t", "-f -t", "-f -t"]
    clock.now += 600
    pbs.list_rows()
    assert calls(tmp_path) == ["-f -F json -t", "-f -t"]
