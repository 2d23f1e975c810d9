"""OpenPBS / PBS Professional (and, through torque/cluster.py, Torque) queues and nodes for
the cluster view (issue 19): pure readers of what ``qstat -Q -f`` and ``pbsnodes -av``
print, JSON and text forms alike (the text form's dotted names are nested dicts too).

- A queue is a partition: ``enabled``/``started`` give its state, ``resources_max.walltime``
  and ``resources_default.walltime`` its times, ``resources_max.nodect`` (Torque:
  ``resources_max.nodes`` when it is a count) its node limit, ``acl_users``/``acl_groups``
  who may use it when ``acl_user_enable``/``acl_group_enable`` are on. A routing queue
  runs nothing: it has no nodes and names where it sends jobs (``route_destinations``).
- Nodes: a node with a ``queue`` attribute serves that queue only; the others serve every
  execution queue without nodes of its own (as ``parse.parse_partitions`` counts CPUs).
  CPUs are ``resources_available.ncpus`` against ``resources_assigned.ncpus``, memory
  ``mem``, GPUs ``ngpus``; features are the site's own resources on the node (``bigmem =
  True``, ``Qlist = gpu``), the reason is its ``comment``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..cluster import Access, ClusterSummary, Limits, NodeInfo, PartitionDef, summarize
from .parse import _availability, _duration, _nested, parse_time, to_int

# Node states, comma separated (``job-busy,offline``): the first category that any of them
# falls in wins, in this order.
_DOWN = frozenset({"down", "state-unknown", "stale", "unresolvable", "unknown"})
_DRAINED = frozenset({"offline"})
_RESERVED = frozenset({"resv-exclusive", "maintenance", "reserve"})
_ALLOCATED = frozenset({"job-busy", "job-exclusive", "busy"})
_OTHER = frozenset({"provisioning", "wait-provisioning", "sleep", "initializing"})

# resources_available entries every node has: not features.
_STANDARD_RESOURCES = frozenset(
    {
        "arch",
        "host",
        "mem",
        "ncpus",
        "vnode",
        "ngpus",
        "naccelerators",
        "accelerator_memory",
        "accelerator_model",
        "hbmem",
        "vmem",
        "nmics",
        "vntype",
        "mpiprocs",
        "ompthreads",
        "nodect",
    }
)


def node_category(state: str, cpus_allocated: int) -> str:
    """``free`` with CPUs in use is mixed; ``job-busy,offline`` is drained (draining)."""
    words = {w.strip().lower() for w in state.split(",") if w.strip()}
    if words & _DOWN:
        return "down"
    if words & _DRAINED:
        return "drained"
    if words & _RESERVED:
        return "reserved"
    if words & _ALLOCATED:
        return "allocated"
    if "free" in words:
        return "mixed" if cpus_allocated > 0 else "idle"
    return "other"


_SIZE = re.compile(r"(\d+)\s*([kmgtp]?)(b|w)?", re.IGNORECASE)
_POWER = {"": 0, "k": 1, "m": 2, "g": 3, "t": 4, "p": 5}


def memory_bytes(value: object) -> int | None:
    """PBS sizes (``24684096kb``, ``4gb``, ``100mb``, ``2mw`` of 8-byte words, a bare
    number of bytes) in bytes."""
    if value is None or isinstance(value, bool):
        return None
    m = _SIZE.fullmatch(str(value).strip())
    if m is None:
        return None
    number, prefix, unit = int(m.group(1)), m.group(2).lower(), (m.group(3) or "b").lower()
    return number * (1 << (10 * _POWER[prefix])) * (8 if unit == "w" else 1)


def memory_mib(value: object) -> int | None:
    """PBS sizes (``24684096kb``, ``4gb``, ``100mb``, a bare number of bytes) in MiB."""
    size = memory_bytes(value)
    return None if size is None else size // (1024 * 1024)


def _is_true(value: object) -> bool:
    return str(value).strip().lower() in ("true", "1", "t", "y", "yes")


def _names(value: object) -> tuple[str, ...]:
    """``alice,bob`` or ``alice@host,+bob`` (PBS ACL entries) -> ('alice', 'bob')."""
    if value is None:
        return ()
    out = []
    for item in str(value).split(","):
        name = item.strip().lstrip("+-").split("@", 1)[0]
        if name:
            out.append(name)
    return tuple(out)


def features(resources: Mapping[str, Any]) -> tuple[str, ...]:
    """The site's own resources on a node: ``bigmem`` for a true boolean, else
    ``name=value`` (false booleans are left out)."""
    out = []
    for key, value in resources.items():
        if key in _STANDARD_RESOURCES:
            continue
        text = str(value).strip()
        if text.lower() == "true":
            out.append(key)
        elif text.lower() != "false" and text:
            out.append(f"{key}={text}")
    return tuple(out)


def pbs_node(name: str, attrs: Mapping[str, Any], partitions: tuple[str, ...]) -> NodeInfo:
    available = _nested(attrs, "resources_available")
    assigned = _nested(attrs, "resources_assigned")
    cpus = to_int(available.get("ncpus")) or 0
    busy = min(to_int(assigned.get("ncpus")) or 0, cpus) if cpus else 0
    state = str(attrs.get("state", ""))
    category = node_category(state, busy)
    gpus = to_int(available.get("ngpus")) or 0
    memory = memory_mib(available.get("mem"))
    since = None
    if category in ("drained", "down"):
        since = parse_time(attrs.get("last_state_change_time"))
    return NodeInfo(
        name=name,
        state=category,
        raw_state=state,
        cpus_total=cpus,
        cpus_allocated=busy,
        memory_total=memory,
        memory_allocated=(memory_mib(assigned.get("mem")) or 0) if memory is not None else None,
        gpus_total=gpus,
        gpus_used=to_int(assigned.get("ngpus")) or 0,
        gres=f"ngpus={gpus}" if gpus else "",
        features=features(available),
        reason=str(attrs.get("comment", "")).strip(),
        reason_since=since,
        partitions=partitions,
    )


def queue_definition(
    name: str, attrs: Mapping[str, Any], default_queue: str | None
) -> PartitionDef:
    maximum = _nested(attrs, "resources_max")
    defaults = _nested(attrs, "resources_default")
    routes = tuple(d.split("@", 1)[0] for d in _names(attrs.get("route_destinations")))
    access = Access(
        users=_names(attrs.get("acl_users")) if _is_true(attrs.get("acl_user_enable")) else None,
        groups=(
            _names(attrs.get("acl_groups")) if _is_true(attrs.get("acl_group_enable")) else None
        ),
    )
    return PartitionDef(
        name=name,
        default=name == default_queue,
        state=_availability(attrs),
        limits=Limits(
            max_time=_duration(maximum.get("walltime")),
            default_time=_duration(defaults.get("walltime")),
            max_nodes=to_int(maximum.get("nodect")) or to_int(maximum.get("nodes")),
        ),
        access=access,
        routes_to=routes,
    )


def is_execution(attrs: Mapping[str, Any]) -> bool:
    return str(attrs.get("queue_type", "Execution")).lower().startswith("e")


def cluster_summary(
    queues: Mapping[str, Mapping[str, Any]],
    nodes: Mapping[str, Mapping[str, Any]],
    default_queue: str | None,
    node_reader: Any = pbs_node,
) -> ClusterSummary:
    """Queues (in qstat's order) with the nodes that serve each. ``node_reader`` turns a
    node's attributes into a NodeInfo (Torque's differ)."""
    dedicated: dict[str, list[str]] = {}
    shared: list[str] = []
    for node_name, attrs in nodes.items():
        queue = attrs.get("queue")
        if queue:
            dedicated.setdefault(str(queue), []).append(node_name)
        else:
            shared.append(node_name)
    members: dict[str, list[str]] = {}
    for name, attrs in queues.items():
        members[name] = (dedicated.get(name) or shared) if is_execution(attrs) else []
    serves: dict[str, list[str]] = {n: [] for n in nodes}
    for queue_name, names in members.items():
        for node_name in names:
            serves[node_name].append(queue_name)
    infos = [node_reader(n, attrs, tuple(serves[n])) for n, attrs in nodes.items()]
    definitions = []
    for name, attrs in queues.items():
        d = queue_definition(name, attrs, default_queue)
        definitions.append(
            PartitionDef(
                d.name, d.default, d.state, d.limits, d.access, tuple(members[name]), d.routes_to
            )
        )
    return summarize(definitions, infos)
