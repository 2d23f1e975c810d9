"""Slurm's own commands as magics: %sbatch / %%sbatch, %squeue, %sinfo and friends.

Arguments are split like a shell would (quotes work) and passed as an argv list, never
through a shell; every command has a timeout. A failure raises BatchError, which IPython
shows as the command and Slurm's message, without a traceback.
"""

from __future__ import annotations

import shlex
import sys
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, line_magic, magics_class

from ..schedulers.base import LISTING_COLUMNS, CommandFailed, CommandTimedOut, Partition
from ..schedulers.slurm.options import NO_VALUE_OPTIONS, ValueOptions, split_command, value_options
from ..schedulers.slurm.parse import (
    SEP,
    SINFO_FORMAT,
    parse_salloc_job_id,
    parse_scancel_verbose,
    parse_sinfo,
    parse_squeue,
    squeue_format,
)
from ..schedulers.slurm.sacct import SACCT_FIELDS, accounting_unavailable, parse_sacct
from .args import has_option, pop_float, pop_option, split, valid_name
from .context import MagicsContext, job_environment
from .display import HISTORY_COLUMNS, HISTORY_KINDS, JOB_COLUMNS, JOB_KINDS, PARTITION_KINDS, table
from .errors import BatchError, batch_errors
from .job import JobHandle

# Options after which squeue / sinfo print something other than our table: the magic then
# shows the command's own text.
_SQUEUE_RAW_SHORT = "oOlsiV"
_SQUEUE_RAW_LONG = (
    "--format", "--Format", "--long", "--steps", "--iterate", "--json", "--yaml",
    "--help", "--usage", "--version",
)  # fmt: skip
_SINFO_RAW_SHORT = "oONlsRTiV"
_SINFO_RAW_LONG = (
    "--format", "--Format", "--Node", "--long", "--summarize", "--list-reasons",
    "--reservation", "--iterate", "--json", "--yaml", "--help", "--usage", "--version",
)  # fmt: skip
_SACCT_RAW_SHORT = "olbpPecVh"
_SACCT_RAW_LONG = (
    "--format", "--long", "--brief", "--parsable", "--parsable2", "--helpformat",
    "--completion", "--json", "--yaml", "--help", "--usage", "--version",
)  # fmt: skip

# How long %srun may run and %salloc may wait for its allocation, unless --timeout says.
DEFAULT_SRUN_TIMEOUT = 600.0
DEFAULT_SALLOC_WAIT = 60.0
# srun and salloc get SIGTERM and this long to release their allocation before SIGKILL.
_STOP_GRACE = 5.0


@magics_class
class SlurmMagics(Magics):
    def __init__(self, shell: Any, context: MagicsContext) -> None:
        super().__init__(shell)
        self.context = context
        self._salloc_value_options: ValueOptions | None = None

    # Helpers

    def _run_and_print(
        self, argv: list[str], *, timeout: float | None = None, grace: float = 0.0
    ) -> str:
        result = self.context.slurm().run(argv, timeout=timeout, grace=grace)
        if result.stdout:
            print(result.stdout, end="" if result.stdout.endswith("\n") else "\n")
        if result.stderr.strip():
            print(result.stderr.rstrip("\n"), file=sys.stderr)
        return result.stdout

    def _store(self, name: str | None, value: Any) -> None:
        if name is not None and self.shell is not None:
            self.shell.user_ns[name] = value

    # Submission

    @line_cell_magic
    @batch_errors
    def sbatch(self, line: str, cell: str | None = None) -> JobHandle:
        """Submit a batch job with sbatch; returns a Job handle.

        Usage::

            %sbatch [sbatch options] script.sh [script arguments]
            %sbatch [sbatch options] --wrap "command"
            job = %sbatch -p debug -t 10 train.sh

            %%sbatch [sbatch options] [--name-var NAME]
            #SBATCH -J my-job
            #SBATCH -t 5
            srun hostname

        In the cell form the cell is the script: its ``#SBATCH`` lines are honoured and
        options on the magic's line are added (and win over them, as with sbatch). A cell
        without a ``#!`` line runs with ``#!/bin/bash``. The returned handle (also in ``_``,
        and in ``NAME`` with ``--name-var NAME``) has ``.id``, ``.state``, ``.refresh()``,
        ``.wait()``, ``.cancel()``, ``.stdout_path`` and ``.read_stdout()``.

        ``{var}`` and ``$var`` on the magic's line are replaced by notebook variables; the
        cell itself is passed unchanged, so ``$HOME`` stays for bash. The job gets the
        kernel's environment (as sbatch does), minus the kernel's own variables
        (MPLBACKEND for inline plots, JPY_*).
        """
        name_var, args = pop_option(split(line), "--name-var")
        if name_var is not None:
            valid_name(name_var)
        slurm = self.context.slurm()
        if cell is None:
            if not args:
                raise UsageError(
                    "%sbatch needs a script path (or --wrap); use %%sbatch to submit a cell."
                )
            job_id = slurm.submit_file(args, env=job_environment())
        else:
            script = cell.lstrip("\n")
            if not script.strip():
                raise UsageError("The %%sbatch cell is empty: write the job script in it.")
            if not script.startswith("#!"):
                script = "#!/bin/bash\n" + script
            job_id = slurm.submit(script, args, env=job_environment())
        handle = self.context.handle(slurm, job_id)
        self._store(name_var, handle)
        return handle

    # Listings

    @line_magic
    @batch_errors
    def squeue(self, line: str = "") -> Any:
        """Show the queue with squeue; returns a DataFrame (a list of dicts without pandas).

        Usage::

            %squeue                      # every job in the queue
            %squeue --me -t running      # any squeue filter: -u, -p, -t, -j, -n, --me ...
            df = %squeue -u alice
            %squeue -o "%.18i %.9P %j"   # your own format: squeue's text, as it prints it

        Columns: id, name, user, state (pending, held, running, ... the same words for
        every batch system), reason, partition, nodes, cpus, time_used and time_limit
        (timedelta; no limit is NaT/None), submit_time and start_time (datetime),
        nodelist, account, qos, memory, gres, raw_state (Slurm's word), array_job_id,
        array_task_id.
        With -o/-O/--format/--Format, -l, -s, --json or --yaml the text is shown instead.
        """
        args = split(line)
        if has_option(args, _SQUEUE_RAW_SHORT, _SQUEUE_RAW_LONG):
            if has_option(args, "i", ("--iterate",)):
                raise UsageError("--iterate never ends in a notebook: run %squeue again instead.")
            self._run_and_print(["squeue", *args])
            return None
        try:
            result = self.context.slurm().run(
                ["squeue", *args, "--noheader", "--Format", squeue_format()]
            )
        except CommandFailed as e:
            # The user's words, not the long --Format the magic adds.
            raise BatchError(
                f"squeue failed (exit code {e.returncode}).",
                shlex.join(["squeue", *args]),
                e.output,
            ) from None
        rows = [dict(zip(LISTING_COLUMNS, r, strict=True)) for r in parse_squeue(result.stdout)]
        return table(rows, JOB_COLUMNS, JOB_KINDS)

    @line_magic
    @batch_errors
    def sinfo(self, line: str = "") -> Any:
        """Show partitions with sinfo; returns a DataFrame (a list of dicts without pandas).

        Usage::

            %sinfo                 # one row per partition
            %sinfo -p debug        # any sinfo filter: -p, -t, -n, --all ...
            %sinfo -N -l           # sinfo's own views and formats: its text

        Columns: name, default (the default partition), available (up/down), time_limit
        (timedelta; None = unlimited), nodes, cpus_idle, cpus_total.
        """
        args = split(line)
        if has_option(args, _SINFO_RAW_SHORT, _SINFO_RAW_LONG):
            if has_option(args, "i", ("--iterate",)):
                raise UsageError("--iterate never ends in a notebook: run %sinfo again instead.")
            self._run_and_print(["sinfo", *args])
            return None
        result = self.context.slurm().run(["sinfo", *args, "--noheader", "--format", SINFO_FORMAT])
        partitions = parse_sinfo(result.stdout)
        columns = [f for f in Partition.__dataclass_fields__]
        return table([p.to_dict() for p in partitions], columns, PARTITION_KINDS)

    @line_magic
    @batch_errors
    def sacct(self, line: str = "") -> Any:
        """Show jobs from Slurm accounting (sacct); returns a DataFrame (a list of dicts
        without pandas), one row per job (its steps' usage summed up).

        Usage::

            %sacct                          # your jobs since midnight
            %sacct -S 2026-11-01 -s F,TO    # any sacct filter: -S, -E, -s, -j, -u, -a ...
            df = %sacct -S now-7days
            %sacct -j 123 -o JobID,JobName,State,Elapsed   # your own format: sacct's text

        Columns: the job columns of %squeue (state in the same words: completed, failed,
        cancelled, timeout, ...; raw_state is Slurm's, e.g. "CANCELLED by 0" or
        OUT_OF_MEMORY), plus end_time (datetime), exit_code and exit_signal (from ExitCode
        "2:0"), elapsed and total_cpu (timedelta), cpu_efficiency (total CPU time over
        elapsed x CPUs, 0..1) and max_rss (the largest step's, as sacct writes it).
        With -o/--format, -l, -b, -p/-P, -e, --json or --yaml sacct's text is shown instead.
        -X (allocations only) is implied: the table already has one row per job.

        sacct needs Slurm accounting: slurmdbd and its database. On a cluster without it
        this says so; recent jobs are then still in ``%squeue -t all`` and ``%job ID`` for
        MinJobAge seconds after they end.
        """
        args = split(line)
        slurm = self.context.slurm()
        raw = has_option(args, _SACCT_RAW_SHORT, _SACCT_RAW_LONG)
        argv = ["sacct", *args]
        if not raw:
            # One row per job anyway; with -X sacct would leave TotalCPU at 0 (it sums the
            # steps' CPU time into the allocation only when it reads the steps).
            argv = ["sacct", *(a for a in args if a not in ("-X", "--allocations"))]
            argv += [
                "--noheader",
                "--parsable2",
                f"--delimiter={SEP}",
                f"--format={','.join(SACCT_FIELDS)}",
            ]
        result = slurm.run(argv, check=False)
        message = result.message
        if not result.ok and accounting_unavailable(result.returncode, result.stderr):
            raise BatchError(
                "sacct needs Slurm accounting (slurmdbd and its database), which this cluster "
                "does not have or which is not answering. Jobs that ended recently are still "
                "in %squeue -t all and %job ID for a few minutes (slurmctld's MinJobAge).",
                " ".join(["sacct", *args]),
                message,
            )
        if not result.ok:
            raise BatchError(
                f"sacct failed (exit code {result.returncode}).", " ".join(result.argv), message
            )
        if raw:
            print(result.stdout, end="")
            return None
        rows = [r.to_dict() for r in parse_sacct(result.stdout)]
        return table(rows, HISTORY_COLUMNS, HISTORY_KINDS)

    # Commands shown as they print

    @line_magic
    @batch_errors
    def scancel(self, line: str) -> None:
        """Cancel jobs with scancel.

        Usage::

            %scancel 123 124_5
            %scancel --me -n my-job --state=pending
            %scancel {job.id}

        Prints which jobs were asked to stop, and which had already ended. An id Slurm
        does not know, or a job scancel may not cancel (another user's), raises an error
        with scancel's reason, after the others were cancelled. (scancel itself is silent
        about unknown ids; the magic runs it with --verbose to hear them.)
        """
        args = split(line)
        if not args:
            raise UsageError("%scancel needs job ids or filters, e.g. %scancel 123.")
        verbose = has_option(args, "v", ("--verbose",))
        argv = ["scancel", *([] if verbose else ["--verbose"]), *args]
        result = self.context.slurm().run(argv, check=False)
        if verbose:
            _print_output(result.stdout, result.stderr)
        outcome = parse_scancel_verbose(result.stderr)
        failed = {*outcome.unknown, *outcome.ended, *(i for i, _ in outcome.refused)}
        cancelled = [i for i in outcome.asked if i not in failed]
        if cancelled:
            print(f"Cancellation requested: {' '.join(cancelled)}")
        if outcome.ended:
            print(f"Already ended, nothing to cancel: {' '.join(outcome.ended)}")
        if outcome.unmatched_filters is not None:
            said = f" ({outcome.unmatched_filters})" if outcome.unmatched_filters else ""
            print(f"No job in the queue matched the filters{said}: nothing was cancelled.")
        problems = [f"Slurm has no job {i}: check the id." for i in outcome.unknown]
        problems += [f"Job {i} was not cancelled: {reason}." for i, reason in outcome.refused]
        problems += outcome.other_errors
        if len(problems) == 1:
            raise BatchError(problems[0], shlex.join(["scancel", *args]))
        if problems:
            raise BatchError(
                "scancel refused some of the jobs.",
                shlex.join(["scancel", *args]),
                "\n".join(problems),
            )
        if not result.ok:
            raise BatchError(
                f"scancel failed (exit code {result.returncode}).",
                shlex.join(["scancel", *args]),
                result.message,
            )

    @line_magic
    @batch_errors
    def scontrol(self, line: str) -> None:
        """Run scontrol and show its output.

        Usage::

            %scontrol show job 123
            %scontrol hold 123
            %scontrol show partition debug
        """
        args = split(line)
        if not args:
            raise UsageError("%scontrol needs a command, e.g. %scontrol show job 123.")
        self._run_and_print(["scontrol", *args])

    @line_magic
    @batch_errors
    def sprio(self, line: str = "") -> None:
        """Show pending jobs' priorities with sprio (needs priority/multifactor).

        Usage::

            %sprio
            %sprio -j 123 -l
        """
        self._run_and_print(["sprio", *split(line)])

    @line_magic
    @batch_errors
    def sshare(self, line: str = "") -> None:
        """Show fair-share usage with sshare.

        Usage::

            %sshare
            %sshare -u alice -l
        """
        self._run_and_print(["sshare", *split(line)])

    @line_magic
    @batch_errors
    def srun(self, line: str) -> None:
        """Run a command with srun and show its output (the cell waits for it).

        Usage::

            %srun -n 2 hostname
            %srun --jobid 123 nvidia-smi        # a step inside an allocation (%salloc)
            %srun --timeout 3600 -t 60 python train.py

        ``--timeout SECONDS`` (this magic's own option, default 600) stops srun if it has
        not finished by then, as does interrupting the kernel: srun gets SIGTERM, which
        ends the step and releases an allocation it made.
        """
        timeout, args = pop_float(split(line), "--timeout", DEFAULT_SRUN_TIMEOUT)
        if not args:
            raise UsageError("%srun needs a command, e.g. %srun -n 1 hostname.")
        try:
            self._run_and_print(["srun", *args], timeout=timeout, grace=_STOP_GRACE)
        except CommandTimedOut as e:
            # What the step printed, then why it stopped, with srun's own last words.
            _print_output(e.stdout, "")
            raise BatchError(
                f"srun did not finish within {e.timeout:g} s (--timeout) and was stopped; "
                "its step ended and an allocation it made was released.",
                shlex.join(["srun", *args]),
                e.stderr,
            ) from None

    @line_magic
    @batch_errors
    def salloc(self, line: str = "") -> JobHandle:
        """Get an allocation with salloc; returns a Job handle.

        Usage::

            alloc = %salloc -N 1 -t 30
            %srun --jobid {alloc.id} hostname
            alloc.cancel()                      # or %scancel {alloc.id}

            %salloc -N 1 -t 5 ./setup.sh        # a command: run in the allocation, then released

        Without a command, a notebook has no terminal for salloc's shell, so this runs
        ``salloc --no-shell``: it returns once the allocation is granted, which then lasts
        until its time limit or until you cancel it. Run steps in it with
        ``%srun --jobid ID``. It waits for the allocation at most ``--timeout SECONDS``
        (this magic's own option, default 60; it becomes salloc's ``--immediate`` unless
        you pass ``-I``/``--immediate``).

        With a command (the words after salloc's options), salloc runs it once the
        allocation is granted, shows its output and releases the allocation when it ends,
        as ``salloc ... command`` does in a terminal (the command itself runs here; use
        ``srun`` inside it to reach the allocated nodes). ``--timeout`` then bounds the
        whole run (default 600 s, as %srun), the wait for the allocation included.
        """
        words = split(line)
        options, command = split_command(words, self._salloc_options(words))
        default = DEFAULT_SRUN_TIMEOUT if command else DEFAULT_SALLOC_WAIT
        wait, options = pop_float(options, "--timeout", default)
        immediate = not has_option(options, "I", ("--immediate",))
        if immediate:
            options = [f"--immediate={max(1, int(wait))}", *options]
        if not command and not has_option(options, "", ("--no-shell",)):
            options = ["--no-shell", *options]
        slurm = self.context.slurm()
        argv = ["salloc", *options, *command]
        try:
            result = slurm.run(argv, timeout=wait + 30, grace=_STOP_GRACE, check=False)
        except CommandTimedOut as e:
            _print_output(e.stdout, e.stderr)
            raise BatchError(
                f"salloc did not finish within {e.timeout:g} s and was stopped; its "
                "allocation was released.",
                shlex.join(argv),
            ) from None
        job_id = parse_salloc_job_id(result.stderr + result.stdout)
        if job_id is None:
            raise BatchError(
                _no_allocation_message(result.stderr, wait if immediate else None),
                shlex.join(argv),
                result.stderr or result.stdout,
            )
        if command:
            _print_output(result.stdout, result.stderr)
            if not result.ok:
                raise BatchError(
                    f"{command[0]} exited with code {result.returncode} in allocation "
                    f"{job_id}, which was then released.",
                    shlex.join(argv),
                )
            print(f"Allocation {job_id} ran {shlex.join(command)} and was released.")
        else:
            print(
                f"Allocation {job_id} granted. Run steps in it with %srun --jobid {job_id} ...; "
                f"release it with %scancel {job_id}."
            )
        return self.context.handle(slurm, job_id)

    def _salloc_options(self, words: list[str]) -> ValueOptions:
        """salloc's value-taking options, from its --help (read once, and only when a word
        of the line could be a command)."""
        if self._salloc_value_options is None:
            if all(w.startswith("-") for w in words):
                return NO_VALUE_OPTIONS
            help_text = self.context.slurm().run(["salloc", "--help"], timeout=10).stdout
            self._salloc_value_options = value_options(help_text, extra_long=("timeout",))
        return self._salloc_value_options


def _print_output(stdout: str, stderr: str) -> None:
    if stdout:
        print(stdout, end="" if stdout.endswith("\n") else "\n")
    if stderr.strip():
        print(stderr.rstrip("\n"), file=sys.stderr)


def _no_allocation_message(stderr: str, wait: float | None) -> str:
    """Why salloc gave no allocation, in words; salloc's own says "Connection timed out"
    when --immediate ran out."""
    queued = "queued and waiting for resources" in stderr
    if wait is not None and queued and "Connection timed out" in stderr:
        return (
            f"No allocation was granted within {wait:g} s (--timeout): the request waited in "
            "the queue and was withdrawn. Ask for less, or pass a longer --timeout."
        )
    if queued and "Connection timed out" in stderr:
        return (
            "No allocation was granted within salloc's --immediate time: the request was withdrawn."
        )
    return "salloc did not report an allocation."
