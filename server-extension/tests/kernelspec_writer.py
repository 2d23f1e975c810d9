"""Test-only helper for test_kernelspec_crash.py: saves one kernelspec again and again.

Run as ``python kernelspec_writer.py NAME`` with JUPYTER_DATA_DIR pointing at a temporary
folder whose kernels/NAME/kernel.json holds version A. It imports the real store once,
times one save, prints ``ready SECONDS``, then for every ``go`` line on stdin forks a child
that saves A and B alternately through ``KernelSpecStore.save`` until it is SIGKILLed. It
prints the child's pid, waits for it to die and prints ``reaped SIGNAL``. Forking keeps the
imports out of each round, so hundreds of kills fit in seconds.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

from jupyter_client.kernelspec import KernelSpecManager

from jupyterlab_hpc.kernels.store import KernelSpecStore


def versions() -> tuple[dict[str, Any], dict[str, Any]]:
    """Two kernelspecs with a metadata block large enough that a save takes a while."""

    def spec(label: str) -> dict[str, Any]:
        return {
            "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": f"Crash test {label}",
            "language": "python",
            "env": {"VERSION": label},
            "metadata": {f"key{i:06}": f"{label}-{i}-" + label * 40 for i in range(20_000)},
        }

    return spec("A"), spec("B")


def save_forever(store: KernelSpecStore, name: str) -> None:
    a, b = versions()
    turn = 0
    while True:
        record = store.get(name)
        store.save(name, b if turn % 2 == 0 else a, record.version)
        turn += 1


def main() -> None:
    name = sys.argv[1]
    store = KernelSpecStore(KernelSpecManager())
    a, b = versions()
    start = time.monotonic()
    store.save(name, b, store.get(name).version)
    store.save(name, a, store.get(name).version)
    print(f"ready {(time.monotonic() - start) / 2:.4f}", flush=True)
    for line in sys.stdin:
        if line.strip() != "go":
            break
        pid = os.fork()
        if pid == 0:
            try:
                save_forever(store, name)
            finally:
                os._exit(1)  # only reached if a save failed: the test sees no kill to make
        print(pid, flush=True)
        _, status = os.waitpid(pid, 0)
        print(f"reaped {os.WTERMSIG(status) if os.WIFSIGNALED(status) else -1}", flush=True)


if __name__ == "__main__":
    main()
