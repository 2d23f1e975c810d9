"""Slurm's partitions and nodes for the cluster view (issue 19): argv and pure parsers.

Two commands per refresh, three RPCs at slurmctld (docs/architecture.md, "Cluster view"):

- ``sinfo --noheader --Node --Format ...``: one line per node and partition, with the
  node's state, CPUs allocated/idle/other/total, memory and the memory allocated, GRES
  configured and in use, features, and the reason (and its time) a node is drained or
  down. Fields are separated by the ASCII unit separator; the reason comes last and takes
  the rest of the line.
- ``scontrol --oneliner show partition``: each partition's state, limits (MaxTime,
  DefaultTime, MaxNodes, ...) and who may use it (AllowAccounts, AllowGroups, AllowQos,
  DenyAccounts, DenyQos).

Neither asks with ``--all``: like a user's own ``sinfo``, hidden partitions and those the
user's groups may not use are left out, so the view shows where *this* user's jobs can run.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..cluster import (
    Access,
    ClusterSummary,
    Limits,
    NodeInfo,
    PartitionDef,
    split_list,
    summarize,
)
from .parse import SEP, parse_duration

# sinfo --Format fields, in the order the parser reads them. Reason must stay last.
SINFO_NODE_FIELDS: tuple[str, ...] = (
    "PartitionName",
    "NodeList",
    "StateLong",
    "CPUsState",
    "Memory",
    "AllocMem",
    "Gres",
    "GresUsed",
    "Features",
    "Timestamp",
    "Reason",
)
_NFIELDS = len(SINFO_NODE_FIELDS)


def sinfo_nodes_argv() -> list[str]:
    fmt = ",".join(f"{f}:{SEP}" if f != "Reason" else f"{f}:" for f in SINFO_NODE_FIELDS)
    return ["sinfo", "--noheader", "--Node", "--Format", fmt]


def partitions_argv() -> list[str]:
    return ["scontrol", "--oneliner", "show", "partition"]


# The flags sinfo appends to a state: * not responding, ~ powered off, # powering up,
# ! pending power down, % powering down, $ in a maintenance reservation, @ pending
# reboot, ^ reboot issued, - planned by the backfill scheduler, + more states.
_FLAGS = "*~#!%$@^-+"
_DRAINED = frozenset({"drained", "draining", "drain"})
_DOWN = frozenset({"down", "fail", "failing", "inval", "no_respond"})
_RESERVED = frozenset({"reserved", "maint", "resv"})
_BASE = {"idle": "idle", "mixed": "mixed", "allocated": "allocated", "completing": "allocated"}


def node_category(state: str) -> str:
    """sinfo's long state (``drained*``, ``idle~``, ``reserved``) -> a NODE_CATEGORIES word."""
    text = state.strip().lower()
    base = text.rstrip(_FLAGS)
    flags = text[len(base) :]
    # An administrator's drain says why in its reason: it wins over "not responding".
    if base in _DRAINED:
        return "drained"
    if base in _DOWN or "*" in flags:
        return "down"
    if base in _RESERVED or "$" in flags:
        return "reserved"
    return _BASE.get(base, "other")


def _gres_items(text: str) -> list[str]:
    """``gpu:a100:2(S:0-1),gpu:v100:1`` -> its items; commas inside ``( )`` are not splits."""
    items: list[str] = []
    depth = 0
    current = ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
        if ch == "," and depth == 0:
            items.append(current)
            current = ""
        else:
            current += ch
    items.append(current)
    return [i.strip() for i in items if i.strip() and i.strip() != "(null)"]


_COUNT = re.compile(r"(\d+)([KMG]?)")
_SCALE = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}


def gres_count(text: str, name: str = "gpu") -> int:
    """How many of one GRES (every type summed) a Gres or GresUsed field names:
    ``gpu:a100:2(S:0-1),gpu:v100:1`` -> 3; ``gpu:a100:1(IDX:0)`` -> 1; ``(null)`` -> 0."""
    total = 0
    for item in _gres_items(text):
        parts = item.split("(", 1)[0].split(":")
        if parts[0] != name or len(parts) < 2:
            continue
        m = _COUNT.fullmatch(parts[-1])
        if m is not None:
            total += int(m.group(1)) * _SCALE[m.group(2)]
    return total


def _int(text: str) -> int | None:
    return int(text) if text.strip().isdigit() else None


def _text(value: str) -> str:
    return "" if value.strip() in ("(null)", "N/A", "none", "None") else value.strip()


def parse_sinfo_nodes(text: str) -> tuple[dict[str, NodeInfo], dict[str, list[str]]]:
    """``sinfo -N -O <sinfo_nodes_argv()>`` -> the nodes by name, and each partition's
    node names in sinfo's order. A node in two partitions is on two lines (the same node)."""
    nodes: dict[str, NodeInfo] = {}
    members: dict[str, list[str]] = {}
    partitions_of: dict[str, list[str]] = {}
    for line in text.split("\n"):
        parts = line.split(SEP, _NFIELDS - 1)
        if len(parts) != _NFIELDS:
            continue
        (partition, name, state, cpus, memory, alloc_mem, gres, gres_used, features, since) = (
            p.strip() for p in parts[:-1]
        )
        reason = parts[-1].strip()
        partition = partition.rstrip("*")
        if not name:
            continue
        if partition:
            names = members.setdefault(partition, [])
            if name not in names:
                names.append(name)
            partitions_of.setdefault(name, [])
            if partition not in partitions_of[name]:
                partitions_of[name].append(partition)
        if name in nodes:
            continue
        counts = [int(c) if c.isdigit() else 0 for c in cpus.split("/")]
        allocated, total = (counts[0], counts[3]) if len(counts) == 4 else (0, 0)
        gres_text = _text(gres)
        nodes[name] = NodeInfo(
            name=name,
            state=node_category(state),
            raw_state=state,
            cpus_total=total,
            cpus_allocated=allocated,
            memory_total=_int(memory),
            memory_allocated=_int(alloc_mem),
            gpus_total=gres_count(gres_text),
            gpus_used=gres_count(gres_used),
            gres=gres_text,
            gres_used=_text(gres_used) if gres_text else "",
            features=tuple(f for f in _text(features).split(",") if f),
            reason=_text(reason),
            reason_since=None if since in ("Unknown", "N/A", "", "None") else since,
        )
    for name, parts_of in partitions_of.items():
        nodes[name] = replace(nodes[name], partitions=tuple(parts_of))
    return nodes, members


def _fields(line: str) -> dict[str, str]:
    """One ``scontrol -o show partition`` line as its key=value pairs (a value may hold
    ``=``, as ``TRES=cpu=8,mem=1G``, but no space)."""
    out: dict[str, str] = {}
    for word in line.split(" "):
        key, sep, value = word.partition("=")
        if sep and key:
            out[key] = value
    return out


def _limit(value: str | None) -> int | None:
    if value is None:
        return None
    return int(value) if value.isdigit() else None


def _state(value: str) -> str:
    word = value.strip().lower()
    return word if word in ("up", "down", "drain", "inactive") else (word or "up")


def parse_partitions(text: str) -> list[PartitionDef]:
    """``scontrol -o show partition`` -> each partition's state, limits and access."""
    out: list[PartitionDef] = []
    for line in text.splitlines():
        f = _fields(line.strip())
        name = f.get("PartitionName")
        if not name:
            continue
        limits = Limits(
            max_time=parse_duration(f.get("MaxTime", "")),
            default_time=parse_duration(f.get("DefaultTime", "")),
            max_nodes=_limit(f.get("MaxNodes")),
            min_nodes=_limit(f.get("MinNodes")) or None,
            max_cpus_per_node=_limit(f.get("MaxCPUsPerNode")),
            max_memory_per_node=_limit(f.get("MaxMemPerNode")),
        )
        access = Access(
            accounts=split_list(f.get("AllowAccounts", "ALL")),
            groups=split_list(f.get("AllowGroups", "ALL")),
            qos=split_list(f.get("AllowQos", "ALL")),
            deny_accounts=split_list(f.get("DenyAccounts", "")) or (),
            deny_qos=split_list(f.get("DenyQos", "")) or (),
        )
        out.append(
            PartitionDef(
                name=name,
                default=f.get("Default", "NO") == "YES",
                state=_state(f.get("State", "UP")),
                limits=limits,
                access=access,
            )
        )
    return out


def cluster_summary(sinfo_nodes: str, scontrol_partitions: str) -> ClusterSummary:
    """The summary from the two outputs: scontrol's partitions (in its order, with their
    limits) and sinfo's nodes. A partition sinfo lists that scontrol did not (created
    between the two calls) is kept with sinfo's nodes and no limits."""
    nodes, members = parse_sinfo_nodes(sinfo_nodes)
    defs = parse_partitions(scontrol_partitions)
    known = {d.name for d in defs}
    defs += [PartitionDef(name) for name in members if name not in known]
    return summarize(
        [
            PartitionDef(
                d.name, d.default, d.state, d.limits, d.access, tuple(members.get(d.name, ()))
            )
            for d in defs
        ],
        nodes.values(),
    )
