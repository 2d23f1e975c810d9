"""PBS commands as magics: %qsub / %%qsub, %qstat, %qdel, %qhold, %qrls, on OpenPBS /
PBS Professional and on Torque (MagicsContext.pbs picks the backend).

They behave like the Slurm ones (slurm_magics.py): arguments split like a shell would and
passed as an argv list, never through a shell; a failure raises BatchError with the
command and PBS's own message; listings are typed tables.
"""

from __future__ import annotations

import shlex
import sys
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, line_magic, magics_class

from ..runner import CommandResult
from ..schedulers.base import LISTING_COLUMNS, CommandFailed, SubmittedWithoutId
from ..schedulers.pbs.commands import qdel_groups, split_qdel_args
from .args import pop_option, split, valid_name
from .context import MagicsContext, job_environment
from .display import JOB_COLUMNS, JOB_KINDS, table
from .errors import BatchError, batch_errors
from .job import JobHandle


def qstat_table_args(
    args: list[str], table_flags: frozenset[str]
) -> tuple[list[str], list[str] | None] | None:
    """(qstat options, users) when the line asks for jobs the table can show, else None.

    ``table_flags``: the qstat flags that combine with the full form the table is read
    from (the backend's ``listing_flags``).

    ``-u alice,bob`` only exists in qstat's short display; the table filters by user
    itself. Anything else starting with ``-`` (``-Q``, ``-B``, ``-a``, ``-n``, ``-f``...)
    is one of qstat's own views, shown as qstat prints it.
    """
    options: list[str] = []
    users: list[str] | None = None
    it = iter(args)
    for arg in it:
        if arg == "-u" or (arg.startswith("-u") and len(arg) > 2):
            value = arg[2:] or next(it, None)
            if not value:
                raise UsageError("-u needs a user name, e.g. %qstat -u alice.")
            users = [*(users or []), *(u for u in value.split(",") if u)]
        elif arg.startswith("-") and len(arg) > 1:
            flags = [f"-{c}" for c in arg[1:]]
            if arg.startswith("--") or not all(f in table_flags for f in flags):
                return None
            options.extend(f for f in flags if f != "-t")
        else:
            options.append(arg)  # a job id or a queue (destination)
    return options, users


@magics_class
class PBSMagics(Magics):
    def __init__(self, shell: Any, context: MagicsContext) -> None:
        super().__init__(shell)
        self.context = context

    def _run_and_print(self, argv: list[str]) -> str:
        result = self.context.pbs().run(argv)
        if result.stdout:
            print(result.stdout, end="" if result.stdout.endswith("\n") else "\n")
        if result.stderr.strip():
            print(result.stderr.rstrip("\n"), file=sys.stderr)
        return result.stdout

    # Submission

    @line_cell_magic
    @batch_errors
    def qsub(self, line: str, cell: str | None = None) -> JobHandle | None:
        """Submit a batch job with qsub; returns a Job handle.

        Usage::

            %qsub [qsub options] script.pbs
            job = %qsub -q workq -l walltime=00:10:00 train.pbs

            %%qsub [qsub options] [--name-var NAME]
            #PBS -N my-job
            #PBS -l select=1:ncpus=2:mem=4gb
            #PBS -l walltime=00:05:00
            cd "$PBS_O_WORKDIR"
            hostname

        On Torque, resources are asked as ``#PBS -l nodes=1:ppn=2,mem=4gb`` and arrays
        as ``-t 1-10``.

        In the cell form the cell is the script: its ``#PBS`` lines are honoured and
        options on the magic's line are added (and win over them, as with qsub). A cell
        without a ``#!`` line runs with ``#!/bin/bash``. The returned handle (also in ``_``,
        and in ``NAME`` with ``--name-var NAME``) has ``.id``, ``.state``, ``.refresh()``,
        ``.wait()``, ``.cancel()``, ``.stdout_path`` and ``.read_stdout()``.

        With ``-z`` (on the line or in a ``#PBS`` line) qsub prints no job id: the job is
        submitted, the magic says so and returns None.

        ``{var}`` and ``$var`` on the magic's line are replaced by notebook variables; the
        cell itself is passed unchanged. PBS hands the job only its ``PBS_O_*`` variables;
        pass the ones the job needs with ``-v NAME=value,...``. (``-V``, the kernel's whole
        environment minus MPLBACKEND and JPY_*, works on Torque and newer OpenPBS, but the
        released OpenPBS 23.06.06 accepts it and exports nothing.)
        """
        name_var, args = pop_option(split(line), "--name-var")
        if name_var is not None:
            valid_name(name_var)
        pbs = self.context.pbs()
        try:
            if cell is None:
                if not args:
                    raise UsageError("%qsub needs a script path; use %%qsub to submit a cell.")
                job_id = pbs.submit_file(args, env=job_environment())
            else:
                script = cell.lstrip("\n")
                if not script.strip():
                    raise UsageError("The %%qsub cell is empty: write the job script in it.")
                if not script.startswith("#!"):
                    script = "#!/bin/bash\n" + script
                job_id = pbs.submit(script, args, env=job_environment())
        except SubmittedWithoutId as e:
            print(e.message, file=sys.stderr)  # submitted, but there is no id to follow
            return None
        handle = self.context.handle(pbs, job_id)
        if name_var is not None and self.shell is not None:
            self.shell.user_ns[name_var] = handle
        return handle

    # Listing

    @line_magic
    @batch_errors
    def qstat(self, line: str = "") -> Any:
        """Show PBS jobs with qstat; returns a DataFrame (a list of dicts without pandas).

        Usage::

            %qstat                    # every job in the queue, array subjobs included
            %qstat -u alice           # one user's (or -u alice,bob)
            %qstat -x                 # finished jobs too (when the server keeps history,
                                      # else the queue and a note saying it keeps none;
                                      # Torque lists them for keep_completed anyway)
            %qstat 12.pbs01 workq     # some jobs, or the jobs of a queue
            %qstat -Q                 # qstat's own views (-Q, -B, -a, -n, -s, -f ...): its text

        Columns: the same as %squeue? and %jobs for every batch system: id, name, user,
        state (pending, held, running, completed, ...), reason, partition (the queue),
        nodes, cpus, time_used and time_limit (timedelta), submit_time and start_time
        (datetime), nodelist, account, memory, gres, raw_state (PBS's letter),
        array_job_id and array_task_id. Subjobs that have not started are grouped into
        one row per state (``3[2-9].pbs01``), the form qdel accepts.
        """
        args = split(line)
        pbs = self.context.pbs()
        parsed = qstat_table_args(args, pbs.listing_flags)
        if parsed is None:
            self._run_and_print(["qstat", *args])
            return None
        options, users = parsed
        jobs = pbs.qstat(["-t", *options]).jobs
        if "-x" in options and pbs.history_enabled is False:
            # qstat -x answers nothing at all on such a server, not even the jobs in the
            # queue (release recording 69): show those, and say why finished ones are not.
            print(
                "This PBS server keeps no job history (job_history_enable is off): finished "
                "jobs are not shown, only the jobs still in the queue.",
                file=sys.stderr,
            )
            jobs = pbs.qstat(["-t", *(o for o in options if o != "-x")]).jobs
        rows = pbs.rows(jobs)
        records = [dict(zip(LISTING_COLUMNS, r, strict=True)) for r in rows]
        if users is not None:
            records = [r for r in records if r["user"] in users]
        return table(records, JOB_COLUMNS, JOB_KINDS)

    # Actions

    def _act(self, command: str, line: str, done: str) -> None:
        args = split(line)
        if not args:
            raise UsageError(f"%{command} needs job ids, e.g. %{command} 12.pbs01.")
        for argv in self.context.pbs().action_argvs(command, args):
            self._run_and_print(argv)
        ids = [a for a in args if not a.startswith("-")]
        print(f"{done}: {' '.join(ids) if ids else ' '.join(args)}")

    @line_magic
    @batch_errors
    def qdel(self, line: str) -> None:
        """Delete (cancel) jobs with qdel.

        Usage::

            %qdel 12.pbs01 13.pbs01
            %qdel 3[].pbs01          # a whole array; 3[2-5].pbs01 some of its subjobs
            %qdel {job.id}

        A refusal (not your job, unknown id, already finished) raises an error with
        qdel's message. A subjob or subjob range is deleted in a qdel call of its own (one
        qdel naming it with another id crashes the released OpenPBS 23.06.06 server); the
        options are passed to every call and each call's outcome is shown.
        """
        args = split(line)
        options, ids = split_qdel_args(args)
        groups = qdel_groups(ids)
        if len(groups) < 2:
            self._act("qdel", line, "Deletion requested")
            return
        # A subjob or range never shares a qdel with another id: that mix crashes the
        # released OpenPBS 23.06.06 server. Each call's outcome is shown.
        pbs = self.context.pbs()
        failures: list[CommandResult] = []
        calls = 0
        for group in groups:
            # Torque's form of a subjob range (qdel -t 3-4 7[].host) comes from the backend.
            for argv in pbs.action_argvs("qdel", [*options, *group]):
                calls += 1
                result = pbs.run(argv, check=False)
                if result.stdout:
                    print(result.stdout, end="" if result.stdout.endswith("\n") else "\n")
                if result.ok:
                    if result.stderr.strip():
                        print(result.stderr.rstrip("\n"), file=sys.stderr)
                    print(f"Deletion requested: {' '.join(group)}")
                else:
                    print(f"Not deleted: {' '.join(group)}: {result.message}", file=sys.stderr)
                    failures.append(result)
        if len(failures) == 1:
            only = failures[0]
            raise CommandFailed(only.argv, only.returncode, only.message)
        if failures:
            raise BatchError(
                f"qdel failed for {len(failures)} of its {calls} calls.",
                "; ".join(shlex.join(f.argv) for f in failures),
                "\n".join(f.message for f in failures),
            )

    @line_magic
    @batch_errors
    def qhold(self, line: str) -> None:
        """Hold jobs with qhold (a user hold, which you can release).

        Usage::

            %qhold 12.pbs01
            %qhold 3[].pbs01         # an array: its subjobs that have not started

        PBS holds jobs and whole arrays, not single subjobs; Torque holds one subjob
        too (``%qhold 3[2].torque01``). On Torque a range of subjobs (``3[2-5]``) is
        sent in Torque's form, ``qhold -t 2-5 3[]`` (qdel and qrls alike).
        """
        self._act("qhold", line, "Hold requested")

    @line_magic
    @batch_errors
    def qrls(self, line: str) -> None:
        """Release held jobs with qrls.

        Usage::

            %qrls 12.pbs01
            %qrls 3[].pbs01
        """
        self._act("qrls", line, "Release requested")
