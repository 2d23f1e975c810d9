"""Torque: parsers on recordings of a real Torque 6.1 server (fixtures/torque/recorded/),
the backend against the test-only Torque stand-ins (tests/torque_replay), and detection."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from jupyterlab_hpc.config import HPCConfig
from jupyterlab_hpc.runner import CommandRunner
from jupyterlab_hpc.schedulers.base import (
    HIDDEN_OWNER,
    HistoryQuery,
    InvalidJobId,
    JobNotFound,
    JobState,
    NotPermitted,
    SchedulerError,
    SubmitRequest,
)
from jupyterlab_hpc.schedulers.detect import detect_scheduler, qstat_family
from jupyterlab_hpc.schedulers.pbs.detail import job_detail
from jupyterlab_hpc.schedulers.pbs.parse import PBSParseError, listing_rows, parse_server_text
from jupyterlab_hpc.schedulers.pbs.scheduler import PBSScheduler
from jupyterlab_hpc.schedulers.pbs.submit import QsubOptionError, qsub_options
from jupyterlab_hpc.schedulers.torque.commands import array_request, subjob_range_argv
from jupyterlab_hpc.schedulers.torque.parse import parse_qstat_xml, parse_torque_version
from jupyterlab_hpc.schedulers.torque.scheduler import (
    TorqueScheduler,
    busy_cpus,
    is_torque_answer,
    torque_nodes,
)

from .pbs_replay.fixtures import REPLAY_BIN as PBS_BIN
from .pbs_replay.fixtures import PBSReplay
from .torque_replay.fixtures import REPLAY_BIN as TORQUE_BIN
from .torque_replay.fixtures import TorqueReplay, recorded

SLOT_LIMIT = "46_qstat_f_x_t_slot_limit.txt"


def jobs() -> dict[str, dict[str, Any]]:
    """The real server's ``qstat -f -x -t`` at 16:52:01 (34)."""
    return parse_qstat_xml(recorded("34_qstat_f_x_t.txt")[1]).jobs


# ---------------------------------------------------------------------------
# Parsers


def stand_in(*argv: str) -> tuple[int, str, str]:
    """One call of a Torque stand-in (tests/torque_replay): exit code, stdout, stderr."""
    done = subprocess.run(
        [str(TORQUE_BIN / argv[0]), *argv[1:]], capture_output=True, text=True, check=False
    )
    return done.returncode, done.stdout, done.stderr


def test_versions() -> None:
    assert parse_torque_version(recorded("01_qstat_version.txt")[1]) == "6.1-dev"
    # Torque 4's form (from its qstat source; no Torque 4 server was recorded).
    assert parse_torque_version("version: 4.2.10\n") == "4.2.10"
    assert parse_torque_version("pbs_version = 23.06.06\n") is None
    assert parse_torque_version("slurm 22.05.8\n") is None


def test_xml_jobs_as_pbs_attributes() -> None:
    listing = parse_qstat_xml(recorded("33_qstat_f_x.txt")[1])
    assert listing.server == "torque01"
    assert list(listing.jobs)[:3] == ["0.torque01", "1.torque01", "2.torque01"]
    running = listing.jobs["6.torque01"]
    assert running["Resource_List"] == {
        "nodes": "1:ppn=1",
        "walltime": "00:10:00",
        "nodect": "1",
        "ncpus": 1,
    }
    assert running["stime"] == "1796403095"
    assert listing.jobs["11.torque01"]["Resource_List"]["ncpus"] == 2  # nodes=1:ppn=2
    assert jobs()["7[1].torque01"]["array_id"] == "7[].torque01"


def test_rows_and_states() -> None:
    """The ``-t`` listing (34): subjobs instead of their arrays; the waiting ones folded."""
    rows = {r[0]: r for r in listing_rows(jobs())}
    assert list(rows) == [
        *(f"{n}.torque01" for n in range(7)),
        "7[1].torque01",
        "7[2-4].torque01",
        "8[1-5:2].torque01",
        "8[6-7].torque01",
        "9.torque01",
        "11.torque01",
    ]
    state = {k: (r[8], r[9]) for k, r in rows.items()}
    assert state["1.torque01"] == ("completed", "C")
    assert state["2.torque01"] == ("failed", "C")  # the script's exit 3
    assert state["4.torque01"] == ("cancelled", "C")  # 271: SIGTERM from qdel
    assert state["6.torque01"] == ("running", "R")
    assert state["7[2-4].torque01"] == ("pending", "Q")
    assert state["9.torque01"] == ("held", "H")
    assert state["11.torque01"] == ("pending", "Q")
    running = rows["6.torque01"]
    assert (running[4], running[11], running[12], running[13]) == ("alice", "torque01", 1, 1)
    assert (running[16], running[17]) == (None, 600)
    assert rows["11.torque01"][13] == 2
    assert rows["11.torque01"][10] == "Not enough of the right type of nodes are available"
    assert rows["4.torque01"][10] == "Killed by signal 15 (exit status 271)"
    assert rows["9.torque01"][10] == "User hold"


def test_detail_of_a_completed_job() -> None:
    detail = job_detail("1.torque01", parse_qstat_xml(recorded("33_qstat_f_x.txt")[1]).jobs)
    assert detail is not None
    job = detail.job
    assert (job.state, job.exit_code) == (JobState.COMPLETED, 0)
    assert job.stdout_path == "/home/alice/jobs/ok.o1"
    assert job.work_dir == "/home/alice/jobs"
    assert job.end_time is not None
    assert job.start_time is not None
    assert detail.used["time"] == "00:00:00"
    assert detail.requested["nodes"] == "1"
    assert detail.requested["time"] == "01:00:00"


def test_qstat_version_is_on_stdout() -> None:
    """Torque 6.1's ``qstat --version`` prints ``Version: 6.1-dev`` and an empty
    ``Commit:`` on stdout, nothing on stderr (01; 01b throws stderr away and still sees it).
    The stand-in answers the same bytes, and detection finds Torque in them."""
    version = recorded("01_qstat_version.txt")
    assert version == (0, "Version: 6.1-dev\nCommit: \n", "")
    assert "V   e   r   s   i   o   n" in recorded("01b_qstat_version_stderr_only.txt")[1]
    assert stand_in("qstat", "--version") == version
    assert is_torque_answer(version[1], "")


def test_slot_limit_holds_and_array_names() -> None:
    """``-t 1-3%1`` (27): the subjobs past the slot limit wait in H with Hold_Types l
    (46), which reads as the slot limit's hold. A folded row is named as its array:
    Torque names subjob i ``NAME-i`` and its ``-t`` listing has no array (34, 46)."""
    assert recorded("27_qsub_slot_limit.txt")[:2] == (0, "100[].torque01\n")
    rows = {r[0]: r for r in listing_rows(parse_qstat_xml(recorded(SLOT_LIMIT)[1]).jobs)}
    assert list(rows) == ["100[1].torque01", "100[2-3].torque01"]
    waiting = rows["100[2-3].torque01"]
    assert (waiting[3], waiting[8], waiting[9]) == ("slotl", "held", "H")
    assert waiting[10] == "Held by the array's slot limit: it starts when a running subjob ends"
    assert (rows["100[1].torque01"][3], rows["100[1].torque01"][8]) == ("slotl-1", "running")
    names = {r[0]: r[3] for r in listing_rows(jobs())}
    assert names["7[2-4].torque01"] == "arr4"
    assert names["8[1-5:2].torque01"] == "arrL"
    assert names["8[6-7].torque01"] == "arrL"
    assert names["7[1].torque01"] == "arr4-1"  # one subjob keeps its own name


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
    nodes = torque_nodes(recorded("39_pbsnodes_a.txt")[1])
    assert nodes["torque01"]["resources_available"] == {"ncpus": 2}
    assert nodes["torque01"]["resources_assigned"] == {"ncpus": 2}  # 0/6, 1/7[1]
    assert torque_nodes(recorded("97_empty_pbsnodes_a.txt")[1])["torque01"][
        "resources_assigned"
    ] == {"ncpus": 0}
    server = parse_server_text(recorded("38_qstat_B_f.txt")[1])
    assert (server.name, server.default_queue, server.version) == ("torque01", "batch", "6.1-dev")


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
    torque_replay.show_other_users_jobs()  # bob's job 19 is shown, and its owner
    owners = await torque.job_owners(["11.torque01", "99.torque01", "19.torque01"])
    assert owners == {"11.torque01": "alice", "19.torque01": "bob"}
    assert torque_replay.argvs()[-1] == [
        "qstat",
        "-f",
        "-x",
        "11.torque01",
        "99.torque01",
        "19.torque01",
    ]
    blocking = torque.blocking()
    listing = blocking.qstat(["11.torque01", "9.torque01"])
    assert list(listing.jobs) == ["11.torque01", "9.torque01"]


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


def test_stand_in_qsub_reads_walltimes_as_torque(
    torque_replay: TorqueReplay, tmp_path: Path
) -> None:
    """Torque's server reads a walltime as [[[DD:]HH:]MM:]SS and prints it as HH:MM:SS;
    what it cannot read is refused with exit 168 (84). -z prints no job id."""
    script = tmp_path / "sleep.sh"
    script.write_text("#!/bin/bash\nsleep 1\n")
    assert stand_in("qsub", "-l", "walltime=abc", str(script)) == recorded(
        "84_qsub_bad_walltime.txt"
    )
    assert stand_in("qsub", "-l", "walltime=1:00:00:00", str(script)) == (
        0,
        "20.torque01\n",
        "",
    )
    assert "<walltime>24:00:00</walltime>" in torque_replay.state()["jobs"]["20.torque01"]
    assert stand_in("qsub", "-z", str(script)) == (0, "", "")
    assert "21.torque01" in torque_replay.state()["jobs"]


def test_stand_ins_answer_subjob_forms_as_torque(torque_replay: TorqueReplay) -> None:
    """The stand-ins' qdel/qhold/qrls against the real server's recordings."""
    code, _, stderr = recorded("72_qdel_subjob_range.txt")
    assert stand_in("qdel", "7[3-4].torque01") == (code, "", stderr)
    assert "7[3].torque01" in torque_replay.state()["jobs"]
    for name, argv in (
        ("60_qhold_subjob.txt", ("qhold", "7[2].torque01")),
        ("61_qrls_subjob.txt", ("qrls", "7[2].torque01")),
        ("78b_qrls_t_range.txt", ("qrls", "-t", "4", "7[].torque01")),
        ("78_qdel_t_range.txt", ("qdel", "-t", "2-3", "7[].torque01")),
    ):
        assert stand_in(*argv) == recorded(name), name
    # Deleted subjobs stay listed as ended (C); the others and their array go on.
    letters = {i: torque_replay.letter(f"7[{i}].torque01") for i in ("1", "2", "3", "4", "")}
    assert [letters[i] for i in ("2", "3")] == ["C", "C"]
    assert "C" not in [letters[i] for i in ("1", "4", "")]


@pytest.fixture
def torque(torque_replay: TorqueReplay) -> TorqueScheduler:
    torque_replay.reset("alice")  # the recordings' user, so the owners read as recorded
    return TorqueScheduler(CommandRunner(torque_replay.command_paths, timeout=10))


async def test_backend(torque: TorqueScheduler, torque_replay: TorqueReplay) -> None:
    assert await torque.version() == "6.1-dev"
    assert torque.flavour("6.1-dev") == "Torque"
    assert await torque.cluster_name() == "torque01"
    rows = {r[0]: r for r in await torque.list_rows()}
    assert rows["7[1].torque01"][2] == "1"
    assert rows["7[2-4].torque01"][8] == "pending"
    assert ["qstat", "-f", "-x", "-t"] in torque_replay.argvs()

    detail = await torque.job_detail("7[].torque01")
    assert [t.id for t in detail.tasks] == [f"7[{i}].torque01" for i in range(1, 5)]
    with pytest.raises(JobNotFound):
        await torque.job_detail("99.torque01")
    # Torque has no -x history: one qstat per detail
    assert torque_replay.argvs()[-1] == ["qstat", "-f", "-x", "99.torque01"]

    owners = await torque.job_owners(["19.torque01", "7[1].torque01"])
    assert owners == {"19.torque01": HIDDEN_OWNER, "7[1].torque01": "alice"}
    results = await torque.act("cancel", ["6.torque01", "99.torque01"])
    assert [r.ok for r in results] == [True, False]
    assert results[1].message == "nonexistent job id: 99.torque01"  # 65_qdel_unknown

    # One queue, one node with np = 2, both cores busy (37, 39); no resources_max.walltime.
    [batch] = await torque.partitions()
    assert (batch.name, batch.default, batch.available) == ("batch", True, "up")
    assert (batch.nodes, batch.cpus_total, batch.cpus_idle) == (1, 2, 0)
    assert batch.time_limit is None

    history = await torque.history(HistoryQuery(start="2026-11-01T00:00:00"))
    assert not history.available
    assert "keep_completed" in history.message


async def test_another_users_job_as_torque_answers_it(
    torque: TorqueScheduler, torque_replay: TorqueReplay
) -> None:
    """With query_other_jobs at its default (off), Torque lists a user's own jobs only
    (98: bob sees his job 19 alone) and answers another user's id with exit 159 (98b).
    That one job is refused in a sentence; nothing says the batch system is down."""
    assert recorded("98b_qstat_f_x_others_job_default.txt") == (
        159,
        "",
        "qstat: Unauthorized Request  19.torque01\n",
    )
    assert stand_in("qstat", "-f", "-x", "19.torque01") == recorded(
        "98b_qstat_f_x_others_job_default.txt"
    )
    # Unlike an unknown id: exit 153 (56).
    assert stand_in("qstat", "-f", "-x", "999.torque01") == recorded("56_qstat_f_x_unknown.txt")
    assert "<Job_Id>19.torque01</Job_Id>" not in stand_in("qstat", "-f", "-x", "-t")[1]
    _, listed_as_bob, _ = recorded("98_qstat_as_other_user_default.txt")
    assert [ln.split()[0] for ln in listed_as_bob.splitlines()[2:]] == ["19.torque01"]

    assert await torque.own_jobs_only() is True  # 38: no query_other_jobs line
    assert "19.torque01" not in {r[0] for r in await torque.list_rows()}
    message = (
        "Torque does not show job 19.torque01 to you: it is another user's job, and this "
        "Torque server shows each user only their own jobs (its query_other_jobs setting "
        "is off)."
    )
    with pytest.raises(NotPermitted) as refused:
        await torque.job_detail("19.torque01")
    assert refused.value.message == message
    owners = await torque.job_owners(["19.torque01", "11.torque01", "99.torque01"])
    assert owners == {"19.torque01": HIDDEN_OWNER, "11.torque01": "alice"}
    with pytest.raises(NotPermitted, match=re.escape(message)):
        torque.blocking().job_detail("19.torque01")
    with pytest.raises(NotPermitted, match=re.escape(message)):
        torque.blocking().qstat(["11.torque01", "19.torque01"])


async def test_other_users_jobs_when_the_server_shows_them(
    torque_replay: TorqueReplay,
) -> None:
    """query_other_jobs = True: the listing and the details show bob's job and owner."""
    torque_replay.reset("alice")
    torque_replay.show_other_users_jobs()
    torque = TorqueScheduler(CommandRunner(torque_replay.command_paths, timeout=10))
    assert await torque.own_jobs_only() is False
    assert "19.torque01" in {r[0] for r in await torque.list_rows()}
    assert (await torque.job_detail("19.torque01")).job.user == "bob"
    assert await torque.job_owners(["19.torque01"]) == {"19.torque01": "bob"}


async def test_torques_name_in_its_messages(torque: TorqueScheduler) -> None:
    """Refusals on Torque name Torque, not PBS."""
    for request in (
        SubmitRequest(qos="high"),
        SubmitRequest(gres="gpu:1"),
        SubmitRequest(name="-bad"),
        SubmitRequest(partition="no queue"),
        SubmitRequest(account="a b"),
        SubmitRequest(output="-o"),
        SubmitRequest(mail_type="SOMETIMES"),
        SubmitRequest(array="5-1"),
        SubmitRequest(nodes=2, ntasks=3),
        SubmitRequest(dependency="whenever"),
    ):
        with pytest.raises(QsubOptionError) as refused:
            qsub_options(request, torque=True)
        assert "Torque" in refused.value.message, request
        assert "PBS" not in refused.value.message, request
    with pytest.raises(QsubOptionError, match="ngpus"):
        qsub_options(SubmitRequest(gres="gpu:1"))  # OpenPBS's words stay OpenPBS's
    for validate in (torque.validate_job_id, torque.blocking().validate_job_id):
        with pytest.raises(InvalidJobId, match="is not a valid Torque job id"):
            validate("1_2")
    with pytest.raises(JobNotFound, match=r"^Torque does not know job 99\.torque01"):
        await torque.job_detail("99.torque01")


async def test_submit(torque: TorqueScheduler, torque_replay: TorqueReplay, tmp_path: Path) -> None:
    script = "#!/bin/sh\n#PBS -l nodes=1:ppn=2\n#PBS -t 1-3\necho hi\n"
    result = await torque.submit(
        script, SubmitRequest(name="t", workdir=str(tmp_path), array="1-3")
    )
    assert result.job_id == "20[].torque01"  # Torque names an array as OpenPBS does
    call = torque_replay.calls()[-1]
    assert call["argv"] == ["qsub", "-N", "t", "-t", "1-3", "-d", str(tmp_path)]
    assert call["cwd"] == str(tmp_path)
    assert call["stdin"] == script
    rows = {r[0]: r for r in await torque.list_rows()}
    assert rows["20[1-3].torque01"][8] == "pending"  # subjobs not started: one range row
    detail = await torque.job_detail("20[].torque01")
    assert [t.id for t in detail.tasks] == [f"20[{i}].torque01" for i in (1, 2, 3)]
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
