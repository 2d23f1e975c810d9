"""Settings a site admin puts in ``jupyter_server_config.py`` (``c.HPCConfig.<name> = ...``)."""

from __future__ import annotations

from typing import Any

from traitlets import CaselessStrEnum, Dict, Float, List, Unicode
from traitlets.config import Configurable


class HPCConfig(Configurable):
    """jupyterlab-hpc server settings."""

    scheduler = CaselessStrEnum(
        ["auto", "slurm", "pbs", "torque", "none"],
        default_value="auto",
        help=(
            "Which batch system to use: 'auto' finds the one installed (Slurm first, then "
            "OpenPBS / PBS Professional or Torque, told apart by 'qstat --version'), "
            "'slurm', 'pbs' or 'torque' forces one, 'none' turns it off."
        ),
    ).tag(config=True)

    command_paths = Dict(
        per_key_traits=Unicode(),
        default_value={},
        help=(
            "Full paths of scheduler commands by name, e.g. {'squeue': '/opt/slurm/bin/squeue'} "
            "or {'qstat': '/opt/pbs/bin/qstat'}. "
            "Commands not listed are looked up on PATH."
        ),
    ).tag(config=True)

    command_timeout = Float(
        30.0, min=1.0, help="Seconds after which a scheduler command is killed."
    ).tag(config=True)

    poll_interval_floor = Float(
        2.0,
        min=0.5,
        help=(
            "The shortest time between two queue listings from the scheduler, in seconds. "
            "Every open panel shares one listing per interval, whatever the number of users' "
            "requests; raise it on a busy cluster to protect the scheduler."
        ),
    ).tag(config=True)

    listing_cost_factor = Float(
        20.0,
        min=0.0,
        help=(
            "Listings of the queue are at least this many times the last listing's duration "
            "apart (20: listing takes at most 5 % of the time), when that is longer than "
            "poll_interval_floor, so a slow scheduler is asked less often. 0 turns it off."
        ),
    ).tag(config=True)

    queue_service_url = Unicode(
        "",
        help=(
            "The URL of the hub's queue service (python -m jupyterlab_hpc.hubqueue, run by "
            "JupyterHub), e.g. 'http://10.0.0.5:8765/services/hpc-queue/'. When set (or when "
            "the hub gives $JUPYTERLAB_HPC_QUEUE_SERVICE_URL) and the server has its hub API "
            "token, the queue listing comes from the service, which lists the queue once per "
            "interval for every user of the hub; when the service is unreachable or fails, "
            "the server lists the queue itself."
        ),
    ).tag(config=True)

    cluster_refresh_interval = Float(
        60.0,
        min=5.0,
        help=(
            "The cluster view's summary (partitions, nodes, free CPUs, memory and GPUs) is "
            "asked of the batch system at most once per this many seconds, for every open "
            "view of this server together, and only while one is open (sinfo and "
            "scontrol show partition on Slurm; qstat -Q and pbsnodes on PBS and Torque)."
        ),
    ).tag(config=True)

    pending_refresh_interval = Float(
        60.0,
        min=5.0,
        help=(
            "Each of the user's pending jobs is asked about alone (scontrol show job on "
            "Slurm, qstat -f on PBS and Torque) for its reason and expected start at most "
            "once per this many seconds, or sooner when the queue listing shows its reason "
            "changed; the queue panel and the job details ask the server no more often."
        ),
    ).tag(config=True)

    module_system = CaselessStrEnum(
        ["auto", "lmod", "environment-modules", "none"],
        default_value="auto",
        help=(
            "Which module system the Modules panel drives: 'auto' uses $LMOD_CMD or "
            "$MODULES_CMD when set, else the first of Lmod and Environment Modules found in "
            "their usual places; 'none' turns the panel off."
        ),
    ).tag(config=True)

    lmod_command = Unicode(
        "",
        help="Full path of Lmod's `lmod` command ($LMOD_CMD); empty = find it.",
    ).tag(config=True)

    lmod_spider_command = Unicode(
        "",
        help="Full path of Lmod's `spider` script; empty = the one next to `lmod`.",
    ).tag(config=True)

    modules_command = Unicode(
        "",
        help="Full path of Environment Modules' modulecmd.tcl ($MODULES_CMD); empty = find it.",
    ).tag(config=True)

    module_paths = List(
        Unicode(),
        default_value=[],
        help=(
            "Directories added to MODULEPATH (`module use`) when the server starts, before "
            "modules_at_start are loaded. New kernels and terminals inherit them."
        ),
    ).tag(config=True)

    modules_at_start = List(
        Unicode(),
        default_value=[],
        help=(
            "Modules loaded into the server's environment when it starts (the site defaults "
            "that 'reset' returns to). New kernels and terminals inherit them."
        ),
    ).tag(config=True)

    module_command_timeout = Float(
        120.0,
        min=1.0,
        help="Seconds after which a module command (e.g. spider on a large site) is killed.",
    ).tag(config=True)

    kernel_probe_timeout = Float(
        60.0,
        min=1.0,
        help=(
            "Seconds allowed for an interpreter to import ipykernel when a kernel is created "
            "from it (conda environments on shared file systems can be slow)."
        ),
    ).tag(config=True)

    # Entries are checked by templates.site_templates (not by traitlets), so one bad entry
    # is logged and left out instead of stopping the whole extension.
    submit_templates: List[Any] = List(
        default_value=[],
        help=(
            "Site templates for the submit dialog, read-only for users: a list of "
            "{'name': 'GPU job', 'description': '...', 'script': '#!/bin/bash\\n...', "
            "'options': {'partition': 'gpu', 'gres': 'gpu:1', 'time_limit': '60'}}. "
            "Options are the submit form's fields. Entries that are not valid are left out "
            "with a warning in the server log."
        ),
    ).tag(config=True)

    kernel_test_launch_timeout = Float(
        60.0,
        min=5.0,
        help="Seconds allowed for a kernel's test launch: start, print its environment, stop.",
    ).tag(config=True)

    session_job = Unicode(
        "auto",
        help=(
            "The batch job this server runs in, shown in the status bar (time left, memory "
            "against the job's limit, CPUs and GPUs) with warnings before its end: 'auto' "
            "reads SLURM_JOB_ID (Slurm) or PBS_JOBID (PBS, Torque) from the server's "
            "environment, 'none' turns it off, or a job id."
        ),
    ).tag(config=True)

    session_record_interval = Float(
        300.0,
        min=30.0,
        help=(
            "Seconds between two reads of the session job's record (scontrol show job ID, "
            "qstat -f ID), for its end time: it changes only when an admin updates the job."
        ),
    ).tag(config=True)

    session_memory_interval = Float(
        30.0,
        min=5.0,
        help=(
            "Seconds between two measures of the session job's memory when it has no "
            "cgroup to read on the node (sstat on Slurm; the job's record on PBS and Torque)."
        ),
    ).tag(config=True)
