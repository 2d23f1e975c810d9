"""``jupyter hpc``: the batch system, modules and kernels from a terminal.

The same configuration (the server's ``c.HPCConfig``), detection, runner and scheduler
backends as the server extension, so what it says is what the server sees.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from .._version import __version__
from ..schedulers.base import CommandFailed, SchedulerError, SubmittedWithoutId
from ..services import HPCServices
from . import actions, doctor, jobs
from .settings import read_server_settings

# Exit codes (also in --help).
OK = 0
REFUSED = 1  # doctor: something essential broken; submit/cancel: the batch system said no
USAGE = 2  # bad arguments (argparse's own code too)
UNAVAILABLE = 3  # no batch system, or it does not answer

# What Slurm and PBS commands say when their server is down (not a refusal of the job).
UNREACHABLE = (
    "Unable to contact slurm controller",
    "Slurm controller not responding",
    "cannot connect to server",
    "Connection refused",
)

EXIT_CODES = """\
exit codes:
  0  success
  1  doctor found something essential broken; the batch system refused a submission
     or a cancellation (cancel: at least one of the jobs)
  2  bad arguments: unknown option, invalid job id, no such script file
  3  no batch system was found, or it did not answer
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jupyter hpc",
        description=(
            "The batch system, modules and kernels of this machine, as the jupyterlab-hpc "
            "server extension sees them (it reads the same jupyter_server_config)."
        ),
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"jupyterlab-hpc {__version__}")
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="read this jupyter_server_config.py instead of searching the Jupyter config folders",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    p = sub.add_parser(
        "doctor",
        help="what this machine has and anything wrong with it",
        description=(
            "Which batch system (flavour, version, command paths), module system (version, "
            "MODULEPATH) and kernels are found, and anything wrong with them, in words."
        ),
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--json", action="store_true", help="the report as JSON")
    p = sub.add_parser(
        "jobs",
        help="your jobs (or everyone's) as the queue panel lists them",
        description=(
            "The job listing exactly as the server extension sees it. --json prints "
            '{"scope", "user", "columns", "rows"}, the rows of the REST API\'s GET jobs.'
        ),
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("-a", "--all", action="store_true", help="every user's jobs")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p = sub.add_parser(
        "submit",
        help="submit a batch script; prints the job id",
        description=(
            "Submit FILE with sbatch or qsub; the batch system's own options go after FILE, "
            "or before it as sbatch and qsub take them (jupyter hpc submit job.sh -p debug "
            "--hold, or jupyter hpc submit -p debug --hold job.sh). Prints only the new "
            "job's id, so id=$(jupyter hpc submit job.sh) works."
        ),
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", metavar="FILE", help="the batch script")
    p.add_argument("options", nargs=argparse.REMAINDER, help="the batch system's own options")
    p = sub.add_parser(
        "cancel",
        help="cancel your own jobs",
        description="Cancel jobs by id. Only your own jobs, as in the queue panel.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("job_ids", nargs="+", metavar="ID", help="job ids (123, 123_4, 1.pbs01)")
    return parser


def file_first(argv: Sequence[str]) -> list[str]:
    """``submit OPTIONS... FILE`` (sbatch's and qsub's order) -> ``submit FILE OPTIONS...``,
    the order the parser reads. ``submit -h`` alone stays the help."""
    words = list(argv)
    i = 0
    while i < len(words) and words[i].startswith("-"):
        i += 2 if words[i] == "--config" else 1
    if i >= len(words) or words[i] != "submit":
        return words
    rest = words[i + 1 :]
    if len(rest) < 2 or not rest[0].startswith("-") or rest[-1].startswith("-"):
        return words
    return [*words[: i + 1], rest[-1], *rest[:-1]]


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(file_first(sys.argv[1:] if argv is None else argv))
    settings = read_server_settings(args.config)
    try:
        if args.command == "doctor":
            report = doctor.examine(settings)
            if args.json:
                print(json.dumps(report.to_dict(), indent=1))
            else:
                print(doctor.render(report), end="")
            return OK if report.healthy else REFUSED
        services = HPCServices(settings.hpc)
        if args.command == "jobs":
            answer = jobs.listing(services, args.all)
            note = jobs.own_jobs_note(services, answer)
            if note and not args.json:
                print(note, file=sys.stderr)
            if args.json:
                print(jobs.to_json(answer), end="")
            elif answer["rows"]:
                kind = services.scheduler.kind if services.scheduler else None
                print(jobs.to_table(answer["rows"], kind), end="")
            else:
                scope = "in the queue" if args.all else f"of {services.user} in the queue"
                print(f"No jobs {scope}.", file=sys.stderr)
            return OK
        if args.command == "submit":
            try:
                print(actions.submit(services, args.file, args.options))
            except SubmittedWithoutId as e:
                # Submitted all the same: no id to print, and no failure to report.
                print(f"jupyter hpc submit: {e.message}", file=sys.stderr)
            return OK
        results = actions.cancel(services, args.job_ids)
        for r in results:
            if r.ok:
                print(f"{r.job_id}: cancellation requested{'. ' + r.message if r.message else ''}")
            else:
                print(f"{r.job_id}: not cancelled: {r.message}", file=sys.stderr)
        return OK if all(r.ok for r in results) else REFUSED
    except actions.UsageProblem as e:
        print(f"jupyter hpc {args.command}: {e}", file=sys.stderr)
        return USAGE
    except CommandFailed as e:
        # The same exit code for "no" and "no answer": tell them apart by what it said.
        down = any(words in e.output for words in UNREACHABLE)
        said = "did not answer" if down else "refused"
        print(f"jupyter hpc {args.command}: {e.argv[0]} {said}: {e.output}", file=sys.stderr)
        print(f"  command: {e.detail}", file=sys.stderr)
        return UNAVAILABLE if down else REFUSED
    except SchedulerError as e:
        print(f"jupyter hpc {args.command}: {e.message}", file=sys.stderr)
        return UNAVAILABLE


def run() -> None:
    """The ``jupyter-hpc`` console script."""
    sys.exit(main())
