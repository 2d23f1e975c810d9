"""A real JupyterHub for the queue service's tests: the site's snippet
(jupyter-config/hub/hpc_queue_service.py) on free loopback ports, the test users
(scripts/hub-users), a second, unmanaged service the tests start and stop themselves, and
an admin service that makes the users' tokens. Runs as root, like a site's hub."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
SERVER_EXTENSION = REPO / "server-extension"
PROXY = REPO / "ui-tests" / "node_modules" / ".bin" / "configurable-http-proxy"
USERS = ("hubalice", "hubbob")
QUEUE = "hpc-queue"
PRIVATE = "hpc-queue-private"  # the service the tests run themselves


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def http(
    url: str, token: str = "", method: str = "GET", body: Any = None
) -> tuple[int, dict[str, Any]]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 (http only)
    if token:
        request.add_header("Authorization", f"token {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def wait_for(url: str, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError) as e:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not answer in {seconds:.0f} s") from e
            time.sleep(0.3)


class Hub:
    def __init__(
        self,
        state: Path,
        queue_args: list[str] | None = None,
        users: tuple[str, ...] = USERS,
    ) -> None:
        self.state = state
        self.users = users
        self.port = free_port()
        self.queue_port = free_port()
        self.private_port = free_port()
        self.admin_token = secrets.token_hex(24)
        self.private_token = secrets.token_hex(24)
        self.queue_args = queue_args or []
        self.proc: subprocess.Popen[bytes] | None = None
        self.private: subprocess.Popen[bytes] | None = None

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.port}/hub/api"

    @property
    def queue_url(self) -> str:
        return f"http://127.0.0.1:{self.queue_port}/services/{QUEUE}/"

    @property
    def private_url(self) -> str:
        return f"http://127.0.0.1:{self.private_port}/services/{PRIVATE}/"

    def config_text(self) -> str:
        snippet = REPO / "jupyter-config" / "hub" / "hpc_queue_service.py"
        args = json.dumps(self.queue_args)
        return f"""
c = get_config()
load_subconfig({str(snippet)!r})
queue = c.JupyterHub.services[0]
queue["url"] = "http://127.0.0.1:{self.queue_port}"
queue["command"] = [*queue["command"], *{args}]
c.Spawner.environment = {{"JUPYTERLAB_HPC_QUEUE_SERVICE_URL": {self.queue_url!r}}}
c.JupyterHub.services.append(
    {{"name": {PRIVATE!r}, "url": "http://127.0.0.1:{self.private_port}",
      "api_token": {self.private_token!r}}}
)
c.JupyterHub.services.append({{"name": "test-admin", "api_token": {self.admin_token!r}}})
for role in c.JupyterHub.load_roles:
    role["scopes"].append("access:services!service={PRIVATE}")
c.JupyterHub.load_roles.append(
    {{"name": "test-admin", "scopes": ["admin:users", "tokens"], "services": ["test-admin"]}}
)
c.JupyterHub.bind_url = "http://127.0.0.1:{self.port}"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:{free_port()}"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{free_port()}"
c.ConfigurableHTTPProxy.command = [{str(PROXY)!r}]
c.ConfigurableHTTPProxy.pid_file = {str(self.state / "proxy.pid")!r}
c.JupyterHub.db_url = "sqlite:///{self.state / "jupyterhub.sqlite"}"
c.JupyterHub.cookie_secret_file = {str(self.state / "cookie_secret")!r}
c.Authenticator.allowed_users = {set(self.users)!r}
"""

    def start(self) -> None:
        config = self.state / "jupyterhub_config.py"
        config.write_text(self.config_text())
        env = {
            "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
            "PYTHONPATH": str(SERVER_EXTENSION),
            "HOME": os.environ.get("HOME", "/root"),
            "LANG": "C.UTF-8",
        }
        if "SLURM_CONF" in os.environ:
            env["SLURM_CONF"] = os.environ["SLURM_CONF"]
        log = (self.state / "hub.log").open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(config)],
            cwd=self.state,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(f"{self.api}/")
        wait_for(f"{self.queue_url}health")

    def token(self, user: str, scopes: list[str]) -> str:
        status, _ = http(f"{self.api}/users/{user}", self.admin_token, "POST", {})
        assert status in (201, 409), status
        status, body = http(
            f"{self.api}/users/{user}/tokens",
            self.admin_token,
            "POST",
            {"scopes": scopes, "note": "queue service test"},
        )
        assert status == 201, body
        token: str = body["token"]
        return token

    def service_env(self) -> dict[str, str]:
        """What the hub gives a service it runs, for the one the tests run themselves."""
        return {
            "PATH": os.environ["PATH"],
            "PYTHONPATH": str(SERVER_EXTENSION),
            "JUPYTERHUB_API_URL": self.api,
            "JUPYTERHUB_API_TOKEN": self.private_token,
            "JUPYTERHUB_SERVICE_NAME": PRIVATE,
            "JUPYTERHUB_SERVICE_URL": f"http://127.0.0.1:{self.private_port}",
            "JUPYTERHUB_SERVICE_PREFIX": f"/services/{PRIVATE}/",
        }

    def start_private(self, args: list[str], env: dict[str, str] | None = None) -> None:
        self.stop_private()
        log = (self.state / "private-service.log").open("ab")
        self.private = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab_hpc.hubqueue", *args],
            env={**self.service_env(), **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(f"{self.private_url}health", 30)

    def stop_private(self) -> None:
        if self.private is not None:
            self.private.send_signal(signal.SIGTERM)
            self.private.wait(20)
            self.private = None

    def stop(self) -> None:
        self.stop_private()
        if self.proc is not None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._stop_proxy()

    def _stop_proxy(self) -> None:
        """The proxy this hub started, should the hub have left it running (a hub stopped
        while starting does): its pid file names it."""
        pid_file = self.state / "proxy.pid"
        try:
            pid = int(pid_file.read_text().strip())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError):
            return
        if b"configurable-http-proxy" in cmdline:
            os.kill(pid, signal.SIGTERM)
