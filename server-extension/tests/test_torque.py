"""Torque: parsers on outputs written from Torque's documentation, the backend against the
test-only Torque stand-ins (tests/torque_replay), and detection."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from jupyterlab_hpc.config import HPCConfig
from jupyterlab_hpc.runner import CommandRunner
from jupyterlab_hpc.schedulers.base import (
    HistoryQuery,
    InvalidJobId,
    JobNotFound,
    JobState,
    SchedulerError,
    SubmitRequest,
)
from jupyterlab_hpc.schedulers.detect import detect_scheduler, qstat_family
from jupyterlab_hpc.schedulers.pbs.detail import job_detail
from jupyterlab_hpc.schedulers.pbs.parse import PBSParseError, listing_rows, parse_server_text
from jupyterlab_hpc.schedulers.pbs.scheduler import PBSScheduler
from jupyterlab_hpc.schedulers.pbs.submit import qsub_options
from jupyterlab_hpc.schedulers.torque.commands import array_request, subjob_range_argv
from jupyterlab_hpc.schedulers.torque.parse import parse_qstat_xml, parse_torque_version
from jupyterlab_hpc.schedulers.torque.scheduler import TorqueScheduler, busy_cpus, torque_nodes

from .pbs_replay.fixtures import REPLAY_BIN as PBS_BIN
from .pbs_replay.fixtures import PBSReplay
from .torque_replay.fixtures import REPLAY_BIN as TORQUE_BIN
from .torque_replay.fixtures import TorqueReplay, recorded

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "torque"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


def jobs() -> dict[str, dict[str, object]]:
    return parse_qstat_xml(fixture("qstat_f_x.xml")).jobs


# ---------------------------------------------------------------------------
# Parsers


def test_versions() -> None:
    assert parse_torque_version(fixture("qstat_version.txt")) == "6.1.2"
    assert parse_torque_version(fixture("qstat_version_4.txt")) == "4.2.10"
    assert parse_torque_version("pbs_version = 23.06.06\n") is None
    assert parse_torque_version("slurm 22.05.8\n") is None


def test_xml_jobs_as_pbs_attributes() -> None:
    listing = parse_qstat_xml(fixture("qstat_f_x.xml"))
    assert listing.server == "torque01"
    assert list(listing.jobs)[:3] == ["12.torque01", "13.torque01", "14.torque01"]
    running = listing.jobs["12.torque01"]
    assert running["Resource_List"] == {
        "nodect": "2",
        "nodes": "2:ppn=4",
        "walltime": "01:00:00",
        "ncpus": 8,
    }
    assert running["stime"] == "1795305627"
    assert listing.jobs["17[1].torque01"]["array_id"] == "17[].torque01"


def test_rows_and_states() -> None:
    rows = {r[0]: r for r in listing_rows(jobs())}
    assert set(rows) == {
        "12.torque01",
        "13.torque01",
        "14.torque01",
        "15.torque01",
        "16.torque01",
        "17[1].torque01",
        "17[2].torque01",
    }
    state = {k: (r[8], r[9]) for k, r in rows.items()}
    assert state["12.torque01"] == ("running", "R")
    assert state["13.torque01"] == ("pending", "Q")
    assert state["14.torque01"] == ("held", "H")
    assert state["15.torque01"] == ("completed", "C")
    assert state["16.torque01"] == ("cancelled", "C")  # 271: SIGTERM from qdel
    running = rows["12.torque01"]
    assert (running[4], running[11], running[12], running[13]) == (
        "alice",
        "node01,node02",
        2,
        8,
    )
    assert (running[16], running[17]) == (303, 3600)
    assert rows["13.torque01"][14] == "16gb"
    assert rows["16.torque01"][10] == "Killed by signal 15 (exit status 271)"


def test_detail_of_a_completed_job() -> None:
    detail = job_detail("15.torque01", jobs())
    assert detail is not None
    job = detail.job
    assert (job.state, job.exit_code) == (JobState.COMPLETED, 0)
    assert job.stdout_path == "/home/alice/done.o15"
    assert job.work_dir == "/home/alice"
    assert job.end_time is not None
    assert job.start_time is not None
    assert detail.used["time"] == "00:00:05"
    assert detail.requested["nodes"] == "1"
    assert detail.requested["node_spec"] == "1:ppn=1"


def test_bad_xml() -> None:
    assert parse_qstat_xml("").jobs == {}
    with pytest.raises(PBSParseError):
        parse_qstat_xml("<Data><Job>")
    with pytest.raises(PBSParseError):
        parse_qstat_xml("<Other/>")
    with pytest.raises(PBSParseError):
        parse_qstat_xml('<!DOCTYPE d [<!ENTITY a "x">]><Data>&a;</Data>')
    with pytest.raises(PBSParseError):
        parse_qstat_xml("<Data><Job><Job_Name>x</Job_Name></Job></Data>")


def test_nodes_and_server() -> None:
    assert busy_cpus("0-3/12.torque01,4/17[1].torque01") == 5
    assert busy_cpus("0/12.torque01, 1/12.torque01") == 2
    assert busy_cpus("") == 0
    nodes = torque_nodes(fixture("pbsnodes_a.txt"))
    assert nodes["node02"]["resources_available"] == {"ncpus": 8}
    assert nodes["node02"]["resources_assigned"] == {"ncpus": 5}
    server = parse_server_text(fixture("qstat_B_f.txt"))
    assert (server.name, server.default_queue) == ("torque01", "batch")


def test_torque_qsub_options() -> None:
    request = SubmitRequest(
        nodes=2, cpus=4, memory="4G", gpus=1, array="1-10%2", workdir="/home/alice/runs"
    )
    assert qsub_options(request, torque=True) == [
        "-l", "nodes=2:ppn=4:gpus=1",
        "-l", "mem=8gb",
        "-t", "1-10%2",
        "-d", "/home/alice/runs",
    ]  # fmt: skip
    with pytest.raises(SchedulerError, match="no step"):
        qsub_options(SubmitRequest(array="1-10:2"), torque=True)


# ---------------------------------------------------------------------------
# The backend against the stand-ins


def test_several_ids_are_one_document_each() -> None:
    """Real Torque prints one XML document per id asked (57b); an unknown id among known
    ones prints none (57). Every document's jobs are read, in the order asked."""
    code, stdout, stderr = recorded("57b_qstat_f_x_two_ids.txt")
    assert (code, stderr) == (0, "")
    assert stdout.count('<?xml version="1.0"?>\n<Data>') == 2
    assert "</Data>\n<?xml" in stdout
    listing = parse_qstat_xml(stdout)
    assert list(listing.jobs) == ["22.torque01", "20.torque01"]
    assert listing.server == "torque01"
    assert listing.jobs["22.torque01"]["job_state"] == "H"
    assert listing.jobs["20.torque01"]["job_state"] == "R"
    assert listing.jobs["20.torque01"]["Job_Owner"] == "alice@torque01"
    code, stdout, stderr = recorded("57_qstat_f_x_unknown_and_known.txt")
    assert (code, stderr) == (153, "qstat: Unknown Job Id Error 999.torque01\n")
    assert list(parse_qstat_xml(stdout).jobs) == ["6.torque01"]
    # The same documents without the newline between them, or without declarations.
    glued = stdout.rstrip("\n") + recorded("57b_qstat_f_x_two_ids.txt")[1]
    assert list(parse_qstat_xml(glued).jobs) == ["6.torque01", "22.torque01", "20.torque01"]
    bare = "<Data></Data><Data><Job><Job_Id>1.s</Job_Id></Job></Data>"
    assert list(parse_qstat_xml(bare).jobs) == ["1.s"]
    assert parse_qstat_xml('<?xml version="1.0"?>\n<Data></Data>\n').jobs == {}
    # Anything outside the documents is still refused.
    for bad in ("junk<Data></Data>", "<Data></Data>junk", '<?xml version="1.0"?>\n'):
        with pytest.raises(PBSParseError):
            parse_qstat_xml(bad)


async def test_several_ids_in_one_qstat(
    torque: TorqueScheduler, torque_replay: TorqueReplay
) -> None:
    """The stand-in answers several ids as the real server does: one document per id."""
    owners = await torque.job_owners(["13.torque01", "99.torque01", "14.torque01"])
    assert owners == {"13.torque01": "alice", "14.torque01": "bob"}
    assert torque_replay.argvs()[-1] == [
        "qstat",
        "-f",
        "-x",
        "13.torque01",
        "99.torque01",
        "14.torque01",
    ]
    blocking = torque.blocking()
    listing = blocking.qstat(["13.torque01", "14.torque01"])
    assert list(listing.jobs) == ["13.torque01", "14.torque01"]


def test_subjob_range_argv() -> None:
    """Torque's qdel refuses ``7[3-4].host`` (72); its form is ``qdel -t 3-4 7[].host``
    (78), and Torque's array requests have no step."""
    assert subjob_range_argv("qdel", "7[3-4].torque01") == ["qdel", "-t", "3-4", "7[].torque01"]
    assert subjob_range_argv("qhold", "7[1-9:4]") == ["qhold", "-t", "1,5,9", "7[]"]
    assert subjob_range_argv("qdel", "7[3].torque01") is None
    assert subjob_range_argv("qdel", "7[].torque01") is None
    assert subjob_range_argv("qdel", "7.torque01") is None
    with pytest.raises(InvalidJobId):
        subjob_range_argv("qdel", "-t 1 7[]")
    with pytest.raises(InvalidJobId, match="too many"):
        array_request("1-999999999:2")


def test_stand_ins_answer_subjob_forms_as_torque(torque_replay: TorqueReplay) -> None:
    """The stand-ins' qdel/qhold/qrls against the real server's recordings."""

    def stand_in(*argv: str) -> tuple[int, str, str]:
        done = subprocess.run(
            [str(TORQUE_BIN / argv[0]), *argv[1:]], capture_output=True, text=True, check=False
        )
        return done.returncode, done.stdout, done.stderr

    code, _, stderr = recorded("72_qdel_subjob_range.txt")
    assert stand_in("qdel", "7[3-4].torque01") == (code, "", stderr)  # no 7[] in the fixtures
    assert stand_in("qdel", "17[1-2].torque01") == (
        1,
        "",
        "qdel: illegally formed job identifier: 17[1-2].torque01\n",
    )
    assert "17[2].torque01" in torque_replay.state()["jobs"]
    for name, argv in (
        ("60_qhold_subjob.txt", ("qhold", "17[2].torque01")),
        ("61_qrls_subjob.txt", ("qrls", "17[2].torque01")),
        ("78b_qrls_t_range.txt", ("qrls", "-t", "2", "17[].torque01")),
        ("78_qdel_t_range.txt", ("qdel", "-t", "1-2", "17[].torque01")),
    ):
        assert stand_in(*argv) == recorded(name), name
    # Deleted subjobs stay listed as ended (C), and so does their array once all have.
    assert [torque_replay.letter(f"17[{i}].torque01") for i in ("1", "2", "")] == ["C"] * 3


@pytest.fixture
def torque(torque_replay: TorqueReplay) -> TorqueScheduler:
    torque_replay.reset("alice")  # the fixtures' user, so the owners read as written
    return TorqueScheduler(CommandRunner(torque_replay.command_paths, timeout=10))


async def test_backend(torque: TorqueScheduler, torque_replay: TorqueReplay) -> None:
    assert await torque.version() == "6.1.2"
    assert torque.flavour("6.1.2") == "Torque"
    assert await torque.cluster_name() == "torque01"
    rows = {r[0]: r for r in await torque.list_rows()}
    assert rows["17[1].torque01"][2] == "1"
    assert rows["17[2].torque01"][8] == "pending"
    assert ["qstat", "-f", "-x", "-t"] in torque_replay.argvs()

    detail = await torque.job_detail("17[].torque01")
    assert [t.id for t in detail.tasks] == ["17[1].torque01", "17[2].torque01"]
    with pytest.raises(JobNotFound):
        await torque.job_detail("99.torque01")
    # Torque has no -x history: one qstat per detail
    assert torque_replay.argvs()[-1] == ["qstat", "-f", "-x", "99.torque01"]

    owners = await torque.job_owners(["14.torque01", "17[1].torque01"])
    assert owners == {"14.torque01": "bob", "17[1].torque01": "alice"}
    results = await torque.act("cancel", ["12.torque01", "99.torque01"])
    assert [r.ok for r in results] == [True, False]
    assert results[1].message == "nonexistent job id: 99.torque01"  # 65_qdel_unknown

    parts = {p.name: p for p in await torque.partitions()}
    assert parts["batch"].default is True
    assert (parts["batch"].cpus_total, parts["batch"].cpus_idle) == (
        24,
        7,
    )  # node03 is down: its CPUs count, none idle
    assert parts["batch"].time_limit == 48 * 3600
    assert parts["debug"].available == "inactive"  # enabled, not started

    history = await torque.history(HistoryQuery(start="2026-11-01T00:00:00"))
    assert not history.available
    assert "keep_completed" in history.message


async def test_submit(torque: TorqueScheduler, torque_replay: TorqueReplay, tmp_path: Path) -> None:
    script = "#!/bin/sh\n#PBS -l nodes=1:ppn=2\n#PBS -t 1-3\necho hi\n"
    result = await torque.submit(
        script, SubmitRequest(name="t", workdir=str(tmp_path), array="1-3")
    )
    assert result.job_id == "18[].torque01"  # Torque names an array as OpenPBS does
    call = torque_replay.calls()[-1]
    assert call["argv"] == ["qsub", "-N", "t", "-t", "1-3", "-d", str(tmp_path)]
    assert call["cwd"] == str(tmp_path)
    assert call["stdin"] == script
    rows = {r[0]: r for r in await torque.list_rows()}
    assert rows["18[1-3].torque01"][8] == "pending"  # subjobs not started: one range row
    detail = await torque.job_detail("18[].torque01")
    assert [t.id for t in detail.tasks] == [f"18[{i}].torque01" for i in (1, 2, 3)]
    checked = await torque.submit(script, SubmitRequest(), test_only=True)
    assert "2 #PBS directive(s)" in checked.message
    with pytest.raises(SchedulerError, match="not a qsub option"):
        await torque.submit("#!/bin/sh\n#PBS -J 1-3\n", SubmitRequest(), test_only=True)


# ---------------------------------------------------------------------------
# Detection


def only_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bin_dir: Path) -> None:
    python_dir = tmp_path / "python"
    python_dir.mkdir(exist_ok=True)
    if not (python_dir / "python3").exists():
        (python_dir / "python3").symlink_to(sys.executable)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{python_dir}")


def test_detection_tells_torque_from_openpbs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pbs_replay: PBSReplay
) -> None:
    only_on_path(tmp_path, monkeypatch, TORQUE_BIN)
    assert qstat_family(CommandRunner()) == "torque"
    assert isinstance(detect_scheduler(HPCConfig(), CommandRunner()), TorqueScheduler)
    only_on_path(tmp_path, monkeypatch, PBS_BIN)
    found = detect_scheduler(HPCConfig(), CommandRunner())
    assert type(found) is PBSScheduler
    # The admin forces Torque whatever is installed.
    forced = detect_scheduler(HPCConfig(scheduler="torque"), CommandRunner())
    assert isinstance(forced, TorqueScheduler)
    assert HPCConfig(scheduler="TORQUE").scheduler == "torque"
