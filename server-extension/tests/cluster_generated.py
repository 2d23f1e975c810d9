"""A large cluster as Slurm would print it, for the cluster view's figures (issue 19).

``generate(nodes, partitions)`` writes ``sinfo -N -O`` lines and ``scontrol -o show
partition`` lines in exactly the recorded form (fixtures/cluster/slurm/states_*): the same
fields, separators, state words, GRES and reason spelling, with node names, counts and
states spread over the cluster. Each node serves one partition; every fifth node also
serves a second one, as shared nodes do. ``python -m tests.cluster_generated`` prints the
``GET cluster`` answer the real parser and service make of it (for the browser test).
"""

from __future__ import annotations

import json
import sys

from jupyterlab_hpc.schedulers.slurm.parse import SEP

# (sinfo's state, CPUs allocated of 64, memory allocated MiB of 256000, GPUs used of 4)
_STATES = (
    ("idle", 0, 0, 0),
    ("mixed", 24, 96000, 1),
    ("allocated", 64, 250000, 4),
    ("mixed", 48, 128000, 2),
    ("allocated", 64, 200000, 4),
    ("idle", 0, 0, 0),
    ("drained", 0, 0, 0),
    ("down*", 0, 0, 0),
    ("reserved", 0, 0, 0),
    ("draining", 32, 64000, 2),
)


def _node_line(partition: str, index: int) -> str:
    # Spread so that every partition (index % partitions) has nodes in every state.
    state, cpus, memory, gpus = _STATES[(index * 3 + index // 20) % len(_STATES)]
    gpu_node = index % 4 == 0
    other = 64 if state in ("drained", "down*") else (32 if state == "draining" else 0)
    idle = 64 - cpus - other
    reason = {
        "drained": "fan failure, ticket 4711",
        "down*": "Not responding",
        "draining": "kernel update",
    }.get(state, "none")
    since = "2026-12-04T19:08:51" if reason != "none" else "Unknown"
    return SEP.join(
        (
            partition,
            f"node{index:04d}",
            state,
            f"{cpus}/{idle}/{other}/64",
            "256000",
            str(memory),
            "gpu:a100:4(S:0-1)" if gpu_node else "(null)",
            f"gpu:a100:{gpus}(IDX:0-{max(gpus - 1, 0)})" if gpu_node else "gpu:0",
            "intel,avx512,ib" + (",gpu" if gpu_node else ""),
            since,
            reason,
        )
    )


def generate(nodes: int = 1000, partitions: int = 20) -> tuple[str, str]:
    """(sinfo -N -O output, scontrol -o show partition output)."""
    names = [f"part{p:02d}" for p in range(partitions)]
    lines = []
    members: dict[str, list[int]] = {n: [] for n in names}
    for i in range(nodes):
        serves = [names[i % partitions]]
        if i % 5 == 0:
            serves.append(names[(i + 7) % partitions])
        for partition in serves:
            lines.append(_node_line(partition, i))
            members[partition].append(i)
    scontrol = []
    for p, name in enumerate(names):
        nodes_text = ",".join(f"node{i:04d}" for i in members[name][:3]) or "(null)"
        groups = "ALL" if p % 3 else "physics,chemistry"
        accounts = "ALL" if p % 4 else "proj1,proj2"
        scontrol.append(
            f"PartitionName={name} AllowGroups={groups} AllowAccounts={accounts} "
            f"AllowQos=ALL AllocNodes=ALL Default={'YES' if p == 0 else 'NO'} QoS=N/A "
            f"DefaultTime=01:00:00 DisableRootJobs=NO ExclusiveUser=NO GraceTime=0 "
            f"Hidden=NO MaxNodes={p + 1 if p % 2 else 'UNLIMITED'} "
            f"MaxTime={p + 1}-00:00:00 MinNodes=0 LLN=NO MaxCPUsPerNode=UNLIMITED "
            f"Nodes={nodes_text} PriorityJobFactor=1 PriorityTier=1 RootOnly=NO ReqResv=NO "
            f"OverSubscribe=NO OverTimeLimit=NONE PreemptMode=OFF State=UP "
            f"TotalCPUs={64 * len(members[name])} TotalNodes={len(members[name])} "
            "SelectTypeParameters=NONE JobDefaults=(null) DefMemPerNode=UNLIMITED "
            "MaxMemPerNode=UNLIMITED TRES=cpu=64,mem=256000M,node=1,billing=64"
        )
    return "\n".join(lines) + "\n", "\n".join(scontrol) + "\n"


def answer(nodes: int = 1000, partitions: int = 20) -> dict[str, object]:
    """The ``GET cluster`` body (and each partition's nodes) the server makes of it."""
    from jupyterlab_hpc.schedulers.slurm.cluster import cluster_summary

    summary = cluster_summary(*generate(nodes, partitions))
    body = summary.to_dict()
    body.update(
        unchanged=False,
        version=1,
        kind="slurm",
        refresh_interval=60.0,
        status={"ok": True, "fetched_at": 0, "error": None, "error_since": None, "now": 0},
    )
    body["nodes"] = {
        p.name: [n.to_dict() for n in summary.nodes_of(p.name)] for p in summary.partitions
    }
    return body


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    parts = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    json.dump(answer(count, parts), sys.stdout)


def recorded_answer() -> dict[str, object]:
    """The ``GET cluster`` body and each partition's nodes from the recorded throwaway
    Slurm (fixtures/cluster/slurm/states_*), as the frontend's tests read it
    (src/__tests__/clusterRecorded.json, kept equal by test_cluster_slurm.py)."""
    from pathlib import Path

    from jupyterlab_hpc.schedulers.slurm.cluster import cluster_summary

    folder = Path(__file__).parent / "fixtures" / "cluster" / "slurm"
    summary = cluster_summary(
        (folder / "states_sinfo_nodes.stdout").read_text(),
        (folder / "states_scontrol_partitions.stdout").read_text(),
    )
    body = summary.to_dict()
    body.update(
        unchanged=False,
        version=7,
        kind="slurm",
        refresh_interval=60.0,
        status={"ok": True, "fetched_at": 1000, "error": None, "error_since": None, "now": 1000},
    )
    body["nodes"] = {
        p.name: [n.to_dict() for n in summary.nodes_of(p.name)] for p in summary.partitions
    }
    return body
