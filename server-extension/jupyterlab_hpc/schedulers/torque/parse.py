"""Pure parsers for Torque's output, into the attribute dicts the PBS code already reads.

Torque (TORQUE Resource Manager, the PBS descendant Adaptive Computing maintained) shares
OpenPBS's job ids, attribute names and ``qdel``/``qhold``/``qrls``, but:

- ``qstat -f -x`` prints XML: ``<Data><Job><Job_Id>12.server</Job_Id><Job_Name>..``,
  resource groups as nested elements (``<Resource_List><walltime>01:00:00</walltime>``),
  times as seconds since the epoch. There is no ``-F json``.
- A finished job stays listed as ``C`` (completed) for ``keep_completed`` seconds, with
  ``exit_status`` (lower case); it then disappears: there is no ``qstat -x`` history.
- Start and end times are ``start_time`` and ``comp_time``; a subjob's index is
  ``job_array_id``; CPUs are asked for as ``Resource_List.nodes = 2:ppn=4``.
- ``qstat --version`` writes ``Version: 6.1-dev`` and ``Commit: <hash>`` (on stdout,
  nothing on stderr: recordings 01, 01b); OpenPBS writes ``pbs_version = 23.06.06``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from ..pbs.parse import PBSParseError, QstatJobs, array_parent_id, parse_full_text

# Torque names -> the OpenPBS names pbs/parse.py and pbs/detail.py read.
_RENAMED = {
    "exit_status": "Exit_status",
    "start_time": "stime",
    "comp_time": "obittime",
    "job_array_id": "array_index",
}

_TORQUE_VERSION = re.compile(r"^\s*version:\s*(\S+)", re.I | re.M)


def parse_torque_version(text: str) -> str | None:
    """``Version: 6.1-dev`` (Torque 5-6) or ``version: 4.2.10`` (Torque 4) -> the number;
    None when the text is not Torque's answer (OpenPBS says ``pbs_version = ...``)."""
    if "pbs_version" in text:
        return None
    match = _TORQUE_VERSION.search(text)
    return match.group(1) if match else None


def shows_other_users_jobs(server_text: str) -> bool:
    """``qstat -B -f``'s ``query_other_jobs``: whether a user sees other users' jobs.
    Torque leaves an attribute at its default out, and the default is False (38)."""
    attrs = next(iter(parse_full_text(server_text).values()), {})
    value = str(attrs.get("query_other_jobs", "False")).strip().lower()
    return value in ("true", "t", "1", "y", "yes")


def _element_value(element: ET.Element) -> Any:
    children = list(element)
    if not children:
        return (element.text or "").strip()
    return {child.tag: _element_value(child) for child in children}


def _chunks_cpus(nodes: str) -> tuple[int | None, int | None]:
    """``2:ppn=4+1:ppn=2`` -> (3 nodes, 10 CPUs); ``node01:ppn=8`` -> (1, 8)."""
    total_nodes = total_cpus = 0
    for chunk in nodes.split("+"):
        head, *props = chunk.split(":")
        count = int(head) if head.isdigit() else 1
        ppn = next((int(p[4:]) for p in props if p.startswith("ppn=") and p[4:].isdigit()), 1)
        total_nodes += count
        total_cpus += count * ppn
    return (total_nodes or None), (total_cpus or None)


def normalize_job(job_id: str, attrs: dict[str, Any]) -> dict[str, Any]:
    """A Torque job's attributes under OpenPBS's names (originals kept alongside)."""
    out = dict(attrs)
    for torque, pbs in _RENAMED.items():
        if torque in attrs and pbs not in attrs:
            out[pbs] = attrs[torque]
    if out.get("array_index") is not None and "array_id" not in out:
        parent = array_parent_id(job_id)
        if parent is not None:
            out["array_id"] = parent
    wanted = out.get("Resource_List")
    if isinstance(wanted, dict):
        wanted = dict(wanted)
        nodes = wanted.get("nodes")
        if isinstance(nodes, str) and nodes:
            count, cpus = _chunks_cpus(nodes)
            wanted.setdefault("nodect", count)
            wanted.setdefault("ncpus", cpus)
        out["Resource_List"] = wanted
    return out


def _reject_entities(text: str) -> None:
    # qstat prints plain XML; a DOCTYPE would only come from something else answering.
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise PBSParseError("qstat -x printed XML with a DOCTYPE, which Torque never does")


# ``<?xml version="1.0"?>``: where each of Torque's documents begins.
_XML_DECLARATION = re.compile(r"<\?xml[^>]*\?>")


def parse_qstat_xml(text: str) -> QstatJobs:
    """``qstat -f -x [-t] [ids]``: ``<?xml version="1.0"?>`` then
    ``<Data><Job>...</Job>...</Data>`` on one line; nothing at all when no job matches.

    Several ids print one complete document per id, one after the other (each with its
    own ``<?xml?>`` line; an unknown id prints none), so the output is read as a series
    of ``<Data>`` documents and their jobs merged, in order."""
    if not text.strip():
        return QstatJobs(None, None, {})
    _reject_entities(text)
    # A declaration can only begin a document (a ``<`` in a value is ``&lt;``); without
    # them the documents are sibling ``<Data>`` elements of one wrapper.
    body = _XML_DECLARATION.sub("", text)
    try:
        # Entity expansion (the XML attacks) needs a DOCTYPE, refused above.
        wrapper = ET.fromstring(f"<qstat>{body}</qstat>")  # noqa: S314
    except ET.ParseError as e:
        raise PBSParseError(f"qstat -x printed invalid XML: {e}") from None
    documents = list(wrapper)
    if not documents:
        raise PBSParseError("qstat -x printed text where Torque prints <Data>")
    jobs: dict[str, dict[str, Any]] = {}
    server: str | None = None
    for root in documents:
        if root.tag != "Data":
            raise PBSParseError(f"qstat -x printed <{root.tag}> where Torque prints <Data>")
        if (wrapper.text or "").strip() or (root.tail or "").strip():
            raise PBSParseError("qstat -x printed text outside its <Data> documents")
        for element in root.findall("Job"):
            attrs: dict[str, Any] = {}
            for child in element:
                attrs[child.tag] = _element_value(child)
            job_id = str(attrs.pop("Job_Id", "")).strip()
            if not job_id:
                raise PBSParseError("qstat -x printed a <Job> without <Job_Id>")
            jobs[job_id] = normalize_job(job_id, attrs)
            server = server or (str(attrs["server"]) if attrs.get("server") else None)
    return QstatJobs(server, None, jobs)


def array_jobs(array_id: str, queue: QstatJobs, subjobs: QstatJobs) -> dict[str, dict[str, Any]]:
    """An array's own record and its subjobs, from Torque's two answers about it:
    ``qstat -f -x ID`` (every job in the queue, the array among them) and ``qstat -f -x
    -t ID`` (its subjobs only). Empty when the array is not among them (unknown)."""
    short = array_id.split(".", 1)[0]
    match = array_id if array_id in queue.jobs else None
    if match is None:
        # qstat qualifies a short id (7[] -> 7[].torque01).
        match = next((k for k in queue.jobs if k.split(".", 1)[0] == short), None)
    if match is None:
        return {}
    members = {k: v for k, v in subjobs.jobs.items() if v.get("array_id") == match}
    return {match: queue.jobs[match], **members}
