"""The cluster view on OpenPBS and Torque (issue 19): the readers on real recordings
(fixtures/pbs: OpenPBS 23.06.06; fixtures/torque/recorded: Torque 6.1), then the REST
API and %cluster over the stand-ins (pbs_replay, torque_replay), given the nodes and
queues a real site has and the recordings do not: offline, down and reserved nodes, GPUs,
a queue with its own nodes and an ACL, a routing queue, a stopped queue.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

from jupyterlab_hpc.magics import load_ipython_extension
from jupyterlab_hpc.schedulers.pbs.cluster import cluster_summary, memory_mib, node_category
from jupyterlab_hpc.schedulers.pbs.parse import (
    parse_full_text,
    parse_nodes_json,
    parse_queues_json,
)
from jupyterlab_hpc.schedulers.torque.cluster import cluster_summary as torque_summary

from .magic_shell import run, run_failing, shell_with_magics
from .pbs_replay.fixtures import PBSReplay
from .pbs_replay.recordings import stdout
from .test_handlers import get_json
from .torque_replay.fixtures import TorqueReplay, recorded

# ---------------------------------------------------------------------------
# Real recordings


def test_openpbs_recording_json_and_text_agree() -> None:
    from_json = cluster_summary(
        parse_queues_json(stdout("27_qstat_Q_f_F_json")),
        parse_nodes_json(stdout("33_pbsnodes_av_F_json")),
        "workq",
    )
    from_text = cluster_summary(
        parse_full_text(stdout("31_qstat_Q_f")), parse_full_text(stdout("34_pbsnodes_av")), "workq"
    )
    assert from_json.to_dict() == from_text.to_dict()
    (workq,) = from_json.to_dict()["partitions"]
    assert workq["name"] == "workq"
    assert workq["default"] is True
    assert workq["state"] == "up"
    # pbs01: state job-busy, both CPUs assigned (jobs 1 and 3[1]).
    assert workq["node_states"]["allocated"] == 1
    assert workq["cpus"] == {"total": 2, "free": 0, "allocated": 2, "unavailable": 0}
    assert workq["memory"]["total"] == 24684096 // 1024  # 24684096kb
    node = from_json.nodes["pbs01"]
    assert (node.state, node.raw_state, node.partitions) == ("allocated", "job-busy", ("workq",))


def test_torque_recording() -> None:
    queues = parse_full_text(recorded("37_qstat_Q_f.txt")[1])
    busy = torque_summary(queues, parse_full_text(recorded("39_pbsnodes_a.txt")[1]), "batch")
    (batch,) = busy.to_dict()["partitions"]
    assert batch["limits"]["default_time"] == 3600  # resources_default.walltime = 01:00:00
    assert batch["limits"]["max_time"] is None
    node = busy.nodes["torque01"]
    assert (node.state, node.cpus_total, node.cpus_allocated) == ("allocated", 2, 2)
    assert node.memory_total == 24683664 // 1024  # physmem from the mom's status
    # Torque does not say what memory jobs were given: not reported, never guessed.
    assert node.memory_allocated is None
    assert batch["memory"] == {
        "total": 24683664 // 1024,
        "free": None,
        "allocated": None,
        "unavailable": None,
    }
    idle = torque_summary(queues, parse_full_text(recorded("97_empty_pbsnodes_a.txt")[1]), "batch")
    assert idle.nodes["torque01"].state == "idle"
    assert idle.to_dict()["partitions"][0]["cpus"]["free"] == 2


@pytest.mark.parametrize(
    ("state", "busy", "category"),
    [
        ("free", 0, "idle"),
        ("free", 1, "mixed"),
        ("job-busy", 2, "allocated"),
        ("job-exclusive", 2, "allocated"),
        ("offline", 0, "drained"),
        ("job-busy,offline", 2, "drained"),
        ("down", 0, "down"),
        ("state-unknown,down", 0, "down"),
        ("down,offline", 0, "down"),
        ("resv-exclusive", 0, "reserved"),
        ("provisioning", 0, "other"),
        ("", 0, "other"),
    ],
)
def test_pbs_node_categories(state: str, busy: int, category: str) -> None:
    assert node_category(state, busy) == category


@pytest.mark.parametrize(
    ("value", "mib"),
    [("24684096kb", 24105), ("4gb", 4096), ("100mb", 100), ("2tb", 2097152), ("1048576", 1)],
)
def test_pbs_sizes(value: str, mib: int) -> None:
    assert memory_mib(value) == mib


# ---------------------------------------------------------------------------
# OpenPBS stand-in: a site's nodes and queues


def pbs_site(pbs_replay: PBSReplay) -> None:
    state = pbs_replay.state()
    nodes = state["nodes"]
    nodes["pbs02"] = {
        "Mom": "pbs02",
        "state": "offline",
        "pcpus": 8,
        "comment": "memory errors, replaced Monday",
        "last_state_change_time": 1795306099,
        "resources_available": {"host": "pbs02", "mem": "64gb", "ncpus": 8, "vnode": "pbs02"},
        "resources_assigned": {"ncpus": 0},
    }
    nodes["pbs03"] = {
        "state": "down",
        "resources_available": {"mem": "64gb", "ncpus": 8},
        "resources_assigned": {},
        "comment": "node down: communication closed",
    }
    nodes["gpu01"] = {
        "state": "free",
        "queue": "gpuq",
        "resources_available": {
            "mem": "256gb",
            "ncpus": 32,
            "ngpus": 4,
            "bigmem": "True",
            "Qlist": "gpuq",
            "arch": "linux",
        },
        "resources_assigned": {"ncpus": 8, "ngpus": 1, "mem": "32gb"},
    }
    nodes["pbs05"] = {
        "state": "resv-exclusive",
        "resources_available": {"mem": "64gb", "ncpus": 8},
        "resources_assigned": {"ncpus": 0},
    }
    queues = state["queues"]
    queues["gpuq"] = {
        "queue_type": "Execution",
        "resources_max": {"walltime": "24:00:00", "nodect": 2},
        "resources_default": {"walltime": "01:00:00"},
        "acl_group_enable": "True",
        "acl_groups": "physics,chem",
        "enabled": "True",
        "started": "True",
    }
    queues["routeq"] = {
        "queue_type": "Route",
        "route_destinations": "workq,gpuq@pbs01",
        "enabled": "True",
        "started": "True",
    }
    queues["oldq"] = {"queue_type": "Execution", "enabled": "False", "started": "False"}
    pbs_replay.update(nodes=nodes, queues=queues)


@pytest.fixture
def jp_server_config(pbs_replay: PBSReplay) -> dict[str, object]:
    return {
        "ServerApp": {"jpserver_extensions": {"jupyterlab_hpc": True}},
        "HPCConfig": {"scheduler": "pbs", "command_paths": pbs_replay.command_paths},
    }


@pytest.mark.parametrize("as_json", [True, False], ids=["json", "text"])
async def test_pbs_cluster_api(jp_fetch: Any, pbs_replay: PBSReplay, as_json: bool) -> None:
    pbs_site(pbs_replay)
    # False: a PBS Professional whose qstat refuses -F json (the text form is read).
    pbs_replay.update(json=as_json)
    body = await get_json(jp_fetch, "cluster")
    assert body["kind"] == "pbs"
    parts = {p["name"]: p for p in body["partitions"]}
    assert list(parts) == ["workq", "gpuq", "routeq", "oldq"]
    workq, gpuq, routeq, oldq = parts.values()
    # workq: the nodes without a queue of their own.
    assert workq["nodes"] == 4
    assert workq["node_states"] | {} == {
        "idle": 0,
        "mixed": 0,
        "allocated": 1,
        "reserved": 1,
        "drained": 1,
        "down": 1,
        "other": 0,
    }
    assert workq["cpus"] == {"total": 26, "free": 0, "allocated": 2, "unavailable": 24}
    # gpuq: its own node, 8 of 32 CPUs and 1 of 4 GPUs in use.
    assert gpuq["node_states"]["mixed"] == 1
    assert gpuq["cpus"] == {"total": 32, "free": 24, "allocated": 8, "unavailable": 0}
    assert gpuq["gpus"] == {"total": 4, "free": 3, "allocated": 1, "unavailable": 0}
    assert gpuq["memory"] == {
        "total": 262144,
        "free": 262144 - 32768,
        "allocated": 32768,
        "unavailable": 0,
    }
    assert gpuq["limits"]["max_time"] == 86400
    assert gpuq["limits"]["default_time"] == 3600
    assert gpuq["limits"]["max_nodes"] == 2
    assert gpuq["access"]["groups"] == ["physics", "chem"]
    assert gpuq["access"]["users"] is None
    assert routeq["nodes"] == 0
    assert routeq["routes_to"] == ["workq", "gpuq"]
    assert oldq["state"] == "down"
    assert (await get_json(jp_fetch, "capabilities"))["scheduler"]["kind"] == "pbs"

    nodes = await get_json(jp_fetch, "cluster", "partitions", "gpuq", "nodes")
    (gpu01,) = nodes["nodes"]
    assert gpu01["name"] == "gpu01"
    assert gpu01["features"] == ["bigmem", "Qlist=gpuq"]
    assert gpu01["gres"] == "ngpus=4"
    workq_nodes = await get_json(jp_fetch, "cluster", "partitions", "workq", "nodes")
    by_name = {n["name"]: n for n in workq_nodes["nodes"]}
    assert set(by_name) == {"pbs01", "pbs02", "pbs03", "pbs05"}
    assert by_name["pbs02"]["state"] == "drained"
    assert by_name["pbs02"]["reason"] == "memory errors, replaced Monday"
    assert by_name["pbs02"]["reason_since"] is not None
    assert by_name["pbs03"]["reason"] == "node down: communication closed"
    assert by_name["pbs05"]["state"] == "reserved"


async def test_pbs_cluster_commands(jp_fetch: Any, pbs_replay: PBSReplay) -> None:
    """One refresh is one qstat -Q, one pbsnodes and (once per server) one qstat -B."""
    pbs_replay.clear_calls()
    for _ in range(3):
        await get_json(jp_fetch, "cluster")
    calls = [c for c in pbs_replay.calls() if c[1:] != ["--version"]]
    names = [" ".join(Path(c[0]).name.split() + c[1:]) for c in calls]
    assert names == ["qstat -Q -f -F json", "pbsnodes -av -F json", "qstat -B -f -F json"]


# ---------------------------------------------------------------------------
# %cluster on the stand-ins


@pytest.fixture
def pbs_shell(pbs_replay: PBSReplay) -> Iterator[InteractiveShell]:
    ip = shell_with_magics()
    saved = ip.config.get("HPCConfig")
    ip.config["HPCConfig"] = Config({"scheduler": "pbs", "command_paths": pbs_replay.command_paths})
    load_ipython_extension(ip)
    yield ip
    if saved is None:
        del ip.config["HPCConfig"]
    else:
        ip.config["HPCConfig"] = saved
    load_ipython_extension(ip)


def test_cluster_magic_on_pbs(pbs_shell: InteractiveShell, pbs_replay: PBSReplay) -> None:
    pbs_site(pbs_replay)
    df = run(pbs_shell, "%cluster")
    assert list(df["partition"]) == ["workq", "gpuq", "routeq", "oldq"]
    gpuq = df.set_index("partition").loc["gpuq"]
    assert gpuq["gpus_free"] == 3
    assert gpuq["gpus_total"] == 4
    assert gpuq["allow_groups"] == "physics,chem"
    assert str(gpuq["max_time"]) == "1 days 00:00:00"
    nodes = run(pbs_shell, "%cluster -n workq")
    assert set(nodes["node"]) == {"pbs01", "pbs02", "pbs03", "pbs05"}
    drained = nodes.set_index("node").loc["pbs02"]
    assert drained["state"] == "drained"
    assert drained["reason"] == "memory errors, replaced Monday"
    error = run_failing(pbs_shell, "%cluster -n nosuch")
    assert "no partition 'nosuch'" in str(error)
    assert "workq" in str(error)


STATUS = (
    "opsys=linux,uname=Linux node01 6.1 #1 SMP x86_64,totmem=70000000kb,availmem=60000000kb,"
    "physmem=65536000kb,ncpus=16,state=free,rectime=1795305900"
)
TORQUE_NODES = f"""\
node01
     state = free
     power_state = Running
     np = 16
     properties = compute,ib
     ntype = cluster
     jobs = 0-3/12.torque01
     status = {STATUS}
     mom_service_port = 15002

gpu01
     state = offline
     power_state = Running
     np = 32
     properties = gpu
     ntype = cluster
     gpus = 4
     note = waiting for a new GPU board
     mom_service_port = 15002

"""


# The recorded server's one queue (37), and a second one a site might add: a debug queue
# with a time limit, enabled but not started.
TORQUE_QUEUES = (
    recorded("37_qstat_Q_f.txt")[1]
    + """Queue: debug
    queue_type = Execution
    total_jobs = 0
    resources_max.walltime = 48:00:00
    resources_default.walltime = 00:30:00
    enabled = True
    started = False

"""
)


def test_cluster_magic_on_torque(torque_replay: TorqueReplay) -> None:
    torque_replay.set_text("pbsnodes_a", TORQUE_NODES)
    torque_replay.set_text("qstat_Q_f", TORQUE_QUEUES)
    ip = shell_with_magics()
    saved = ip.config.get("HPCConfig")
    ip.config["HPCConfig"] = Config(
        {"scheduler": "torque", "command_paths": torque_replay.command_paths}
    )
    load_ipython_extension(ip)
    try:
        df = run(ip, "%cluster").set_index("partition")
        nodes = run(ip, "%cluster -n batch").set_index("node")
    finally:
        if saved is None:
            del ip.config["HPCConfig"]
        else:
            ip.config["HPCConfig"] = saved
        load_ipython_extension(ip)
    assert list(df.index) == ["batch", "debug"]
    assert bool(df.loc["batch", "default"]) is True
    assert df.loc["batch", "cpus_free"] == 12
    assert df.loc["batch", "cpus_total"] == 48
    assert df.loc["batch", "gpus_total"] == 4
    assert df.loc["batch", "mixed"] == 1
    assert df.loc["batch", "drained"] == 1
    assert df.loc["debug", "state"] == "inactive"  # enabled, not started
    assert nodes.loc["gpu01", "reason"] == "waiting for a new GPU board"
    assert nodes.loc["gpu01", "features"] == "gpu"
    assert nodes.loc["node01", "features"] == "compute,ib"
    assert nodes.loc["node01", "memory_total"] == 65536000 // 1024


class TestTorqueAPI:
    @pytest.fixture
    def jp_server_config(self, torque_replay: TorqueReplay) -> dict[str, object]:
        return {
            "ServerApp": {"jpserver_extensions": {"jupyterlab_hpc": True}},
            "HPCConfig": {"scheduler": "torque", "command_paths": torque_replay.command_paths},
        }

    async def test_torque_cluster_api(self, jp_fetch: Any, torque_replay: TorqueReplay) -> None:
        torque_replay.set_text("pbsnodes_a", TORQUE_NODES)
        torque_replay.set_text("qstat_Q_f", TORQUE_QUEUES)
        body = await get_json(jp_fetch, "cluster")
        assert body["kind"] == "torque"
        batch, debug = body["partitions"]
        assert batch["name"] == "batch"
        assert batch["limits"]["max_time"] is None  # the recorded queue sets no maximum
        assert debug["limits"]["max_time"] == 48 * 3600
        assert batch["gpus"] == {"total": 4, "free": None, "allocated": None, "unavailable": None}
        nodes = await get_json(jp_fetch, "cluster", "partitions", "debug", "nodes")
        assert [n["name"] for n in nodes["nodes"]] == ["node01", "gpu01"]
        argvs = [a[1:] for a in torque_replay.argvs()]
        assert ["-Q", "-f"] in argvs
        assert ["-a"] in argvs
