"""Pending jobs explained on Slurm (issue 19): real jobs on the real local Slurm that pend
for resources, for a dependency and held, through the REST API; what it asks of
slurmctld; the QOS limits from the real sacctmgr.

The local cluster (scripts/local-cluster) enforces QOS and association limits
(``AccountingStorageEnforce=associations,limits,qos``) and has four GPUs as GRES, so a job
over a QOS limit, one over its account's CPU minutes and one waiting for GPUs are real
here too; it runs priority/basic, so the priority rank is in test_pending_recorded.py, on
outputs recorded from a throwaway Slurm with priority/multifactor
(scripts/record-pending-fixtures).
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from jupyterlab_hpc.runner import CommandRunner
from jupyterlab_hpc.schedulers.slurm.scheduler import SlurmScheduler

from .conftest import Submitter, ensure_accounting
from .test_handlers import expect_error, get_json


@pytest.fixture
def jp_server_config(slurm: None) -> dict[str, object]:
    return {
        "ServerApp": {"jpserver_extensions": {"jupyterlab_hpc": True}},
        "HPCConfig": {
            "scheduler": "slurm",
            "poll_interval_floor": 0.5,
            "listing_cost_factor": 0.0,
            "pending_refresh_interval": 5.0,
        },
    }


def scontrol(job_id: str) -> dict[str, str]:
    out = subprocess.run(
        ["scontrol", "-o", "show", "job", job_id], capture_output=True, text=True, check=True
    ).stdout
    return dict(w.split("=", 1) for w in out.split() if "=" in w)


def node_cpus() -> int:
    out = subprocess.run(
        ["sinfo", "-h", "-p", "debug", "-o", "%c"], capture_output=True, text=True, check=True
    ).stdout
    return int(out.split()[0].rstrip("+"))


async def wait_for(what: str, check: Any, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while not (value := check()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(1)
    return value


async def explained(jp_fetch: Any, job_id: str) -> dict[str, Any]:
    body = await get_json(jp_fetch, "jobs", "pending", job=job_id)
    (one,) = body["jobs"]
    assert one["job_id"] == job_id
    return dict(one)


async def test_a_job_too_big_for_what_is_free_waits_for_resources_with_a_start(
    jp_fetch: Any, jp_web_app: Any, submit: Submitter
) -> None:
    cpus = node_cpus()
    # The shared cluster may be busy already; when it is idle, this takes 2 of its CPUs.
    blocker = submit.sbatch("-p", "debug", "-c", "2", "-t", "3", "--wrap", "sleep 170")
    await wait_for(
        "the blocker to be scheduled",
        lambda: (j := scontrol(blocker))["JobState"] == "RUNNING" or j["Reason"] != "None",
    )
    big = submit.sbatch("-p", "debug", "-c", str(cpus), "-t", "2", "--wrap", "true")
    await wait_for("a reason", lambda: scontrol(big)["Reason"] in ("Resources", "Priority"))
    one = await explained(jp_fetch, big)
    assert one["reason"] in ("Resources", "Priority")
    # The same shared cluster snapshot the explanation read (60 s between refreshes).
    free = (await get_json(jp_fetch, "cluster"))["partitions"][0]["cpus"]["free"]
    if free < cpus:
        verb = "is" if free == 1 else "are"
        assert one["summary"].endswith(f"for {cpus} CPUs on debug; {free} {verb} free now")
    else:
        # The summary (shared, up to a minute old) saw them free: said with its time.
        assert re.search(
            rf"for {cpus} CPUs on debug; {free} were free at \d\d:\d\d:\d\d$", one["summary"]
        )
    assert one["facts"] == {"partition": "debug", "cpus": cpus, "cpus_free": free}
    assert "fewer resources" in one["advice"] or "shorter time limit" in one["advice"]
    # The backfill scheduler gives it a start within its interval (30 s by default).
    start = await wait_for(
        "a StartTime", lambda: (s := scontrol(big)["StartTime"]) != "Unknown" and s, 70
    )
    await asyncio.sleep(5)  # pending_refresh_interval
    one = await explained(jp_fetch, big)
    assert one["expected_start"] == start
    assert jp_web_app.settings["jupyterlab_hpc"].pending.queries >= 2


async def test_a_dependency_and_a_held_job(jp_fetch: Any, submit: Submitter) -> None:
    first = submit.sbatch("-p", "debug", "-t", "2", "--hold", "--wrap", "true")
    second = submit.sbatch("-p", "debug", "-t", "2", "--hold", "--wrap", "true")
    dep = submit.sbatch(
        "-p", "debug", "-t", "2", f"--dependency=afterok:{first}:{second}", "--wrap", "true"
    )
    await wait_for("the dependency", lambda: scontrol(dep)["Reason"] == "Dependency")
    one = await explained(jp_fetch, dep)
    assert one["reason"] == "Dependency"
    assert one["summary"] == f"Waits for jobs {first} and {second}"
    assert one["facts"] == {"waits_for": [first, second]}
    assert one["expected_start"] is None
    held = await explained(jp_fetch, first)
    assert held["reason"] == "JobHeldUser"
    assert held["summary"] == "Held by you: it will not start until you release it"
    assert held["advice"].startswith("Release it")
    assert held["expected_start"] is None
    # Every one of the user's waiting jobs, without ?job=.
    listed = {j["job_id"] for j in (await get_json(jp_fetch, "jobs", "pending"))["jobs"]}
    assert {first, second, dep} <= listed


async def test_each_job_is_asked_about_once_per_interval(
    jp_fetch: Any, jp_web_app: Any, submit: Submitter
) -> None:
    ids = [submit.sbatch("-p", "debug", "-t", "2", "--hold", "--wrap", "true") for _ in range(3)]
    explainer = jp_web_app.settings["jupyterlab_hpc"].pending
    await wait_for(
        "the listing",
        lambda: {j for j in ids if scontrol(j)["Reason"] == "JobHeldUser"} == set(ids),
    )
    body = await get_json(jp_fetch, "jobs", "pending")
    assert set(ids) <= {j["job_id"] for j in body["jobs"]}
    asked = {j: explainer.asked[j] for j in ids}
    assert set(asked.values()) == {1}
    await asyncio.gather(*(get_json(jp_fetch, "jobs", "pending") for _ in range(5)))
    assert {j: explainer.asked[j] for j in ids} == asked  # within the interval: the cache
    await asyncio.sleep(5.2)
    await get_json(jp_fetch, "jobs", "pending")
    assert {j: explainer.asked[j] for j in ids} == dict.fromkeys(ids, 2)  # once more each
    # A job that left the queue is forgotten.
    subprocess.run(["scancel", ids[0]], check=True)
    await wait_for("the cancel", lambda: scontrol(ids[0])["JobState"] == "CANCELLED")
    await asyncio.sleep(0.6)
    body = await get_json(jp_fetch, "jobs", "pending")
    assert ids[0] not in {j["job_id"] for j in body["jobs"]}
    assert ids[0] not in explainer._facts


async def test_one_job_is_asked_about_alone_never_with_a_listing(
    jp_fetch: Any, jp_web_app: Any, submit: Submitter
) -> None:
    """The details tab's ``?job=``: the job's own scontrol, from the cache within the
    interval; another user's waiting job is not explained (its facts would say "you")."""
    services = jp_web_app.settings["jupyterlab_hpc"]
    mine = submit.sbatch("-p", "debug", "-t", "2", "--hold", "--wrap", "true")
    theirs = submit.sbatch("-p", "debug", "-t", "2", "--hold", "--wrap", "true", user="hpcdemo")
    listed_at = services.snapshot.fetched_at
    one = await explained(jp_fetch, mine)
    assert one["reason"] == "JobHeldUser"
    await explained(jp_fetch, mine)
    assert services.pending.asked[mine] == 1
    assert services.snapshot.fetched_at == listed_at  # no listing of the queue
    body = await get_json(jp_fetch, "jobs", "pending", job=theirs)
    assert body["jobs"] == []


async def test_a_job_that_is_not_waiting_and_a_bad_id(jp_fetch: Any, submit: Submitter) -> None:
    body = await get_json(jp_fetch, "jobs", "pending", job="999999999")
    assert body == {"jobs": [], "refresh_interval": 5.0}
    message = await expect_error(jp_fetch, 400, "jobs", "pending", params={"job": "1;ls"})
    assert "job" in message.lower()


@pytest.fixture
def test_qos(slurm: None) -> Iterator[str]:
    """A QOS with MaxJobsPerUser=1 made with sacctmgr, removed after."""
    name = f"hpctest{uuid.uuid4().hex[:8]}"
    subprocess.run(
        ["sacctmgr", "-i", "add", "qos", name, "MaxJobsPerUser=1", "GrpTRESMins=cpu=100"],
        capture_output=True,
        check=True,
    )
    yield name
    subprocess.run(["sacctmgr", "-i", "delete", "qos", name], capture_output=True, check=False)


async def test_the_qos_limits_from_the_real_sacctmgr(test_qos: str) -> None:
    limits = await SlurmScheduler(CommandRunner()).qos_limits()
    mine = limits[test_qos]
    assert mine.max_jobs_per_user == 1
    assert mine.grp_tres_mins == "cpu=100"
    assert "normal" in limits


async def test_priorities_are_hidden_on_priority_basic_and_not_asked_again(slurm: None) -> None:
    """The local slurmctld runs priority/basic: sprio says it is not supported; the rank
    is then not shown, and sprio is not run again."""
    sched = SlurmScheduler(CommandRunner())
    assert await sched.pending_priorities() is None
    assert sched._no_sprio
    assert await sched.pending_priorities() is None


def sacctmgr(*args: str, check: bool = True) -> None:
    subprocess.run(["sacctmgr", "-i", *args], capture_output=True, text=True, check=check)


@pytest.fixture
def enforced(slurm: None) -> None:
    """Limits enforced and GPUs on the node, as scripts/local-cluster configures them."""
    ensure_accounting()


@pytest.mark.usefixtures("enforced")
async def test_a_job_over_its_qos_limit_on_running_jobs(
    jp_fetch: Any, submit: Submitter, test_qos: str
) -> None:
    """A QOS with MaxJobsPerUser=1, made with sacctmgr and given to the user: the second
    job waits for the first, and says so with the real figures."""
    sacctmgr("modify", "user", "where", "name=root", "set", f"qos+={test_qos}")
    try:
        first = submit.sbatch("-p", "debug", f"--qos={test_qos}", "-t", "3", "--wrap", "sleep 170")
        await wait_for("the first to run", lambda: scontrol(first)["JobState"] == "RUNNING", 120)
        second = submit.sbatch("-p", "debug", f"--qos={test_qos}", "-t", "2", "--wrap", "true")
        await wait_for(
            "the QOS limit", lambda: scontrol(second)["Reason"] == "QOSMaxJobsPerUserLimit"
        )
        # As the queue panel asks: after a listing, every waiting job of the user's (the
        # count of running jobs comes from that listing).
        body = await get_json(jp_fetch, "jobs", "pending")
        (one,) = [j for j in body["jobs"] if j["job_id"] == second]
        assert one["reason"] == "QOSMaxJobsPerUserLimit"
        assert one["summary"] == f"You have 1 running in QOS {test_qos}, the limit is 1"
        assert one["facts"] == {"running": 1, "limit": 1, "qos": test_qos}
        assert one["advice"] == "It starts when some of your running jobs end."
    finally:
        submit.cleanup()
        sacctmgr("modify", "user", "where", "name=root", "set", f"qos-={test_qos}", check=False)


@pytest.fixture
def spent_account(slurm: None) -> Iterator[str]:
    """An account of root's whose CPU minutes are used up (GrpTRESMins=cpu=0), removed
    after."""
    name = f"spent{uuid.uuid4().hex[:8]}"
    sacctmgr("add", "account", name, "Cluster=local", "Description=test", "Organization=test")
    sacctmgr("add", "user", "root", f"Account={name}", "Cluster=local", "GrpTRESMins=cpu=0")
    yield name
    sacctmgr("delete", "user", "root", f"Account={name}", "Cluster=local", check=False)
    sacctmgr("delete", "account", name, check=False)


@pytest.mark.usefixtures("enforced")
async def test_a_job_whose_account_has_used_up_its_cpu_minutes(
    jp_fetch: Any, submit: Submitter, spent_account: str
) -> None:
    job = submit.sbatch("-p", "debug", "-A", spent_account, "-t", "2", "--wrap", "true")
    await wait_for(
        "the account limit", lambda: scontrol(job)["Reason"] == "AssocGrpCPUMinutesLimit"
    )
    one = await explained(jp_fetch, job)
    assert one["reason"] == "AssocGrpCPUMinutesLimit"
    assert one["summary"] == (
        "Your account's allocation of CPU minutes is used up (AssocGrpCPUMinutesLimit)"
    )
    assert one["advice"].startswith("Ask your project's PI or support for more")
    assert one["expected_start"] is None
    submit.cleanup()


@pytest.mark.usefixtures("enforced")
async def test_a_job_waiting_for_gpus_with_what_is_free(jp_fetch: Any, submit: Submitter) -> None:
    """The node's four GPUs (GRES): a job holds all of them, the next waits for two."""
    gpus = (await get_json(jp_fetch, "cluster"))["partitions"][0]["gpus"]
    assert gpus["total"] == 4
    holder = submit.sbatch("-p", "debug", "--gres=gpu:4", "-t", "3", "--wrap", "sleep 170")
    await wait_for("the holder to run", lambda: scontrol(holder)["JobState"] == "RUNNING", 120)
    waiting = submit.sbatch("-p", "debug", "--gres=gpu:2", "-t", "2", "--wrap", "true")
    await wait_for("a reason", lambda: scontrol(waiting)["Reason"] == "Resources")
    one = await explained(jp_fetch, waiting)
    assert one["reason"] == "Resources"
    free = (await get_json(jp_fetch, "cluster"))["partitions"][0]["gpus"]["free"]
    if free == 0:
        assert one["summary"] == "Waiting for 2 GPUs on debug; 0 are free now"
    else:
        # The shared summary (up to a minute old) was read before the holder ran.
        assert re.fullmatch(
            r"Waiting for 2 GPUs on debug; \d were free at \d\d:\d\d:\d\d", one["summary"]
        )
    assert one["facts"]["gpus"] == 2
    submit.cleanup()
