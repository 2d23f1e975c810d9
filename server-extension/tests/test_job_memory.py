"""The jobs' output paths kept between server runs (jobs.memory.JobMemory with a file)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from jupyterlab_hpc.jobs.memory import PERSISTED_JOBS, JobMemory
from jupyterlab_hpc.schedulers.base import Job, JobState


def job(job_id: str, user: str = "alice", state: JobState = JobState.RUNNING) -> Job:
    return Job(
        id=job_id,
        name="j",
        user=user,
        state=state,
        raw_state=state.value,
        stdout_path=f"/home/{user}/out.{job_id}",
        stderr_path=f"/home/{user}/err.{job_id}",
    )


def test_the_owners_jobs_outlive_the_server(tmp_path: Path) -> None:
    file = tmp_path / "data" / "jupyterlab-hpc" / "job-paths.json"
    first = JobMemory(file=file, owner="alice")
    first.remember("1", job("1", state=JobState.COMPLETED))
    first.remember("2", job("2", user="bob"))  # not alice's: never written
    first.remember("3", Job(id="3", name="j", user="alice", state=JobState.PENDING, raw_state=""))
    first.save()
    assert oct(file.stat().st_mode & 0o777) == "0o600"
    later = JobMemory(file=file, owner="alice")
    known = later.get("1")
    assert known is not None
    assert (known.user, known.stdout_path, known.final) == ("alice", "/home/alice/out.1", True)
    assert later.get("2") is None
    assert later.get("3") is None  # no paths: nothing to keep
    # Someone else's file in the same place is not read as theirs.
    assert JobMemory(file=file, owner="bob").get("1") is None


def test_saves_only_what_changed_and_keeps_the_other_servers_jobs(tmp_path: Path) -> None:
    file = tmp_path / "job-paths.json"
    a = JobMemory(file=file, owner="alice")
    b = JobMemory(file=file, owner="alice")  # a second login node, same home folder
    a.remember("1", job("1"))
    a.save()
    mtime = file.stat().st_mtime_ns
    a.remember("1", job("1"))  # the same record again (a detail refreshed)
    a.save()
    assert file.stat().st_mtime_ns == mtime
    b.remember("2", job("2"))
    b.save()
    merged = JobMemory(file=file, owner="alice")
    assert merged.get("1") is not None
    assert merged.get("2") is not None
    a.remember("1", job("1", state=JobState.COMPLETED))  # now final: written again
    a.save()
    known = JobMemory(file=file, owner="alice").get("1")
    assert known is not None
    assert known.final


def test_keeps_the_most_recent_jobs(tmp_path: Path) -> None:
    file = tmp_path / "job-paths.json"
    memory = JobMemory(file=file, owner="alice")
    for n in range(PERSISTED_JOBS + 10):
        memory.remember(str(n), job(str(n)))
    memory.save()
    jobs = json.loads(file.read_text())["jobs"]
    assert len(jobs) == PERSISTED_JOBS
    assert "9" not in jobs
    assert str(PERSISTED_JOBS + 9) in jobs


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        "[]",
        '{"version": 2, "user": "alice", "jobs": {}}',
        '{"version": 1, "user": "alice", "jobs": []}',
    ],
)
def test_an_unusable_file_is_ignored(
    tmp_path: Path, content: str, caplog: pytest.LogCaptureFixture
) -> None:
    file = tmp_path / "job-paths.json"
    file.write_text(content)
    with caplog.at_level(logging.WARNING):
        memory = JobMemory(file=file, owner="alice")
    assert len(memory) == 0
    memory.remember("1", job("1"))
    memory.save()  # replaced by a good one
    assert JobMemory(file=file, owner="alice").get("1") is not None


def test_bad_entries_are_left_out(tmp_path: Path) -> None:
    file = tmp_path / "job-paths.json"
    entries = {
        "good": ["/home/alice/o", "", False],
        "relative": ["o.txt", "", False],
        "nul": ["/home/alice/o\u0000x", "", False],
        "no paths": ["", "", True],
        "short": ["/home/alice/o"],
        "final not bool": ["/home/alice/o", "", "yes"],
        "x" * 201: ["/home/alice/o", "", False],
    }
    file.write_text(json.dumps({"version": 1, "user": "alice", "jobs": entries}))
    memory = JobMemory(file=file, owner="alice")
    assert len(memory) == 1
    assert memory.get("good") is not None


def test_a_failed_write_keeps_the_old_file_and_the_memory(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A name the file system takes but not with write_atomic's temporary-file prefix and
    # suffix around it (NAME_MAX 255): the write fails even for root.
    file = tmp_path / ("j" * 250)
    old = json.dumps({"version": 1, "user": "alice", "jobs": {"1": ["/o", "", False]}})
    file.write_text(old)
    memory = JobMemory(file=file, owner="alice")
    memory.remember("2", job("2"))
    with caplog.at_level(logging.WARNING):
        memory.save()
    assert "could not save the jobs' output paths" in caplog.text
    assert file.read_text() == old
    assert memory.get("1") is not None
    assert memory.get("2") is not None
