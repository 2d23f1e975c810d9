"""Test-only Torque stand-ins (qstat, qsub, qdel, qhold, qrls, pbsnodes) answering from
the files in tests/fixtures/torque, which follow Torque's documented formats.

Stateless: qstat always shows the same jobs; qsub answers the next job id; the actions
answer 0 for known ids and Torque's unknown-job message (exit 153) for others. Every call
(argv, working folder and stdin) is appended as a JSON line to ``$TORQUE_REPLAY_LOG``.
Never installed with the package.
"""

from __future__ import annotations

import getopt
import json
import os
import re
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "torque"
LOG_ENV = "TORQUE_REPLAY_LOG"
UNKNOWN_JOB = 153
NOT_RECORDED = 99


def _log(argv: list[str], stdin: str | None = None) -> None:
    path = os.environ.get(LOG_ENV)
    if path:
        with open(path, "a") as log:
            log.write(json.dumps({"argv": argv, "cwd": os.getcwd(), "stdin": stdin}) + "\n")


def _fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


def _jobs() -> dict[str, str]:
    """Job id -> its ``<Job>...</Job>`` element, in the fixture's order."""
    text = _fixture("qstat_f_x.xml")
    return {
        m.group(1): m.group(0)
        for m in re.finditer(r"<Job><Job_Id>([^<]+)</Job_Id>.*?</Job>", text, re.S)
    }


def _qualified(job_id: str) -> str:
    return job_id if "." in job_id else f"{job_id}.torque01"


def qstat(argv: list[str]) -> int:
    _log(argv)
    if argv[1:] == ["--version"]:
        sys.stderr.write(_fixture("qstat_version.txt"))  # Torque writes it on stderr
        return 0
    try:
        opts, operands = getopt.getopt(argv[1:], "fxtBQ")
    except getopt.GetoptError:
        return NOT_RECORDED
    flags = {o for o, _ in opts}
    if flags == {"-B", "-f"} and not operands:
        sys.stdout.write(_fixture("qstat_B_f.txt"))
        return 0
    if flags == {"-Q", "-f"} and not operands:
        sys.stdout.write(_fixture("qstat_Q_f.txt"))
        return 0
    if not {"-f", "-x"} <= flags:
        return NOT_RECORDED
    jobs = _jobs()
    code = 0
    if not operands:
        shown = [v for k, v in jobs.items() if "-t" in flags or "[" not in k or "[]" in k]
    else:
        shown = []
        for operand in operands:
            job_id = _qualified(operand)
            if job_id not in jobs:
                sys.stderr.write(f"qstat: Unknown Job Id Error {job_id}\n")
                code = UNKNOWN_JOB
                continue
            shown.append(jobs[job_id])
            if "-t" in flags and "[]" in job_id:
                prefix = job_id.split("[", 1)[0] + "["
                shown += [v for k, v in jobs.items() if k.startswith(prefix) and k != job_id]
    if shown:
        sys.stdout.write("<Data>" + "".join(shown) + "</Data>\n")
    return code


def action(argv: list[str]) -> int:
    _log(argv)
    jobs = _jobs()
    code = 0
    for operand in argv[1:]:
        job_id = _qualified(operand)
        if job_id not in jobs:
            sys.stderr.write(f"{argv[0]}: Unknown Job Id Error {job_id}\n")
            code = UNKNOWN_JOB
    return code


def qsub(argv: list[str]) -> int:
    script = sys.stdin.read()
    _log(argv, script)
    sys.stdout.write("18.torque01\n")
    return 0


def pbsnodes(argv: list[str]) -> int:
    _log(argv)
    if argv[1:] != ["-a"]:
        return NOT_RECORDED
    sys.stdout.write(_fixture("pbsnodes_a.txt"))
    return 0


COMMANDS = {
    "qstat": qstat,
    "qsub": qsub,
    "qdel": action,
    "qhold": action,
    "qrls": action,
    "pbsnodes": pbsnodes,
}


def main(argv: list[str]) -> int:
    name = Path(argv[0]).name
    return COMMANDS[name]([name, *argv[1:]])
