"""The hub's queue service (jupyterlab_hpc.hubqueue) under a real JupyterHub, on the real
local Slurm, with the hub test users' tokens (scripts/hub-users): one listing serves
every user, privacy, refusals, and the user server's fallback to its own listing."""

from __future__ import annotations

import asyncio
import os
import pwd
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from jupyterlab_hpc.config import HPCConfig
from jupyterlab_hpc.hubqueue.privacy import Privacy, private_data_hides_jobs
from jupyterlab_hpc.jobs.hub_source import HubQueueSource
from jupyterlab_hpc.jobs.queue import QueueSnapshot
from jupyterlab_hpc.runner import CommandRunner
from jupyterlab_hpc.schedulers.base import COLUMN_INDEX
from jupyterlab_hpc.schedulers.slurm.scheduler import SlurmScheduler
from jupyterlab_hpc.services import HPCServices

from .conftest import TEST_BIN, Submitter
from .hub_process import PRIVATE, QUEUE, Hub, http
from .pbs_replay import replay as pbs_replay
from .pbs_replay.fixtures import REPLAY_BIN as PBS_BIN
from .replay_state import write_state
from .torque_replay import replay as torque_replay
from .torque_replay.fixtures import REPLAY_BIN as TORQUE_BIN

USER = COLUMN_INDEX["user"]
SCOPES = [f"access:services!service={QUEUE}", f"access:services!service={PRIVATE}"]


def _users_exist() -> None:
    for user in ("hubalice", "hubbob"):
        try:
            pwd.getpwnam(user)
        except KeyError:
            pytest.fail(f"{user} does not exist: run scripts/hub-users")


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    _users_exist()
    if os.geteuid() != 0:
        pytest.fail("the hub tests run as root, as a site's hub does")
    state = tmp_path_factory.mktemp("hub")
    state.chmod(0o700)
    h = Hub(state, ["--HubQueue.interval=30"])
    try:
        h.start()
    except Exception:
        print((state / "hub.log").read_text()[-5000:])
        h.stop()
        raise
    yield h
    h.stop()


@pytest.fixture(scope="module")
def tokens(hub: Hub) -> dict[str, str]:
    return {user: hub.token(user, SCOPES) for user in ("hubalice", "hubbob")}


@pytest.fixture
def both_users_jobs(slurm: None) -> Iterator[dict[str, str]]:
    s = Submitter("jupyterlab-hpc-test-hubqueue")
    jobs = {
        user: s.sbatch("-H", "--wrap", "sleep 1", "-J", f"hubqueue-{user}", user=user)
        for user in ("hubalice", "hubbob")
    }
    yield jobs
    s.cleanup()


def _source(url: str, token: str, **kw: float) -> HubQueueSource:
    return HubQueueSource(url, token, SlurmScheduler(CommandRunner()), **kw)


async def test_two_users_are_served_from_one_listing(
    hub: Hub, tokens: dict[str, str], both_users_jobs: dict[str, str]
) -> None:
    _, before = http(f"{hub.queue_url}health")
    alice = _source(hub.queue_url, tokens["hubalice"])
    bob = _source(hub.queue_url, tokens["hubbob"])
    a, b = await asyncio.gather(alice.fetch(), bob.fetch())
    a2 = await alice.fetch()  # again, within the interval: the same listing, unchanged
    _, after = http(f"{hub.queue_url}health")
    assert (alice.origin, bob.origin) == ("hub", "hub")
    assert a.rows == b.rows
    assert a2.rows is a.rows
    # Not private on this cluster (PrivateData is not set): everyone's jobs, both users'.
    assert alice.private is False
    ids = {r[0] for r in a.rows}
    assert set(both_users_jobs.values()) <= ids
    # At most one listing for both users' three requests (none if a fresh one was there).
    assert after["listings"] - before["listings"] <= 1
    assert a.min_interval >= 30.0


async def test_tokens_are_verified_by_the_hub(hub: Hub) -> None:
    status, body = http(f"{hub.queue_url}jobs")
    assert status == 401
    assert "Authorization: token" in body["message"]
    status, body = http(f"{hub.queue_url}jobs", "not-a-token-the-hub-made")
    assert status == 403
    assert "does not know this token" in body["message"]
    # A real token of hubalice's, without the service's access scope.
    other = hub.token("hubalice", ["read:users:activity!user"])
    status, body = http(f"{hub.queue_url}jobs", other)
    assert status == 403
    assert "access scope" in body["message"]
    # The hub's own admin service token is not a user's.
    status, body = http(f"{hub.queue_url}jobs", hub.admin_token)
    assert status == 403


async def test_private_jobs_each_user_gets_their_own(
    hub: Hub, tokens: dict[str, str], both_users_jobs: dict[str, str]
) -> None:
    hub.start_private(["--HubQueue.private_jobs=yes", "--HPCConfig.scheduler=slurm"])
    try:
        for user in ("hubalice", "hubbob"):
            source = _source(hub.private_url, tokens[user])
            listing = await source.fetch()
            assert source.origin == "hub"
            assert source.private is True
            assert {r[USER] for r in listing.rows} == {user}
            assert both_users_jobs[user] in {r[0] for r in listing.rows}
    finally:
        hub.stop_private()


def test_private_data_is_read_from_scontrol_show_config() -> None:
    assert private_data_hides_jobs("Prolog = (null)\nPrivateData             = jobs,usage\n")
    assert private_data_hides_jobs("PrivateData = all\n")
    assert not private_data_hides_jobs("PrivateData             = usage,users\n")
    assert not private_data_hides_jobs("PrivateData             = none\n")
    assert not private_data_hides_jobs("PrivateDataX = jobs\n")


async def test_a_server_lists_itself_while_the_service_is_down(
    hub: Hub, tokens: dict[str, str], both_users_jobs: dict[str, str]
) -> None:
    hub.start_private([])
    runner = CommandRunner()
    source = HubQueueSource(
        hub.private_url, tokens["hubalice"], SlurmScheduler(runner), retry_after=0.0
    )
    snapshot = QueueSnapshot(SlurmScheduler(runner), floor=0.5, source=source)
    await snapshot.refresh()
    status = snapshot.status()
    assert status["source"] == "hub"
    assert status["ok"]
    assert runner.calls.get("squeue", 0) == 0
    hub.stop_private()
    snapshot.invalidate()
    await snapshot.refresh()
    status = snapshot.status()
    assert status["source"] == "scheduler"
    assert status["ok"]
    assert status["hub_service"] is True
    assert "cannot be reached" in status["source_error"]
    assert runner.calls["squeue"] == 1
    assert set(both_users_jobs.values()) <= {r[0] for r in snapshot.rows}
    # Back again: the next listing comes from the service.
    hub.start_private([])
    snapshot.invalidate()
    await snapshot.refresh()
    assert snapshot.status()["source"] == "hub"
    assert runner.calls["squeue"] == 1
    hub.stop_private()
    # By default a server that found the service down lists by itself for a while
    # (RETRY_AFTER) rather than try it on every listing.
    patient = HubQueueSource(hub.private_url, tokens["hubalice"], SlurmScheduler(runner))
    await patient.fetch()
    assert patient.origin == "scheduler"
    hub.start_private([])
    try:
        await patient.fetch()
        assert patient.origin == "scheduler"
        assert runner.calls["squeue"] == 3
    finally:
        hub.stop_private()


async def test_unknown_privacy_is_private() -> None:
    """While the batch system's setting cannot be read, each user gets only their jobs."""
    runner = CommandRunner({"scontrol": str(TEST_BIN / "squeue-down")})
    privacy = Privacy("auto", SlurmScheduler(runner), runner, recheck=600)
    assert await privacy.jobs_private() is True
    assert await Privacy("no", SlurmScheduler(runner), runner, 600).jobs_private() is False


async def test_the_hubs_variable_makes_the_server_read_the_service(
    hub: Hub, tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JUPYTERLAB_HPC_QUEUE_SERVICE_URL", hub.queue_url)
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", tokens["hubbob"])
    services = HPCServices(HPCConfig(scheduler="slurm"), root_dir=str(Path.cwd()))
    assert services.snapshot is not None
    await services.snapshot.refresh()
    status = services.snapshot.status()
    assert status["source"] == "hub"
    assert status["ok"]
    assert services.runner.calls.get("squeue", 0) == 0
    # How old the service's data is, not when this server got it; clients need not ask
    # more often than the service lists (its interval, 30 s here).
    assert status["fetched_at"] <= status["now"]
    assert status["min_interval"] >= 30
    # Fetching from the service costs the scheduler nothing: the cost factor that spaces
    # this server's own listings does not apply (its data would get older for nothing).
    assert status["listing_seconds"] == 0.0
    assert services.snapshot.min_interval == services.config.poll_interval_floor
    monkeypatch.delenv("JUPYTERHUB_API_TOKEN")
    plain = HPCServices(HPCConfig(scheduler="slurm"), root_dir=str(Path.cwd()))
    assert plain.snapshot is not None
    assert plain.snapshot.source is None


def _stand_in_config(tmp_path: Path, kind: str, bin_dir: Path, names: Iterable[str]) -> str:
    paths = {name: str(bin_dir / name) for name in names}
    config = tmp_path / f"hpc_queue_{kind}.py"
    config.write_text(f"c.HPCConfig.scheduler = {kind!r}\nc.HPCConfig.command_paths = {paths!r}\n")
    return f"--config={config}"


async def _users_rows(hub: Hub, tokens: dict[str, str]) -> dict[str, tuple[bool, set[str]]]:
    """Each user's listing from the service the tests run: private?, the rows' owners."""
    out = {}
    for user in ("hubalice", "hubbob"):
        source = _source(hub.private_url, tokens[user])
        listing = await source.fetch()
        assert source.origin == "hub", source.hub_error
        out[user] = (bool(source.private), {r[USER] for r in listing.rows})
    return out


@pytest.mark.parametrize("query_other_jobs", [False, True])
async def test_torque_query_other_jobs_off_serves_each_user_their_own(
    hub: Hub, tokens: dict[str, str], tmp_path: Path, query_other_jobs: bool
) -> None:
    # The service lists as one of Torque's managers, who sees every job.
    state = torque_replay.initial_state("hubalice", "hubbob")
    state["manager"] = True
    state["query_other_jobs"] = query_other_jobs
    path = tmp_path / "torque-state.json"
    write_state(path, state)
    config = _stand_in_config(tmp_path, "torque", TORQUE_BIN, torque_replay.COMMANDS)
    hub.start_private([config], {torque_replay.STATE_ENV: str(path)})
    try:
        seen = await _users_rows(hub, tokens)
    finally:
        hub.stop_private()
    if query_other_jobs:
        assert seen == {u: (False, {"hubalice", "hubbob"}) for u in ("hubalice", "hubbob")}
    else:
        assert seen == {u: (True, {u}) for u in ("hubalice", "hubbob")}


async def test_pbs_query_other_jobs_off_serves_each_user_their_own(
    hub: Hub, tokens: dict[str, str], tmp_path: Path
) -> None:
    state = pbs_replay.initial_state("hubalice", "hubbob")
    state["server_attrs"]["query_other_jobs"] = "False"
    path = tmp_path / "pbs-state.json"
    write_state(path, state)
    config = _stand_in_config(tmp_path, "pbs", PBS_BIN, pbs_replay.COMMANDS)
    hub.start_private([config], {pbs_replay.STATE_ENV: str(path)})
    try:
        seen = await _users_rows(hub, tokens)
    finally:
        hub.stop_private()
    assert seen == {u: (True, {u}) for u in ("hubalice", "hubbob")}
