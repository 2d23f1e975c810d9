"""Checks of submit options and scripts (pure; the API tests cover the answers)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jupyterlab_hpc.jobs.submit_checks import (
    request_to_options,
    resolve_workdir,
    validate_extra,
    validate_options,
    validate_script,
)
from jupyterlab_hpc.schedulers.base import InvalidOption


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "x" * 201),
        ("name", "two\nlines"),
        ("name", 3),
        ("partition", "-h"),
        ("partition", "a b"),
        ("partition", "$(id)"),
        ("account", "../x"),
        ("qos", "--uid=0"),
        ("nodes", 0),
        ("nodes", -1),
        ("nodes", True),
        ("nodes", 1.5),
        ("nodes", 10**30),
        ("ntasks", "4"),
        ("cpus", "2"),
        ("gpus", 0),
        ("memory", "4 GB"),
        ("memory", "0"),
        ("memory", "-1G"),
        ("time_limit", "1h"),
        ("time_limit", "1:99:00"),
        ("time_limit", "--x"),
        ("gres", "gpu:2;id"),
        ("gres", "-gpu"),
        ("array", "1-3 4"),
        ("array", "%2"),
        ("dependency", "afterok"),
        ("dependency", "afterok:1 afterok:2"),
        ("dependency", "-d"),
        ("mail_type", "END,SOMETIMES"),
        ("mail_user", "a b@example.org"),
        ("mail_user", "-x"),
        ("output", "a\x00b"),
        ("hold", "yes"),
        ("extra", "--x"),
        ("extra", [1]),
    ],
)
def test_bad_values_name_their_field(field: str, value: Any) -> None:
    with pytest.raises(InvalidOption) as info:
        validate_options({field: value})
    assert info.value.field == field
    assert info.value.message.endswith(".")


def test_good_values(tmp_path: Path) -> None:
    (tmp_path / "runs").mkdir()
    request = validate_options(
        {
            "name": "my job é",
            "partition": "debug,long",
            "account": "demo",
            "qos": "normal",
            "nodes": 1,
            "ntasks": 4,
            "cpus": 2,
            "memory": "4G",
            "time_limit": "1-12:00:00",
            "gpus": 1,
            "gres": "gpu:a100:2,mps:100",
            "array": "0-99:3%5",
            "dependency": "afterok:123:124_2,singleton",
            "workdir": "runs",
            "output": "%x-%j.out",
            "error": "",
            "mail_type": "end, fail",
            "mail_user": "me@example.org",
            "hold": True,
            "extra": ["--constraint=intel", " ", "-Cgpu"],
        },
        root_dir=str(tmp_path),
    )
    assert request.workdir == str(tmp_path / "runs")
    assert request.mail_type == "END,FAIL"
    assert request.error is None  # "" is "not set"
    assert request.extra == ["--constraint=intel", "-Cgpu"]
    assert request_to_options(request)["hold"] is True
    assert "error" not in request_to_options(request)
    assert validate_options({"time_limit": "90"}).time_limit == "90"
    assert validate_options(None).hold is False


def test_workdir(tmp_path: Path) -> None:
    assert resolve_workdir(None, str(tmp_path)) == str(tmp_path)
    assert resolve_workdir("", str(tmp_path)) == str(tmp_path)
    assert resolve_workdir(str(tmp_path), "/") == str(tmp_path)
    assert resolve_workdir("sub/..", str(tmp_path)) == str(tmp_path)
    (tmp_path / "file").write_text("x")
    for bad in ("missing", "file", "a\nb"):
        with pytest.raises(InvalidOption) as info:
            resolve_workdir(bad, str(tmp_path))
        assert info.value.field == "workdir"
    # Without a root folder (templates) the folder is not checked.
    assert validate_options({"workdir": "later"}).workdir == "later"


@pytest.mark.parametrize(
    "word",
    [
        "--parsable",
        "--pars",
        "--test-only",
        "--test",
        "--wrap=id",
        "--wait",
        "--uid=0",
        "--ui=0",
        "--gid=0",
        "--help",
        "--usage",
        "--version",
        "-h",
        "-u",
        "-V",
        "-W",
        "-vW",
        "-Hh",
        "plain",
        "-",
        "--",
    ],
)
def test_extra_options_that_would_break_submission(word: str) -> None:
    with pytest.raises(InvalidOption):
        validate_extra([word])


def test_extra_option_values_are_not_options() -> None:
    # After an option that takes a value, the rest of the word is that value.
    assert validate_extra(["-Jhelp", "-phigh", "--comment=--uid=0"]) == [
        "-Jhelp",
        "-phigh",
        "--comment=--uid=0",
    ]
    with pytest.raises(InvalidOption, match="At most"):
        validate_extra(["-v"] * 101)


def test_pbs_extra_options_follow_qsub_rules() -> None:
    """qsub's options, not sbatch's: -V, -W (umask, group_list), -u and -P are qsub's own
    (recordings 60-61 of the release: -W umask=022 and -V accepted), and a value may be
    the next word."""
    words = ["-V", "-Wumask=022", "-W", "group_list=physics", "-u", "alice", "-P", "proj"]
    assert validate_extra(words, "pbs") == words
    assert validate_extra(["-hV", "-lplace=scatter", "-j", "oe"], "pbs") == [
        "-hV",
        "-lplace=scatter",
        "-j",
        "oe",
    ]
    request = validate_options({"extra": ["-P", "proj"]}, kind="pbs")
    assert request.extra == ["-P", "proj"]


@pytest.mark.parametrize(
    ("words", "says"),
    [
        (["proj"], "-P myproject"),  # a lone word would be read as the script's path
        (["-P"], "-P needs a value"),
        (["-A", "-h"], "-A needs a value"),
        (["-I"], "interactive"),
        (["-IX"], "interactive"),
        (["-z"], "job's id"),
        (["--"], "as a command"),
        (["--help"], "not one of PBS's qsub options"),
        (["-W", "block=true"], "wait until the job ends"),
        (["-Wumask=022,block=True"], "wait until the job ends"),
    ],
)
def test_pbs_extra_options_that_would_break_submission(words: list[str], says: str) -> None:
    with pytest.raises(InvalidOption) as info:
        validate_extra(words, "pbs")
    assert info.value.field == "extra"
    assert says in info.value.message
    assert "--constraint" not in info.value.message  # no Slurm example on PBS


def test_torque_extra_options_follow_torques_qsub() -> None:
    """Torque's qsub: -P is "submit as another user" (proxy_username[:group], root and
    managers only), not a project; -x runs the script in an interactive job."""
    words = ["-V", "-W", "group_list=physics", "-u", "alice", "-d", "/tmp"]
    assert validate_extra(words, "torque") == words
    with pytest.raises(InvalidOption, match="another user"):
        validate_extra(["-P", "proj"], "torque")
    with pytest.raises(InvalidOption, match="interactive"):
        validate_extra(["-x"], "torque")


def test_unknown_option_and_shape() -> None:
    with pytest.raises(InvalidOption) as info:
        validate_options({"colour": "red"})
    assert info.value.field == "colour"
    with pytest.raises(InvalidOption) as info:
        validate_options(["partition"])
    assert info.value.field == "options"


@pytest.mark.parametrize(
    "script",
    ["", "   ", "echo hi", None, 3, "#!/bin/sh\n\x00", "#!/bin/sh\n" + "x" * (1024 * 1024)],
)
def test_bad_scripts(script: Any) -> None:
    with pytest.raises(InvalidOption) as info:
        validate_script(script)
    assert info.value.field == "script"


def test_lone_surrogate_script_is_refused() -> None:
    with pytest.raises(InvalidOption):
        validate_script("#!/bin/sh\n\udc80")
