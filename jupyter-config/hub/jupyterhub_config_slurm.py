# jupyterhub_config.py: JupyterHub with jupyterlab-hpc, each user's server inside a Slurm
# job (batchspawner's SlurmSpawner), the way Aalto's Triton runs its hub.
#
# The hub runs as root on a machine that submits jobs (sbatch, squeue, scancel) and that the
# compute nodes reach on the hub's API port. It submits each server as its user. The job
# runs the server from a Python environment every node sees (a shared file system), holding
# `pip install "jupyterlab_hpc[hub]"`: here the hub's own environment (sys.prefix).
import sys
from pathlib import Path

c = get_config()  # noqa: F821 (JupyterHub defines get_config)

# The machine's own accounts (PAM); say who may log in beside it (allowed_users/groups).
c.JupyterHub.authenticator_class = "pam"

c.JupyterHub.spawner_class = "batchspawner.SlurmSpawner"
bin_dir = Path(sys.prefix, "bin")
c.Spawner.cmd = [str(bin_dir / "jupyterhub-singleuser")]
c.SlurmSpawner.batchspawner_singleuser_cmd = str(bin_dir / "batchspawner-singleuser")
c.Spawner.default_url = "/lab"

# The job of each server: the site's choices of partition, time limit and size. When the
# time limit is reached Slurm ends the job and the server with it.
c.SlurmSpawner.req_partition = "debug"
c.SlurmSpawner.req_runtime = "1:00:00"
c.SlurmSpawner.req_nprocs = "1"
c.SlurmSpawner.req_memory = "2G"

# batchspawner runs sbatch, squeue and scancel as the user through `sudo -E -u <user>`
# (its default exec_prefix; a hub that runs as root needs no sudoers rule). sudo's
# secure_path replaces PATH, so the job puts the environment's commands first again.
c.SlurmSpawner.req_prologue = f'export PATH="{bin_dir}:$PATH"'

# The variables of the hub's environment the job gets (sbatch --export), as with
# LocalProcessSpawner: PATH and the module system's, which the Modules panel and modules
# in kernels need when the hub was not started from a login shell.
c.Spawner.env_keep = [
    "PATH",
    "LANG",
    "LC_ALL",
    "LD_LIBRARY_PATH",
    "JUPYTERHUB_SINGLEUSER_APP",
    "LMOD_CMD",
    "LMOD_DIR",
    "LMOD_PKG",
    "MODULEPATH",
    "MODULESHOME",
    "MODULES_CMD",
    "SLURM_CONF",
]

# jupyterlab-hpc's queue service (docs/deploy.md): the hub lists the queue once per interval
# for every user's server. The file sits beside this one; leave this line out to have each
# server list the queue itself.
load_subconfig(str(Path(__file__).with_name("hpc_queue_service.py")))  # noqa: F821
