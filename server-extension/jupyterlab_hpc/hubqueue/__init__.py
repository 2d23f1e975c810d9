"""The hub's queue service: JupyterHub runs it (``c.JupyterHub.services``, command
``python -m jupyterlab_hpc.hubqueue``); it lists the queue once per interval for every
user server of the hub and serves each the listing (only their own jobs where the batch
system keeps jobs private). User servers read it through ``jobs/hub_source.py``.

- ``settings.py``: ``HubQueue``, the service's settings;
- ``privacy.py``: whether each user may see only their own jobs;
- ``auth.py``: who asks, from their hub API token, verified by the hub;
- ``handlers.py``: ``GET {prefix}jobs``;
- ``app.py``: the process (``HubQueueApp``); ``__main__.py`` runs it.
"""
