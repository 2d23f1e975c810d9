"""The cluster at a glance, in words every batch system maps into (issue 19).

A backend reads its nodes (``NodeInfo``) and its partitions or queues (``PartitionDef``:
limits, who may use it, which nodes serve it); ``summarize`` adds up each partition's
nodes by state and its CPUs, memory and GPUs free against total. Pure: nothing here runs
a command.

Node states are put in a few categories a person reads at a glance:

- ``idle``: takes jobs, nothing runs on it;
- ``mixed``: takes jobs, some of its CPUs are in use;
- ``allocated``: every CPU in use;
- ``reserved``: in a reservation (or a maintenance window), not for everyone's jobs now;
- ``drained``: taken out of service by an administrator (drained or draining; PBS:
  offline), with the reason given;
- ``down``: not answering or failed;
- ``other``: anything else (future nodes, powered off by power saving, being rebooted).

Free resources are those of nodes that take jobs (idle and mixed) and are not in use;
``unavailable`` is what neither runs a job nor can take one (drained, down, reserved,
other nodes' idle resources).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

NODE_CATEGORIES: tuple[str, ...] = (
    "idle",
    "mixed",
    "allocated",
    "reserved",
    "drained",
    "down",
    "other",
)
# Nodes in these categories take new jobs: their idle resources are free.
USABLE = frozenset({"idle", "mixed"})


@dataclass(frozen=True, slots=True)
class NodeInfo:
    """One node as the scheduler reports it.

    ``memory_*`` are MiB; ``memory_allocated``/``gpus_used`` are None when the batch
    system does not say (Torque). ``partitions`` are the partitions (queues) it serves,
    as far as the listing shows them.
    """

    name: str
    state: str
    raw_state: str
    cpus_total: int
    cpus_allocated: int
    memory_total: int | None = None
    memory_allocated: int | None = None
    gpus_total: int = 0
    gpus_used: int | None = 0
    gres: str = ""
    gres_used: str = ""
    features: tuple[str, ...] = ()
    reason: str = ""
    reason_since: str | None = None
    partitions: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "state": self.state,
            "raw_state": self.raw_state,
            "cpus_total": self.cpus_total,
            "cpus_allocated": self.cpus_allocated,
            "memory_total": self.memory_total,
            "memory_allocated": self.memory_allocated,
            "gpus_total": self.gpus_total,
            "gpus_used": self.gpus_used,
            "gres": self.gres,
            "gres_used": self.gres_used,
            "features": list(self.features),
            "reason": self.reason,
            "reason_since": self.reason_since,
            "partitions": list(self.partitions),
        }


@dataclass(frozen=True)
class Access:
    """Who may use a partition; None = everyone (Slurm's ALL), a list = only those."""

    accounts: tuple[str, ...] | None = None
    groups: tuple[str, ...] | None = None
    qos: tuple[str, ...] | None = None
    users: tuple[str, ...] | None = None
    deny_accounts: tuple[str, ...] = ()
    deny_qos: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        def listed(v: tuple[str, ...] | None) -> list[str] | None:
            return None if v is None else list(v)

        return {
            "accounts": listed(self.accounts),
            "groups": listed(self.groups),
            "qos": listed(self.qos),
            "users": listed(self.users),
            "deny_accounts": list(self.deny_accounts),
            "deny_qos": list(self.deny_qos),
        }


@dataclass(frozen=True)
class Limits:
    """Times in seconds; None = no limit (or none set)."""

    max_time: int | None = None
    default_time: int | None = None
    max_nodes: int | None = None
    min_nodes: int | None = None
    max_cpus_per_node: int | None = None
    max_memory_per_node: int | None = None  # MiB

    def to_dict(self) -> dict[str, Any]:
        return {
            "max_time": self.max_time,
            "default_time": self.default_time,
            "max_nodes": self.max_nodes,
            "min_nodes": self.min_nodes,
            "max_cpus_per_node": self.max_cpus_per_node,
            "max_memory_per_node": self.max_memory_per_node,
        }


@dataclass(frozen=True)
class PartitionDef:
    """A partition (PBS: a queue) as configured: its state, limits, access and nodes.

    ``state`` is ``up``, ``down``, ``drain`` (takes no new jobs, runs what it has) or
    ``inactive``; ``routes_to`` the destinations of a PBS routing queue (no nodes).
    """

    name: str
    default: bool = False
    state: str = "up"
    limits: Limits = field(default_factory=Limits)
    access: Access = field(default_factory=Access)
    nodes: tuple[str, ...] = ()
    routes_to: tuple[str, ...] = ()


@dataclass(frozen=True)
class Amount:
    """A resource of a set of nodes; ``free`` and ``allocated`` None when not reported."""

    total: int
    free: int | None
    allocated: int | None

    @property
    def unavailable(self) -> int | None:
        if self.free is None or self.allocated is None:
            return None
        return max(self.total - self.free - self.allocated, 0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "free": self.free,
            "allocated": self.allocated,
            "unavailable": self.unavailable,
        }


@dataclass(frozen=True)
class PartitionSummary:
    definition: PartitionDef
    node_states: dict[str, int]
    cpus: Amount
    memory: Amount | None
    gpus: Amount

    @property
    def name(self) -> str:
        return self.definition.name

    def to_dict(self) -> dict[str, Any]:
        d = self.definition
        return {
            "name": d.name,
            "default": d.default,
            "state": d.state,
            "nodes": sum(self.node_states.values()),
            "node_states": dict(self.node_states),
            "cpus": self.cpus.to_dict(),
            "memory": None if self.memory is None else self.memory.to_dict(),
            "gpus": self.gpus.to_dict(),
            "limits": d.limits.to_dict(),
            "access": d.access.to_dict(),
            "routes_to": list(d.routes_to),
        }


@dataclass(frozen=True)
class ClusterSummary:
    """Every partition summed up, the whole cluster (each node once), and the nodes."""

    partitions: list[PartitionSummary]
    total: PartitionSummary
    nodes: dict[str, NodeInfo]

    def partition(self, name: str) -> PartitionSummary | None:
        return next((p for p in self.partitions if p.name == name), None)

    def nodes_of(self, name: str) -> list[NodeInfo]:
        """The nodes of a partition, in the partition's order; [] for an unknown one."""
        part = self.partition(name)
        if part is None:
            return []
        return [self.nodes[n] for n in part.definition.nodes if n in self.nodes]

    def to_dict(self) -> dict[str, Any]:
        return {
            "partitions": [p.to_dict() for p in self.partitions],
            "total": self.total.to_dict(),
        }


def _amount(
    nodes: Sequence[NodeInfo],
    usable: frozenset[str],
    total_of: Callable[[NodeInfo], int | None],
    used_of: Callable[[NodeInfo], int | None],
) -> Amount:
    """A resource summed over nodes: free on usable nodes, allocated everywhere; free
    and allocated are None as soon as one node does not report its use."""
    total = sum(total_of(n) or 0 for n in nodes)
    free: int | None = 0
    allocated: int | None = 0
    for n in nodes:
        whole = total_of(n) or 0
        used = used_of(n)
        if used is None:
            if whole:
                free = allocated = None
            continue
        if allocated is not None and free is not None:
            allocated += min(used, whole)
            if n.state in usable:
                free += max(whole - used, 0)
    return Amount(total, free, allocated)


def summarize_nodes(definition: PartitionDef, nodes: Sequence[NodeInfo]) -> PartitionSummary:
    """A partition's nodes summed up. A partition that is not up takes no new jobs, so
    nothing of it is free (its nodes' idle resources count as unavailable)."""
    states = dict.fromkeys(NODE_CATEGORIES, 0)
    for n in nodes:
        states[n.state if n.state in states else "other"] += 1
    usable = USABLE if definition.state == "up" else frozenset()
    cpus = _amount(nodes, usable, lambda n: n.cpus_total, lambda n: n.cpus_allocated)
    memory: Amount | None = None
    if any(n.memory_total is not None for n in nodes):
        memory = _amount(nodes, usable, lambda n: n.memory_total, lambda n: n.memory_allocated)
    gpus = _amount(nodes, usable, lambda n: n.gpus_total, lambda n: n.gpus_used)
    return PartitionSummary(definition, states, cpus, memory, gpus)


def summarize(definitions: Iterable[PartitionDef], nodes: Iterable[NodeInfo]) -> ClusterSummary:
    """Each partition's nodes summed up (a node serving two partitions counts in both;
    the cluster's total counts it once)."""
    by_name = {n.name: n for n in nodes}
    summaries = [
        summarize_nodes(d, [by_name[n] for n in d.nodes if n in by_name]) for d in definitions
    ]
    everything = PartitionDef("", nodes=tuple(by_name))
    return ClusterSummary(summaries, summarize_nodes(everything, list(by_name.values())), by_name)


def split_list(value: str, *, everyone: Iterable[str] = ("ALL",)) -> tuple[str, ...] | None:
    """``a,b`` -> ('a', 'b'); Slurm's ``ALL`` (or another word for everyone) -> None."""
    text = value.strip()
    if not text or text in set(everyone):
        return None
    return tuple(p.strip() for p in text.split(",") if p.strip())
