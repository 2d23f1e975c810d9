"""The compute node's side of a batch kernel: ``python -m jupyterlab_hpc.kernels.batch.node
--folder F --address A --keep S --start-timeout T -- <kernel argv...>``.

The job script ``exec``s this, so it is the job's batch step. It

1. reads the connection file the server left in the private folder (key, transport,
   signature scheme; no ports), picks the node's address (``--address``: ``hostname``, the
   address the node's name resolves to, preferring one that is not loopback; ``loopback``;
   or ``interface:NAME``) and five free ports on it, and writes the file again, complete;
2. starts the kernel (its own process group; stdout and stderr are the job's output), waits
   until it listens on every port, and writes ``ready.json``; a kernel that exits first, or
   does not listen within ``--start-timeout`` seconds, is a failed start (``exit.json`` with
   the reason, and the job ends);
3. passes signals on: SIGINT to the kernel (an interrupt); SIGTERM (the job is ending:
   cancelled, or out of time) to the kernel, then ends; SIGUSR2 kills the kernel and keeps
   the job; SIGUSR1 starts a new kernel in the job (a restart that keeps the job), on the
   same address and ports;
4. ends the kernel and the job when the server stops touching the folder's ``lease``
   for ``--lease-timeout`` seconds (a server that died cannot cancel its jobs), and
   starts no kernel when the lease is already that old as the job starts;
5. when the kernel exits, writes ``exit.json`` (generation, exit code) and, with ``--keep``
   > 0, waits that many seconds for SIGUSR1 before it ends the job; with ``--keep 0`` the
   job ends with the kernel. The job's exit code is the kernel's (128 + N for signal N).

Standard library only, besides the folder module.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import ipaddress
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from types import FrameType
from typing import Any

from .folder import CONNECTION, ENVIRONMENT, EXIT, LEASE, READY, FolderError, KernelFolder
from .script import STARTED_VARIABLE

GONE = "the Jupyter server that started this kernel is gone (its lease ran out)"
PORT_NAMES = ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")
_SIOCGIFADDR = 0x8915


class NodeError(Exception):
    """Why the kernel cannot start on this node."""


def check_address_spec(spec: str) -> str:
    """``hostname``, ``loopback`` or ``interface:NAME``; ValueError otherwise."""
    if spec in ("hostname", "loopback"):
        return spec
    name = spec.removeprefix("interface:")
    if spec.startswith("interface:") and re.fullmatch(r"[A-Za-z0-9_.:@-]{1,15}", name):
        return spec
    raise ValueError(
        f"{spec[:60]!r} is not a node address: use 'hostname' (the address the compute "
        "node's name resolves to), 'loopback' (a one-machine cluster) or 'interface:NAME' "
        "(the address of a network interface, e.g. interface:ib0)."
    )


def node_address(spec: str) -> str:
    """The address the kernel listens on, on this node."""
    check_address_spec(spec)
    if spec == "loopback":
        return "127.0.0.1"
    if spec == "hostname":
        name = socket.gethostname()
        try:
            infos = socket.getaddrinfo(name, None, socket.AF_INET, socket.SOCK_STREAM)
        except OSError as e:
            raise NodeError(f"The node's name {name!r} does not resolve: {e}.") from None
        addresses = [str(info[4][0]) for info in infos]
        outside = [a for a in addresses if not ipaddress.ip_address(a).is_loopback]
        if not addresses:
            raise NodeError(f"The node's name {name!r} has no IPv4 address.")
        return (outside or addresses)[0]
    return interface_address(spec.removeprefix("interface:"))


def interface_address(name: str) -> str:
    """The IPv4 address of a network interface (Linux)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            packed = fcntl.ioctl(s.fileno(), _SIOCGIFADDR, struct.pack("256s", name.encode()[:15]))
        except OSError as e:
            raise NodeError(
                f"The network interface {name!r} has no IPv4 address on this node: {e.strerror}."
            ) from None
    return socket.inet_ntoa(packed[20:24])


def process_start_time(env: Mapping[str, str]) -> float | None:
    """When the job script started (bash 5's $EPOCHREALTIME; None with an older bash), so
    a start's time splits into the job's start and Python's."""
    try:
        return float(env.get(STARTED_VARIABLE, "").replace(",", "."))
    except ValueError:
        return None


def free_ports(ip: str, count: int) -> list[int]:
    """``count`` ports free on ``ip`` now (held open together, so all differ)."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sockets.append(s)
            s.bind((ip, 0))
        return [int(s.getsockname()[1]) for s in sockets]
    finally:
        for s in sockets:
            s.close()


def listening(ip: str, ports: Sequence[int]) -> bool:
    """Whether something accepts connections on every port."""
    for port in ports:
        try:
            with socket.create_connection((ip, port), timeout=0.5):
                pass
        except OSError:
            return False
    return True


class NodeSide:
    def __init__(
        self,
        folder: KernelFolder,
        argv: Sequence[str],
        connection: dict[str, Any],
        *,
        keep: float,
        start_timeout: float,
        lease_timeout: float = 0.0,
    ) -> None:
        self.folder = folder
        self.argv = list(argv)
        self.connection = connection
        self.env = kernel_environment(folder, os.environ)
        self.env.pop(STARTED_VARIABLE, None)
        self.ip = str(connection["ip"])
        self.ports = [int(connection[name]) for name in PORT_NAMES]
        self.keep = keep
        self.start_timeout = start_timeout
        self.lease_timeout = lease_timeout
        self._lease_checked = 0.0
        self.job_id = os.environ.get("SLURM_JOB_ID") or os.environ.get("PBS_JOBID") or ""
        self.node = socket.gethostname()
        self.started = time.time()
        self.process_started = process_start_time(os.environ)
        self.proc: subprocess.Popen[bytes] | None = None
        self.stopping = False  # SIGTERM: the job is ending
        self.restart = False  # SIGUSR1
        self.kill = False  # SIGUSR2

    # Signals: handlers only set flags or pass the signal on; the loops act on the flags.
    def install(self) -> None:
        signal.signal(signal.SIGINT, self._on_interrupt)
        signal.signal(signal.SIGTERM, self._on_term)
        signal.signal(signal.SIGUSR1, self._on_restart)
        signal.signal(signal.SIGUSR2, self._on_kill)

    def _signal_kernel(self, signum: int) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signum)

    def _on_interrupt(self, signum: int, frame: FrameType | None) -> None:
        self._signal_kernel(signal.SIGINT)

    def _on_term(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True
        self._signal_kernel(signal.SIGTERM)

    def _on_restart(self, signum: int, frame: FrameType | None) -> None:
        self.restart = True

    def _on_kill(self, signum: int, frame: FrameType | None) -> None:
        self.kill = True

    def server_gone(self, every: float = 10.0) -> bool:
        """Whether the server stopped touching the lease (looked at every ``every`` s)."""
        if self.lease_timeout <= 0:
            return False
        now = time.monotonic()
        if now - self._lease_checked < every:
            return False
        self._lease_checked = now
        age = self.folder.age(LEASE)
        return age is None or age > self.lease_timeout

    def run(self) -> int:
        generation = 0
        if self.server_gone(every=0):
            reason = GONE
            print(f"jupyterlab-hpc: {reason}; the kernel was not started.", file=sys.stderr)
            self.write_exit(generation, 0, reason)
            return 0
        while True:
            self.restart = self.kill = False
            code = self.run_kernel(generation)
            if self.stopping or self.keep <= 0 or code == 127:
                return code
            deadline = time.monotonic() + self.keep
            while not (self.restart or self.stopping) and time.monotonic() < deadline:
                if self.server_gone():
                    return code
                time.sleep(0.1)
            if not self.restart:
                return code
            generation += 1

    def run_kernel(self, generation: int) -> int:
        # Written again for every kernel: the server may have removed it between two
        # (jupyter_client removes a kernel's connection file when it restarts it).
        self.folder.write_json(CONNECTION, self.connection)
        launched = time.time()
        try:
            self.proc = subprocess.Popen(self.argv, start_new_session=True, env=self.env)
        except OSError as e:
            reason = f"the kernel's command {self.argv[0]!r} could not start: {e.strerror}"
            print(f"jupyterlab-hpc: {reason}", file=sys.stderr, flush=True)
            self.write_exit(generation, 127, reason)
            return 127
        proc = self.proc
        if not self.await_listening(proc, generation):
            return self.exit_code(proc)
        self.folder.write_json(
            READY,
            {
                "generation": generation,
                "job_id": self.job_id,
                # A kernel in an allocation is a step of it (srun); the server signals it.
                "step_id": os.environ.get("SLURM_STEP_ID", ""),
                "node": self.node,
                "ip": self.ip,
                "pid": proc.pid,
                "process_started": self.process_started,
                "node_started": self.started,
                "kernel_launched": launched,
                "listening": time.time(),
            },
        )
        why = ""
        while proc.poll() is None:
            if self.kill or self.restart:
                self._signal_kernel(signal.SIGKILL)
                proc.wait()
                break
            if self.server_gone():
                why = GONE
                print(f"jupyterlab-hpc: {why}; the kernel is stopped.", file=sys.stderr)
                self.stopping = True
                self._stop_kernel(proc)
                break
            time.sleep(0.1)
        code = self.exit_code(proc)
        why = why or ("the job is ending" if self.stopping else "")
        self.write_exit(generation, code, why)
        return code

    def await_listening(self, proc: subprocess.Popen[bytes], generation: int) -> bool:
        deadline = time.monotonic() + self.start_timeout
        while True:
            if proc.poll() is not None:
                code = self.exit_code(proc)
                self.write_exit(
                    generation, code, f"the kernel exited (code {code}) before it was ready"
                )
                return False
            if self.stopping or self.kill:
                self._signal_kernel(signal.SIGKILL)
                proc.wait()
                self.write_exit(generation, self.exit_code(proc), "the job is ending")
                return False
            if listening(self.ip, self.ports):
                return True
            if time.monotonic() > deadline:
                self._signal_kernel(signal.SIGKILL)
                proc.wait()
                reason = (
                    f"the kernel did not listen on its ports within {self.start_timeout:g} s "
                    "and was stopped"
                )
                print(f"jupyterlab-hpc: {reason}", file=sys.stderr, flush=True)
                self.write_exit(generation, self.exit_code(proc), reason)
                return False
            time.sleep(0.1)

    def _stop_kernel(self, proc: subprocess.Popen[bytes]) -> None:
        """SIGTERM to the kernel's group, SIGKILL after 5 s."""
        self._signal_kernel(signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._signal_kernel(signal.SIGKILL)
            proc.wait()

    @staticmethod
    def exit_code(proc: subprocess.Popen[bytes]) -> int:
        code = proc.returncode if proc.returncode is not None else proc.wait()
        return 128 - code if code < 0 else code

    def write_exit(self, generation: int, code: int, reason: str) -> None:
        self.folder.write_json(
            EXIT,
            {
                "generation": generation,
                "job_id": self.job_id,
                "node": self.node,
                "code": code,
                "reason": reason,
                "time": time.time(),
            },
        )


def kernel_environment(folder: KernelFolder, job_env: Mapping[str, str]) -> dict[str, str]:
    """The kernel's environment on the node: the job's own, with what the server would
    have given a local kernel (environment.json) added where the job has nothing, and its
    ``override`` names (the kernelspec's env, PATH) set as the server has them. So the
    batch system's variables (SLURM_JOB_ID, PBS_JOBID, a per-job TMPDIR, the GPUs' own
    CUDA_VISIBLE_DEVICES) stay as the job has them."""
    env = dict(job_env)
    data = folder.read_json(ENVIRONMENT) or {}
    variables = data.get("variables")
    override = data.get("override")
    if not isinstance(variables, dict):
        return env
    forced = {n for n in override if isinstance(n, str)} if isinstance(override, list) else set()
    for name, value in variables.items():
        if isinstance(value, str) and (name not in env or name in forced):
            env[name] = value
    return env


def prepare(folder: KernelFolder, address: str) -> dict[str, Any]:
    """The complete connection: the server's file with this node's address and ports."""
    info = folder.read_json(CONNECTION)
    if info is None or not isinstance(info.get("key"), str):
        raise NodeError(f"The connection file in {folder.path} is missing or incomplete.")
    if info.get("transport", "tcp") != "tcp":
        raise NodeError("A kernel in a batch job needs the tcp transport.")
    ip = node_address(address)
    ports = free_ports(ip, len(PORT_NAMES))
    complete: dict[str, Any] = {
        **{k: v for k, v in info.items() if k not in PORT_NAMES},
        "ip": ip,
        **dict(zip(PORT_NAMES, ports, strict=True)),
    }
    return complete


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m jupyterlab_hpc.kernels.batch.node",
        description="Start a Jupyter kernel inside a batch job (run by the job's script).",
    )
    parser.add_argument("--folder", required=True)
    parser.add_argument("--address", default="hostname")
    parser.add_argument("--keep", type=float, default=0.0)
    parser.add_argument("--start-timeout", type=float, default=120.0)
    parser.add_argument("--lease-timeout", type=float, default=0.0)
    parser.add_argument("kernel", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.kernel[:1] == ["--"]:
        args.kernel = args.kernel[1:]
    if not args.kernel:
        parser.error("the kernel's argv is missing (after --)")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    folder = KernelFolder(args.folder)
    side: NodeSide | None = None
    try:
        folder.check()
        side = NodeSide(
            folder,
            args.kernel,
            prepare(folder, args.address),
            keep=args.keep,
            start_timeout=args.start_timeout,
            lease_timeout=args.lease_timeout,
        )
        side.install()
    except (NodeError, FolderError, ValueError, OSError) as e:
        print(f"jupyterlab-hpc: the kernel cannot start on this node: {e}", file=sys.stderr)
        with contextlib.suppress(OSError, FolderError):
            folder.write_json(EXIT, {"generation": 0, "code": 1, "reason": str(e)})
        sys.exit(1)
    sys.exit(side.run())


if __name__ == "__main__":
    main()
