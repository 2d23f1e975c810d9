"""``python -m jupyterlab_hpc.hubqueue``: the hub's queue service."""

from .app import main

if __name__ == "__main__":
    main()
