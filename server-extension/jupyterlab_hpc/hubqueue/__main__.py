"""``python -m jupyterlab_hpc.hubqueue``: the hub's queue service."""

try:
    from .app import main
except ImportError as e:  # JupyterHub is not in this environment
    raise SystemExit(
        f"hpc-queue: {e}. The service runs in JupyterHub's environment "
        "(pip install 'jupyterlab_hpc[hub]')."
    ) from None

if __name__ == "__main__":
    main()
