"""Slurm's own commands as magics: %sbatch / %%sbatch, %squeue, %sinfo and friends.

Arguments are split like a shell would (quotes work) and passed as an argv list, never
through a shell; every command has a timeout. A failure raises BatchError, which IPython
shows as the command and Slurm's message, without a traceback.
"""

from __future__ import annotations

import sys
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, line_magic, magics_class

from ..schedulers.base import LISTING_COLUMNS, Partition
from ..schedulers.slurm.parse import (
    SEP,
    SINFO_FORMAT,
    parse_salloc_job_id,
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
        result = self.context.slurm().run(
            ["squeue", *args, "--noheader", "--Format", squeue_format()]
        )
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

        Prints which jobs were asked to stop; a refusal (not your job, unknown id) raises
        an error with scancel's message.
        """
        args = split(line)
        if not args:
            raise UsageError("%scancel needs job ids or filters, e.g. %scancel 123.")
        self._run_and_print(["scancel", *args])
        ids = [a for a in args if not a.startswith("-")]
        print(f"Cancellation requested: {' '.join(ids) if ids else ' '.join(args)}")

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
        self._run_and_print(["srun", *args], timeout=timeout, grace=_STOP_GRACE)

    @line_magic
    @batch_errors
    def salloc(self, line: str = "") -> JobHandle:
        """Get an allocation with salloc, without a shell; returns a Job handle.

        Usage::

            alloc = %salloc -N 1 -t 30
            %srun --jobid {alloc.id} hostname
            alloc.cancel()                      # or %scancel {alloc.id}

        A notebook has no terminal for salloc's shell, so this runs ``salloc --no-shell``:
        it returns once the allocation is granted, which then lasts until its time limit
        or until you cancel it. Run steps in it with ``%srun --jobid ID``. It waits for
        the allocation at most ``--timeout SECONDS`` (this magic's own option, default
        60; it becomes salloc's ``--immediate`` unless you pass ``-I``/``--immediate``).
        """
        wait, args = pop_float(split(line), "--timeout", DEFAULT_SALLOC_WAIT)
        if not has_option(args, "I", ("--immediate",)):
            args = [f"--immediate={max(1, int(wait))}", *args]
        if not has_option(args, "", ("--no-shell",)):
            args = ["--no-shell", *args]
        slurm = self.context.slurm()
        result = slurm.run(["salloc", *args], timeout=wait + 30, grace=_STOP_GRACE)
        job_id = parse_salloc_job_id(result.stderr + result.stdout)
        if job_id is None:
            raise BatchError(
                "salloc did not report an allocation.",
                " ".join(result.argv),
                result.stderr or result.stdout,
            )
        print(
            f"Allocation {job_id} granted. Run steps in it with %srun --jobid {job_id} ...; "
            f"release it with %scancel {job_id}."
        )
        return self.context.handle(slurm, job_id)
