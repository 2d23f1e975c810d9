"""Magics that work with whichever batch system the machine has: %%submit, %jobs, %job,
%cluster.

They go through the BlockingScheduler interface only, so a second backend (PBS) plugs in
by implementing it; nothing here names a Slurm command.
"""

from __future__ import annotations

from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class

from ..schedulers.base import LISTING_COLUMNS, JobState, SubmitRequest
from ..services import current_user
from .args import MagicParser, pop_float, split, valid_name
from .cluster import (
    NODE_COLUMNS,
    NODE_KINDS,
    PARTITION_COLUMNS,
    PARTITION_KINDS,
    node_records,
    partition_records,
)
from .context import MagicsContext, job_environment
from .display import JOB_COLUMNS, JOB_KINDS, table
from .errors import BatchError, batch_errors
from .job import JobHandle, JobWaitTimeout


def _submit_parser() -> MagicParser:
    p = MagicParser("%%submit")
    p.add_argument("-J", "--name")
    p.add_argument("-p", "--partition", "--queue")
    p.add_argument("-t", "--time")
    p.add_argument("-N", "--nodes", type=int)
    p.add_argument("-c", "--cpus", type=int)
    p.add_argument("--mem")
    p.add_argument("--gpus", type=int)
    p.add_argument("-A", "--account")
    p.add_argument("-o", "--output")
    p.add_argument("-e", "--error")
    p.add_argument("--hold", action="store_true")
    p.add_argument("--name-var")
    return p


def _jobs_parser() -> MagicParser:
    p = MagicParser("%jobs")
    p.add_argument("-a", "--all", action="store_true")
    p.add_argument("-u", "--user")
    p.add_argument("-s", "--state")
    return p


def _cluster_parser() -> MagicParser:
    p = MagicParser("%cluster")
    p.add_argument("-n", "--nodes", metavar="PARTITION")
    return p


@magics_class
class NeutralMagics(Magics):
    def __init__(self, shell: Any, context: MagicsContext) -> None:
        super().__init__(shell)
        self.context = context

    @cell_magic
    @batch_errors
    def submit(self, line: str, cell: str) -> JobHandle:
        """Submit the cell as a batch job to this machine's batch system; returns a Job handle.

        Usage::

            %%submit [-J NAME] [-p PARTITION] [-t TIME] [-N NODES] [-c CPUS] [--mem MEM]
                     [--gpus N] [-A ACCOUNT] [-o OUT] [-e ERR] [--hold] [--name-var VAR]
                     [-- native options]
            echo "hello from $(hostname)"

        The same options for every batch system: -J/--name, -p/--partition (or --queue),
        -t/--time (minutes or [days-]hours:minutes:seconds), -N/--nodes, -c/--cpus (per
        task), --mem (per node, e.g. 4G), --gpus, -A/--account, -o/--output, -e/--error,
        --hold. Options after ``--`` go to the batch system as they are (e.g.
        ``-- --qos=high`` for Slurm). Directives in the cell (``#SBATCH``) are honoured;
        options on the line win. The handle is also in ``_`` and, with --name-var VAR, in VAR.
        """
        args = split(line)
        native: list[str] = []
        if "--" in args:
            cut = args.index("--")
            args, native = args[:cut], args[cut + 1 :]
        opts = _submit_parser().parse_args(args)
        if not cell.strip():
            raise UsageError("The %%submit cell is empty: write the job script in it.")
        scheduler = self.context.scheduler()
        request = SubmitRequest(
            name=opts.name,
            partition=opts.partition,
            time_limit=opts.time,
            nodes=opts.nodes,
            cpus=opts.cpus,
            memory=opts.mem,
            gpus=opts.gpus,
            account=opts.account,
            output=opts.output,
            error=opts.error,
            hold=opts.hold,
            extra=native,
        )
        script = cell.lstrip("\n")
        if not script.startswith("#!"):
            script = "#!/bin/bash\n" + script
        job_id = scheduler.submit(script, scheduler.submit_options(request), env=job_environment())
        handle = self.context.handle(scheduler, job_id)
        if opts.name_var is not None and self.shell is not None:
            self.shell.user_ns[valid_name(opts.name_var)] = handle
        return handle

    @line_magic
    @batch_errors
    def jobs(self, line: str = "") -> Any:
        """Your jobs in this machine's batch system; a DataFrame (a list of dicts without pandas).

        Usage::

            %jobs                  # your jobs
            %jobs -s running       # in one state: pending, held, running, completed, ...
            %jobs -u alice         # another user's
            %jobs -a               # everyone's

        The columns are the same for every batch system: see %squeue?.
        """
        opts = _jobs_parser().parse_args(split(line))
        states = {s.value for s in JobState}
        if opts.state is not None and opts.state not in states:
            raise UsageError(f"--state is one of {', '.join(sorted(states))}.")
        user = None if opts.all else (opts.user or current_user())
        rows = self.context.scheduler().list_rows(user)
        records = [dict(zip(LISTING_COLUMNS, r, strict=True)) for r in rows]
        if opts.state is not None:
            records = [r for r in records if r["state"] == opts.state]
        return table(records, JOB_COLUMNS, JOB_KINDS)

    @line_magic
    @batch_errors
    def cluster(self, line: str = "") -> Any:
        """The cluster's partitions (PBS: queues) as a table; a DataFrame with pandas.

        Usage::

            %cluster                # one row per partition
            %cluster -n gpu         # the nodes of partition gpu

        Per partition: its state, nodes by state (idle, mixed, allocated, reserved,
        drained, down, other), CPUs, memory (MiB) and GPUs free and in total (free = on
        nodes that take jobs, not in use), limits (max_time, default_time, max_nodes) and
        who may use it (None: everyone). Per node: its state and Slurm's (or PBS's) own
        word for it, the reason it is drained or down and since when, CPUs, memory and
        GPUs in use, GRES and features. The same facts as the Cluster tab.
        """
        opts = _cluster_parser().parse_args(split(line))
        summary = self.context.scheduler().cluster()
        if opts.nodes is not None:
            if summary.partition(opts.nodes) is None:
                names = ", ".join(p.name for p in summary.partitions) or "none"
                raise UsageError(f"There is no partition {opts.nodes!r} (partitions: {names}).")
            return table(node_records(summary, opts.nodes), NODE_COLUMNS, NODE_KINDS)
        return table(partition_records(summary), PARTITION_COLUMNS, PARTITION_KINDS)

    @line_magic
    @batch_errors
    def job(self, line: str) -> Any:
        """One job: its detail, waiting for it, cancelling it, its output.

        Usage::

            %job 123                         # detail; returns a Job handle
            %job wait 123 [--timeout SECONDS] # block until it ends; returns its final state
            %job cancel 123
            %job output 123 [--tail N]        # print its standard output file

        ``%job wait`` shows the state and the time waited as it goes. Interrupting the
        kernel (Ctrl-C, the stop button) stops waiting and leaves the job running; so does
        --timeout, which then raises an error so that "Run all" stops there.
        """
        args = split(line)
        if not args:
            raise UsageError("Usage: %job ID | %job wait ID [--timeout S] | %job cancel ID")
        verb = args[0] if args[0] in ("wait", "cancel", "output") else "show"
        rest = args[1:] if verb != "show" else args
        timeout: float | None = None
        tail: int | None = None
        if verb == "wait":
            given, rest = pop_float(rest, "--timeout", -1.0)
            timeout = None if given < 0 else given
        if verb == "output":
            lines, rest = pop_float(rest, "--tail", -1.0)
            tail = None if lines < 0 else int(lines)
        if len(rest) != 1:
            raise UsageError(f"%job {verb if verb != 'show' else ''} takes one job id.")
        scheduler = self.context.scheduler()
        handle = JobHandle(scheduler, scheduler.validate_job_id(rest[0]))
        if verb == "show":
            handle.refresh()
            if handle.forgotten:
                raise BatchError(handle.status_line())
            return handle
        if verb == "cancel":
            handle.cancel()
            if handle.forgotten:  # a server that keeps no finished jobs drops it at once
                print(f"Cancelled: job {handle.id} is no longer in the queue.")
            else:
                print(f"Cancellation requested: job {handle.id} is {handle.state.value}.")
            return None
        if verb == "output":
            handle.refresh()
            try:
                print(handle.read_stdout(tail), end="")
            except OSError as e:
                raise BatchError(f"Cannot read job {handle.id}'s output: {e}") from None
            return None
        handle.refresh()
        if handle.forgotten:
            raise BatchError(handle.status_line())
        try:
            return handle.wait(timeout)
        except KeyboardInterrupt:
            print(f"Stopped waiting: job {handle.id} is {handle.state.value} (not cancelled).")
            return handle.state
        except JobWaitTimeout as e:
            raise BatchError(str(e)) from None
