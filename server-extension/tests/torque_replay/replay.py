"""Test-only Torque stand-ins: qstat, qsub, qdel, qhold, qrls and pbsnodes answering from a
state file that starts from recordings of a real Torque 6.1 server
(tests/fixtures/torque/recorded/) and changes the way that server's would.

- The queue starts as the real server's at 16:52:01 (33: ``qstat -f -x``, the jobs and
  arrays; 34: ``qstat -f -x -t``, their subjobs), with alice's jobs given to the test's
  user, plus bob's held job 19 (98). ``qstat -B -f``, ``qstat -Q -f`` and ``pbsnodes -a``
  print the recordings of the same moment (38, 37, 39), ``qstat --version`` recording 01.
- ``qsub`` adds a job from its options and the script's ``#PBS`` lines (the options win);
  ``-h`` holds it, ``-t 1-3`` makes an array with its subjobs, ``-q`` names a queue of
  recording 37 (another queue is refused with exit 172, as in 80), ``-z`` prints no job
  id; a walltime the server cannot read is refused as in 84 (days are read:
  ``1:00:00:00`` is ``24:00:00``); ``-t 1-3%1`` holds the subjobs past the slot limit
  (Hold_Types l, 46).
- ``qstat -t`` lists an array's subjobs instead of the array's own record, never the
  record itself, also when the array's id is asked; without ``-t`` the array's id lists
  every job in the queue (recordings 34, 52, 53).
- ``qdel`` ends the job as the recorded server (keep_completed = 300) does: a job that
  has not started becomes ``C`` with no exit_status, a running one ``C`` with exit_status
  271 (SIGTERM), an array's subjobs alike and the array ``C`` once all its subjobs are
  (10, 11, 43, 45, 73, 75); a ``C`` job is refused with exit code 170 (70, 71). With the
  state's ``keep_completed`` at 0 the job is gone at once, as such a server forgets it.
  ``qhold`` shows H with Hold_Types u; ``qrls`` puts it back to Q.
  One subjob (``7[2]``) is an id like any other. A range of subjobs in the id
  (``7[1-2]``) is refused by qdel as the real one refuses it (``illegally formed job
  identifier``, exit 1); Torque's form, ``-t 1-2 7[].torque01``, acts on those subjobs
  (all three commands).
- Unknown ids: exit code 153, with ``qstat: Unknown Job Id Error ID`` (56),
  ``qdel: nonexistent job id: ID`` (65), and from qhold and qrls nothing at all (66, 67).
- The commands run as one user (``user`` in the state). With the server's
  ``query_other_jobs`` off, as recorded (38: unset, so False), qstat lists only that
  user's jobs (98) and answers an id of another user's job with exit 159 and
  ``qstat: Unauthorized Request  19.torque01`` (98b). ``TorqueReplay.show_other_users_jobs``
  turns it on. With the state's ``manager`` set, the user is one of the server's managers
  (as the hub's queue service runs), who sees every job whatever query_other_jobs says.

The state (JSON, path in ``$TORQUE_REPLAY_STATE``) holds each job's ``<Job>`` element as
Torque prints it; every call is logged in its ``calls`` with the working folder and the
standard input. A call the recordings do not cover answers exit code 99, so a test fails
loudly if the product sends it. ``qstat --version`` needs no state (detection asks it).
Never installed with the package.
"""

from __future__ import annotations

import contextlib
import getopt
import os
import re
import shlex
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..replay_state import NOT_RECORDED, State, locked_state_in
from .recordings import recording

STATE_ENV = "TORQUE_REPLAY_STATE"
SERVER = "torque01"
SUBMIT_HOST = "torque01"  # the recordings' server is its own submit host
UNKNOWN_JOB = 153  # PBSE_UNKJOBID 15001 modulo 256
NOT_PERMITTED = 159  # PBSE_PERM 15007 modulo 256 (98b)
BAD_ATTRIBUTE_VALUE = 168  # PBSE_BADATVAL 15014 modulo 256 (84)
BAD_STATE = 170  # PBSE_BADSTATE 15018 modulo 256 (70, 71)
UNKNOWN_QUEUE = 172  # PBSE_UNKQUE 15020 modulo 256 (80)
BAD_OPTION = 2
# The recorded server's keep_completed: how long it lists an ended job (state C).
KEEP_COMPLETED = 300
# The exit status of a job deleted while it ran: 256 + SIGTERM (10, 43).
DELETED_RUNNING = "271"

# Torque's qsub options (its man page); those with ':' take a value.
QSUB_OPTIONS = "a:A:b:c:C:d:D:e:fF:hIj:k:K:l:m:M:nN:o:p:P:q:r:S:t:T:u:v:Vw:W:Xxz"


# What each listing of the server prints, from the recordings of 16:52:01.
SERVER_TEXT = "38_qstat_B_f.txt"
QUEUES_TEXT = "37_qstat_Q_f.txt"
NODES_TEXT = "39_pbsnodes_a.txt"
# The recorded jobs start the state; new jobs are numbered from here (bob's 19 is taken).
FIRST_NEW_JOB = 20


def _recorded_jobs(name: str) -> list[ET.Element]:
    """The ``<Job>`` elements of a recorded ``qstat -f -x`` (one document or several)."""
    body = re.sub(r"<\?xml[^>]*\?>", "", recording(name).stdout)
    # The recordings are ours (S314 is about untrusted XML).
    documents = ET.fromstring(f"<qstat>{body}</qstat>")  # noqa: S314
    return [job for document in documents for job in document.findall("Job")]


def _job_id(element: ET.Element) -> str:
    return str(element.findtext("Job_Id"))


def _bobs_job(alices_held: ET.Element) -> ET.Element:
    """Bob's held job 19, which only the plain ``qstat`` of 98 shows (no XML of it was
    recorded): alice's held job 9 (submitted with ``-h`` as well) under bob's name."""
    text = ET.tostring(alices_held, encoding="unicode")
    for old, new in (
        (">9.torque01<", ">19.torque01<"),
        (">held<", ">other<"),
        ("held.e9<", "other.e19<"),
        ("held.o9<", "other.o19<"),
        ("-N held ", "-N other "),
        ("alice", "bob"),
    ):
        text = text.replace(old, new)
    return ET.fromstring(text)  # noqa: S314 (built here)


def jobs_from_xml(text: str, user: str, other_user: str = "bob") -> dict[str, str]:
    """The ``<Job>`` elements of ``qstat -f -x`` answers (one or several documents), by id:
    alice's become ``user``'s, bob's stay ``other_user``'s."""
    body = re.sub(r"<\?xml[^>]*\?>", "", text)
    # The recordings are ours (S314 is about untrusted XML).
    return _by_id(ET.fromstring(f"<all>{body}</all>").iter("Job"), user, other_user)  # noqa: S314


def _by_id(elements: Iterable[ET.Element], user: str, other_user: str) -> dict[str, str]:
    """Each job's element as text, by id, alice's given to ``user``."""
    jobs: dict[str, str] = {}
    for element in elements:
        owner = element.find("Job_Owner")
        assert owner is not None
        name, _, host = str(owner.text).partition("@")
        owner.text = f"{user if name == 'alice' else other_user}@{host}"
        jobs[_job_id(element)] = ET.tostring(element, encoding="unicode")
    return jobs


def initial_state(user: str, other_user: str = "bob") -> State:
    """The recorded queue: alice's jobs become ``user``'s, bob's stay ``other_user``'s.

    Job order is 33's, each array's subjobs (34) right after it."""
    parents = _recorded_jobs("33_qstat_f_x.txt")
    subjobs = _recorded_jobs("34_qstat_f_x_t.txt")
    ordered: list[ET.Element] = []
    for job in parents:
        ordered.append(job)
        prefix = _array_prefix(_job_id(job))
        if prefix is not None:
            ordered += [s for s in subjobs if _job_id(s).startswith(prefix)]
    ordered.append(_bobs_job(next(j for j in parents if _job_id(j) == "9.torque01")))
    return {
        "next_id": FIRST_NEW_JOB,
        # Who runs the commands: qsub's jobs are theirs, and with query_other_jobs off
        # (Torque's default, as on the recorded server) qstat shows only their jobs.
        "user": user,
        "query_other_jobs": False,
        "jobs": _by_id(ordered, user, other_user),
        "scripts": {},
        "calls": [],
        "keep_completed": KEEP_COMPLETED,
    }


def locked_state() -> contextlib.AbstractContextManager[State]:
    """The state, locked for one command, written back when the command is done."""
    return locked_state_in(STATE_ENV, "torque_replay")


def _log(state: State, argv: list[str], stdin: str | None = None) -> None:
    state["calls"].append({"argv": argv, "cwd": os.getcwd(), "stdin": stdin})


def not_recorded(argv: list[str]) -> int:
    sys.stderr.write(f"torque_replay: no fixture for {shlex.join(argv)}\n")
    return NOT_RECORDED


def _qualified(job_id: str) -> str:
    return job_id if "." in job_id else f"{job_id}.{SERVER}"


def _array_prefix(job_id: str) -> str | None:
    """``17[].torque01`` -> ``17[``: what its subjobs' ids start with."""
    return job_id.split("[", 1)[0] + "[" if "[]" in job_id else None


def _members(state: State, job_id: str) -> list[str]:
    """The job, and for an array its subjobs too."""
    return [job_id, *_subjobs(state, job_id)]


def _subjobs(state: State, job_id: str) -> list[str]:
    """An array's subjobs (none for any other id)."""
    prefix = _array_prefix(job_id)
    if prefix is None:
        return []
    return [k for k in state["jobs"] if k.startswith(prefix) and k != job_id]


def _is_array(job_id: str) -> bool:
    return "[]" in job_id


def _state_letter(state: State, job_id: str) -> str:
    element = ET.fromstring(state["jobs"][job_id])  # noqa: S314 (written by this replay)
    return str(element.findtext("job_state"))


# ---------------------------------------------------------------------------
# qstat


def qstat(argv: list[str]) -> int:
    if argv[1:] == ["--version"]:
        # Torque 6.1 writes its version on stdout, nothing on stderr (01, 01b).
        sys.stdout.write(recording("01_qstat_version.txt").stdout)
        return 0
    with locked_state() as state:
        _log(state, argv)
        return _qstat(state, argv)


def _qstat(state: State, argv: list[str]) -> int:
    try:
        opts, operands = getopt.getopt(argv[1:], "fxtBQ")
    except getopt.GetoptError:
        return not_recorded(argv)
    flags = {o for o, _ in opts}
    if flags == {"-B", "-f"} and not operands:
        sys.stdout.write(_server_text(state))
        return 0
    if flags == {"-Q", "-f"} and not operands:
        # A test may give the server other queues (TorqueReplay.set_text).
        sys.stdout.write(state.get("qstat_Q_f") or recording(QUEUES_TEXT).stdout)
        return 0
    if not {"-f", "-x"} <= flags or not flags <= {"-f", "-x", "-t"}:
        return not_recorded(argv)
    jobs: dict[str, str] = state["jobs"]
    subjobs = "-t" in flags
    # -t: subjobs instead of their arrays' records (34); without: arrays, no subjobs (33).
    # Other users' jobs are left out while query_other_jobs is off (98).
    queue = [
        k
        for k in jobs
        if (not _is_array(k) if subjobs else "[" not in k or _is_array(k)) and _shown(state, k)
    ]
    if not operands:
        _xml_document([jobs[k] for k in queue])
        return 0
    code = 0
    # One complete document per known id, in the order asked; an unknown id prints none
    # (57b_qstat_f_x_two_ids, 57_qstat_f_x_unknown_and_known).
    for operand in operands:
        job_id = _qualified(operand)
        if job_id not in jobs:
            sys.stderr.write(f"qstat: Unknown Job Id Error {job_id}\n")
            code = UNKNOWN_JOB
            continue
        if not _shown(state, job_id):
            # 98b: another user's job, with two spaces after "Request".
            sys.stderr.write(f"qstat: Unauthorized Request  {job_id}\n")
            code = NOT_PERMITTED
            continue
        shown = [job_id]
        if _is_array(job_id):
            # 53: -t, the array's subjobs and no record of the array itself; 52: without
            # -t, every job in the queue.
            shown = _subjobs(state, job_id) if subjobs else queue
        _xml_document([jobs[k] for k in shown])
    return code


def _owner(state: State, job_id: str) -> str:
    element = ET.fromstring(state["jobs"][job_id])  # noqa: S314 (written by this replay)
    return str(element.findtext("Job_Owner")).split("@", 1)[0]


def _shown(state: State, job_id: str) -> bool:
    """Whether the user the stand-ins serve may see the job: their own, or anyone's
    once the server's query_other_jobs is True or when they are a manager."""
    if state.get("query_other_jobs") or state.get("manager"):
        return True
    return _owner(state, job_id) == state["user"]


def _server_text(state: State) -> str:
    """``qstat -B -f`` (38). The recorded server has query_other_jobs unset (False), so
    the line is missing there; with it set, Torque prints ``query_other_jobs = True``
    among the other attributes (its place here is not the real one: order is not read)."""
    text = recording(SERVER_TEXT).stdout
    if state.get("query_other_jobs"):
        text = text.replace("    keep_completed", "    query_other_jobs = True\n    keep_completed")
    return text


def _xml_document(elements: list[str]) -> None:
    """What Torque prints for one query: the declaration line, then ``<Data>`` on one
    line (``<Data></Data>`` when no job matches)."""
    sys.stdout.write('<?xml version="1.0"?>\n<Data>' + "".join(elements) + "</Data>\n")


# ---------------------------------------------------------------------------
# qdel, qhold, qrls


def qdel(argv: list[str]) -> int:
    return _act(argv, _delete)


def qhold(argv: list[str]) -> int:
    return _act(argv, lambda state, job_id: _set_hold(state, job_id, hold=True))


def qrls(argv: list[str]) -> int:
    return _act(argv, lambda state, job_id: _set_hold(state, job_id, hold=False))


def _unknown(command: str, job_id: str) -> int:
    """65: qdel names the id; 66, 67: qhold and qrls say nothing at all."""
    if command == "qdel":
        sys.stderr.write(f"qdel: nonexistent job id: {job_id}\n")
    return UNKNOWN_JOB


def _act(argv: list[str], change: Any) -> int:
    with locked_state() as state:
        _log(state, argv)
        try:
            opts, operands = getopt.getopt(argv[1:], "t:")
        except getopt.GetoptError:
            return not_recorded(argv)
        if not operands:
            return not_recorded(argv)
        request = dict(opts).get("-t")
        indices = _array_indices(request) if request is not None else None
        if request is not None and (indices is None or any("[]" not in o for o in operands)):
            return not_recorded(argv)  # only -t RANGE N[].host was recorded (78, 78b)
        code = 0
        for operand in operands:
            if _is_range_id(operand):
                if argv[0] != "qdel":
                    return not_recorded(argv)
                # 72_qdel_subjob_range: Torque's form is qdel -t RANGE N[].host.
                sys.stderr.write(f"qdel: illegally formed job identifier: {operand}\n")
                code = code or 1
                continue
            job_id = _qualified(operand)
            if job_id not in state["jobs"]:
                code = _unknown(argv[0], job_id)
                continue
            if not _shown(state, job_id):
                return not_recorded(argv)  # another user's job: no recording of that
            if _state_letter(state, job_id) == "C":
                if argv[0] == "qrls":
                    return not_recorded(argv)
                # 70, 71: an ended job.
                sys.stderr.write(
                    f"{argv[0]}: Request invalid for state of job MSG=invalid state for job"
                    f" - COMPLETE {job_id}\n"
                )
                code = BAD_STATE
                continue
            if indices is None:
                change(state, job_id)
                continue
            # -t: the subjobs of the array whose index is in the request (78, 78b).
            number = job_id.split("[", 1)[0]
            for index in sorted(indices):
                subjob = job_id.replace("[]", f"[{index}]", 1)
                known = subjob.startswith(number + "[") and subjob in state["jobs"]
                if known and _state_letter(state, subjob) != "C":
                    change(state, subjob)
        return code


def _is_range_id(operand: str) -> bool:
    """``7[3-4].torque01``, ``7[1,3]``: more than one subjob in the id."""
    inside = operand.partition("[")[2].partition("]")[0]
    return "-" in inside or "," in inside or ":" in inside


def _array_indices(request: str) -> set[int] | None:
    """Torque's array request (``2-3``, ``4``, ``1,3,5-7``), None if not one."""
    indices: set[int] = set()
    for part in request.split(","):
        first, _, last = part.partition("-")
        if not first.isdigit() or (last and not last.isdigit()):
            return None
        indices.update(range(int(first), int(last or first) + 1))
    return indices


def _delete(state: State, job_id: str) -> None:
    """The job (an array: its subjobs, then the array) ends as deleted; subjobs that had
    already ended stay as they are (75)."""
    now = str(int(time.time()))
    ended: list[str] = []
    for member in [*_subjobs(state, job_id), job_id]:
        element = ET.fromstring(state["jobs"][member])  # noqa: S314 (written by this replay)
        letter = element.findtext("job_state")
        if letter == "C":
            continue
        if letter in ("R", "E") and not _is_array(member):
            # 10, 43: killed with SIGTERM once it had started.
            _set(element, "exit_status", DELETED_RUNNING)
            _set(element, "comp_time", now)
        _set(element, "job_state", "C")
        _set(element, "mtime", now)
        state["jobs"][member] = ET.tostring(element, encoding="unicode")
        ended.append(member)
    parent = _array_of_subjob(job_id)
    # An array ends once every subjob has (45: 7[] and 8[] are C).
    if (
        parent in state["jobs"]
        and _state_letter(state, parent) != "C"
        and all(_state_letter(state, k) == "C" for k in _subjobs(state, parent))
    ):
        _set_letter(state, parent, "C")
        ended.append(parent)
    if not state.get("keep_completed"):
        # keep_completed 0: the server forgets what ended at once.
        for key in ended:
            del state["jobs"][key]


def _array_of_subjob(job_id: str) -> str:
    """``17[2].torque01`` -> ``17[].torque01`` (another id stays as it is)."""
    head, bracket, rest = job_id.partition("[")
    return f"{head}[]{rest.partition(']')[2]}" if bracket else job_id


def _set_letter(state: State, job_id: str, letter: str) -> None:
    element = ET.fromstring(state["jobs"][job_id])  # noqa: S314 (written by this replay)
    _set(element, "job_state", letter)
    state["jobs"][job_id] = ET.tostring(element, encoding="unicode")


def _set_hold(state: State, job_id: str, *, hold: bool) -> None:
    for member in _members(state, job_id):
        element = ET.fromstring(state["jobs"][member])  # noqa: S314 (written by this replay)
        if element.findtext("job_state") not in ("Q", "H"):
            continue  # a running or completed job keeps its state
        _set(element, "job_state", "H" if hold else "Q")
        _set(element, "Hold_Types", "u" if hold else "n")
        state["jobs"][member] = ET.tostring(element, encoding="unicode")


def _set(element: ET.Element, tag: str, value: str) -> None:
    child = element.find(tag)
    if child is None:
        child = ET.SubElement(element, tag)
    child.text = value


# ---------------------------------------------------------------------------
# qsub


def qsub(argv: list[str]) -> int:
    with locked_state() as state:
        try:
            opts, operands = getopt.getopt(argv[1:], QSUB_OPTIONS)
        except getopt.GetoptError as e:
            _log(state, argv)
            sys.stderr.write(f"qsub: {e}\nusage: qsub [options] [script]\n")
            return BAD_OPTION
        if len(operands) > 1:
            _log(state, argv)
            return not_recorded(argv)
        if operands:
            script = Path(operands[0]).read_text()
            _log(state, argv)
        else:
            script = sys.stdin.read()
            _log(state, argv, script)
        options = _directive_options(script) + opts  # the command line wins
        queues = re.findall(r"^Queue: (\S+)", recording(QUEUES_TEXT).stdout, re.M)
        queue = _last(options, "-q") or queues[0]
        if queue not in queues:
            # 80_qsub_bad_queue
            sys.stderr.write("qsub: submit error (Unknown queue MSG=requested queue not found)\n")
            return UNKNOWN_QUEUE
        walltime = _resources(options)["walltime"]
        if _seconds(walltime) is None:
            # 84: the server refuses a walltime it cannot read.
            sys.stderr.write(recording("84_qsub_bad_walltime.txt").stderr)
            return BAD_ATTRIBUTE_VALUE
        name = _last(options, "-N") or (Path(operands[0]).name if operands else "STDIN")
        job_id = _new_job(state, options, name, queue, " ".join(argv[1:]))
        state["scripts"][job_id] = script
        if not any(flag == "-z" for flag, _ in options):  # -z: no job id printed
            sys.stdout.write(f"{job_id}\n")
        return 0


def _directive_options(script: str) -> list[tuple[str, str]]:
    """The options of the script's ``#PBS`` lines (those before its first command)."""
    words: list[str] = []
    for line in script.splitlines():
        stripped = line.strip()
        if stripped.startswith("#PBS"):
            words += shlex.split(stripped[4:])
        elif stripped and not stripped.startswith("#"):
            break
    return getopt.getopt(words, QSUB_OPTIONS)[0]


def _last(options: list[tuple[str, str]], flag: str) -> str | None:
    values = [v for o, v in options if o == flag]
    return values[-1] if values else None


def _resources(options: list[tuple[str, str]]) -> dict[str, str]:
    wanted: dict[str, str] = {}
    for flag, value in options:
        if flag == "-l":
            for item in value.split(","):
                key, _, amount = item.partition("=")
                wanted[key] = amount
    wanted.setdefault("nodes", "1")
    wanted.setdefault("walltime", "01:00:00")
    nodes = wanted["nodes"].split(":", 1)[0]
    wanted["nodect"] = nodes if nodes.isdigit() else "1"
    return wanted


def _new_job(
    state: State, options: list[tuple[str, str]], name: str, queue: str, submit_args: str
) -> str:
    number = state["next_id"]
    state["next_id"] = number + 1
    workdir = _last(options, "-d") or os.getcwd()
    user = state["user"]
    held = any(o == "-h" for o, _ in options)
    span = _last(options, "-t")
    job_id = f"{number}[].{SERVER}" if span else f"{number}.{SERVER}"
    now = str(int(time.time()))

    def element(suffix: str, job_name: str, *, slot_held: bool = False) -> ET.Element:
        job = ET.Element("Job")
        fields = {
            "Job_Id": job_id.replace("[]", f"[{suffix}]") if suffix else job_id,
            "Job_Name": job_name,
            "Job_Owner": f"{user}@{SUBMIT_HOST}",
            "job_state": "H" if held or slot_held else "Q",
            "queue": queue,
            "server": SERVER,
            "ctime": now,
        }
        for tag, value in fields.items():
            _set(job, tag, value)
        tail = f"-{suffix}" if suffix else ""
        _set(job, "Error_Path", _path(_last(options, "-e"), workdir, f"{name}.e{number}{tail}"))
        if held or slot_held or not suffix:
            # Subjobs never held have no Hold_Types (34); the slot limit's is l (46).
            _set(job, "Hold_Types", "u" if held else "l" if slot_held else "n")
        _set(job, "Join_Path", _last(options, "-j") or "n")
        _set(job, "Output_Path", _path(_last(options, "-o"), workdir, f"{name}.o{number}{tail}"))
        _set(job, "qtime", now)
        wanted = ET.SubElement(job, "Resource_List")
        for key, value in _resources(options).items():
            seconds = _seconds(value) if key == "walltime" else None
            _set(wanted, key, _hms(seconds) if seconds is not None else value)
        variables = f"PBS_O_QUEUE={queue},PBS_O_WORKDIR={os.getcwd()},PBS_O_HOST={SUBMIT_HOST}"
        _set(job, "Variable_List", variables + (f",PBS_ARRAYID={suffix}" if suffix else ""))
        _set(job, "submit_args", submit_args)
        if span and not suffix:
            _set(job, "job_array_request", span)
        if suffix:
            _set(job, "job_array_id", suffix)
        _set(job, "init_work_dir", workdir)
        return job

    made = [(job_id, element("", name))]
    if span:
        indices, _, slots = span.partition("%")
        first, _, last = indices.partition("-")
        for n, index in enumerate(range(int(first), int(last or first) + 1)):
            # -t 1-3%1: the subjobs past the slot limit wait held (46: 100[2], 100[3]).
            slot_held = bool(slots) and n >= int(slots)
            subjob = element(str(index), f"{name}-{index}", slot_held=slot_held)
            made.append((f"{number}[{index}].{SERVER}", subjob))
    for made_id, job in made:
        state["jobs"][made_id] = ET.tostring(job, encoding="unicode")
    return job_id


def _seconds(walltime: str) -> int | None:
    """A walltime as Torque 6's server reads it (decode_time): [[[DD:]HH:]MM:]SS, digits
    only, a fraction of a second after a dot; None for what it refuses."""
    whole, _, fraction = walltime.partition(".")
    parts = whole.split(":")
    if len(parts) > 4 or not all(p.isdigit() or p == "" for p in [*parts, fraction]):
        return None
    days = int(parts.pop(0) or 0) if len(parts) == 4 else 0
    seconds = 0
    for part in parts:
        seconds = seconds * 60 + int(part or 0)
    return days * 86400 + seconds + (1 if fraction[:3].ljust(3, "0") >= "500" else 0)


def _hms(seconds: int) -> str:
    """Torque prints a walltime as HH:MM:SS, hours past 24 included (encode_time)."""
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _path(value: str | None, workdir: str, default: str) -> str:
    """Torque records output paths as host:/absolute/path."""
    path = value.split(":", 1)[-1] if value else default
    return f"{SUBMIT_HOST}:{os.path.join(workdir, path)}"


# ---------------------------------------------------------------------------
# pbsnodes


def pbsnodes(argv: list[str]) -> int:
    with locked_state() as state:
        _log(state, argv)
    if argv[1:] != ["-a"]:
        return not_recorded(argv)
    # A test may give the server other nodes (TorqueReplay.set_text).
    sys.stdout.write(state.get("pbsnodes_a") or recording(NODES_TEXT).stdout)
    return 0


COMMANDS = {
    "qstat": qstat,
    "qsub": qsub,
    "qdel": qdel,
    "qhold": qhold,
    "qrls": qrls,
    "pbsnodes": pbsnodes,
}


def main(argv: list[str]) -> int:
    name = Path(argv[0]).name
    return COMMANDS[name]([name, *argv[1:]])
