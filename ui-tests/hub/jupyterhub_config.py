"""The hub of the hub tests: a site's configuration from jupyter-config/hub/ (the one named
by HUB_TEST_SPAWNER, "localprocess" or "slurm"), as docs/deploy.md shows it, plus what only
a test needs: loopback ports, a fresh state folder, the test users (scripts/hub-users), the
proxy from ui-tests/node_modules and a small Lmod tree. playwright-hub.config.js starts it
as root, with the clean environment a service manager gives (env -i).
"""

import os
import sys
from pathlib import Path
from tempfile import mkdtemp

c = get_config()  # type: ignore[name-defined]  # noqa: F821

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SPAWNER = os.environ.get("HUB_TEST_SPAWNER", "localprocess")

# The site's file, unchanged.
load_subconfig(str(REPO / "jupyter-config" / "hub" / f"jupyterhub_config_{SPAWNER}.py"))  # type: ignore[name-defined]  # noqa: F821

# Loopback only; the hub's API and the proxy's API on the next two ports, so two runs
# (two work trees) can have their hubs at once.
port = int(os.environ.get("HUB_TEST_PORT", "8600"))
c.JupyterHub.bind_url = f"http://127.0.0.1:{port}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{port + 1}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{port + 2}"
c.ConfigurableHTTPProxy.command = [str(REPO / "ui-tests/node_modules/.bin/configurable-http-proxy")]
# The queue service of the site file (hpc_queue_service.py) on the port after those.
hpc_queue_url = f"http://127.0.0.1:{port + 3}"
for service in c.JupyterHub.services:
    if service["name"] == "hpc-queue":
        service["url"] = hpc_queue_url
c.Spawner.environment["JUPYTERLAB_HPC_QUEUE_SERVICE_URL"] = f"{hpc_queue_url}/services/hpc-queue/"

# The hub's state (database, cookie secret, proxy pid): fresh for each run, root's only.
state = Path(os.environ.get("HUB_TEST_STATE") or mkdtemp(prefix="jupyterlab-hpc-hub-state-"))
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(state / "jupyterhub-proxy.pid")

# The users scripts/hub-users made (their passwords are checked by PAM).
c.Authenticator.allowed_users = {"hubalice", "hubbob"}

# The Lmod tree of the Modules tests, where every user can read it, reaching the servers
# through env_keep as a site's MODULEPATH does.
sys.path.insert(0, str(REPO / "server-extension"))
from tests.moduletrees import LMOD_CMD, build_lmod_tree  # noqa: E402

del sys.path[0]
modules = Path(os.environ.get("HUB_TEST_MODULES") or mkdtemp(prefix="jupyterlab-hpc-hub-modules-"))
modules.chmod(0o755)
os.environ["LMOD_CMD"] = LMOD_CMD
os.environ["MODULEPATH"] = str(build_lmod_tree(modules))

if SPAWNER == "slurm":
    # The one-node cluster is this machine: the server in the job listens on loopback only.
    # (batchspawner starts every server on all interfaces, for compute nodes elsewhere, and
    # resets SlurmSpawner.ip to that before each start, so the server is told directly.)
    c.SlurmSpawner.args = ["--ServerApp.ip=127.0.0.1"]
    # A short time limit, so the session item's time left and its warnings are tested
    # against a job that ends within the run (session.hub.ts).
    c.SlurmSpawner.req_runtime = "0:30:00"
