from __future__ import annotations

import pytest

from jupyterlab_hpc.schedulers.base import InvalidJobId, base_job_id, validate_job_id


@pytest.mark.parametrize(
    "job_id", ["1", "123", "123_4", "123_[1-3]", "123_[1,4-6]", "123_[1-10%2]", "77+1"]
)
def test_valid_ids(job_id: str) -> None:
    assert validate_job_id(job_id) == job_id


@pytest.mark.parametrize(
    "job_id",
    [
        "",
        "-h",
        "--uid=0",
        "1;rm",
        "$(touch /tmp/x)",
        "1 2",
        "abc",
        "1_",
        "1_[",
        "12\x00",
        "../1",
        "1" * 13,
        12,
        None,
        ["1"],
    ],
)
def test_invalid_ids(job_id: object) -> None:
    with pytest.raises(InvalidJobId, match="not a valid job id"):
        validate_job_id(job_id)


def test_base_job_id() -> None:
    assert base_job_id("123_[1-3]") == "123"
    assert base_job_id("123_4") == "123"
    assert base_job_id("77+1") == "77"
    assert base_job_id("9") == "9"
