"""Kernels inside batch jobs on OpenPBS and Torque (issue 18): submit, wait, cancel.

Against the replays of a real OpenPBS 23.06.06 server and of Torque's documented answers
(``pbs_replay``, ``torque_replay``): their jobs never run, so these tests cover what
happens before the kernel starts: the job that is submitted (queue, output, name, the
script), the wait and what it shows, Cancel and the queue timeout (the job is deleted),
and a refusal. The kernel itself runs only on the Slurm cluster (test_batch_kernels.py).
"""

from __future__ import annotations

import asyncio
import json
import stat
import sys
from pathlib import Path
from typing import Any

import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from traitlets.config import Config

from jupyterlab_hpc.kernels.batch.options import BatchKernelError
from jupyterlab_hpc.kernels.batch.provisioner import BatchKernelProvisioner
from jupyterlab_hpc.kernels.batch.registry import REGISTRY, BatchKernelStatus

from .pbs_replay.fixtures import PBSReplay
from .torque_replay.fixtures import TorqueReplay


def manager(
    tmp_path: Path, kind: str, command_paths: dict[str, str], config: dict[str, Any], **site: Any
) -> AsyncKernelManager:
    folder = tmp_path / "kernels" / "batch-pbs"
    folder.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Batch PBS",
        "language": "python",
        "env": {"KERNEL_SAYS": "hello"},
        "metadata": {"kernel_provisioner": {"provisioner_name": "hpc-batch", "config": config}},
    }
    (folder / "kernel.json").write_text(json.dumps(spec))
    c = Config()
    c.HPCConfig.scheduler = kind
    c.HPCConfig.command_paths = command_paths
    c.BatchKernelProvisioner.node_address = "loopback"
    for key, value in site.items():
        setattr(c.BatchKernelProvisioner, key, value)
    ksm = KernelSpecManager(kernel_dirs=[str(tmp_path / "kernels")])
    return AsyncKernelManager(kernel_name="batch-pbs", kernel_spec_manager=ksm, config=c)


async def waiting(km: AsyncKernelManager) -> BatchKernelStatus:
    for _ in range(100):
        await asyncio.sleep(0.1)
        status = REGISTRY.get(str(km.kernel_id))
        if status is not None and status.phase == "pending" and status.state:
            return status
    raise AssertionError(f"the kernel did not wait: {REGISTRY.get(str(km.kernel_id))}")


@pytest.fixture
def runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    return tmp_path / "runtime"


@pytest.mark.asyncio
async def test_pbs_submit_wait_and_cancel(
    pbs_replay: PBSReplay, tmp_path: Path, runtime: Path
) -> None:
    km = manager(tmp_path, "pbs", pbs_replay.command_paths, {"partition": "workq", "cpus": 2})
    start = asyncio.ensure_future(km.start_kernel(cwd=str(tmp_path)))
    status = await waiting(km)
    provisioner = km.provisioner
    assert isinstance(provisioner, BatchKernelProvisioner)
    folder = provisioner.folder
    assert folder is not None
    job_id = status.job_id
    assert job_id == provisioner.job_id
    assert status.kind == "pbs"
    assert status.state == "Q"
    assert status.resources == "workq, 2 CPUs"

    # What PBS was handed: the queue, the output in the private folder, the kernel's name;
    # the script runs the node side, and the key is in no command and no script.
    state = pbs_replay.state()
    (qsub,) = [c for c in state["calls"] if c[0].endswith("qsub")]
    assert "-q" in qsub
    assert qsub[qsub.index("-q") + 1] == "workq"
    assert qsub[qsub.index("-o") + 1] == str(folder.file("job.out"))
    assert qsub[qsub.index("-j") + 1] == "oe"
    assert qsub[qsub.index("-N") + 1] == "kernel-batch-pbs"
    assert "select=1:ncpus=2" in " ".join(qsub)
    script = state["scripts"][job_id]
    assert "exec " in script
    assert "jupyterlab_hpc.kernels.batch.node" in script
    key = km.session.key.decode()
    assert key not in script
    assert all(key not in " ".join(c) for c in state["calls"])
    assert state["jobs"][job_id]["Variable_List"]["PBS_O_WORKDIR"] == str(tmp_path)
    # The kernel's environment waits for it in the private folder (PBS gives a job its own).
    environment = json.loads(folder.file("environment.json").read_text())
    assert environment["variables"]["KERNEL_SAYS"] == "hello"
    assert "KERNEL_SAYS" in environment["override"]
    assert stat.S_IMODE(folder.file("environment.json").stat().st_mode) == 0o600

    assert REGISTRY.request_cancel(str(km.kernel_id))
    with pytest.raises(BatchKernelError) as raised:
        await start
    assert raised.value.message.startswith(f"You cancelled the kernel's job {job_id} while it")
    qdel = [c for c in pbs_replay.calls() if c[0].endswith("qdel")]
    assert qdel == [[qdel[0][0], job_id]]
    assert job_id not in pbs_replay.state()["jobs"]  # deleted: only in the history now


@pytest.mark.asyncio
async def test_pbs_queue_timeout_deletes_the_job(
    pbs_replay: PBSReplay, tmp_path: Path, runtime: Path
) -> None:
    km = manager(tmp_path, "pbs", pbs_replay.command_paths, {}, queue_timeout=2.0)
    with pytest.raises(BatchKernelError) as raised:
        await km.start_kernel(cwd=str(tmp_path))
    message = raised.value.message
    assert "waited 2 seconds in the queue" in message
    assert "and was cancelled; nothing is left queued" in message
    job_id = km.provisioner.job_id  # type: ignore[union-attr]
    assert [c[1:] for c in pbs_replay.calls() if c[0].endswith("qdel")] == [[job_id]]
    # One job looked at while it waited, never the whole queue.
    qstats = [c[1:] for c in pbs_replay.calls() if c[0].endswith("qstat")]
    assert qstats
    assert all(c[-1] == job_id for c in qstats)


@pytest.mark.asyncio
async def test_pbs_refusal_is_said_and_nothing_is_queued(
    pbs_replay: PBSReplay, tmp_path: Path, runtime: Path
) -> None:
    km = manager(tmp_path, "pbs", pbs_replay.command_paths, {"partition": "nosuchqueue"})
    before = set(pbs_replay.state()["jobs"])
    with pytest.raises(BatchKernelError) as raised:
        await km.start_kernel(cwd=str(tmp_path))
    assert raised.value.message.startswith(
        "PBS refused the kernel's job, so nothing was queued: qsub: Unknown queue"
    )
    assert set(pbs_replay.state()["jobs"]) == before
    # QOS is Slurm's: refused before qsub runs.
    km = manager(tmp_path, "pbs", pbs_replay.command_paths, {"qos": "high"})
    with pytest.raises(BatchKernelError) as raised:
        await km.start_kernel(cwd=str(tmp_path))
    assert raised.value.field == "qos"


@pytest.mark.asyncio
async def test_torque_submit_wait_and_cancel(
    torque_replay: TorqueReplay, tmp_path: Path, runtime: Path
) -> None:
    km = manager(tmp_path, "torque", torque_replay.command_paths, {"cpus": 2})
    start = asyncio.ensure_future(km.start_kernel(cwd=str(tmp_path)))
    status = await waiting(km)
    job_id = status.job_id
    assert job_id
    assert status.kind == "torque"
    assert status.state == "Q"
    (qsub,) = [c for c in torque_replay.state()["calls"] if c["argv"][0].endswith("qsub")]
    assert qsub["cwd"] == str(tmp_path)
    assert "jupyterlab_hpc.kernels.batch.node" in qsub["stdin"]
    assert km.session.key.decode() not in qsub["stdin"]
    assert REGISTRY.request_cancel(str(km.kernel_id))
    with pytest.raises(BatchKernelError) as raised:
        await start
    assert raised.value.message.startswith(f"You cancelled the kernel's job {job_id} while it")
    qdel = [c["argv"][1:] for c in torque_replay.state()["calls"] if c["argv"][0].endswith("qdel")]
    assert qdel == [[job_id]]
