"""The cluster view on Slurm (issue 19): the parsers on real recorded outputs, the shared
snapshot and the REST API against the real local Slurm, and the parser at 1,000 nodes.

The recordings (fixtures/cluster/slurm/, scripts/record-cluster-fixtures) come from a
throwaway Slurm of six nodes with a drained, a draining, a down, a reserved, a mixed and
an allocated node, GPUs as GRES, limits and access lists; the shared local cluster's one
node may not be drained or reserved while other tests use it.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from jupyterlab_hpc.cluster.service import ClusterSnapshot
from jupyterlab_hpc.runner import CommandRunner
from jupyterlab_hpc.schedulers.cluster import NODE_CATEGORIES
from jupyterlab_hpc.schedulers.slurm.cluster import (
    cluster_summary,
    gres_count,
    node_category,
    parse_partitions,
    parse_sinfo_nodes,
    partitions_argv,
    sinfo_nodes_argv,
)
from jupyterlab_hpc.schedulers.slurm.scheduler import SlurmScheduler

from .cluster_generated import generate
from .conftest import FIXTURES, Submitter
from .test_handlers import expect_error, get_json

RECORDED = FIXTURES / "cluster" / "slurm"


def recorded(name: str) -> str:
    return (RECORDED / f"{name}.stdout").read_text()


def states_summary() -> Any:
    return cluster_summary(recorded("states_sinfo_nodes"), recorded("states_scontrol_partitions"))


# ---------------------------------------------------------------------------
# Parsers, on recorded outputs


def test_recordings_used_the_backends_argv() -> None:
    """The fixtures were made with the argv the backend runs (any change: record again)."""
    assert json.loads((RECORDED / "states_sinfo_nodes.argv").read_text()) == sinfo_nodes_argv()
    argv = json.loads((RECORDED / "states_scontrol_partitions.argv").read_text())
    assert argv == partitions_argv()


def test_each_node_state_of_the_recording() -> None:
    summary = states_summary()
    nodes = {n: (i.state, i.raw_state) for n, i in summary.nodes.items()}
    assert nodes == {
        "g1": ("allocated", "allocated"),
        "g2": ("reserved", "reserved"),
        "n1": ("mixed", "mixed"),
        "n2": ("drained", "drained"),
        "n3": ("down", "down"),
        "n4": ("drained", "draining"),
    }
    n2 = summary.nodes["n2"]
    assert n2.reason == "fan failure, ticket 4711"
    assert n2.reason_since is not None
    assert n2.reason_since.startswith("20")
    assert summary.nodes["n3"].reason == "power supply failed"
    assert summary.nodes["n4"].reason == "kernel update"
    assert summary.nodes["n1"].reason == ""
    assert summary.nodes["n1"].reason_since is None
    assert summary.nodes["n1"].features == ("intel", "avx2")
    assert summary.nodes["g2"].features == ("amd", "gpu", "a100")
    assert summary.nodes["g2"].partitions == ("gpu", "chem")
    assert summary.nodes["n1"].partitions == ("cpu", "batch", "secret")


def test_gpus_as_gres_free_and_total() -> None:
    summary = states_summary()
    g1, g2 = summary.nodes["g1"], summary.nodes["g2"]
    assert (g1.gres, g1.gpus_total, g1.gpus_used) == ("gpu:2", 2, 1)
    assert (g2.gres, g2.gres_used, g2.gpus_total, g2.gpus_used) == (
        "gpu:a100:2",
        "gpu:a100:0(IDX:N/A)",
        2,
        0,
    )
    # n1 has no GRES: sinfo still prints "gpu:0" as used; it is not shown.
    assert (summary.nodes["n1"].gres, summary.nodes["n1"].gres_used) == ("", "")
    gpu = summary.partition("gpu")
    assert gpu is not None
    # g1 allocated (1 of 2 in use, the other cannot be had), g2 reserved: nothing free.
    assert gpu.gpus.to_dict() == {"total": 4, "free": 0, "allocated": 1, "unavailable": 3}


def test_partitions_by_state_with_resources() -> None:
    by_name = {p.name: p.to_dict() for p in states_summary().partitions}
    assert list(by_name) == ["cpu", "gpu", "chem", "batch", "old", "secret"]
    cpu = by_name["cpu"]
    assert cpu["default"] is True
    assert cpu["state"] == "up"
    assert cpu["nodes"] == 4
    assert cpu["node_states"] == {
        "idle": 0,
        "mixed": 1,
        "allocated": 0,
        "reserved": 0,
        "drained": 2,
        "down": 1,
        "other": 0,
    }
    # n1 mixed: 2 of 4 CPUs free; n4 draining: its 3 idle CPUs take no new job.
    assert cpu["cpus"] == {"total": 16, "free": 2, "allocated": 3, "unavailable": 11}
    assert cpu["memory"] == {"total": 8000, "free": 1500, "allocated": 600, "unavailable": 5900}
    gpu = by_name["gpu"]
    assert gpu["node_states"]["allocated"] == 1
    assert gpu["node_states"]["reserved"] == 1
    assert gpu["cpus"] == {"total": 8, "free": 0, "allocated": 4, "unavailable": 4}
    # A partition that takes no new jobs has nothing free, whatever its nodes have.
    assert by_name["batch"]["state"] == "drain"
    assert by_name["batch"]["cpus"]["free"] == 0
    assert by_name["old"]["state"] == "down"
    assert by_name["old"]["node_states"]["down"] == 1


def test_limits_and_who_may_use_each_partition() -> None:
    by_name = {p.name: p.to_dict() for p in states_summary().partitions}
    assert by_name["cpu"]["limits"] == {
        "max_time": 2 * 3600,
        "default_time": 30 * 60,
        "max_nodes": 2,
        "min_nodes": None,
        "max_cpus_per_node": None,
        "max_memory_per_node": None,
    }
    assert by_name["gpu"]["limits"]["max_time"] == 24 * 3600
    assert by_name["gpu"]["limits"]["max_cpus_per_node"] == 4
    assert by_name["chem"]["limits"]["max_time"] is None  # UNLIMITED
    assert by_name["chem"]["limits"]["default_time"] is None  # NONE
    assert by_name["chem"]["limits"]["min_nodes"] == 1
    assert by_name["chem"]["limits"]["max_memory_per_node"] == 1500
    assert by_name["batch"]["limits"]["max_time"] == 4 * 86400
    everyone = {
        "accounts": None,
        "groups": None,
        "qos": None,
        "users": None,
        "deny_accounts": [],
        "deny_qos": [],
    }
    assert by_name["cpu"]["access"] == everyone
    assert by_name["gpu"]["access"] == {**everyone, "groups": ["root", "hpcusers"]}
    assert by_name["chem"]["access"] == {**everyone, "accounts": ["chem", "physics"]}
    assert by_name["batch"]["access"] == {**everyone, "deny_accounts": ["guests"]}


def test_a_user_sees_only_the_partitions_open_to_them() -> None:
    """Recorded as a user who is not root: no hidden partition, none of another group's."""
    summary = cluster_summary(recorded("user_sinfo_nodes"), recorded("user_scontrol_partitions"))
    assert [p.name for p in summary.partitions] == ["cpu", "chem", "batch", "old"]
    assert "g1" not in summary.nodes  # only in gpu, which the user may not use
    root = cluster_summary(
        recorded("states_sinfo_all_nodes"), recorded("states_scontrol_all_partitions")
    )
    assert "secret" in [p.name for p in root.partitions]


def test_cluster_total_counts_each_node_once() -> None:
    total = states_summary().total.to_dict()
    assert total["nodes"] == 6
    assert total["cpus"]["total"] == 24
    assert total["gpus"]["total"] == 4
    assert sum(total["node_states"].values()) == 6


def test_an_idle_cluster() -> None:
    nodes, members = parse_sinfo_nodes(recorded("idle_sinfo_nodes"))
    assert {n.state for n in nodes.values() if n.name != "n3"} == {"idle"}
    # n3 has no slurmd: "unknown" until it registers (or is set down).
    assert (nodes["n3"].state, nodes["n3"].raw_state) == ("other", "unknown")
    assert members["cpu"] == ["n1", "n2", "n3", "n4"]


def test_the_shared_local_cluster_as_recorded() -> None:
    summary = cluster_summary(recorded("local_sinfo_nodes"), recorded("local_scontrol_partitions"))
    assert [(p.name, p.definition.default) for p in summary.partitions] == [
        ("debug", True),
        ("long", False),
    ]
    assert list(summary.nodes) == ["vm"]


@pytest.mark.parametrize(
    ("state", "category"),
    [
        ("idle", "idle"),
        ("idle~", "idle"),  # powered off by power saving: resumes for a job
        ("idle#", "idle"),
        ("idle*", "down"),  # not responding
        ("mixed", "mixed"),
        ("mixed-", "mixed"),  # planned by the backfill scheduler
        ("allocated", "allocated"),
        ("allocated+", "allocated"),
        ("completing", "allocated"),
        ("drained", "drained"),
        ("drained*", "drained"),  # the admin's reason says more than "not responding"
        ("draining", "drained"),
        ("down", "down"),
        ("down*", "down"),
        ("fail", "down"),
        ("failing", "down"),
        ("inval", "down"),
        ("reserved", "reserved"),
        ("maint", "reserved"),
        ("idle$", "reserved"),  # in a maintenance reservation
        ("future", "other"),
        ("unknown", "other"),
        ("planned", "other"),
        ("reboot^", "other"),
        ("powered_down", "other"),
        ("", "other"),
    ],
)
def test_node_categories(state: str, category: str) -> None:
    assert node_category(state) == category
    assert category in NODE_CATEGORIES


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("gpu:2", 2),
        ("gpu:a100:2", 2),
        ("gpu:a100:0(IDX:N/A)", 0),
        ("gpu:1", 1),
        ("gpu:a100:4(S:0-1)", 4),
        ("gpu:a100:2(S:0),gpu:v100:1(S:1)", 3),
        ("gpu:a100:1(IDX:0,2-3),mps:200", 1),
        ("shard:8,gpu:2", 2),
        ("(null)", 0),
        ("", 0),
        ("gpu", 0),
        ("gpu:1K", 1024),
    ],
)
def test_gres_counts(text: str, count: int) -> None:
    assert gres_count(text) == count


def test_lines_cut_short_are_left_out() -> None:
    text = recorded("states_sinfo_nodes")
    cut = text[: text.index("\n", 10) + 20]  # one whole line, then part of the next
    nodes, _ = parse_sinfo_nodes(cut)
    assert list(nodes) == ["g1"]
    assert parse_partitions("") == []
    empty = cluster_summary("", "")
    assert empty.partitions == []
    assert empty.total.to_dict()["nodes"] == 0


def test_a_partition_created_between_the_two_calls_is_kept() -> None:
    """sinfo lists a partition scontrol did not (created in between): kept, no limits."""
    summary = cluster_summary(recorded("states_sinfo_nodes"), "")
    assert [p.name for p in summary.partitions] == ["gpu", "chem", "cpu", "batch", "secret", "old"]
    assert summary.partition("gpu") is not None


def test_a_thousand_nodes_in_twenty_partitions() -> None:
    """The figure for docs/architecture.md: the parser and the summary at 1,000 nodes."""
    sinfo, scontrol = generate(1000, 20)
    start = time.perf_counter()
    summary = cluster_summary(sinfo, scontrol)
    body = json.dumps(summary.to_dict())
    took = time.perf_counter() - start
    assert len(summary.nodes) == 1000
    assert len(summary.partitions) == 20
    assert summary.total.to_dict()["nodes"] == 1000
    assert sum(p.to_dict()["nodes"] for p in summary.partitions) == 1200  # 200 serve two
    assert took < 1.0
    print(
        f"1,000 nodes in 20 partitions: {len(sinfo.splitlines())} sinfo lines "
        f"({len(sinfo) // 1024} KiB) parsed and summed up in {took * 1000:.0f} ms; "
        f"GET cluster body {len(body) // 1024} KiB"
    )


# ---------------------------------------------------------------------------
# The shared snapshot, on the real local Slurm


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.usefixtures("slurm")
async def test_one_refresh_per_interval_whatever_the_number_of_requests() -> None:
    clock = Clock()
    snapshot = ClusterSnapshot(SlurmScheduler(CommandRunner()), 60.0, monotonic=clock)
    await asyncio.gather(*(snapshot.refresh() for _ in range(20)))  # 20 tabs at once
    assert snapshot.refreshes == 1
    first = snapshot.version
    for _ in range(10):
        clock.now += 5
        await snapshot.refresh()
    assert snapshot.refreshes == 1  # 50 s later: still the same answer
    clock.now += 11
    await snapshot.refresh()
    assert snapshot.refreshes == 2
    # The version changes only when the summary does (the shared node's memory and CPUs
    # may change between the two; then it is one more).
    assert snapshot.version in (first, first + 1)
    body = json.loads(snapshot.body())
    assert body["unchanged"] is False
    assert [p["name"] for p in body["partitions"]] == ["debug", "long"]
    unchanged = json.loads(snapshot.body(snapshot.version))
    assert unchanged["unchanged"] is True
    assert unchanged["version"] == snapshot.version
    assert "partitions" not in unchanged
    assert unchanged["status"]["ok"] is True


@pytest.mark.usefixtures("slurm")
async def test_the_last_good_summary_stays_while_slurm_does_not_answer(tmp_path: Path) -> None:
    clock = Clock()
    scheduler = SlurmScheduler(CommandRunner(timeout=15))
    snapshot = ClusterSnapshot(scheduler, 60.0, monotonic=clock)
    await snapshot.refresh()
    good = snapshot.summary
    assert good is not None
    assert snapshot.error is None
    # slurmctld "moves" to a port where nothing listens (a copy of slurm.conf for the
    # client commands only; the shared cluster is not touched).
    conf = Path("/etc/slurm/slurm.conf").read_text()
    dead = tmp_path / "slurm.conf"
    dead.write_text(conf.replace("ClusterName=local", "ClusterName=local\nSlurmctldPort=9"))
    scheduler.env["SLURM_CONF"] = str(dead)
    clock.now += 61
    await snapshot.refresh()
    assert snapshot.summary is good
    assert snapshot.error is not None
    assert "Unable to contact slurm controller" in snapshot.error
    status = json.loads(snapshot.body())["status"]
    assert status["ok"] is False
    assert status["error_since"] is not None
    del scheduler.env["SLURM_CONF"]
    clock.now += 61
    await snapshot.refresh()
    assert snapshot.error is None
    assert json.loads(snapshot.body())["status"]["ok"] is True


# ---------------------------------------------------------------------------
# The REST API, on the real local Slurm


@pytest.fixture
def jp_server_config(slurm: None) -> dict[str, object]:
    return {
        "ServerApp": {"jpserver_extensions": {"jupyterlab_hpc": True}},
        "HPCConfig": {"scheduler": "slurm", "cluster_refresh_interval": 60.0},
    }


def scontrol_node(name: str) -> dict[str, str]:
    out = subprocess.run(
        ["scontrol", "-o", "show", "node", name], capture_output=True, text=True, check=True
    ).stdout
    return dict(w.split("=", 1) for w in out.split() if "=" in w)


async def test_get_cluster_on_the_local_slurm(jp_fetch: Any) -> None:
    body = await get_json(jp_fetch, "cluster")
    assert body["kind"] == "slurm"
    assert body["refresh_interval"] == 60.0
    assert body["status"]["ok"] is True
    parts = {p["name"]: p for p in body["partitions"]}
    assert list(parts) == ["debug", "long"]  # scripts/local-cluster's slurm.conf
    debug, long = parts["debug"], parts["long"]
    assert debug["default"] is True
    assert long["default"] is False
    assert debug["limits"]["max_time"] == 3600
    assert debug["limits"]["default_time"] == 600
    assert long["limits"]["max_time"] == 7 * 86400
    assert long["limits"]["default_time"] == 3600
    node = scontrol_node("vm")
    for p in (debug, long):
        assert p["nodes"] == 1
        assert p["cpus"]["total"] == int(node["CPUTot"])
        assert p["memory"]["total"] == int(node["RealMemory"])
        for resource in ("cpus", "memory", "gpus"):
            r = p[resource]
            assert r["free"] + r["allocated"] + r["unavailable"] == r["total"]
    assert body["total"]["nodes"] == 1  # the node serves both partitions, counted once


async def test_the_nodes_of_a_partition_with_a_running_job(
    jp_fetch: Any, submit: Submitter
) -> None:
    job = submit.sbatch("-p", "debug", "-c", "2", "-t", "2", "--wrap", "sleep 60")
    deadline = time.monotonic() + 30
    while (
        subprocess.run(
            ["squeue", "-h", "-j", job, "-o", "%T"], capture_output=True, text=True, check=False
        ).stdout.strip()
        != "RUNNING"
    ):
        assert time.monotonic() < deadline, "the job did not start"
        await asyncio.sleep(0.5)
    body = await get_json(jp_fetch, "cluster", "partitions", "debug", "nodes")
    assert body["partition"] == "debug"
    (vm,) = body["nodes"]
    assert vm["name"] == "vm"
    assert vm["state"] in ("mixed", "allocated")
    assert vm["cpus_allocated"] >= 2
    assert vm["partitions"] == ["debug", "long"]
    assert body["version"] == (await get_json(jp_fetch, "cluster"))["version"]


async def test_requests_share_one_refresh(jp_fetch: Any, jp_web_app: Any) -> None:
    snapshot = jp_web_app.settings["jupyterlab_hpc"].cluster
    first = await get_json(jp_fetch, "cluster")
    await asyncio.gather(*(get_json(jp_fetch, "cluster") for _ in range(10)))
    await get_json(jp_fetch, "cluster", "partitions", "long", "nodes")
    assert snapshot.refreshes == 1
    again = await get_json(jp_fetch, "cluster", since=str(first["version"]))
    assert again["unchanged"] is True
    assert "partitions" not in again
    stale = await get_json(jp_fetch, "cluster", since="1")
    assert stale["unchanged"] is False
    assert stale["partitions"] == first["partitions"]


@pytest.mark.parametrize("name", ["-h", "a b", "x" * 65, "debug\n", "..", "déjà", "$(id)"])
async def test_bad_partition_names_are_refused(jp_fetch: Any, name: str) -> None:
    from urllib.parse import quote

    message = await expect_error(
        jp_fetch, 400, "cluster", "partitions", quote(name, safe=""), "nodes"
    )
    assert "partition name" in message


async def test_unknown_partition_and_bad_since(jp_fetch: Any) -> None:
    message = await expect_error(jp_fetch, 404, "cluster", "partitions", "nosuch", "nodes")
    assert "nosuch" in message
    await expect_error(jp_fetch, 400, "cluster", params={"since": "x1"})


# ---------------------------------------------------------------------------
# %cluster, on the real local Slurm


@pytest.mark.usefixtures("slurm")
def test_cluster_magic_on_the_local_slurm() -> None:
    import pandas as pd

    from .magic_shell import run, run_failing, shell_with_magics

    ip = shell_with_magics()
    df = run(ip, "%cluster")
    assert isinstance(df, pd.DataFrame)
    assert list(df["partition"]) == ["debug", "long"]
    debug = df.set_index("partition").loc["debug"]
    assert bool(debug["default"]) is True
    assert debug["max_time"] == pd.Timedelta(hours=1)
    assert debug["default_time"] == pd.Timedelta(minutes=10)
    assert debug["cpus_total"] == int(scontrol_node("vm")["CPUTot"])
    assert debug["nodes"] == 1
    assert pd.isna(debug["allow_accounts"])  # everyone
    nodes = run(ip, "%cluster -n long")
    assert list(nodes["node"]) == ["vm"]
    assert nodes.loc[0, "partitions"] == "debug,long"
    assert "no partition 'nosuch'" in str(run_failing(ip, "%cluster -n nosuch"))
    assert "%cluster" in str(run_failing(ip, "%cluster --bogus"))


def test_the_frontends_fixture_is_what_the_parser_makes_of_the_recording() -> None:
    """src/__tests__/clusterRecorded.json (the jest tests' answer) is this parser's output
    of the recorded cluster; regenerate it with tests.cluster_generated.recorded_answer."""
    from .cluster_generated import recorded_answer

    path = Path(__file__).resolve().parents[2] / "src" / "__tests__" / "clusterRecorded.json"
    assert json.loads(path.read_text()) == recorded_answer()


# ---------------------------------------------------------------------------
# When there is no summary to give


@pytest.mark.usefixtures("slurm")
async def test_a_backend_without_a_cluster_summary_is_asked_once() -> None:
    """The interface's default (a batch system not taught the cluster view yet)."""
    from jupyterlab_hpc.schedulers.base import Scheduler

    class WithoutCluster(SlurmScheduler):
        cluster = Scheduler.cluster

    clock = Clock()
    snapshot = ClusterSnapshot(WithoutCluster(CommandRunner()), 60.0, monotonic=clock)
    await snapshot.refresh()
    assert snapshot.unsupported == "The cluster view is not supported on slurm yet."
    clock.now += 3600
    await snapshot.refresh()
    assert snapshot.refreshes == 1


class TestSlurmNeverAnswered:
    @pytest.fixture
    def dead_controller(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """The server's Slurm commands read a copy of slurm.conf whose slurmctld port has
        no listener (the shared cluster is not touched)."""
        conf = Path("/etc/slurm/slurm.conf").read_text()
        dead = tmp_path / "slurm.conf"
        dead.write_text(conf.replace("ClusterName=local", "ClusterName=local\nSlurmctldPort=9"))
        monkeypatch.setenv("SLURM_CONF", str(dead))

    @pytest.fixture
    def jp_server_config(self, slurm: None, dead_controller: None) -> dict[str, object]:
        return {
            "ServerApp": {"jpserver_extensions": {"jupyterlab_hpc": True}},
            "HPCConfig": {"scheduler": "slurm", "command_timeout": 20.0},
        }

    async def test_503_with_slurms_words(self, jp_fetch: Any) -> None:
        message = await expect_error(jp_fetch, 503, "cluster")
        assert message.startswith("The batch system did not answer: ")
        assert "Unable to contact slurm controller" in message
        await expect_error(jp_fetch, 503, "cluster", "partitions", "debug", "nodes")
