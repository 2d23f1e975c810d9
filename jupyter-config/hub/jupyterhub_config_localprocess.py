# jupyterhub_config.py: JupyterHub with jupyterlab-hpc, each user's server a process of
# that user on the hub's machine (LocalProcessSpawner).
#
# The hub runs as root: it checks passwords with PAM and starts each server as its user.
# It runs from a Python environment every user can read (e.g. /opt/jupyterhub, made with
# the system's python3), holding `pip install "jupyterlab_hpc[hub]"`; the users' servers
# start from the same environment (sys.prefix below).
import sys
from pathlib import Path

c = get_config()  # noqa: F821 (JupyterHub defines get_config)

# The machine's own accounts: PAM checks the Unix password (or what the site's PAM stack
# checks: LDAP, Kerberos). Say who may log in beside it, e.g.
# c.Authenticator.allowed_users = {...} or c.PAMAuthenticator.allowed_groups = {...}.
c.JupyterHub.authenticator_class = "pam"

# Each user's server: a process that runs as the user, in their home folder.
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(Path(sys.prefix, "bin", "jupyterhub-singleuser"))]
c.Spawner.default_url = "/lab"

# The servers get only these variables of the hub's environment (plus the user's HOME,
# USER, SHELL and the hub's own JUPYTERHUB_* ones). PATH must reach Slurm's commands;
# the module system's variables let the Modules panel and modules in kernels work when
# the hub was not started from a login shell; SLURM_CONF when slurm.conf is not in its
# default place.
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
