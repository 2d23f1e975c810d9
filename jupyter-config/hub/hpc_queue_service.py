# hpc_queue_service.py: jupyterlab-hpc's queue service, loaded by the hub's config with
# load_subconfig (see docs/deploy.md). The hub runs it: it lists the batch system's queue
# once per interval (10 s) for every user's server, instead of each server listing it
# itself, and serves each user only their own jobs where the batch system keeps jobs
# private (Slurm's PrivateData=jobs, PBS/Torque's query_other_jobs off). Users' servers
# read it with their hub API token and list the queue themselves while it is unreachable.
import os
import sys

c = get_config()  # noqa: F821 (JupyterHub defines get_config)

# Where it listens: an address the users' servers reach (for servers in batch jobs on
# compute nodes, the hub machine's address on their network, not 127.0.0.1).
hpc_queue_url = "http://127.0.0.1:8765"

c.JupyterHub.services = [
    {
        "name": "hpc-queue",
        # The hub's Python, which holds jupyterlab_hpc; it runs as the hub's user (root),
        # who sees every job. Settings: --HubQueue.interval=30, --HubQueue.private_jobs=yes
        # (or --config=/etc/jupyterhub/hpc_queue_config.py).
        "command": [sys.executable, "-m", "jupyterlab_hpc.hubqueue"],
        "url": hpc_queue_url,
        "environment": {k: os.environ[k] for k in ("SLURM_CONF",) if k in os.environ},
    }
]

# A user's server token may use the service (the `server` role's default scopes plus the
# service's access scope, which the `user` role must hold for a token to get it).
c.JupyterHub.load_roles = [
    {"name": "user", "scopes": ["self", "access:services!service=hpc-queue"]},
    {
        "name": "server",
        "scopes": [
            "users:activity!user",
            "access:servers!server",
            "access:services!service=hpc-queue",
        ],
    },
]

# Tells each server where the service is (jupyterlab_hpc reads it; HPCConfig.queue_service_url
# in a server's config does the same).
c.Spawner.environment = {
    "JUPYTERLAB_HPC_QUEUE_SERVICE_URL": f"{hpc_queue_url}/services/hpc-queue/",
}
