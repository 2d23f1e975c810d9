"""``hpc-batch``: jupyter_client's kernel provisioner that starts a kernel inside a batch job.

A kernelspec asks for it in ``metadata.kernel_provisioner``::

    {"provisioner_name": "hpc-batch",
     "config": {"partition": "debug", "time_limit": "60", "cpus": 4, "memory": "8G"}}

(the settings are in options.py). Starting the kernel submits a job whose script runs the
node side (node.py) with the kernel's own argv; the provisioner waits, looking at that one
job (``scontrol show job ID``) and at the private folder (folder.py), until the kernel
listens on the compute node, then hands jupyter_client the connection. While it runs, the
folder says at once when the kernel exits, and the job is looked at every
``job_check_interval`` seconds (a node that failed writes nothing); an end the job decided
(time limit, cancel, node failure) ends the kernel with a sentence saying so, and stops
jupyter_client's automatic restart, which would otherwise submit a new job unasked.

Interrupt: SIGINT to the job's batch step (``scancel --signal=INT --batch``), which passes it
to the kernel. Restart: ``restart: "keep"`` (the default) starts a new kernel inside the
same job (SIGUSR1), ``"renew"`` ends the job and submits a new one. Shutdown ends the job.
With ``allocation`` (Slurm), the kernel is a step of a job the user already runs
(allocation.py): the same, with the step in place of the job, and the job left running.

Site settings (``c.BatchKernelProvisioner.<name>`` in jupyter_server_config.py):
``node_address``, ``connection_folder``, ``queue_timeout``, ``kernel_start_timeout``,
``job_check_interval``, ``pending_check_interval``, ``keep_alive``.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import ipaddress
import os
import re
import signal
import time
from pathlib import Path
from typing import Any

from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.provisioning.provisioner_base import KernelProvisionerBase
from jupyter_core.paths import jupyter_runtime_dir
from traitlets import Float, TraitError, Unicode, validate

from ...config import HPCConfig
from ...modules.detect import detect_module_system
from ...runner import CommandRunner
from ...schedulers.base import FINAL_STATES, Job, JobState
from ...schedulers.detect import detect_scheduler, no_scheduler_message
from ..modules import has_launcher, launcher_prefix
from .allocation import AllocationSteps
from .endings import KILLED, Ending, job_ending, pending_words, waited_words
from .folder import (
    CONNECTION,
    ENVIRONMENT,
    EXIT,
    LEASE,
    OUTPUT,
    READY,
    FolderError,
    KernelFolder,
)
from .jobs import JobsUnavailable, KernelJobs, job_environment, kernel_jobs
from .node import PORT_NAMES, check_address_spec
from .options import (
    BatchKernelError,
    BatchKernelOptions,
    describe,
    parse_options,
)
from .registry import REGISTRY, BatchKernelStatus
from .script import job_script, node_argv

# What jupyter_client's factory passes besides the kernelspec's config.
_BASE_KWARGS = ("kernel_id", "kernel_spec", "parent", "config", "log")
_KERNEL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")
_JOB_NAME_PART = re.compile(r"[^A-Za-z0-9._-]")
# Looks at a waiting job: soon after the submission, then every pending_check_interval.
_FIRST_CHECKS = (0.5, 1.0, 2.0, 3.0)


class BatchKernelProvisioner(KernelProvisionerBase):
    node_address = Unicode(
        "hostname",
        config=True,
        help=(
            "The address a batch kernel listens on, on its compute node: 'hostname' (what "
            "the node's name resolves to, preferring an address that is not loopback), "
            "'loopback' (a cluster on one machine) or 'interface:NAME' (that network "
            "interface's address, e.g. interface:ib0). The Jupyter server connects to it."
        ),
    )
    connection_folder = Unicode(
        "",
        config=True,
        help=(
            "Where each batch kernel's private folder (connection file, job output) is made; "
            "it must be visible from the compute nodes. Empty: the Jupyter runtime folder."
        ),
    )
    queue_timeout = Float(
        1800.0,
        min=0.0,
        config=True,
        help=(
            "Seconds a batch kernel's job may wait in the queue before it is cancelled and "
            "the start fails (0: no limit). A kernelspec's queue_timeout (minutes) wins."
        ),
    )
    kernel_start_timeout = Float(
        120.0,
        min=5.0,
        config=True,
        help="Seconds a kernel may take, once its job runs, to listen on its ports.",
    )
    job_check_interval = Float(
        60.0,
        min=5.0,
        config=True,
        help=(
            "Seconds between two looks at a running batch kernel's job (scontrol show job "
            "ID, one job). A kernel that exits, or a job that is cancelled or runs out of "
            "time, is seen at once without it; this catches a failed node."
        ),
    )
    pending_check_interval = Float(
        5.0,
        min=1.0,
        config=True,
        help="Seconds between two looks at a batch kernel's job while it waits in the queue.",
    )
    keep_alive = Float(
        120.0,
        min=5.0,
        config=True,
        help=(
            "Seconds a job with restart 'keep' stays after its kernel exited, waiting for a "
            "restart, before it ends."
        ),
    )

    lease_timeout = Float(
        600.0,
        min=0.0,
        config=True,
        help=(
            "Seconds after which a batch kernel's job ends itself when this server stopped "
            "touching the kernel's lease file (the server died or was killed without "
            "shutting its kernels down), and starts no kernel when it starts later than "
            "that. The server touches it every lease_timeout/4 s (at most every 30 s). "
            "0: never (a job whose server is gone then runs until its time limit)."
        ),
    )

    @validate("node_address")
    def _check_node_address(self, proposal: dict[str, Any]) -> str:
        try:
            return check_address_spec(str(proposal["value"]))
        except ValueError as e:
            raise TraitError(str(e)) from None

    def __init__(self, **kwargs: Any) -> None:
        # Everything that is not the factory's own is the kernelspec's config: it is read by
        # parse_options (so a wrong key is an error that names it, never a silent trait).
        spec_config = {k: kwargs.pop(k) for k in list(kwargs) if k not in _BASE_KWARGS}
        super().__init__(**kwargs)
        self.spec_config: dict[str, Any] = spec_config
        self.options: BatchKernelOptions | None = None
        self.jobs: KernelJobs | None = None
        self.folder: KernelFolder | None = None
        self.job_id: str | None = None
        self.generation = 0
        self.ending: Ending | None = None
        self.timings: dict[str, float] = {}
        self._launched = False
        self._job_alive = False
        self._stopping = False
        self._watcher: asyncio.Task[None] | None = None
        self._saved_restart_limit: int | None = None
        self._connection: KernelConnectionInfo = {}
        self._lease_touched = 0.0

    # The pieces pre_launch sets up; asking before it ran is a programming error.
    def _options(self) -> BatchKernelOptions:
        if self.options is None:
            raise BatchKernelError("The batch kernel was not prepared (pre_launch did not run).")
        return self.options

    def _jobs(self) -> KernelJobs:
        if self.jobs is None:
            raise BatchKernelError("The batch kernel was not prepared (pre_launch did not run).")
        return self.jobs

    def _folder(self) -> KernelFolder:
        if self.folder is None:
            raise BatchKernelError("The batch kernel was not prepared (pre_launch did not run).")
        return self.folder

    def _job(self) -> str:
        if self.job_id is None:
            raise BatchKernelError("The batch kernel has no job.")
        return self.job_id

    def _km(self) -> Any:
        if self.parent is None:
            raise BatchKernelError("A batch kernel needs a kernel manager to start it.")
        return self.parent

    # ----------------------------------------------------------------- jupyter_client API

    @property
    def has_process(self) -> bool:
        return self._launched

    async def poll(self) -> int | None:
        if not self._launched:
            return 0
        return None if self.ending is None else self.ending.code

    async def wait(self) -> int | None:
        while (code := await self.poll()) is None:  # noqa: ASYNC110 (poll() is the API)
            await asyncio.sleep(0.2)
        self._launched = False
        return code

    async def send_signal(self, signum: int) -> None:
        if self.job_id is None or self.ending is not None or self.jobs is None:
            return
        if signum in (signal.SIGTERM, signal.SIGKILL):
            await self.terminate()
            return
        name = signal.Signals(signum).name.removeprefix("SIG")
        refusal = await self._quiet(self.jobs.signal(self.job_id, name))
        if refusal:
            self.log.warning(
                "Batch kernel %s: SIG%s not delivered: %s", self.kernel_id, name, refusal
            )

    async def kill(self, restart: bool = False) -> None:
        await self._stop(restart)
        if not (restart and self._keeps_job()) and self.ending is None:
            # Slurm ends the job; the kernel is not waited for (its node may be gone).
            self._set_ending(Ending(KILLED, "The kernel was stopped.", final=True))

    async def terminate(self, restart: bool = False) -> None:
        await self._stop(restart)

    async def shutdown_requested(self, restart: bool = False) -> None:
        self._stopping = True

    async def cleanup(self, restart: bool = False) -> None:
        await self._stop_watching()
        if restart and self._keeps_job():
            return
        if self.job_id is not None and self._job_alive and self.jobs is not None:
            await self._quiet(self.jobs.cancel(self.job_id))
        self._job_alive = False
        if not restart:
            status = REGISTRY.get(self._registry_id())
            if status is not None and status.phase not in ("ended", "failed"):
                self._publish(phase="ended", message="The kernel was shut down.")
            if self.folder is not None:
                self.folder.remove()
            REGISTRY.drop_cancel_event(self._registry_id())

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        km = self._km()
        config = HPCConfig(config=self.config)
        runner = CommandRunner(config.command_paths, timeout=config.command_timeout)
        scheduler = detect_scheduler(config, runner)
        if scheduler is None:
            raise BatchKernelError(f"This kernel runs in a batch job. {no_scheduler_message()}")
        self.options = parse_options(self.spec_config, scheduler.kind)
        allocation = self.options.allocation
        self.jobs = (
            AllocationSteps(runner, allocation) if allocation else kernel_jobs(scheduler, runner)
        )
        if km.transport != "tcp":
            raise BatchKernelError("A kernel in a batch job needs the tcp transport.")
        if getattr(km, "_transport_encryption_policy", lambda: "disabled")() == "required":
            raise BatchKernelError("Kernels in batch jobs do not support transport encryption.")
        # Once per kernel: on a restart the manager's connection file is already in it.
        self.folder = self._make_folder(km) if self.folder is None else self._recheck(self.folder)
        km.connection_file = str(self.folder.file(CONNECTION))
        extra_arguments = kwargs.pop("extra_arguments", [])
        cmd = km.format_kernel_cmd(extra_arguments=extra_arguments)
        cmd = self._with_modules(cmd, config)
        kwargs.pop("transport_encryption", None)
        return await super().pre_launch(cmd=cmd, **kwargs)

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        self._stopping = False
        self.ending = None
        if self._keeps_job() and self.job_id is not None:
            info = await self._restart_in_job()
            if info is not None:
                return self._started(info)
        env = kwargs.get("env") or dict(os.environ)
        cwd = str(kwargs.get("cwd") or os.getcwd())
        await self._submit(cmd, env, cwd)
        return self._started(await self._await_start())

    def get_shutdown_wait_time(self, recommended: float = 5.0) -> float:
        # The shutdown's signals go through the batch system, and the job's answer through
        # a shared folder: allow for both.
        return max(recommended, 10.0)

    async def get_provisioner_info(self) -> dict[str, Any]:
        info = await super().get_provisioner_info()
        info.update(
            job_id=self.job_id,
            folder=str(self.folder.path) if self.folder else None,
            generation=self.generation,
        )
        return info

    async def load_provisioner_info(self, provisioner_info: dict[str, Any]) -> None:
        await super().load_provisioner_info(provisioner_info)
        self.job_id = provisioner_info.get("job_id")
        folder = provisioner_info.get("folder")
        self.folder = KernelFolder(folder) if folder else None
        self.generation = int(provisioner_info.get("generation") or 0)

    # ----------------------------------------------------------------------- starting

    def _registry_id(self) -> str:
        return str(self.kernel_id or id(self))

    def _make_folder(self, km: Any) -> KernelFolder:
        kernel_id = str(self.kernel_id or "")
        if not _KERNEL_ID.fullmatch(kernel_id):
            raise BatchKernelError(f"{kernel_id[:40]!r} is not a kernel id this can use.")
        root = self.connection_folder or os.path.dirname(km.connection_file or "")
        root = root or jupyter_runtime_dir()
        os.makedirs(root, mode=0o700, exist_ok=True)
        folder = KernelFolder(Path(root) / f"hpc-kernel-{kernel_id}")
        try:
            folder.create()
        except (FolderError, OSError) as e:
            raise BatchKernelError(f"The kernel's private folder cannot be made: {e}") from None
        return folder

    @staticmethod
    def _recheck(folder: KernelFolder) -> KernelFolder:
        try:
            folder.create()
        except (FolderError, OSError) as e:
            raise BatchKernelError(f"The kernel's private folder is not usable: {e}") from None
        return folder

    def _with_modules(self, cmd: list[str], config: HPCConfig) -> list[str]:
        options = self._options()
        if not options.modules:
            return cmd
        if has_launcher(cmd):
            raise BatchKernelError(
                "This kernel already has modules attached in the kernel editor; name the "
                "modules there, or in the batch settings, not in both.",
                "modules",
            )
        system = detect_module_system(config)
        if system is None:
            raise BatchKernelError(
                "The batch settings name modules, but this server has no module system.",
                "modules",
            )
        return [*launcher_prefix(system.kind, system.command, options.modules), *cmd]

    def _job_name(self) -> str:
        name = getattr(self.kernel_spec, "name", "") or ""
        if not name and self.kernel_spec is not None:
            name = os.path.basename(getattr(self.kernel_spec, "resource_dir", "") or "")
        return "kernel-" + (_JOB_NAME_PART.sub("_", name)[:40] or "jupyter")

    async def _submit(self, cmd: list[str], env: dict[str, str], cwd: str) -> None:
        options, jobs, folder, km = self._options(), self._jobs(), self._folder(), self._km()
        for name in (READY, EXIT, OUTPUT):
            folder.remove_file(name)
        folder.write_json(
            CONNECTION,
            {
                "key": km.session.key.decode(),
                "signature_scheme": km.session.signature_scheme,
                "transport": "tcp",
                "kernel_name": km.kernel_name,
                "ip": "",
                **dict.fromkeys(PORT_NAMES, 0),
            },
        )
        spec_env = getattr(self.kernel_spec, "env", None) or {}
        folder.write_json(
            ENVIRONMENT,
            {"variables": job_environment(env), "override": ["PATH", *spec_env]},
        )
        self.job_id = None
        self.generation = 0
        keep = self.keep_alive if options.restart == "keep" else 0.0
        argv = node_argv(
            str(folder.path),
            self.node_address,
            cmd,
            keep_seconds=keep,
            start_timeout=self.kernel_start_timeout,
            lease_timeout=self.lease_timeout,
        )
        display = getattr(self.kernel_spec, "display_name", "") or ""
        script = job_script(argv, title=f"Jupyter kernel {display}")
        request = dataclasses.replace(
            options.request, name=self._job_name(), workdir=cwd, output=None, error=None
        )
        resources = describe(options, jobs.kind)
        REGISTRY.set(
            BatchKernelStatus(
                kernel_id=self._registry_id(),
                kind=jobs.kind,
                phase="submitting",
                kernel_name=getattr(km, "kernel_name", "") or "",
                session=str(env.get("JPY_SESSION_NAME") or ""),
                partition=request.partition or "",
                resources=resources,
            )
        )
        self._touch_lease(force=True)
        self.timings = {"submit": time.time()}
        try:
            job_id = await jobs.submit(script, request, env, output=str(folder.file(OUTPUT)))
        except BatchKernelError as e:
            self._publish(phase="failed", message=e.message)
            raise
        self.timings["submitted"] = time.time()
        self.job_id = job_id
        self._job_alive = True
        self._publish(phase="pending", job_id=job_id, submitted=self.timings["submit"])
        self.log.info("Batch kernel %s: job %s submitted (%s)", self.kernel_id, job_id, resources)

    async def _await_start(self) -> KernelConnectionInfo:
        """Wait for the job to start and the kernel to listen; on any failure the job is
        cancelled (nothing stays queued) and BatchKernelError says why."""
        cancel = REGISTRY.cancel_event(self._registry_id())
        try:
            return await self._wait_for_kernel(cancel)
        except BatchKernelError as e:
            await self._give_up(e.message)
            raise
        except BaseException:
            # The start was abandoned (the server is stopping, the request went away).
            await asyncio.shield(self._give_up("The kernel's start was abandoned."))
            raise
        finally:
            REGISTRY.drop_cancel_event(self._registry_id())

    async def _give_up(self, message: str) -> None:
        if self.jobs is not None and self.job_id is not None and self._job_alive:
            await self._quiet(self.jobs.cancel(self.job_id))
        self._job_alive = False
        self._publish(phase="failed", message=message)

    async def _wait_for_kernel(self, cancel: asyncio.Event) -> KernelConnectionInfo:
        jobs, job_id, folder = self._jobs(), self._job(), self._folder()
        queue_limit = self._options().queue_timeout
        if queue_limit is None:
            queue_limit = self.queue_timeout
        submitted = time.monotonic()
        checks = list(_FIRST_CHECKS)
        next_check = submitted + checks.pop(0)
        running_since: float | None = None
        job: Job | None = None
        while True:
            self._touch_lease()
            ready = folder.read_json(READY)
            if ready is not None and ready.get("generation") == 0 and _same_job(ready, job_id):
                self.timings.update(_times(ready))
                self.timings["ready_seen"] = time.time()
                return self._read_connection()
            failed = folder.read_json(EXIT)
            if failed is not None and failed.get("generation") == 0:
                raise BatchKernelError(self._start_failure(failed, job))
            now = time.monotonic()
            if cancel.is_set():
                raise BatchKernelError(
                    f"You cancelled the kernel's job {job_id} while it waited"
                    + (f" ({self._pending(job)})" if job else "")
                    + "; nothing is left queued."
                )
            if now >= next_check:
                try:
                    job = await jobs.status(job_id)
                except JobsUnavailable as e:
                    self.log.warning("Batch kernel %s: job %s: %s", self.kernel_id, job_id, e)
                else:
                    running_since = self._note_waiting(job, running_since, now)
                next_check = now + (checks.pop(0) if checks else self.pending_check_interval)
            if running_since is None and queue_limit and now - submitted > queue_limit:
                raise BatchKernelError(
                    f"Job {job_id} waited {waited_words(queue_limit)} in the queue"
                    + (f" ({self._pending(job)})" if job else "")
                    + " and was cancelled; nothing is left queued. Ask for fewer resources, "
                    "another partition, or a longer queue_timeout."
                )
            if running_since is not None and now - running_since > self.kernel_start_timeout + 30:
                raise BatchKernelError(
                    f"Job {job_id} runs, but its kernel did not answer within "
                    f"{self.kernel_start_timeout:g} s; the job was cancelled."
                    + _output_said(folder)
                )
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(cancel.wait(), 0.1 if running_since else 0.5)

    def _note_waiting(
        self, job: Job | None, running_since: float | None, now: float
    ) -> float | None:
        """Publish what the job does; raise when it ended before its kernel started."""
        jobs, job_id, folder = self._jobs(), self._job(), self._folder()
        if job is None or job.state in FINAL_STATES:
            # The node side writes exit.json before the job ends; read it once more.
            failed = folder.read_json(EXIT)
            if failed is not None and failed.get("generation") == 0:
                raise BatchKernelError(self._start_failure(failed, job))
            self._job_alive = False
            ending = job_ending(job, job_id, jobs.name, None)
            raise BatchKernelError(
                f"The kernel's job {job_id} ended before the kernel started. "
                + ending.message.split(". The kernel is gone")[0].rstrip(".")
                + "."
                + _output_said(folder)
            )
        if job.state in (JobState.RUNNING, JobState.COMPLETING):
            if running_since is None:
                self.timings["job_running_seen"] = time.time()
                self._publish(phase="starting", state=job.raw_state, node=job.nodelist, reason="")
            return running_since or now
        if jobs.never_starts(job):
            raise BatchKernelError(
                f"Job {job_id} can never start ({jobs.reason_in_words(job.reason)}), so it "
                "was cancelled; nothing is left queued. Ask for what the partition has."
            )
        self._publish(
            phase="pending",
            state=job.raw_state,
            reason=jobs.reason_in_words(job.reason),
            expected_start=job.start_time,
            partition=job.partition,
        )
        return None

    def _pending(self, job: Job | None) -> str:
        if job is None or self.jobs is None:
            return "pending"
        return pending_words(job, self.jobs.reason_in_words(job.reason))

    def _start_failure(self, failed: dict[str, Any], job: Job | None) -> str:
        reason = str(failed.get("reason") or f"exit code {failed.get('code')}")
        node = str(failed.get("node") or (job.nodelist if job else "") or "")
        where = f" on {node}" if node else ""
        return f"The kernel could not start in job {self.job_id}{where}: {reason}." + _output_said(
            self._folder()
        )

    def _read_connection(self) -> KernelConnectionInfo:
        km = self._km()
        data = self._folder().read_json(CONNECTION)
        if data is None:
            raise BatchKernelError("The kernel's connection file disappeared from its folder.")
        if data.get("key") != km.session.key.decode():
            raise BatchKernelError("The kernel's connection file was changed by someone else.")
        try:
            ipaddress.ip_address(str(data.get("ip")))
            ports = [int(data[name]) for name in PORT_NAMES]
        except (KeyError, TypeError, ValueError):
            raise BatchKernelError("The job wrote an incomplete connection file.") from None
        if not all(0 < port < 65536 for port in ports):
            raise BatchKernelError("The job wrote a connection file with wrong ports.")
        info: KernelConnectionInfo = {
            "ip": str(data["ip"]),
            "transport": "tcp",
            "signature_scheme": str(data.get("signature_scheme") or km.session.signature_scheme),
            "kernel_name": str(data.get("kernel_name") or ""),
            "key": km.session.key,
            "shell_port": ports[0],
            "iopub_port": ports[1],
            "stdin_port": ports[2],
            "control_port": ports[3],
            "hb_port": ports[4],
        }
        return info

    def _started(self, info: KernelConnectionInfo) -> KernelConnectionInfo:
        # The kernel manager compares what it holds with this (its connection file already
        # says the same): it must hold the node's address and ports (load_connection_info
        # sets only the ports it holds as 0).
        km = self._km()
        for name in PORT_NAMES:
            setattr(km, name, 0)
        km.load_connection_info(info)
        self.connection_info = info
        self._connection = info
        self._launched = True
        self._stopping = False
        self._release_autorestart()
        ready = self.folder.read_json(READY) if self.folder else None
        node = str(ready.get("node", "")) if ready else ""
        if ready is not None and self.jobs is not None:
            self.jobs.started(ready)
        self._publish(
            phase="running", node=node, reason="", state="RUNNING", message="", unexpected=False
        )
        self._watcher = asyncio.ensure_future(self._watch())
        self.log.info(
            "Batch kernel %s: running in job %s on %s (%s)",
            self.kernel_id,
            self.job_id,
            node,
            info.get("ip"),
        )
        return info

    # --------------------------------------------------------------------- restarting

    def _keeps_job(self) -> bool:
        return self.options is not None and self.options.restart == "keep" and self._job_alive

    async def _restart_in_job(self) -> KernelConnectionInfo | None:
        """A new kernel in the running job (SIGUSR1 to the node side); None when the job
        is gone (then a new one is submitted)."""
        jobs, job_id, folder = self._jobs(), self._job(), self._folder()
        generation = self.generation + 1
        refusal = await self._quiet(jobs.signal(job_id, "USR1"), failed="failed")
        if refusal:
            self.log.info("Batch kernel %s: job %s is gone (%s)", self.kernel_id, job_id, refusal)
            self._job_alive = False
            return None
        self._publish(phase="starting", message="")
        deadline = time.monotonic() + self.kernel_start_timeout + 30
        next_check = time.monotonic() + 5
        while time.monotonic() < deadline:
            self._touch_lease()
            ready = folder.read_json(READY)
            if ready is not None and ready.get("generation") == generation:
                self.generation = generation
                return self._read_connection()
            failed = folder.read_json(EXIT)
            if failed is not None and failed.get("generation") == generation:
                message = self._start_failure(failed, None)
                await self._give_up(message)
                raise BatchKernelError(message)
            if time.monotonic() >= next_check:
                next_check = time.monotonic() + 5
                job = await self._quiet(jobs.status(job_id), failed=_UNKNOWN)
                if job is not _UNKNOWN and (job is None or job.state in FINAL_STATES):
                    self._job_alive = False
                    return None
            await asyncio.sleep(0.25)
        message = f"The restarted kernel did not answer in job {job_id}; the job was cancelled."
        await self._give_up(message)
        raise BatchKernelError(message)

    async def _stop(self, restart: bool) -> None:
        self._stopping = True
        if self.job_id is None or self.jobs is None or (self.ending and self.ending.final):
            return
        if restart and self._keeps_job():
            if self.ending is None:
                await self._quiet(self.jobs.signal(self.job_id, "USR2"))
            return
        if self._job_alive:
            await self._quiet(self.jobs.cancel(self.job_id))
            self._job_alive = False

    # ------------------------------------------------------------------------ watching

    async def _watch(self) -> None:
        """Until the kernel ends: the folder every half second, the job every
        job_check_interval seconds."""
        jobs, job_id, folder = self._jobs(), self._job(), self._folder()
        next_check = time.monotonic() + self.job_check_interval
        try:
            while self.ending is None:
                await asyncio.sleep(0.5)
                self._touch_lease()
                exited = folder.read_json(EXIT)
                if exited is not None and exited.get("generation") == self.generation:
                    self._set_ending(await self._kernel_exited(exited))
                    return
                if time.monotonic() >= next_check:
                    next_check = time.monotonic() + self.job_check_interval
                    job = await self._quiet(jobs.status(job_id), failed=_UNKNOWN)
                    if job is _UNKNOWN or (job is not None and job.state is JobState.RUNNING):
                        continue
                    self._set_ending(await self._job_ended(job, None))
                    return
        except FolderError as e:
            self._set_ending(Ending(KILLED, f"The kernel's folder is no longer private: {e}"))

    async def _kernel_exited(self, exited: dict[str, Any]) -> Ending:
        code = int(exited.get("code") or 0)
        if self._stopping:
            return Ending(code, "The kernel was shut down.", final=not self._keeps_job())
        if exited.get("reason") == "the job is ending":
            # Cancelled or out of time: the job says which.
            job = await self._quiet(self._jobs().status(self._job()), failed=_UNKNOWN)
            return await self._job_ended(job, code)
        if self.options is not None and self.options.restart == "keep" and self._job_alive:
            # The job waits keep_alive seconds for a restart: jupyter_client's automatic
            # restart starts the new kernel there, without a new job.
            return Ending(code, f"The kernel exited with code {code}.", final=False)
        self._job_alive = False
        return Ending(
            code,
            f"The kernel exited with code {code}, and its job {self.job_id} ended."
            + _output_said(self._folder()),
            final=True,
        )

    async def _job_ended(self, job: Job | object | None, kernel_code: int | None) -> Ending:
        """Why the job ended: asked again while it is still completing (Slurm shows the
        final state, TIMEOUT or CANCELLED, once the job's processes are gone)."""
        jobs, job_id = self._jobs(), self._job()
        for delay in (0.5, 1, 1, 2, 2, 4, 4, 8):
            if isinstance(job, Job) and job.state not in (JobState.COMPLETING, JobState.RUNNING):
                break
            await asyncio.sleep(delay)
            job = await self._quiet(jobs.status(job_id), failed=_UNKNOWN)
        self._job_alive = False
        known = job if isinstance(job, Job) or job is None else None
        return job_ending(known, job_id, jobs.name, kernel_code)

    def _set_ending(self, ending: Ending) -> None:
        self.ending = ending
        if ending.final:
            self._job_alive = False
        if self._stopping:
            if ending.final:
                self._publish(phase="ended", message=ending.message)
            return
        self.log.warning("Batch kernel %s: %s", self.kernel_id, ending.message)
        self._publish(
            phase="ended" if ending.final else "running",
            message=ending.message,
            unexpected=True,
        )
        if ending.final:
            self._hold_autorestart()
            km = self.parent
            if km is not None and km.has_trait("reason"):
                km.reason = ending.message

    def _hold_autorestart(self) -> None:
        """jupyter_client restarts a kernel that died; for a kernel whose job is gone that
        would submit a new job nobody asked for. With a restart limit of 0 its next look
        gives up at once and reports the kernel dead (jupyter_server then says so)."""
        restarter = getattr(self.parent, "_restarter", None)
        limit = getattr(restarter, "restart_limit", None)
        if restarter is not None and isinstance(limit, int):
            if self._saved_restart_limit is None:
                self._saved_restart_limit = limit
            restarter.restart_limit = 0

    def _release_autorestart(self) -> None:
        restarter = getattr(self.parent, "_restarter", None)
        if restarter is not None and self._saved_restart_limit is not None:
            restarter.restart_limit = self._saved_restart_limit
            self._saved_restart_limit = None

    async def _stop_watching(self) -> None:
        task, self._watcher = self._watcher, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # ------------------------------------------------------------------------- helpers

    def _touch_lease(self, force: bool = False) -> None:
        """Tell the job this server is still there (see lease_timeout)."""
        if self.lease_timeout <= 0 or self.folder is None:
            return
        now = time.monotonic()
        if force or now - self._lease_touched >= min(30.0, self.lease_timeout / 4):
            self._lease_touched = now
            try:
                self.folder.touch(LEASE)
            except OSError as e:
                self.log.warning("Batch kernel %s: lease not touched: %s", self.kernel_id, e)

    def _publish(self, **changes: Any) -> None:
        REGISTRY.update(self._registry_id(), **changes)

    async def _quiet(self, call: Any, failed: Any = None) -> Any:
        """A command whose failure is logged, not raised (cancel, signal, a look)."""
        try:
            return await call
        except (JobsUnavailable, BatchKernelError) as e:
            self.log.warning("Batch kernel %s: %s", self.kernel_id, e)
            return failed


_UNKNOWN: Any = object()


def _same_job(ready: dict[str, Any], job_id: str) -> bool:
    said = str(ready.get("job_id") or "")
    return said == job_id or said.split(".", 1)[0] == job_id.split(".", 1)[0]


def _times(ready: dict[str, Any]) -> dict[str, float]:
    out = {}
    for name in ("process_started", "node_started", "kernel_launched", "listening"):
        value = ready.get(name)
        if isinstance(value, (int, float)):
            out[name] = float(value)
    return out


def _output_said(folder: KernelFolder) -> str:
    text = folder.tail(OUTPUT, 1500).strip()
    if not text:
        return ""
    lines = text.splitlines()[-12:]
    return " The job's output ended with:\n" + "\n".join(lines)
