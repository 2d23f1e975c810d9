"""Test-only OpenPBS stand-ins: qstat, qsub, qdel, qhold, qrls and pbsnodes answering from a
state file, the way a real server would.

The state (JSON, path in ``$PBS_REPLAY_STATE``) starts from the recorded real outputs in
tests/fixtures/pbs (see :func:`initial_state`) and changes as a server's would: a deleted
job goes to the history (``qstat -x``), a held job shows H with Hold_Types u, a released
one goes back to Q, unknown and finished ids answer the recorded messages and exit codes.
Every call is logged in the state's ``calls`` so tests can check the exact argv.

Which OpenPBS prints the JSON: the state's ``json_printer``. ``"master"`` (the default)
prints as the upstream-master build of fixtures/pbs (tab indents, every value properly
quoted or a number); ``"release"`` as the released 23.06.06 of fixtures/pbs/release-23.06.06
(release_json.py: bare numeric-looking values, names included, and raw backslashes, so
often invalid JSON). ``json`` False is a PBS Professional without ``-F json``.

An array's subjob that has not started is kept as its state alone (``UNSTARTED``) and shown
the way the released 23.06.06 shows one (release-23.06.06/29, 39, 40, 42, 49): with its
array's attributes of the moment, without array_id or array_index (see :func:`shown`).

What the recordings do not show is not made up: such a call answers exit code 99 with
``pbs_replay: no recording for ...``, so a test fails loudly if the product sends it.
Never installed with the package; the tests put these executables on PATH or in
HPCConfig.command_paths.
"""

from __future__ import annotations

import contextlib
import getopt
import json
import os
import pwd
import shlex
import sys
import time
from pathlib import Path
from typing import Any

from ..replay_state import NOT_RECORDED, State, locked_state_in
from .recordings import recording
from .release_json import release_document

STATE_ENV = "PBS_REPLAY_STATE"
UNKNOWN_JOB = 153
FINISHED_JOB = 35
UNKNOWN_QUEUE = 170
UNKNOWN_RESOURCE = 187  # 48_qsub_ngpus_unknown_resource (PBS error 15035)
BAD_OPTION = 2
# What a PBS client prints when no server answers. No recording shows it (the release
# README says the qdels that crashed pbs_server were left out on purpose), so the words are
# the client's "<command>: cannot connect to server <host> (errno=<PBS error>)" line, with
# 15010 as our brief gives it, and the exit code is that error number modulo 256, as every
# recorded PBS exit code is (README: "the exit code is the PBS error number modulo 256").
NO_SERVER_ERRNO = 15010
NO_SERVER = NO_SERVER_ERRNO % 256  # 162

Attrs = dict[str, Any]


def _json_of(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(recording(name).stdout)
    return data


def _usage(name: str) -> str:
    """The usage text of a recorded bad-option answer (everything after the first line)."""
    return recording(name).stderr.split("\n", 1)[1]


def initial_state(user: str, other_user: str = "alice") -> State:
    """The server as recorded at 00:08:26 (12_qstat_f_F_json), with the array's subjobs.

    Jobs 1-5 (and the array's subjobs) belong to ``user``, jobs 6 and 8 to ``other_user``,
    so a test sees its own jobs and someone else's. Subjob 3[1] is the recorded one
    (21_qstat_f_F_json_array_subjob); 3[2] and 3[3] are queued, as 16_qstat_t shows them,
    not started (shown with the array's attributes). 0.pbs01 is the finished job of the
    history (72_qstat_x_f_F_json).
    """
    recorded = _json_of("12_qstat_f_F_json")
    server = recorded["pbs_server"]
    jobs: dict[str, Attrs] = {}
    running_subjob = _json_of("21_qstat_f_F_json_array_subjob")["Jobs"]["3[1].pbs01"]
    for job_id, attrs in recorded["Jobs"].items():
        jobs[job_id] = attrs
        if job_id == "3[].pbs01":
            jobs["3[1].pbs01"] = running_subjob
            for index in (2, 3):
                jobs[f"3[{index}].pbs01"] = _unstarted_subjob()
    for job_id, attrs in jobs.items():
        if not attrs.get(UNSTARTED):  # shown with its array's owner
            owner = other_user if job_id in ("6.pbs01", "8.pbs01") else user
            attrs["Job_Owner"] = f"{owner}@{server}"
    history = {"0.pbs01": _json_of("72_qstat_x_f_F_json")["Jobs"]["0.pbs01"]}
    history["0.pbs01"]["Job_Owner"] = f"{user}@{server}"
    return {
        "server": server,
        "version": recorded["pbs_version"],
        "json": True,
        "json_printer": "master",
        "next_id": 10,
        "jobs": jobs,
        "history": history,
        "queues": _json_of("27_qstat_Q_f_F_json")["Queue"],
        "server_attrs": _json_of("28_qstat_B_f_F_json")["Server"][server],
        "nodes": _json_of("33_pbsnodes_av_F_json")["nodes"],
        "calls": [],
    }


def finish_recorded_jobs(state: State, user: str) -> State:
    """The jobs that had ended by 00:12:23 (72_qstat_x_f_F_json) leave the queue for the
    history with the final attributes recorded then, all of them ``user``'s: 2 (shortjob,
    exit 0), 5 (failjob, exit 3), 6 (walljob, killed at its walltime, -29) and 8
    (stdinjob, deleted while queued). For the browser tests of the history; the array 3[]
    stays in the queue (its queued subjobs are what the queue tests look at).
    """
    recorded = _json_of("72_qstat_x_f_F_json")["Jobs"]
    for job_id in ("2.pbs01", "5.pbs01", "6.pbs01", "8.pbs01"):
        attrs = recorded[job_id]
        attrs["Job_Owner"] = f"{user}@{state['server']}"
        state["jobs"].pop(job_id, None)
        state["history"][job_id] = attrs
    return state


def history_enabled(state: State) -> bool:
    """``job_history_enable`` as ``qstat -B`` shows it; unset is off (OpenPBS's default)."""
    return str(state["server_attrs"].get("job_history_enable", "False")) == "True"


def set_job_history(state: State, enabled: bool) -> State:
    """What ``qmgr -c 'set server job_history_enable=True|False'`` does (release recordings
    66 and 71): the attribute shows as "True"/"False" in ``qstat -B`` (67), and turning it
    off removes the jobs that had finished, which turning it on again does not bring back
    (72, 73). Jobs in the queue stay."""
    state["server_attrs"]["job_history_enable"] = "True" if enabled else "False"
    if not enabled:
        state["history"] = {}
    return state


# The mark of a subjob that has not started: the state keeps only its state letter.
UNSTARTED = "_unstarted"
# What such a subjob does not show of its array's attributes (release 29, 39, 49).
_ARRAY_ONLY = frozenset(
    {
        "array",
        "array_state_count",
        "array_indices_submitted",
        "array_indices_remaining",
        "project",
        "Submit_Host",
        "history_timestamp",
    }
)


def _unstarted_subjob() -> Attrs:
    return {"job_state": "Q", UNSTARTED: True}


def shown(pool: dict[str, Attrs], job_id: str, *, under_array: bool) -> Attrs:
    """A job's attributes as qstat prints them.

    A subjob that has not started is printed from its array's attributes of the moment
    (the array's stime and comment while it runs, its Exit_status, obittime and substate
    once it ended) with its own state: a queued one listed under its array (``-t``) has
    substate 10, asked alone the array's (release 39, 40); a deleted one says "Subjob
    finished" (42, 49).
    """
    attrs = pool[job_id]
    if not attrs.get(UNSTARTED):
        return attrs
    parent = pool[array_of(job_id)]
    view = {k: v for k, v in parent.items() if k not in _ARRAY_ONLY}
    view["job_state"] = attrs["job_state"]
    if attrs["job_state"] == "Q" and under_array:
        view["substate"] = 10
    if attrs["job_state"] in ("X", "F"):
        view["comment"] = "Subjob finished"
    return view


def locked_state() -> contextlib.AbstractContextManager[State]:
    """The state, locked for one command, written back when the command is done."""
    return locked_state_in(STATE_ENV, "pbs_replay")


class Answer:
    def __init__(self) -> None:
        self.out: list[str] = []
        self.err: list[str] = []
        self.code = 0

    def error(self, line: str, code: int) -> None:
        self.err.append(line + "\n")
        self.code = code

    def finish(self) -> int:
        sys.stdout.write("".join(self.out))
        sys.stderr.write("".join(self.err))
        return self.code


def server_gone(state: State, argv: list[str]) -> int | None:
    """Once a qdel has crashed the server (see :func:`qdel`), every command that needs
    it fails as a client does when nothing listens; ``--version`` needs no server."""
    if not state.get("server_down") or argv[1:] == ["--version"]:
        return None
    answer = Answer()
    answer.error(
        f"{argv[0]}: cannot connect to server {state['server']} (errno={NO_SERVER_ERRNO})",
        NO_SERVER,
    )
    return answer.finish()


def not_recorded(argv: list[str]) -> int:
    sys.stderr.write(f"pbs_replay: no recording for {' '.join(argv)}\n")
    return NOT_RECORDED


def current_user() -> str:
    return pwd.getpwuid(os.geteuid()).pw_name


# ---------------------------------------------------------------------------
# Ids


def full_id(state: State, job_id: str) -> str:
    """``9999`` -> ``9999.pbs01``, as the server qualifies short ids in its messages."""
    return job_id if "." in job_id else f"{job_id}.{state['server']}"


def _split(job_id: str) -> tuple[str, str, str] | None:
    if "[" not in job_id or "]" not in job_id:
        return None
    head, _, rest = job_id.partition("[")
    inside, _, suffix = rest.partition("]")
    return head, inside, suffix


def _indices(text: str) -> list[int]:
    """``2-9:2`` -> 2, 4, 6, 8."""
    span, _, step = text.partition(":")
    first, _, last = span.partition("-")
    return list(range(int(first), int(last or first) + 1, int(step or 1)))


def array_of(job_id: str) -> str:
    """``3[1].pbs01`` -> ``3[].pbs01``."""
    parts = _split(job_id)
    assert parts is not None
    return f"{parts[0]}[]{parts[2]}"


def subjobs_of(state: State, parent_id: str) -> list[str]:
    return [j for j in state["jobs"] if _is_subjob(j) and array_of(j) == parent_id]


def resolve(state: State, job_id: str) -> tuple[str, list[str]]:
    """(where, ids): "active" with the active ids it names, "history", or "unknown"."""
    job_id = full_id(state, job_id)
    jobs, history = state["jobs"], state["history"]
    parts = _split(job_id)
    if parts is not None and parts[1] and "-" in parts[1]:
        parent = f"{parts[0]}[]{parts[2]}"
        if parent not in jobs:
            return ("history", []) if parent in history else ("unknown", [])
        ids = [f"{parts[0]}[{i}]{parts[2]}" for i in _indices(parts[1])]
        return "active", [i for i in ids if i in jobs]
    if job_id in jobs:
        return "active", [job_id]
    if job_id in history:
        return "history", []
    return "unknown", []


# ---------------------------------------------------------------------------
# Output forms


def json_document(state: State, member: str, items: dict[str, Any]) -> str:
    doc: dict[str, Any] = {
        "timestamp": int(time.time()),
        "pbs_version": state["version"],
        "pbs_server": state["server"],
    }
    if items:  # PBS leaves the member out when nothing matches
        doc[member] = items
    if state.get("json_printer") == "release":
        return release_document(doc, matched=bool(items))
    return json.dumps(doc, indent="\t", separators=(",", ":\t"), ensure_ascii=False) + "\n"


def _text_value(value: Any) -> str:
    return str(value)


def _wrap(line: str, width: int = 79) -> str:
    """PBS wraps long -f lines, continuing on lines that start with a TAB, even mid-word."""
    if len(line) <= width:
        return line
    chunks = [line[:width]]
    rest = line[width:]
    while rest:
        chunks.append(rest[: width - 8])
        rest = rest[width - 8 :]
    return "\n\t".join(chunks)


def text_blocks(head: str, items: dict[str, Attrs], indent: str = "    ") -> str:
    out: list[str] = []
    for name, attrs in items.items():
        out.append(f"{head}{name}")
        for key, value in attrs.items():
            if isinstance(value, dict):
                if key == "Variable_List":
                    joined = ",".join(f"{k}={_text_value(v)}" for k, v in value.items())
                    out.append(_wrap(f"{indent}{key} = {joined}"))
                    continue
                for sub, sub_value in value.items():
                    out.append(_wrap(f"{indent}{key}.{sub} = {_text_value(sub_value)}"))
            elif isinstance(value, list):
                out.append(_wrap(f"{indent}{key} = {', '.join(map(str, value))}"))
            else:
                out.append(_wrap(f"{indent}{key} = {_text_value(value)}"))
        out.append("")
    return "\n".join(out) + ("\n" if out else "")


# ---------------------------------------------------------------------------
# qstat


def qstat(argv: list[str]) -> int:
    with locked_state() as state:
        state["calls"].append(argv)
        gone = server_gone(state, argv)
        if gone is not None:
            return gone
        return _qstat(state, argv)


def _qstat(state: State, argv: list[str]) -> int:
    answer = Answer()
    args = argv[1:]
    if args == ["--version"]:
        answer.out.append(f"pbs_version = {state['version']}\n")
        return answer.finish()
    letters = "ftxQBF:" if state["json"] else "ftxQB"
    try:
        opts, operands = getopt.gnu_getopt(args, letters)
    except getopt.GetoptError as e:
        usage = _usage("38_qstat_bad_option")
        if not state["json"]:
            # A PBS Professional without -F json: its usage offers no -F.
            usage = usage.replace(" [-F format | -w]", " [-w]").replace(" [-F format]", "")
        answer.error(f"qstat: invalid option -- '{e.opt}'\n{usage.rstrip()}", BAD_OPTION)
        return answer.finish()
    flags = {o for o, _ in opts}
    fmt = dict(opts).get("-F")
    if fmt is not None and "-f" not in flags:
        answer.error(f"qstat: conflicting options.\n{_usage('39_qstat_F_json_without_f')}", 2)
        return answer.finish()
    if fmt not in (None, "json") or "-f" not in flags:
        return not_recorded(argv)  # only the full forms are recorded
    as_json = fmt == "json"
    if "-Q" in flags:
        queues = state["queues"]
        chosen: dict[str, Attrs] = {}
        for name in operands or list(queues):
            if name in queues:
                chosen[name] = queues[name]
            else:
                answer.error(f"qstat: Unknown queue {name}", UNKNOWN_QUEUE)
        answer.out.append(
            json_document(state, "Queue", chosen) if as_json else text_blocks("Queue: ", chosen)
        )
        return answer.finish()
    if "-B" in flags:
        server = {state["server"]: state["server_attrs"]}
        answer.out.append(
            json_document(state, "Server", server) if as_json else text_blocks("Server: ", server)
        )
        return answer.finish()
    subjobs, history = "-t" in flags, "-x" in flags
    if history and not history_enabled(state):
        return _no_history(state, answer, operands, as_json)
    listed: dict[str, Attrs] = {}
    if not operands:
        listed = every_job(state, history=history, subjobs=subjobs)
    for operand in operands:
        where, ids = resolve(state, operand)
        name = full_id(state, operand)
        if where == "unknown":
            answer.error(f"qstat: Unknown Job Id {name}", UNKNOWN_JOB)
        elif where == "history" and not history:
            answer.error(
                f"qstat: {name} Job has finished, use -x or -H to obtain historical job "
                "information",
                FINISHED_JOB,
            )
        elif where == "history":
            listed[name] = shown(state["history"], name, under_array=False)
            if subjobs and name.endswith(f"[].{state['server']}"):
                for sub in _history_subjobs(state, name):
                    listed[sub] = shown(state["history"], sub, under_array=True)
        for job_id in ids:
            listed[job_id] = shown(state["jobs"], job_id, under_array=False)
            if subjobs and job_id.endswith(f"[].{state['server']}"):
                for sub in subjobs_of(state, job_id):
                    listed[sub] = shown(state["jobs"], sub, under_array=True)
    answer.out.append(
        json_document(state, "Jobs", listed) if as_json else text_blocks("Job Id: ", listed)
    )
    if not as_json and not listed:
        answer.out = []
    return answer.finish()


def _no_history(state: State, answer: Answer, operands: list[str], as_json: bool) -> int:
    """qstat -x on a server with job history off: exit 0 and no job at all, not even a
    running one; stderr says why, naming each id asked (68), or ending in a space when
    none was (69). The JSON form prints the wrapper without "Jobs" (68)."""
    for operand in operands or [""]:
        answer.err.append(
            f"qstat: PBS is not configured to maintain job history "
            f"{full_id(state, operand) if operand else ''}\n"
        )
    if as_json:
        answer.out.append(json_document(state, "Jobs", {}))
    return answer.finish()


def every_job(state: State, *, history: bool = False, subjobs: bool = True) -> dict[str, Attrs]:
    """What ``qstat -f [-x] [-t]`` without ids prints: every job in number order, with
    the subjobs after their array."""
    pool = {**state["history"], **state["jobs"]} if history else state["jobs"]
    return {
        job_id: shown(pool, job_id, under_array=True)
        for job_id in sorted(pool, key=_order)
        if subjobs or not _is_subjob(job_id)
    }


def _history_subjobs(state: State, parent_id: str) -> list[str]:
    return sorted(
        (j for j in state["history"] if _is_subjob(j) and array_of(j) == parent_id), key=_order
    )


def _order(job_id: str) -> tuple[int, int]:
    """Numeric order, subjobs after their array, as qstat lists them."""
    head = job_id.split(".", 1)[0]
    number, _, rest = head.partition("[")
    index = rest.rstrip("]")
    return int(number), int(index) if index.isdigit() else -1


# ---------------------------------------------------------------------------
# qdel, qhold, qrls


def _to_history(state: State, job_id: str, attrs: Attrs) -> None:
    """A job that ended: kept as F while the server keeps history, else forgotten."""
    if history_enabled(state):
        state["history"][job_id] = attrs


def _finish_job(state: State, job_id: str) -> None:
    """A deleted job: to the history as F, the way the server records it."""
    attrs = state["jobs"].pop(job_id)
    was_running = attrs.get("job_state") == "R"
    attrs["job_state"] = "F"
    if was_running:
        # 86_qdel_second_time...: a job deleted while running ends with Exit_status 271;
        # every job that ran has Stageout_status 1 once it ended (72, release 49).
        attrs.update(substate=92, Stageout_status=1, Exit_status=271)
    else:
        # 75_qstat_x_f_F_json_deleted_while_queued: substate 91, no Exit_status.
        attrs["substate"] = 91
        attrs["comment"] = f"{attrs.get('comment', 'Not Running')} and terminated"
    _to_history(state, job_id, attrs)


def _expire_subjob(state: State, job_id: str) -> None:
    attrs = state["jobs"][job_id]
    if attrs["job_state"] == "X":
        return
    parent = state["jobs"][array_of(job_id)]
    if attrs.get(UNSTARTED):
        # release 41/42: X with the array's substate, "Subjob finished", no Exit_status; the
        # array's mtime is the qdel's.
        attrs["job_state"] = "X"
        parent["mtime"] = time.ctime()
        return
    if attrs.get("job_state") == "R":
        attrs.update(Stageout_status=1, Exit_status=271)
    attrs["job_state"] = "X"
    # OpenPBS's update_sj_parent: the array takes the Stageout_status of its subjobs, and
    # its Exit_status is the category (0, 1 above zero, 2 below) of the subjob that ended
    # last, not a sum of them all (release 49: the array's 0 and Stageout_status 1).
    if "Stageout_status" in attrs and parent.get("Stageout_status") != 0:
        parent["Stageout_status"] = attrs["Stageout_status"]
    if "Exit_status" in attrs:
        status = int(attrs["Exit_status"])
        parent["Exit_status"] = 0 if status == 0 else 1 if status > 0 else 2


def _array_done(state: State, parent: str) -> None:
    """When no subjob is left to run, the array ends (release 49): F, substate 92,
    "... and finished", its obittime; the subjobs that ran are F, substate 92, those that
    never started are shown from it."""
    subs = subjobs_of(state, parent)
    if any(state["jobs"][s]["job_state"] != "X" for s in subs):
        return
    for s in subs:
        attrs = state["jobs"].pop(s)
        attrs["job_state"] = "F"
        if not attrs.get(UNSTARTED):
            attrs["substate"] = 92
        _to_history(state, s, attrs)
    attrs = state["jobs"].pop(parent)
    now = time.ctime()
    attrs.update(job_state="F", substate=92, mtime=now, obittime=now)
    if attrs.get("comment"):
        attrs["comment"] = f"{attrs['comment']} and finished"
    attrs["history_timestamp"] = int(time.time())
    _to_history(state, parent, attrs)


def qdel(argv: list[str]) -> int:
    with locked_state() as state:
        state["calls"].append(argv)
        gone = server_gone(state, argv)
        if gone is not None:
            return gone
        answer = Answer()
        if not argv[1:] or argv[1].startswith("-"):
            return not_recorded(argv)
        if len(argv) > 2 and any(_is_subjob(o) for o in argv[1:]):
            # The released 23.06.06 pbs_server dies (SIGSEGV in req_deletejob) on one qdel
            # naming a subjob or subjob range with any other id, in either order
            # (release-23.06.06 README, "Not recorded on purpose"). Nothing is deleted here
            # (what the dying server did is not known), and the server stays down for the
            # rest of this state, so no later call can hide the crash.
            state["server_down"] = True
            return server_gone(state, argv) or NO_SERVER
        for operand in argv[1:]:
            where, ids = resolve(state, operand)
            name = full_id(state, operand)
            if where == "unknown":
                answer.error(f"qdel: Unknown Job Id {name}", UNKNOWN_JOB)
            elif where == "history":
                answer.error(f"qdel: Job has finished {name}", FINISHED_JOB)
            for job_id in ids:
                attrs = state["jobs"][job_id]
                if attrs.get("array") == "True":
                    for sub in subjobs_of(state, job_id):
                        _expire_subjob(state, sub)
                    _array_done(state, job_id)
                elif _is_subjob(job_id):
                    _expire_subjob(state, job_id)
                    _array_done(state, array_of(job_id))
                else:
                    _finish_job(state, job_id)
        return answer.finish()


def _hold_comment() -> str:
    # 45_qstat_f_F_json_after_qhold: "Job held by alice on Sun Nov 22 00:08:42 2026"
    return f"Job held by {current_user()} on {time.ctime()}"


def qhold(argv: list[str]) -> int:
    return _hold_or_release(argv, hold=True)


def qrls(argv: list[str]) -> int:
    return _hold_or_release(argv, hold=False)


def _hold_or_release(argv: list[str], *, hold: bool) -> int:
    command = "qhold" if hold else "qrls"
    with locked_state() as state:
        state["calls"].append(argv)
        gone = server_gone(state, argv)
        if gone is not None:
            return gone
        answer = Answer()
        operands = argv[1:]
        if not operands or any(o.startswith("-") or _is_subjob(o) for o in operands):
            return not_recorded(argv)  # options and subjobs are not recorded
        for operand in operands:
            where, ids = resolve(state, operand)
            name = full_id(state, operand)
            if where == "unknown":
                # 51_qhold_unknown (qrls answers in the same words)
                answer.error(f"{command}: Unknown Job Id {name}", UNKNOWN_JOB)
                continue
            if where == "history":
                return not_recorded(argv)
            for job_id in ids:
                attrs = state["jobs"][job_id]
                if hold:
                    _hold(state, job_id, attrs)
                else:
                    _release(state, job_id, attrs)
        return answer.finish()


def _is_subjob(job_id: str) -> bool:
    parts = _split(job_id)
    return parts is not None and parts[1] != ""


def _hold(state: State, job_id: str, attrs: Attrs) -> None:
    attrs["Hold_Types"] = "u"
    attrs["comment"] = _hold_comment()
    if attrs["job_state"] in ("Q", "W"):
        # 43/44/45: a queued job goes to H, substate 20
        attrs.update(job_state="H", substate=20)
    # 58/59: a running job keeps running, with Hold_Types u. The subjobs that have not
    # started stay Q and show the array's hold (release 29).


def _release(state: State, job_id: str, attrs: Attrs) -> None:
    if attrs.get("Hold_Types", "n") == "n" and attrs["job_state"] != "H":
        return  # 52_qrls_not_held: exit 0, nothing changes
    attrs["Hold_Types"] = "n"
    # The hold's comment goes: 47, and 63 -> 72_qstat_x_f_F_json (1.pbs01 has none).
    attrs.pop("comment", None)
    if attrs["job_state"] == "H":
        # 46/47 and 49: back to Q, substate 10, eligible from now (72: 2.pbs01's etime)
        attrs.update(job_state="Q", substate=10)
        attrs.setdefault("etime", time.ctime())
    # 63: a running held job keeps running, Hold_Types back to n
    subs = subjobs_of(state, job_id)
    if any(state["jobs"][s]["job_state"] not in ("Q", "H") for s in subs):
        attrs["job_state"] = "B"


# ---------------------------------------------------------------------------
# qsub (a held or queued job from a script; the options the tests use)


# The resources a default OpenPBS server defines (its built-in ones). A site adds others,
# such as ngpus, to its resourcedef: the state's "custom_resources" (none by default, as on
# the release server of recording 48, which refuses ngpus).
BUILTIN_RESOURCES = frozenset(
    {
        "accelerator", "accelerator_memory", "accelerator_model", "aoe", "arch", "cput",
        "energy", "eoe", "exec_vnode", "file", "host", "max_walltime", "mem",
        "min_walltime", "mpiprocs", "mps", "naccelerators", "nchunk", "ncpus", "nodect",
        "nodes", "ompthreads", "pcput", "place", "pmem", "preempt_targets", "pvmem",
        "select", "site", "software", "start_time", "vmem", "vnode", "vntype", "walltime",
    }
)  # fmt: skip


def unknown_resource(state: State, resources: list[str]) -> str | None:
    """The first resource of ``-l`` values (and of their select chunks) that the server
    does not define."""
    known = BUILTIN_RESOURCES | set(state.get("custom_resources", []))
    for item in ",".join(resources).split(","):
        key, _, value = item.partition("=")
        names = [key] + (
            [p.partition("=")[0] for p in value.split(":")[1:]] if key == "select" else []
        )
        for name in names:
            if name and name not in known:
                return name
    return None


# qsub's option letters, from its usage (07_qsub_bad_option).
QSUB_LETTERS = "a:A:c:C:e:fhIJ:j:k:l:m:M:N:o:p:P:q:r:R:S:u:v:VW:Xz"


def qsub(argv: list[str]) -> int:
    with locked_state() as state:
        state["calls"].append(argv)
        gone = server_gone(state, argv)
        if gone is not None:
            return gone
        answer = Answer()
        if argv[1:] == ["--version"]:
            answer.out.append(f"pbs_version = {state['version']}\n")
            return answer.finish()
        try:
            opts, operands = getopt.getopt(argv[1:], QSUB_LETTERS)
        except getopt.GetoptError as e:
            usage = _usage_of_qsub()
            answer.error(f"qsub: invalid option -- '{e.opt}'\n{usage.rstrip()}", BAD_OPTION)
            return answer.finish()
        if len(operands) > 1 or (opts and opts[-1][0] == "--"):
            return not_recorded(argv)  # the "qsub -- command" form is not replayed
        script = Path(operands[0]).read_text() if operands else sys.stdin.read()
        try:
            directive_opts = _directive_options(script)
        except getopt.GetoptError as e:
            answer.error(f"qsub: invalid option -- '{e.opt}'", BAD_OPTION)
            return answer.finish()
        # Options on the command line win over the script's #PBS directives.
        options: dict[str, str] = {**dict(directive_opts), **dict(opts)}
        resources: list[str] = [v for o, v in [*directive_opts, *opts] if o == "-l"]
        unknown = unknown_resource(state, resources)
        if unknown is not None:
            answer.error(f"qsub: Unknown resource: {unknown}", UNKNOWN_RESOURCE)  # 48
            return answer.finish()
        queue = options.get("-q", state["server_attrs"].get("default_queue", "workq"))
        if queue not in state["queues"]:
            answer.error("qsub: Unknown queue", UNKNOWN_QUEUE)  # 08_qsub_nonexistent_queue
            return answer.finish()
        number = state["next_id"]
        state["next_id"] += 1
        name = options.get("-N") or (Path(operands[0]).name if operands else "STDIN")
        given = [*directive_opts, *opts]
        # An array's default output files end in ^array_index^ (release 29).
        sequence = f"{number}.^array_index^" if "-J" in options else str(number)
        attrs = _new_job(state, sequence, name, queue, options, resources, argv, given)
        if "-J" in options:
            job_id = f"{number}[].{state['server']}"
            _add_array(state, job_id, attrs, options["-J"])
        else:
            job_id = f"{number}.{state['server']}"
            state["jobs"][job_id] = attrs
        state.setdefault("scripts", {})[job_id] = script  # what the tests check it received
        answer.out.append(job_id + "\n")
        return answer.finish()


def _directive_options(script: str) -> list[tuple[str, str]]:
    """The #PBS directives, read as qsub reads them: until the first command line."""
    tokens: list[str] = []
    for line in script.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        if stripped.startswith("#PBS "):
            tokens += shlex.split(stripped[5:])
    opts, _ = getopt.getopt(tokens, QSUB_LETTERS)
    return opts


def _resource_list(resources: list[str]) -> Attrs:
    """``-l select=2:ncpus=4:mem=1gb -l walltime=1:00:00`` as PBS records it."""
    listed: Attrs = {"ncpus": 1, "nodect": 1, "place": "pack", "select": "1:ncpus=1"}
    for item in ",".join(resources).split(","):
        key, _, value = item.partition("=")
        if key == "select":
            chunks, *parts = value.split(":")
            per = dict(p.split("=", 1) for p in parts)
            listed["select"] = value
            listed["nodect"] = int(chunks)
            listed["ncpus"] = int(chunks) * int(per.get("ncpus", 1))
            if "mem" in per:
                listed["mem"] = per["mem"]
            if "ngpus" in per:
                listed["ngpus"] = int(chunks) * int(per["ngpus"])
        elif key:
            listed[key] = value
    return listed


def _path_attr(state: State, value: str | None, default: str) -> str:
    """``-o``/``-e`` as qsub records them (its prepare_path): absolute, and a folder that
    exists gets a trailing ``/`` (57: ``-o /home/alice/results``), which tells the server
    to copy the spool file ``<job id>.OU`` into it (53-55)."""
    path = value or default
    if not path.startswith("/"):
        path = os.path.join(os.getcwd(), path)
    if not path.endswith("/") and os.path.isdir(path):
        path += "/"
    return f"{state['server']}:{path}"


def _new_job(
    state: State,
    sequence: str,
    name: str,
    queue: str,
    options: dict[str, str],
    resources: list[str],
    argv: list[str],
    given: list[tuple[str, str]],
) -> Attrs:
    held = "-h" in options
    # The job variables of the recorded qsub -h job (2.pbs01), with this qsub's folder.
    variables = dict(_json_of("12_qstat_f_F_json")["Jobs"]["2.pbs01"]["Variable_List"])
    variables["PBS_O_WORKDIR"] = os.getcwd()
    variables["PBS_O_QUEUE"] = queue
    for item in options.get("-v", "").split(","):
        key, sep, value = item.partition("=")
        if key:
            value = value.strip('"') if sep else os.environ.get(key, "")
            if state.get("json_printer") == "release":
                # The release keeps each backslash of a -v value as four (18/19, 21/22).
                value = value.replace("\\", "\\" * 4)
            variables[key] = value
    attrs: Attrs = {
        "Job_Name": name,
        "Job_Owner": f"{current_user()}@{state['server']}",
        "job_state": "H" if held else "Q",
        "queue": queue,
        "server": state["server"],
        "Checkpoint": "u",
        "ctime": time.ctime(),
        "Error_Path": _path_attr(state, options.get("-e"), f"{name}.e{sequence}"),
        "Hold_Types": "u" if held else "n",
        "Join_Path": options.get("-j", "n"),
        "Keep_Files": "n",
        "Mail_Points": options.get("-m", "a"),
        "mtime": time.ctime(),
        "Output_Path": _path_attr(state, options.get("-o"), f"{name}.o{sequence}"),
        "Priority": 0,
        "qtime": time.ctime(),
        "Rerunable": "True",
        "Resource_List": _resource_list(resources),
        "substate": 20 if held else 10,
        "Variable_List": variables,
        "Submit_arguments": " ".join(argv[1:]),
        "project": "_pbs_project_default",
        "Submit_Host": state["server"],
    }
    if not held:
        # When it became eligible to run: a held job has none (12: 2.pbs01, release 29).
        attrs["etime"] = time.ctime()
    if "-A" in options:
        attrs["Account_Name"] = options["-A"]
    if "-M" in options:
        attrs["Mail_Users"] = options["-M"]
    # Every -W attribute=value, of the directives and the command line (-W may be repeated).
    for item in (i for o, v in given if o == "-W" for i in v.split(",")):
        key, _, value = item.partition("=")
        if key == "depend":
            attrs["depend"] = value
        elif key == "umask":
            attrs["umask"] = int(value)  # 62: -W umask=022 shows as "umask":22
    # -V is accepted but exports nothing on the release (61-62): Variable_List keeps only
    # the PBS_O_ variables (and -v's).
    return attrs


def _add_array(state: State, job_id: str, attrs: Attrs, span: str) -> None:
    """An array as qsub -J makes it (20_qstat_f_F_json_array_parent): the parent with
    ``array`` True and one subjob per index, not started. With -h the parent is H and its
    subjobs Q, with the parent's hold (release 28-30)."""
    indices = _indices(span.split("%", 1)[0])
    attrs.update(
        array="True",
        array_state_count=f"Queued:{len(indices)} Running:0 Exiting:0 Expired:0",
        array_indices_submitted=span.split("%", 1)[0],
        array_indices_remaining=span.split("%", 1)[0],
    )
    state["jobs"][job_id] = attrs
    for index in indices:
        state["jobs"][job_id.replace("[]", f"[{index}]")] = _unstarted_subjob()


def _usage_of_qsub() -> str:
    return recording("07_qsub_bad_option").stderr.split("\n", 1)[1]


# ---------------------------------------------------------------------------
# pbsnodes


def pbsnodes(argv: list[str]) -> int:
    with locked_state() as state:
        state["calls"].append(argv)
        gone = server_gone(state, argv)
        if gone is not None:
            return gone
        answer = Answer()
        if argv[1:] == ["--version"]:
            answer.out.append(f"pbs_version = {state['version']}\n")
            return answer.finish()
        try:
            opts, operands = getopt.gnu_getopt(argv[1:], "avF:")
        except getopt.GetoptError:
            return not_recorded(argv)
        flags = {o for o, _ in opts}
        fmt = dict(opts).get("-F")
        if operands or flags - {"-a", "-v", "-F"} or {"-a", "-v"} - flags:
            return not_recorded(argv)
        if fmt == "json" and state["json"]:
            answer.out.append(json_document(state, "nodes", state["nodes"]))
        elif fmt is None:
            answer.out.append(text_blocks("", state["nodes"], indent="     "))
        else:
            return not_recorded(argv)
        return answer.finish()


COMMANDS = {
    "qstat": qstat,
    "qdel": qdel,
    "qhold": qhold,
    "qrls": qrls,
    "qsub": qsub,
    "pbsnodes": pbsnodes,
}


def main(argv: list[str]) -> int:
    name = Path(argv[0]).name
    return COMMANDS[name]([name, *argv[1:]])
