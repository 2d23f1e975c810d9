"""``%cluster``: the cluster view's facts as tables (issue 19), from any batch system.

One row per partition (PBS: queue): its state, nodes by state, CPUs, memory and GPUs
free against total, limits and who may use it. ``%cluster -n NAME``: one row per node of
a partition, with its state, the reason it is drained or down, features and GRES.
Memory is in MiB; times are timedeltas; "who may use it" is None for everyone.
"""

from __future__ import annotations

from typing import Any

from ..schedulers.cluster import NODE_CATEGORIES, Amount, ClusterSummary, PartitionSummary
from .display import Kind

PARTITION_COLUMNS: tuple[str, ...] = (
    "partition",
    "default",
    "state",
    "nodes",
    *NODE_CATEGORIES,
    "cpus_free",
    "cpus_total",
    "memory_free",
    "memory_total",
    "gpus_free",
    "gpus_total",
    "max_time",
    "default_time",
    "max_nodes",
    "allow_accounts",
    "allow_groups",
    "allow_qos",
    "allow_users",
)
PARTITION_KINDS: dict[str, Kind] = {
    "default": "bool",
    "nodes": "int",
    **dict.fromkeys(NODE_CATEGORIES, "int"),
    "cpus_free": "int",
    "cpus_total": "int",
    "memory_free": "int",
    "memory_total": "int",
    "gpus_free": "int",
    "gpus_total": "int",
    "max_time": "duration",
    "default_time": "duration",
    "max_nodes": "int",
}

NODE_COLUMNS: tuple[str, ...] = (
    "node",
    "state",
    "raw_state",
    "reason",
    "reason_since",
    "cpus_allocated",
    "cpus_total",
    "memory_allocated",
    "memory_total",
    "gpus_used",
    "gpus_total",
    "gres",
    "features",
    "partitions",
)
NODE_KINDS: dict[str, Kind] = {
    "reason_since": "datetime",
    "cpus_allocated": "int",
    "cpus_total": "int",
    "memory_allocated": "int",
    "memory_total": "int",
    "gpus_used": "int",
    "gpus_total": "int",
}


def _listed(names: tuple[str, ...] | None) -> str | None:
    return None if names is None else ",".join(names)


def _free(amount: Amount | None) -> int | None:
    return None if amount is None else amount.free


def partition_record(p: PartitionSummary) -> dict[str, Any]:
    d = p.definition
    return {
        "partition": d.name,
        "default": d.default,
        "state": d.state,
        "nodes": sum(p.node_states.values()),
        **p.node_states,
        "cpus_free": p.cpus.free,
        "cpus_total": p.cpus.total,
        "memory_free": _free(p.memory),
        "memory_total": None if p.memory is None else p.memory.total,
        "gpus_free": p.gpus.free,
        "gpus_total": p.gpus.total,
        "max_time": d.limits.max_time,
        "default_time": d.limits.default_time,
        "max_nodes": d.limits.max_nodes,
        "allow_accounts": _listed(d.access.accounts),
        "allow_groups": _listed(d.access.groups),
        "allow_qos": _listed(d.access.qos),
        "allow_users": _listed(d.access.users),
    }


def partition_records(summary: ClusterSummary) -> list[dict[str, Any]]:
    return [partition_record(p) for p in summary.partitions]


def node_records(summary: ClusterSummary, partition: str) -> list[dict[str, Any]]:
    return [
        {
            "node": n.name,
            "state": n.state,
            "raw_state": n.raw_state,
            "reason": n.reason,
            "reason_since": n.reason_since,
            "cpus_allocated": n.cpus_allocated,
            "cpus_total": n.cpus_total,
            "memory_allocated": n.memory_allocated,
            "memory_total": n.memory_total,
            "gpus_used": n.gpus_used,
            "gpus_total": n.gpus_total,
            "gres": n.gres,
            "features": ",".join(n.features),
            "partitions": ",".join(n.partitions),
        }
        for n in summary.nodes_of(partition)
    ]
