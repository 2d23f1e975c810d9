"""Test-only Torque stand-ins: qstat, qsub, qdel, qhold, qrls and pbsnodes answering from a
state file that starts from tests/fixtures/torque (Torque's documented formats) and
changes the way a Torque server's would.

- ``qsub`` adds a job from its options and the script's ``#PBS`` lines (the options win);
  ``-h`` holds it, ``-t 1-3`` makes an array with its subjobs, ``-q`` names a queue of
  qstat_Q_f.txt (another queue is refused as Torque refuses it).
- ``qstat -t`` lists an array's subjobs instead of the array's own record, never the
  record itself, also when the array's id is asked; without ``-t`` the array's id lists
  every job in the queue (recordings 31, 52, 53).
- ``qdel`` ends the job as the recorded server (keep_completed = 300) does: a job that
  has not started becomes ``C`` with no exit_status, a running one ``C`` with exit_status
  271 (SIGTERM), an array's subjobs alike and the array ``C`` once all its subjobs are
  (10, 11, 43, 45, 73, 75); a ``C`` job is refused with exit code 170 (70, 71). With the
  state's ``keep_completed`` at 0 the job is gone at once, as such a server forgets it.
  ``qhold`` shows H with Hold_Types u; ``qrls`` puts it back to Q.
  One subjob (``17[2]``) is an id like any other. A range of subjobs in the id
  (``17[1-2]``) is refused by qdel as the real one refuses it (``illegally formed job
  identifier``, exit 1); Torque's form, ``-t 1-2 17[].torque01``, acts on those subjobs
  (all three commands).
- Unknown ids: exit code 153, with ``qstat: Unknown Job Id Error ID`` (56),
  ``qdel: nonexistent job id: ID`` (65), and from qhold and qrls nothing at all (66, 67).

The state (JSON, path in ``$TORQUE_REPLAY_STATE``) holds each job's ``<Job>`` element as
Torque prints it; every call is logged in its ``calls`` with the working folder and the
standard input. A call the fixtures do not cover answers exit code 99, so a test fails
loudly if the product sends it. ``qstat --version`` needs no state (detection asks it).
Never installed with the package.
"""

from __future__ import annotations

import contextlib
import getopt
import os
import pwd
import re
import shlex
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from ..replay_state import NOT_RECORDED, State, locked_state_in

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "torque"
STATE_ENV = "TORQUE_REPLAY_STATE"
SERVER = "torque01"
SUBMIT_HOST = "login01"
UNKNOWN_JOB = 153  # PBSE_UNKJOBID 15001 modulo 256
BAD_STATE = 170  # PBSE_BADSTATE 15018 modulo 256
UNKNOWN_QUEUE = 172  # PBSE_UNKQUE 15020 modulo 256
BAD_OPTION = 2
# The recorded server's keep_completed: how long it lists an ended job (state C).
KEEP_COMPLETED = 300
# The exit status of a job deleted while it ran: 256 + SIGTERM (10, 43).
DELETED_RUNNING = "271"

# Torque's qsub options (its man page); those with ':' take a value.
QSUB_OPTIONS = "a:A:b:c:C:d:D:e:fF:hIj:k:K:l:m:M:nN:o:p:P:q:r:S:t:T:u:v:Vw:W:Xxz"


def _fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


def jobs_from_xml(text: str, user: str, other_user: str = "bob") -> dict[str, str]:
    """The ``<Job>`` elements of ``qstat -f -x`` answers (one or several documents), by id:
    alice's become ``user``'s, bob's stay ``other_user``'s."""
    jobs: dict[str, str] = {}
    body = re.sub(r"<\?xml[^>]*\?>", "", text)
    # The fixtures and recordings are ours (S314 is about untrusted XML).
    for element in ET.fromstring(f"<all>{body}</all>").iter("Job"):  # noqa: S314
        owner = element.find("Job_Owner")
        assert owner is not None
        name = str(owner.text).split("@", 1)[0]
        owner.text = f"{user if name == 'alice' else other_user}@{SUBMIT_HOST}"
        jobs[str(element.findtext("Job_Id"))] = ET.tostring(element, encoding="unicode")
    return jobs


def initial_state(user: str, other_user: str = "bob") -> State:
    """The fixture's jobs: alice's become ``user``'s, bob's stay ``other_user``'s."""
    jobs = jobs_from_xml(_fixture("qstat_f_x.xml"), user, other_user)
    return {
        "next_id": 18,
        "jobs": jobs,
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
        sys.stderr.write(_fixture("qstat_version.txt"))  # Torque writes it on stderr
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
        sys.stdout.write(_fixture("qstat_B_f.txt"))
        return 0
    if flags == {"-Q", "-f"} and not operands:
        # A test may give the server other queues (TorqueReplay.set_text).
        sys.stdout.write(state.get("qstat_Q_f") or _fixture("qstat_Q_f.txt"))
        return 0
    if not {"-f", "-x"} <= flags or not flags <= {"-f", "-x", "-t"}:
        return not_recorded(argv)
    jobs: dict[str, str] = state["jobs"]
    subjobs = "-t" in flags
    # -t: subjobs instead of their arrays' records (31, 34); without: arrays, no subjobs.
    queue = [k for k in jobs if (not _is_array(k) if subjobs else "[" not in k or _is_array(k))]
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
        shown = [job_id]
        if _is_array(job_id):
            # 53: -t, the array's subjobs and no record of the array itself; 52: without
            # -t, every job in the queue.
            shown = _subjobs(state, job_id) if subjobs else queue
        _xml_document([jobs[k] for k in shown])
    return code


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
        queues = re.findall(r"^Queue: (\S+)", _fixture("qstat_Q_f.txt"), re.M)
        queue = _last(options, "-q") or queues[0]
        if queue not in queues:
            # 80_qsub_bad_queue
            sys.stderr.write("qsub: submit error (Unknown queue MSG=requested queue not found)\n")
            return UNKNOWN_QUEUE
        name = _last(options, "-N") or (Path(operands[0]).name if operands else "STDIN")
        job_id = _new_job(state, options, name, queue, " ".join(argv[1:]))
        state["scripts"][job_id] = script
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
    user = pwd.getpwuid(os.geteuid()).pw_name
    held = any(o == "-h" for o, _ in options)
    span = _last(options, "-t")
    job_id = f"{number}[].{SERVER}" if span else f"{number}.{SERVER}"
    now = str(int(time.time()))

    def element(suffix: str, job_name: str) -> ET.Element:
        job = ET.Element("Job")
        fields = {
            "Job_Id": job_id.replace("[]", f"[{suffix}]") if suffix else job_id,
            "Job_Name": job_name,
            "Job_Owner": f"{user}@{SUBMIT_HOST}",
            "job_state": "H" if held else "Q",
            "queue": queue,
            "server": SERVER,
            "ctime": now,
        }
        for tag, value in fields.items():
            _set(job, tag, value)
        tail = f"-{suffix}" if suffix else ""
        _set(job, "Error_Path", _path(_last(options, "-e"), workdir, f"{name}.e{number}{tail}"))
        _set(job, "Hold_Types", "u" if held else "n")
        _set(job, "Join_Path", _last(options, "-j") or "n")
        _set(job, "Output_Path", _path(_last(options, "-o"), workdir, f"{name}.o{number}{tail}"))
        _set(job, "qtime", now)
        wanted = ET.SubElement(job, "Resource_List")
        for key, value in _resources(options).items():
            _set(wanted, key, value)
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
        first, _, last = span.split("%", 1)[0].partition("-")
        for index in range(int(first), int(last or first) + 1):
            made.append((f"{number}[{index}].{SERVER}", element(str(index), f"{name}-{index}")))
    for made_id, job in made:
        state["jobs"][made_id] = ET.tostring(job, encoding="unicode")
    return job_id


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
    sys.stdout.write(state.get("pbsnodes_a") or _fixture("pbsnodes_a.txt"))
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
