"""Torque's nodes for the cluster view (issue 19): ``pbsnodes -a`` text, read by
pbs/cluster.py's queue rules with a node reader of its own.

A Torque node says ``np = 2`` (its CPUs), ``jobs = 0/6.host,1/7[1].host`` (the cores in
use), ``properties = a,b`` (its features), ``gpus = 2`` and ``note = ...`` (what an
administrator wrote, e.g. why it is offline), and in ``status`` what its mom measured
(``physmem=24683664kb``). Torque does not report the memory or the GPUs jobs were given:
those are None ("not reported"), never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..cluster import ClusterSummary, NodeInfo
from ..pbs.cluster import cluster_summary as pbs_cluster_summary
from ..pbs.cluster import memory_mib, node_category
from ..pbs.parse import to_int


def busy_cpus(jobs: str) -> int:
    """``0-3/12.server,4/13.server`` (Torque 5-6) or ``0/12.server, 1/12.server`` (older)
    -> the number of cores in use."""
    count = 0
    for item in jobs.replace(" ", "").split(","):
        first, _, last = item.split("/", 1)[0].partition("-")
        if first.isdigit():
            count += (int(last) - int(first) + 1) if last.isdigit() else 1
    return count


def status_fields(status: object) -> dict[str, str]:
    """``opsys=linux,uname=Linux host 6.1 #1 SMP,physmem=24683664kb,...`` -> its pairs."""
    out: dict[str, str] = {}
    for item in str(status or "").split(","):
        key, sep, value = item.partition("=")
        if sep:
            out[key.strip()] = value.strip()
    return out


def torque_node(name: str, attrs: Mapping[str, Any], partitions: tuple[str, ...]) -> NodeInfo:
    cpus = to_int(attrs.get("np")) or 0
    busy = min(busy_cpus(str(attrs.get("jobs", ""))), cpus)
    state = str(attrs.get("state", ""))
    category = node_category(state, busy)
    status = status_fields(attrs.get("status"))
    gpus = to_int(attrs.get("gpus")) or 0
    properties = str(attrs.get("properties", ""))
    return NodeInfo(
        name=name,
        state=category,
        raw_state=state,
        cpus_total=cpus,
        cpus_allocated=busy,
        memory_total=memory_mib(status.get("physmem")),
        memory_allocated=None,
        gpus_total=gpus,
        gpus_used=None if gpus else 0,
        gres=f"gpus={gpus}" if gpus else "",
        features=tuple(p.strip() for p in properties.split(",") if p.strip()),
        reason=str(attrs.get("note", "")).strip(),
        # Torque does not say since when a node is offline (rectime is its last report).
        reason_since=None,
        partitions=partitions,
    )


def cluster_summary(
    queues: Mapping[str, Mapping[str, Any]],
    nodes: Mapping[str, Mapping[str, Any]],
    default_queue: str | None,
) -> ClusterSummary:
    """``qstat -Q -f`` and ``pbsnodes -a`` blocks (pbs/parse.py's parse_full_text)."""
    return pbs_cluster_summary(queues, nodes, default_queue, torque_node)
