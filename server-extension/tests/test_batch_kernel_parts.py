"""The pieces of kernels in batch jobs that need no cluster (issue 18): the kernelspec's
settings, the job script's quoting, the private folder, the node's address, the sentences
that say why a job ended."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from traitlets import TraitError
from traitlets.config import Config

from jupyterlab_hpc.kernels.batch import endings, node
from jupyterlab_hpc.kernels.batch.folder import FolderError, KernelFolder
from jupyterlab_hpc.kernels.batch.jobs import SlurmKernelJobs, job_environment
from jupyterlab_hpc.kernels.batch.options import BatchKernelError, describe, parse_options
from jupyterlab_hpc.kernels.batch.provisioner import BatchKernelProvisioner
from jupyterlab_hpc.kernels.batch.registry import BatchKernelStatus, Registry
from jupyterlab_hpc.kernels.batch.script import job_script, node_argv
from jupyterlab_hpc.kernels.validation import spec_problems
from jupyterlab_hpc.runner import CommandRunner
from jupyterlab_hpc.schedulers.base import Job, JobState


def refused(config: dict[str, object], kind: str = "slurm") -> BatchKernelError:
    with pytest.raises(BatchKernelError) as raised:
        parse_options(config, kind)
    return raised.value


# ------------------------------------------------------------------------------ settings


def test_settings_become_the_jobs_request() -> None:
    options = parse_options(
        {
            "partition": "debug",
            "time_limit": "1:30:00",
            "nodes": 1,
            "cpus": 4,
            "memory": "8G",
            "gpus": 1,
            "account": "proj",
            "qos": "normal",
            "modules": ["gcc/12.2.0"],
            "extra": ["--constraint=intel"],
            "restart": "renew",
            "queue_timeout": "30",
        },
        "slurm",
    )
    r = options.request
    assert (r.partition, r.time_limit, r.nodes, r.cpus, r.memory, r.gpus) == (
        "debug",
        "1:30:00",
        1,
        4,
        "8G",
        1,
    )
    assert (r.account, r.qos, r.extra) == ("proj", "normal", ["--constraint=intel"])
    assert options.modules == ("gcc/12.2.0",)
    assert options.restart == "renew"
    assert options.queue_timeout == 1800.0
    assert describe(options, "slurm") == "debug, 4 CPUs, 8G, 1 GPU, 1:30:00"
    defaults = parse_options({}, "slurm")
    assert defaults.restart == "keep"
    assert defaults.queue_timeout is None
    assert describe(defaults, "slurm") == "default partition"


def test_each_wrong_setting_is_named() -> None:
    assert refused({"partiton": "debug"}).field == "partiton"
    assert "'soon' is not a time limit" in refused({"time_limit": "soon"}).message
    assert refused({"partition": "debug\n"}).field == "partition"
    assert refused({"cpus": "4"}).message == "cpus must be a whole number."
    assert refused({"cpus": 0}).field == "cpus"
    assert refused({"memory": "lots"}).field == "memory"
    assert refused({"extra": "--constraint=intel"}).field == "extra"
    assert refused({"modules": "gcc"}).field == "modules"
    assert refused({"modules": ["-gcc"]}).field == "modules"
    assert refused({"restart": "sometimes"}).field == "restart"
    assert refused({"queue_timeout": -1}).field == "queue_timeout"
    assert refused({"queue_timeout": True}).field == "queue_timeout"
    assert refused({"queue_timeout": "1e3"}).field == "queue_timeout"


@pytest.mark.parametrize(
    ("word", "why"),
    [
        ("--output=/tmp/x", "where the server reads a failed start"),
        ("--out=/tmp/x", "where the server reads a failed start"),
        ("-o/tmp/x", "where the server reads a failed start"),
        ("--error=/tmp/x", "where the server reads a failed start"),
        ("--array=1-3", "an array is many jobs"),
        ("-a1-3", "an array is many jobs"),
        ("--hold", "a held job never starts"),
        ("-H", "a held job never starts"),
        ("--chdir=/tmp", "the notebook's folder"),
        ("--export=NONE", "its environment"),
        ("--requeue", "a requeued job has lost its kernel"),
        # sbatch's own refusals still apply
        ("--wrap=true", "the server submits the script itself"),
        ("--parsable", "the server submits the script itself"),
    ],
)
def test_options_that_break_a_kernel_are_refused(word: str, why: str) -> None:
    error = refused({"extra": [word]})
    assert error.field == "extra"
    assert why in error.message


def test_options_a_kernel_can_take() -> None:
    for word in ("--constraint=intel", "--exclusive", "-Cintel", "-Jname", "--reservation=r1"):
        assert parse_options({"extra": [word]}, "slurm").request.extra == [word]


def test_pbs_extra_words_follow_qsub_rules() -> None:
    assert parse_options({"extra": ["-P", "proj"]}, "pbs").request.extra == ["-P", "proj"]
    assert "an array is many jobs" in refused({"extra": ["-J", "1-3"]}, "pbs").message
    assert "where the server reads" in refused({"extra": ["-o", "/tmp/x"]}, "torque").message


def test_the_error_is_an_http_answer_in_words() -> None:
    error = BatchKernelError("Job 5 reached 100% of its time.")
    assert error.status_code == 400
    assert error.log_message == "Job 5 reached 100% of its time."
    assert str(error) == "Job 5 reached 100% of its time."
    assert BatchKernelError("down", status=503).status_code == 503


# ---------------------------------------------------------------------------- the script


def test_the_job_script_runs_exactly_the_kernels_argv(tmp_path: Path) -> None:
    weird = ["a b", "it's", 'say "hi"', "$HOME", "`id`", "x;y", "new\nline", "*", "", "--"]
    probe = "import json, sys; print(json.dumps(sys.argv[1:]))"
    script = job_script([sys.executable, "-c", probe, *weird], title="Jupyter kernel $(id)\n#")
    path = tmp_path / "job.sh"
    path.write_text(script)
    out = subprocess.run(["bash", str(path)], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == weird
    assert script.startswith("#!/bin/bash\n# Jupyter kernel $(id) #\n")


def test_the_node_side_gets_the_kernel_after_a_double_dash() -> None:
    argv = node_argv(
        "/f", "loopback", ["python", "-f", "{x}"], keep_seconds=120, start_timeout=60.5
    )
    assert argv[1:] == [
        "-m",
        "jupyterlab_hpc.kernels.batch.node",
        "--folder",
        "/f",
        "--address",
        "loopback",
        "--keep",
        "120",
        "--start-timeout",
        "60.5",
        "--lease-timeout",
        "0",
        "--",
        "python",
        "-f",
        "{x}",
    ]
    args = node.parse_args(argv[3:])
    assert (args.folder, args.address, args.keep) == ("/f", "loopback", 120.0)
    assert args.lease_timeout == 0.0
    assert args.kernel == ["python", "-f", "{x}"]


# ---------------------------------------------------------------------------- the folder


def test_the_folder_and_its_files_are_private(tmp_path: Path) -> None:
    folder = KernelFolder(tmp_path / "k")
    folder.create()
    assert (tmp_path / "k").stat().st_mode & 0o777 == 0o700
    folder.write_json("connection.json", {"key": "secret"})
    assert (tmp_path / "k" / "connection.json").stat().st_mode & 0o777 == 0o600
    assert folder.read_json("connection.json") == {"key": "secret"}
    assert folder.read_json("missing.json") is None
    folder.create()  # a restart: the folder is there and still private


def test_a_folder_open_to_others_or_a_link_is_refused(tmp_path: Path) -> None:
    open_folder = tmp_path / "open"
    open_folder.mkdir(mode=0o755)
    open_folder.chmod(0o755)
    with pytest.raises(FolderError, match="open to other users"):
        KernelFolder(open_folder).create()
    target = tmp_path / "target"
    target.mkdir(mode=0o700)
    (tmp_path / "link").symlink_to(target)
    with pytest.raises(FolderError, match="not a folder"):
        KernelFolder(tmp_path / "link").create()
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o700)
    os.chown(theirs, 65534, 65534)
    with pytest.raises(FolderError, match="belongs to another user"):
        KernelFolder(theirs).check()


def test_files_that_are_links_or_readable_by_others_are_refused(tmp_path: Path) -> None:
    folder = KernelFolder(tmp_path / "k")
    folder.create()
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text('{"key": "planted"}')
    elsewhere.chmod(0o600)
    (tmp_path / "k" / "ready.json").symlink_to(elsewhere)
    with pytest.raises(FolderError, match="cannot be read"):
        folder.read_json("ready.json")
    (tmp_path / "k" / "exit.json").write_text("{}")
    (tmp_path / "k" / "exit.json").chmod(0o644)
    with pytest.raises(FolderError, match="readable by other users"):
        folder.read_json("exit.json")


def test_a_failed_write_leaves_the_old_file(tmp_path: Path) -> None:
    folder = KernelFolder(tmp_path / "k")
    folder.create()
    folder.write_json("connection.json", {"key": "old"})
    with pytest.raises(TypeError):
        folder.write_json("connection.json", {"key": object()})
    assert folder.read_json("connection.json") == {"key": "old"}
    assert sorted(p.name for p in (tmp_path / "k").iterdir()) == ["connection.json"]


def test_an_incomplete_file_reads_as_not_there_yet(tmp_path: Path) -> None:
    folder = KernelFolder(tmp_path / "k")
    folder.create()
    (tmp_path / "k" / "ready.json").write_text('{"generation": ')
    (tmp_path / "k" / "ready.json").chmod(0o600)
    assert folder.read_json("ready.json") is None


# ------------------------------------------------------------------------------ the node


def test_node_addresses() -> None:
    for spec in ("hostname", "loopback", "interface:ib0", "interface:eth0.100"):
        assert node.check_address_spec(spec) == spec
    for spec in ("", "10.0.0.1", "interface:", "interface:a/b", "interface:x y", "loopback\n"):
        with pytest.raises(ValueError, match="is not a node address"):
            node.check_address_spec(spec)
    assert node.node_address("loopback") == "127.0.0.1"
    assert node.node_address("interface:lo") == "127.0.0.1"
    with pytest.raises(node.NodeError, match="has no IPv4 address"):
        node.node_address("interface:nosuchif0")
    assert node.node_address("hostname")  # whatever this machine's name resolves to


def test_the_site_setting_is_checked() -> None:
    config = Config({"BatchKernelProvisioner": {"node_address": "10.0.0.1"}})
    with pytest.raises(TraitError, match="is not a node address"):
        BatchKernelProvisioner(config=config)
    config = Config({"BatchKernelProvisioner": {"node_address": "interface:ib0"}})
    assert BatchKernelProvisioner(config=config).node_address == "interface:ib0"


def test_free_ports_differ() -> None:
    ports = node.free_ports("127.0.0.1", 5)
    assert len(set(ports)) == 5
    assert all(0 < p < 65536 for p in ports)


def test_the_node_side_writes_the_complete_connection_file(tmp_path: Path) -> None:
    folder = KernelFolder(tmp_path / "k")
    folder.create()
    folder.write_json(
        "connection.json",
        {
            "key": "k",
            "transport": "tcp",
            "signature_scheme": "hmac-sha256",
            "ip": "",
            **dict.fromkeys(node.PORT_NAMES, 0),
        },
    )
    complete = node.prepare(folder, "loopback")
    assert complete["ip"] == "127.0.0.1"
    assert complete["key"] == "k"
    assert all(complete[p] > 0 for p in node.PORT_NAMES)
    folder.write_json("connection.json", {"key": "k", "transport": "ipc"})
    with pytest.raises(node.NodeError, match="needs the tcp transport"):
        node.prepare(folder, "loopback")


# --------------------------------------------------------------------- the job's ending


def job(raw_state: str, state: JobState, **fields: object) -> Job:
    return Job(id="7", name="kernel-x", user="u", state=state, raw_state=raw_state, **fields)  # type: ignore[arg-type]


def test_why_a_job_ended() -> None:
    ending = endings.job_ending(
        job("TIMEOUT", JobState.TIMEOUT, time_limit=3600), "7", "Slurm", None
    )
    assert ending.message.startswith("Job 7 reached its time limit (1 hour) and Slurm ended it.")
    assert ending.final
    assert ending.code == endings.TERMINATED
    node_fail = endings.job_ending(
        job("NODE_FAIL", JobState.FAILED, nodelist="n12"), "7", "Slurm", None
    )
    assert node_fail.message.startswith("The node on n12 of job 7 failed.")
    oom = endings.job_ending(job("OUT_OF_MEMORY", JobState.FAILED, memory="4G"), "7", "Slurm", 1)
    assert "ran out of memory (it asked for 4G)" in oom.message
    assert (
        "preempted"
        in endings.job_ending(job("PREEMPTED", JobState.CANCELLED), "7", "Slurm", None).message
    )
    cancelled = endings.job_ending(job("CANCELLED by 0", JobState.CANCELLED), "7", "Slurm", 143)
    assert cancelled.message == (
        "Job 7 was cancelled (queue panel, scancel, qdel or an administrator). "
        "The kernel is gone; start it again for a new job."
    )
    exited = endings.job_ending(job("FAILED", JobState.FAILED, exit_code=3), "7", "Slurm", 3)
    assert exited.message == "The kernel exited with exit code 3, and its job 7 ended."
    assert exited.code == 3
    forgotten = endings.job_ending(None, "7", "Slurm", None)
    assert "no longer knows it" in forgotten.message


def test_durations_in_words() -> None:
    assert endings.duration_words(60) == "1 minute"
    assert endings.duration_words(600) == "10 minutes"
    assert endings.duration_words(7200) == "2 hours"
    assert endings.duration_words(5430) == "1:30:30"
    assert endings.duration_words(None) == "its time limit"
    assert endings.waited_words(4.2) == "4 seconds"
    assert endings.waited_words(1800) == "30 minutes"
    assert endings.waited_words(3 * 3600) == "3 hours"


# --------------------------------------------------------------------- the batch system


def test_the_kernels_environment_leaves_out_what_would_break_it() -> None:
    env = job_environment(
        {
            "PATH": "/bin",
            "JPY_PARENT_PID": "123",
            "JPY_SESSION_NAME": "/home/u/a.ipynb",
            "JUPYTER_TOKEN": "t",
            "JUPYTERHUB_API_TOKEN": "h",
            "SLURM_JOB_ID": "9",
            "SLURM_MEM_PER_CPU": "100",
            "SLURM_CONF": "/etc/slurm/other.conf",
            "SBATCH_ACCOUNT": "proj",
            "PBS_JOBID": "3.pbs",
        }
    )
    assert env == {
        "PATH": "/bin",
        "JPY_SESSION_NAME": "/home/u/a.ipynb",
        "SLURM_CONF": "/etc/slurm/other.conf",
        "SBATCH_ACCOUNT": "proj",
    }


def test_which_waits_never_end() -> None:
    jobs = SlurmKernelJobs(CommandRunner())
    for reason in (
        "PartitionConfig",
        "QOSMaxCpuPerJobLimit",
        "AssocMaxWallDurationPerJobLimit",
        "BadConstraints",
        "InvalidAccount",
    ):
        assert jobs.never_starts(job("PENDING", JobState.PENDING, reason=reason)), reason
    for reason in (
        "Priority",
        "Resources",
        "BeginTime",
        "QOSMaxJobsPerUserLimit",
        "ReqNodeNotAvail",
    ):
        assert not jobs.never_starts(job("PENDING", JobState.PENDING, reason=reason)), reason


# ---------------------------------------------------------------------------- registry


def test_the_registry_cancels_only_a_start_and_forgets_old_endings() -> None:
    registry = Registry()
    assert not registry.request_cancel("k1")
    event = registry.cancel_event("k1")
    assert registry.request_cancel("k1")
    assert event.is_set()
    registry.drop_cancel_event("k1")
    assert not registry.request_cancel("k1")
    registry.set(BatchKernelStatus("old", "slurm", "ended", updated=time.time() - 7200))
    registry.set(BatchKernelStatus("new", "slurm", "running"))
    assert [s.kernel_id for s in registry.all()] == ["new"]
    assert registry.update("new", phase="ended", message="m") is not None
    assert registry.get("new").message == "m"  # type: ignore[union-attr]
    assert registry.update("missing", phase="ended") is None


def test_kernelspec_settings_are_kept_apart_from_the_provisioners_traits() -> None:
    provisioner = BatchKernelProvisioner(
        kernel_id="k", partition="debug", node_address_typo="x", keep_alive=5
    )
    assert provisioner.spec_config == {
        "partition": "debug",
        "node_address_typo": "x",
        "keep_alive": 5,
    }
    assert provisioner.keep_alive == 120.0  # a site setting: not the kernelspec's to change
    with pytest.raises(BatchKernelError, match="'keep_alive' is not a setting"):
        parse_options(provisioner.spec_config, "slurm")


# ---------------------------------------------------------------- saving such a kernel


def batch_spec(config: object, name: str = "hpc-batch") -> dict[str, object]:
    return {
        "argv": ["python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Batch",
        "metadata": {"kernel_provisioner": {"provisioner_name": name, "config": config}},
    }


def test_a_batch_kernels_settings_are_checked_when_it_is_saved() -> None:
    assert spec_problems(batch_spec({"partition": "debug", "cpus": 4})) == []
    (finding,) = spec_problems(batch_spec({"cpus": "four"}))
    assert finding.field == "metadata.kernel_provisioner.config.cpus"
    assert finding.message == "cpus must be a whole number."
    (finding,) = spec_problems(batch_spec({"walltime": "1:00:00"}))
    assert finding.field == "metadata.kernel_provisioner.config.walltime"
    (finding,) = spec_problems(batch_spec(["debug"]))
    assert finding.field == "metadata.kernel_provisioner.config"
    # Another provisioner's settings are its own business.
    assert spec_problems(batch_spec({"anything": 1}, name="docker-provisioner")) == []
    spec = batch_spec({})
    spec["metadata"] = {"kernel_provisioner": "hpc-batch"}
    (finding,) = spec_problems(spec)
    assert finding.field == "metadata.kernel_provisioner"


def test_the_job_sees_when_the_server_stopped_touching_its_lease(tmp_path: Path) -> None:
    folder = KernelFolder(tmp_path / "k")
    folder.create()
    connection = {"ip": "127.0.0.1", **dict.fromkeys(node.PORT_NAMES, 1)}
    side = node.NodeSide(folder, ["true"], connection, keep=0, start_timeout=5, lease_timeout=60)
    assert side.server_gone(every=0)  # no lease at all: the folder's server cleaned up
    folder.touch("lease")
    assert (tmp_path / "k" / "lease").stat().st_mode & 0o777 == 0o600
    assert not side.server_gone(every=0)
    assert folder.age("lease") is not None
    old = time.time() - 120
    os.utime(tmp_path / "k" / "lease", (old, old))
    assert side.server_gone(every=0)
    assert not side.server_gone(every=3600)  # looked at just now: not again yet
    off = node.NodeSide(folder, ["true"], connection, keep=0, start_timeout=5)
    assert not off.server_gone(every=0)


def test_a_job_whose_server_is_gone_starts_no_kernel(tmp_path: Path) -> None:
    folder = KernelFolder(tmp_path / "k")
    folder.create()
    connection = {"ip": "127.0.0.1", **dict.fromkeys(node.PORT_NAMES, 1)}
    marker = tmp_path / "started"
    side = node.NodeSide(
        folder, ["touch", str(marker)], connection, keep=0, start_timeout=5, lease_timeout=60
    )
    assert side.run() == 0
    assert not marker.exists()
    exited = folder.read_json("exit.json")
    assert exited is not None
    assert exited["reason"] == node.GONE
