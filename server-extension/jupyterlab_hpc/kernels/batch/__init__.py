"""Kernels that run inside a batch job (issue 18).

A kernelspec whose ``metadata.kernel_provisioner`` names ``hpc-batch`` starts its kernel in a
job: ``provisioner.py`` (jupyter_client's provisioner API) submits it, waits for it to start
and connects; ``node.py`` is what the job runs on the compute node; ``folder.py`` the private
folder they share; ``options.py`` the kernelspec's resources; ``script.py`` the job script;
``jobs.py`` the batch system's commands; ``endings.py`` why a job ended, in words;
``registry.py`` what the server's REST routes show of these kernels.

Nothing is imported here, so the node side (``python -m jupyterlab_hpc.kernels.batch.node``)
loads only what it uses.
"""
