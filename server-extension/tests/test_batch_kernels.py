"""Kernels inside batch jobs (issue 18), against the real local Slurm: a real ipykernel in a
real job, started through jupyter_client's own kernel managers and the ``hpc-batch``
provisioner found through its entry point (as a Jupyter server finds it)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import stat
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from jupyter_client.ioloop import AsyncIOLoopKernelManager
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from traitlets.config import Config

from jupyterlab_hpc.kernels.batch.options import BatchKernelError, describe, parse_options
from jupyterlab_hpc.kernels.batch.provisioner import BatchKernelProvisioner
from jupyterlab_hpc.kernels.batch.registry import REGISTRY

pytestmark = pytest.mark.slurm

IPYKERNEL = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]


def squeue_state(job_id: str) -> str:
    """The job's state as squeue shows it; "" once it has left the queue."""
    result = subprocess.run(
        ["squeue", "-h", "-j", job_id, "-o", "%T"], capture_output=True, text=True, check=False
    )
    return result.stdout.strip()


def jobs_named(name: str) -> list[str]:
    result = subprocess.run(
        ["squeue", "-h", "-n", name, "-o", "%i"], capture_output=True, text=True, check=True
    )
    return result.stdout.split()


async def gone_from_queue(job_id: str, within: float = 30.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if squeue_state(job_id) == "":
            return True
        await asyncio.sleep(0.5)
    return False


class Kernels:
    """Kernelspecs in a temporary folder and the managers started from them; everything
    still running at the end is shut down and every job it submitted cancelled."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.ksm = KernelSpecManager(kernel_dirs=[str(root / "kernels")])
        self.managers: list[AsyncKernelManager] = []
        self.job_ids: list[str] = []

    def spec(
        self,
        config: dict[str, Any],
        argv: list[str] | None = None,
        env: dict[str, str] | None = None,
    ) -> str:
        name = f"batch-{uuid.uuid4().hex[:8]}"
        folder = self.root / "kernels" / name
        folder.mkdir(parents=True)
        spec = {
            "argv": argv or IPYKERNEL,
            "display_name": f"Batch {name}",
            "language": "python",
            "interrupt_mode": "signal",
            "env": env or {},
            "metadata": {"kernel_provisioner": {"provisioner_name": "hpc-batch", "config": config}},
        }
        (folder / "kernel.json").write_text(json.dumps(spec))
        return name

    def manager(
        self,
        name: str,
        cls: type[AsyncKernelManager] = AsyncKernelManager,
        **site: Any,
    ) -> AsyncKernelManager:
        config = Config()
        config.BatchKernelProvisioner.node_address = "loopback"
        for key, value in site.items():
            setattr(config.BatchKernelProvisioner, key, value)
        km = cls(kernel_name=name, kernel_spec_manager=self.ksm, config=config)
        self.managers.append(km)
        return km

    async def start(self, km: AsyncKernelManager) -> None:
        try:
            await km.start_kernel(cwd=str(self.root))
        finally:
            self.note_job(km)

    def note_job(self, km: AsyncKernelManager) -> None:
        job_id = getattr(km.provisioner, "job_id", None)
        if job_id and job_id not in self.job_ids:
            self.job_ids.append(job_id)

    async def close(self) -> None:
        for km in self.managers:
            self.note_job(km)
            if km.has_kernel:
                try:
                    await asyncio.wait_for(km.shutdown_kernel(now=True), 30)
                except Exception as e:  # the test's own failure matters more
                    print(f"shutdown at the end failed: {e}")
        if self.job_ids:
            subprocess.run(["scancel", *self.job_ids], capture_output=True, check=False)


@pytest_asyncio.fixture
async def kernels(
    slurm: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Kernels]:
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    k = Kernels(tmp_path)
    yield k
    await k.close()


async def run_code(km: AsyncKernelManager, code: str, timeout: float = 60) -> tuple[str, dict]:
    """What the code printed, and the execute reply's content."""
    kc = km.client()
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=60)
        out: list[str] = []

        def hook(msg: dict[str, Any]) -> None:
            if msg["msg_type"] == "stream":
                out.append(msg["content"]["text"])

        reply = await kc.execute_interactive(code, output_hook=hook, timeout=timeout)
        return "".join(out), reply["content"]
    finally:
        kc.stop_channels()


async def assert_interrupt_stops_a_long_cell(km: AsyncKernelManager) -> None:
    """An interrupt ends a cell that sleeps for two minutes within 15 s."""
    kc = km.client()
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=60)
        msg_id = kc.execute("import time; time.sleep(120)")
        await asyncio.sleep(2)
        sent = time.monotonic()
        await km.interrupt_kernel()
        while True:
            reply = await kc.get_shell_msg(timeout=30)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        assert reply["content"]["status"] == "error"
        assert reply["content"]["ename"] == "KeyboardInterrupt"
        assert time.monotonic() - sent < 15
    finally:
        kc.stop_channels()


def test_the_provisioner_is_registered() -> None:
    """jupyter_client finds it by name through the entry point (a fresh `make` installs the
    package with `pip install -e`, which writes it)."""
    found = entry_points(group="jupyter_client.kernel_provisioners", name="hpc-batch")
    assert found, "hpc-batch is not registered: reinstall the package (make venv)"
    assert next(iter(found)).load() is BatchKernelProvisioner


@pytest.mark.asyncio
async def test_a_kernel_runs_in_its_job_with_the_cpus_it_asked_for(
    kernels: Kernels, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BATCH_TEST_PLACE", "the server")
    km = kernels.manager(
        kernels.spec(
            {"partition": "debug", "cpus": 3, "time_limit": "10"},
            env={"KERNEL_SAYS": "hello from ${BATCH_TEST_PLACE}"},
        )
    )
    started = time.monotonic()
    await kernels.start(km)
    provisioner = km.provisioner
    assert isinstance(provisioner, BatchKernelProvisioner)
    job_id = provisioner.job_id
    assert job_id
    assert squeue_state(job_id) == "RUNNING"
    printed, reply = await run_code(
        km,
        "import os; print(os.environ['SLURM_JOB_ID'], os.environ['SLURM_CPUS_PER_TASK'], "
        "os.environ['SLURM_JOB_PARTITION'], os.getcwd(), 'JPY_PARENT_PID' in os.environ); "
        "print(os.environ['KERNEL_SAYS'])",
    )
    usable = time.monotonic() - started
    assert reply["status"] == "ok"
    first, second = printed.splitlines()
    assert first.split() == [job_id, "3", "debug", str(kernels.root), "False"]
    assert second == "hello from the server"  # the kernelspec's env, expanded
    # A step started from the kernel runs in its allocation.
    printed, reply = await run_code(
        km,
        "import subprocess; print(subprocess.run(['srun', '--ntasks=1', 'printenv', "
        "'SLURM_JOB_ID', 'SLURM_STEP_ID'], capture_output=True, text=True, timeout=60).stdout)",
    )
    assert printed.split() == [job_id, "0"]
    # ... and so does one the magics start.
    printed, reply = await run_code(
        km, "%load_ext jupyterlab_hpc\n%srun --ntasks=1 printenv SLURM_JOB_ID SLURM_STEP_ID"
    )
    assert reply["status"] == "ok", reply
    assert printed.split() == [job_id, "1"]
    print(f"usable after {usable:.2f} s; timings {provisioner.timings}")

    # The connection key is in a 0600 file in a 0700 folder of the user's, and nowhere else
    # others could read: not in the job's record, its script or the kernel's command line.
    folder = provisioner.folder
    assert folder is not None
    assert stat.S_IMODE(folder.path.stat().st_mode) == 0o700
    connection = folder.file("connection.json")
    assert stat.S_IMODE(connection.stat().st_mode) == 0o600
    key = json.loads(connection.read_text())["key"]
    assert key
    assert key.encode() == km.session.key
    shown = subprocess.run(
        ["scontrol", "show", "job", "-dd", job_id], capture_output=True, text=True, check=True
    ).stdout
    script = subprocess.run(
        ["scontrol", "write", "batch_script", job_id, "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "jupyterlab_hpc.kernels.batch.node" in script
    assert key not in shown
    assert key not in script
    ready = json.loads(folder.file("ready.json").read_text())
    cmdline = Path(f"/proc/{ready['pid']}/cmdline").read_bytes().decode()
    environ = Path(f"/proc/{ready['pid']}/environ").read_bytes().decode()
    assert key not in cmdline
    assert key not in environ
    assert ready["ip"] == "127.0.0.1"

    # Shutdown ends the job and removes the folder.
    await km.shutdown_kernel()
    assert not await km.is_alive()
    assert await gone_from_queue(job_id)
    assert not folder.path.exists()


@pytest.mark.asyncio
async def test_interrupt_stops_a_long_cell(kernels: Kernels) -> None:
    km = kernels.manager(kernels.spec({"time_limit": "10"}))
    await kernels.start(km)
    await assert_interrupt_stops_a_long_cell(km)
    # The kernel goes on.
    _, reply = await run_code(km, "x = 41 + 1")
    assert reply["status"] == "ok"


@pytest.mark.asyncio
async def test_restart_keeps_the_job(kernels: Kernels) -> None:
    km = kernels.manager(kernels.spec({"time_limit": "10", "restart": "keep"}))
    await kernels.start(km)
    provisioner = km.provisioner
    assert isinstance(provisioner, BatchKernelProvisioner)
    job_id = provisioner.job_id
    printed, _ = await run_code(km, "import os; x = 1; print(os.getpid())")
    first_pid = printed.strip()
    await km.restart_kernel()
    assert provisioner.job_id == job_id
    assert squeue_state(job_id) == "RUNNING"
    printed, reply = await run_code(
        km, "import os; print(os.getpid(), os.environ['SLURM_JOB_ID']); print(x)"
    )
    assert reply["status"] == "error"
    assert reply["ename"] == "NameError"  # a new interpreter
    pid, seen_job = printed.split()[:2]
    assert pid != first_pid
    assert seen_job == job_id
    await km.shutdown_kernel()
    assert await gone_from_queue(job_id)


@pytest.mark.asyncio
async def test_restart_renews_the_job(kernels: Kernels) -> None:
    km = kernels.manager(kernels.spec({"time_limit": "10", "restart": "renew"}))
    await kernels.start(km)
    provisioner = km.provisioner
    assert isinstance(provisioner, BatchKernelProvisioner)
    first = provisioner.job_id
    assert first
    await km.restart_kernel()
    kernels.note_job(km)
    second = provisioner.job_id
    assert second
    assert second != first
    assert await gone_from_queue(first)
    printed, _ = await run_code(km, "import os; print(os.environ['SLURM_JOB_ID'])")
    assert printed.strip() == second
    await km.shutdown_kernel()
    assert await gone_from_queue(second)


async def dead_after_job_end(
    kernels: Kernels,
    config: dict[str, Any],
    end_it: Callable[[str], None],
    within: float,
    **site: Any,
) -> tuple[BatchKernelProvisioner, str]:
    """Start a kernel under jupyter_client's restarter, end its job by ``end_it``; the
    restarter must report the kernel dead (not submit a new job)."""
    name = kernels.spec(config)
    km = kernels.manager(name, AsyncIOLoopKernelManager, **site)
    dead = asyncio.Event()
    restarted = asyncio.Event()
    await kernels.start(km)
    # (the restarter exists once the kernel started)
    km.add_restart_callback(dead.set, "dead")
    km.add_restart_callback(restarted.set, "restart")
    provisioner = km.provisioner
    assert isinstance(provisioner, BatchKernelProvisioner)
    job_id = provisioner.job_id
    assert job_id
    end_it(job_id)
    started = time.monotonic()
    await asyncio.wait_for(dead.wait(), within)
    print(f"reported dead {time.monotonic() - started:.1f} s after the job's end began")
    assert not restarted.is_set()
    assert provisioner.ending is not None
    assert provisioner.ending.final
    await asyncio.sleep(4)  # a few more of the restarter's looks
    assert jobs_named(f"kernel-{name}") == []
    assert provisioner.job_id == job_id
    km.stop_restarter()
    return provisioner, job_id


@pytest.mark.asyncio
async def test_a_time_limit_ends_the_kernel_with_the_reason(kernels: Kernels) -> None:
    provisioner, job_id = await dead_after_job_end(
        kernels, {"time_limit": "1"}, lambda job_id: None, within=180
    )
    assert provisioner.ending is not None
    message = provisioner.ending.message
    assert message.startswith(f"Job {job_id} reached its time limit (1 minute) and Slurm ended it")
    assert "start it again" in message
    assert REGISTRY.get(str(provisioner.kernel_id)).message == message  # type: ignore[union-attr]


@pytest.mark.asyncio
async def test_cancelling_the_job_ends_the_kernel_with_the_reason(kernels: Kernels) -> None:
    def cancel(job_id: str) -> None:
        subprocess.run(["scancel", job_id], check=True)

    provisioner, job_id = await dead_after_job_end(kernels, {"time_limit": "10"}, cancel, within=40)
    assert provisioner.ending is not None
    assert provisioner.ending.message.startswith(f"Job {job_id} was cancelled")


@pytest.mark.asyncio
async def test_a_job_that_ends_without_a_word_is_seen_by_looking_at_it(kernels: Kernels) -> None:
    """A node that fails writes nothing into the folder: the periodic look at the job
    finds it ended. Here the node side is killed outright (SIGKILL, nothing written);
    Slurm then ends the job."""
    kernel_pids: list[int] = []

    def kill_node_side(job_id: str) -> None:
        folder = next(Path(os.environ["JUPYTER_RUNTIME_DIR"]).glob("hpc-kernel-*"))
        kernel_pid = json.loads((folder / "ready.json").read_text())["pid"]
        kernel_pids.append(kernel_pid)
        stat_fields = Path(f"/proc/{kernel_pid}/stat").read_text().rsplit(")", 1)[1].split()
        os.kill(int(stat_fields[1]), signal.SIGKILL)  # its parent: the node side

    try:
        provisioner, job_id = await dead_after_job_end(
            kernels, {"time_limit": "10"}, kill_node_side, within=40, job_check_interval=5.0
        )
        assert provisioner.ending is not None
        assert provisioner.ending.message.startswith("The kernel exited")
        assert f"its job {job_id} ended" in provisioner.ending.message
        assert provisioner.ending.final
    finally:
        # The test cluster's proctrack/linuxproc loses a process that started a session of
        # its own once its parent is gone (a site's proctrack/cgroup ends it with the job):
        # the orphaned kernel is stopped here, not left running after the tests.
        for pid in kernel_pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.asyncio
async def test_a_job_whose_server_is_gone_ends_itself(kernels: Kernels) -> None:
    """A server that dies cannot cancel its kernels' jobs: when it stops touching the
    lease, the job stops its kernel and ends instead of running until its time limit."""
    km = kernels.manager(kernels.spec({"time_limit": "10"}), lease_timeout=20.0)
    await kernels.start(km)
    provisioner = km.provisioner
    assert isinstance(provisioner, BatchKernelProvisioner)
    job_id = provisioner.job_id
    assert job_id
    folder = provisioner.folder
    assert folder is not None
    lease = folder.file("lease")
    assert stat.S_IMODE(lease.stat().st_mode) == 0o600
    # The server "dies": it no longer watches the kernel or touches the lease, which is
    # now older than the lease timeout.
    await provisioner._stop_watching()
    old = time.time() - 60
    os.utime(lease, (old, old))
    assert await gone_from_queue(job_id, 40)
    exited = json.loads(folder.file("exit.json").read_text())
    assert exited["reason"].startswith("the Jupyter server that started this kernel is gone")
    assert "the kernel is stopped" in folder.file("job.out").read_text()


async def expect_refusal(kernels: Kernels, name: str) -> str:
    km = kernels.manager(name)
    with pytest.raises(BatchKernelError) as raised:
        await kernels.start(km)
    # Nothing left: a job that was submitted leaves the queue within seconds.
    assert all(await asyncio.gather(*(gone_from_queue(j, 15) for j in kernels.job_ids)))
    assert jobs_named(f"kernel-{name}") == []
    return raised.value.message


@pytest.mark.asyncio
async def test_an_unknown_partition_is_refused_and_nothing_queued(kernels: Kernels) -> None:
    message = await expect_refusal(kernels, kernels.spec({"partition": "nosuchpartition"}))
    assert message.startswith("Slurm refused the kernel's job, so nothing was queued")
    assert "invalid partition" in message.lower()


@pytest.mark.asyncio
async def test_resources_the_cluster_cannot_give_are_refused(kernels: Kernels) -> None:
    # More memory than any node has: sbatch refuses it.
    message = await expect_refusal(kernels, kernels.spec({"memory": "900G"}))
    assert message.startswith("Slurm refused the kernel's job, so nothing was queued")
    assert "node configuration is not available" in message
    assert kernels.job_ids == []
    # More CPUs than the partition's node: Slurm queues it (no EnforcePartLimits), and it
    # would wait forever (PartitionConfig); it is cancelled at the first look.
    started = time.monotonic()
    message = await expect_refusal(kernels, kernels.spec({"cpus": 500}))
    assert time.monotonic() - started < 10
    assert re.fullmatch(
        r"Job [0-9]+ can never start \(it asks for something its partition does not have\), "
        r"so it was cancelled; nothing is left queued\. Ask for what the partition has\.",
        message,
    )


@pytest.mark.asyncio
async def test_a_kernel_command_missing_on_the_node(kernels: Kernels) -> None:
    argv = ["/nonexistent/python3", "-m", "ipykernel", "-f", "{connection_file}"]
    name = kernels.spec({}, argv=argv)
    message = await expect_refusal(kernels, name)
    assert message.startswith("The kernel could not start in job ")
    assert "'/nonexistent/python3' could not start: No such file or directory" in message


@pytest.mark.asyncio
async def test_a_kernel_that_dies_at_start_says_what_it_printed(kernels: Kernels) -> None:
    code = "import sys; print('no such kernel here', file=sys.stderr); sys.exit(3)"
    argv = [sys.executable, "-c", code]
    message = await expect_refusal(kernels, kernels.spec({"restart": "keep"}, argv=argv))
    assert "the kernel exited (code 3) before it was ready" in message
    assert message.endswith("no such kernel here")


@pytest.mark.asyncio
async def test_a_wrong_setting_is_refused_before_anything_runs(kernels: Kernels) -> None:
    message = await expect_refusal(kernels, kernels.spec({"time_limit": "soon"}))
    assert "'soon' is not a time limit" in message
    message = await expect_refusal(kernels, kernels.spec({"partiton": "debug"}))
    assert message.startswith("'partiton' is not a setting of a batch kernel")
    message = await expect_refusal(kernels, kernels.spec({"extra": ["--array=1-3"]}))
    assert "an array is many jobs, and a kernel is one" in message
    assert kernels.job_ids == []


@pytest.mark.asyncio
async def test_cancel_while_the_job_waits(kernels: Kernels) -> None:
    # A job that cannot start for an hour waits in the queue (BeginTime).
    name = kernels.spec({"extra": ["--begin=now+3600"]})
    km = kernels.manager(name)
    start = asyncio.ensure_future(kernels.start(km))
    status = None
    for _ in range(100):
        await asyncio.sleep(0.2)
        status = REGISTRY.get(str(km.kernel_id))
        if status is not None and status.phase == "pending" and status.reason:
            break
    assert status is not None
    assert status.phase == "pending"
    assert status.state == "PENDING"
    assert "start time" in status.reason
    job_id = status.job_id
    assert job_id
    assert squeue_state(job_id) == "PENDING"
    assert REGISTRY.request_cancel(str(km.kernel_id))
    with pytest.raises(BatchKernelError) as raised:
        await start
    said = raised.value.message
    assert said.startswith(f"You cancelled the kernel's job {job_id} while it waited")
    assert await gone_from_queue(job_id, 10)
    assert REGISTRY.get(str(km.kernel_id)).phase == "failed"  # type: ignore[union-attr]


@pytest.mark.asyncio
async def test_a_job_that_waits_too_long_is_cancelled(kernels: Kernels) -> None:
    name = kernels.spec({"extra": ["--begin=now+3600"]})
    km = kernels.manager(name, queue_timeout=4.0)
    with pytest.raises(BatchKernelError) as raised:
        await kernels.start(km)
    message = raised.value.message
    assert "waited 4 seconds in the queue (pending (waiting for the start time" in message
    assert "and was cancelled; nothing is left queued" in message


# Kernels that join a running allocation ("allocation": "<salloc id>") instead of
# submitting a job: a real `salloc --no-shell` allocation, a real ipykernel as a step of it.


def salloc(*options: str, user: str | None = None) -> str:
    """A new allocation with no shell (as users keep one for the day); its id."""
    argv = ["salloc", "--no-shell", "-J", f"alloc-{uuid.uuid4().hex[:6]}", *options]
    if user:
        argv = ["runuser", "-u", user, "--", *argv]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=True)
    found = re.search(r"Granted job allocation (\d+)", result.stderr)
    assert found, result.stderr
    return found.group(1)


def steps_of(job_id: str) -> list[str]:
    result = subprocess.run(
        ["squeue", "-h", "-s", "-j", job_id, "-o", "%i"],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.split()


async def step_gone(step: str, within: float = 20.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if step not in steps_of(step.split(".")[0]):
            return True
        await asyncio.sleep(0.5)
    return False


async def dead_within(km: AsyncKernelManager, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not await km.is_alive():
            return True
        await asyncio.sleep(0.5)
    return False


@pytest.fixture
def allocation(slurm: None) -> Iterator[str]:
    job_id = salloc("-N1", "-n1", "-c4", "-t", "10")
    yield job_id
    subprocess.run(["scancel", job_id], capture_output=True, check=False)


@pytest.mark.asyncio
async def test_a_kernel_joins_a_running_allocation_and_leaves_it_running(
    kernels: Kernels, allocation: str
) -> None:
    km = kernels.manager(kernels.spec({"allocation": allocation, "cpus": 2}))
    await kernels.start(km)
    provisioner = km.provisioner
    assert isinstance(provisioner, BatchKernelProvisioner)
    assert provisioner.job_id == allocation
    printed, reply = await run_code(
        km,
        "import os; print(os.environ['SLURM_JOB_ID'], os.environ['SLURM_STEP_ID'], "
        "os.environ.get('SLURM_CPUS_PER_TASK'))",
    )
    assert reply["status"] == "ok"
    job, step, cpus = printed.split()
    assert job == allocation
    assert cpus == "2"
    assert f"{allocation}.{step}" in steps_of(allocation)

    # Interrupt reaches the kernel through its step.
    await assert_interrupt_stops_a_long_cell(km)

    # Restart keeps the allocation and starts a new interpreter in the same step.
    await km.restart_kernel()
    printed, _ = await run_code(km, "import os; print(os.environ['SLURM_JOB_ID'])")
    assert printed.strip() == allocation

    # Shutdown ends the kernel's step, never the user's allocation.
    await km.shutdown_kernel()
    assert squeue_state(allocation) == "RUNNING"
    assert await step_gone(f"{allocation}.{step}")


@pytest.mark.asyncio
async def test_the_allocation_ending_ends_the_kernel_with_the_reason(
    kernels: Kernels, allocation: str
) -> None:
    km = kernels.manager(kernels.spec({"allocation": allocation}), job_check_interval=5.0)
    await kernels.start(km)
    provisioner = km.provisioner
    assert isinstance(provisioner, BatchKernelProvisioner)
    subprocess.run(["scancel", allocation], check=True)
    assert await dead_within(km, 60)
    assert provisioner.ending is not None
    assert provisioner.ending.message.startswith(f"Job {allocation} was cancelled")


@pytest.mark.asyncio
async def test_an_allocation_that_is_not_running_or_not_yours_is_refused(
    kernels: Kernels, slurm: None
) -> None:
    # Never existed.
    km = kernels.manager(kernels.spec({"allocation": "999999999"}))
    with pytest.raises(BatchKernelError) as raised:
        await kernels.start(km)
    assert raised.value.message.startswith("Job 999999999 is not in Slurm's queue")

    # Still waiting: a kernel joins it once it runs.
    held = subprocess.run(
        ["sbatch", "--parsable", "-t", "5", "--begin=now+1hour", "--wrap", "sleep 1"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    try:
        km = kernels.manager(kernels.spec({"allocation": held}))
        with pytest.raises(BatchKernelError) as raised:
            await kernels.start(km)
        assert raised.value.message.startswith(f"Job {held} is pending")
        assert "a kernel joins an allocation once it runs" in raised.value.message
        assert squeue_state(held) == "PENDING"
    finally:
        subprocess.run(["scancel", held], capture_output=True, check=False)

    # Another user's.
    theirs = salloc("-N1", "-n1", "-t", "5", user="hubalice")
    try:
        km = kernels.manager(kernels.spec({"allocation": theirs}))
        with pytest.raises(BatchKernelError) as raised:
            await kernels.start(km)
        assert raised.value.message == (
            f"Job {theirs} is hubalice's, not yours: a kernel joins only an allocation of your own."
        )
        assert steps_of(theirs) == []
    finally:
        subprocess.run(["scancel", theirs], capture_output=True, check=False)
    assert await gone_from_queue(theirs)


def test_the_allocation_setting_is_checked_before_anything_runs() -> None:
    ok = parse_options({"allocation": "1234", "cpus": 2, "memory": "4G", "nodes": 1}, "slurm")
    assert ok.allocation == "1234"
    assert describe(ok, "slurm") == "allocation 1234, 2 CPUs, 4G"
    assert parse_options({"allocation": 1234}, "slurm").allocation == "1234"
    for value in ("12a", "1234\n", "1234_1", "0", "", True):
        if value == "":
            assert parse_options({"allocation": value}, "slurm").allocation is None
            continue
        with pytest.raises(BatchKernelError) as raised:
            parse_options({"allocation": value}, "slurm")
        assert raised.value.field == "allocation"
    with pytest.raises(BatchKernelError) as raised:
        parse_options({"allocation": "1234", "partition": "debug"}, "slurm")
    assert raised.value.field == "partition"
    assert raised.value.message.startswith(
        "partition belongs to the allocation the kernel joins (job 1234)"
    )
    for kind in ("pbs", "torque"):
        with pytest.raises(BatchKernelError) as raised:
            parse_options({"allocation": "1234"}, kind)
        assert "on Slurm only" in raised.value.message
