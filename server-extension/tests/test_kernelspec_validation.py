"""Pure checks of kernel.json documents and the file writer, without a server."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from jupyterlab_hpc.kernels.files import read_versioned, save_spec_file, spec_text
from jupyterlab_hpc.kernels.validation import (
    SERVER_PYTHON_NAMES,
    InvalidName,
    bare_python_matters,
    env_references,
    spec_problems,
    spec_warnings,
    validate_name,
)

GOOD = {"argv": ["/usr/bin/python3", "-f", "{connection_file}"], "display_name": "Py"}


@pytest.mark.parametrize("name", ["python3", "my-env_2.1", "a", "0"])
def test_good_names(name: str) -> None:
    assert validate_name(name) == name


@pytest.mark.parametrize("name", ["", ".", "..", "../x", "A", "a b", "a/b", "x" * 101, None, 3])
def test_bad_names(name: object) -> None:
    with pytest.raises(InvalidName):
        validate_name(name)


def test_a_good_spec_has_no_problems() -> None:
    assert spec_problems(GOOD) == []
    assert spec_problems({**GOOD, "env": {"A_1": "x"}, "metadata": {}, "language": "python"}) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"argv": []}, "argv"),
        ({"argv": "python -f {connection_file}"}, "argv"),
        ({"argv": ["python", 3, "{connection_file}"]}, "argv"),
        ({"argv": ["python", "-f", "conn.json"]}, "argv"),
        ({"argv": ["", "{connection_file}"]}, "argv"),
        ({"display_name": ""}, "display_name"),
        ({"language": 3}, "language"),
        ({"interrupt_mode": "SIGINT"}, "interrupt_mode"),
        ({"metadata": "debugger"}, "metadata"),
        ({"env": ["PATH=/x"]}, "env"),
        ({"env": {"9LIVES": "x"}}, "env.9LIVES"),
        ({"env": {"A-B": "x"}}, "env.A-B"),
        ({"env": {"N": 4}}, "env.N"),
    ],
)
def test_problems_name_their_field(change: dict[str, object], field: str) -> None:
    problems = spec_problems({**GOOD, **change})
    assert [p.field for p in problems] == [field]
    assert problems[0].message.endswith(".")


def test_not_an_object() -> None:
    assert spec_problems([1, 2])[0].message == "A kernelspec must be a JSON object."


def test_server_python_names_follow_jupyter_client() -> None:
    major, minor = sys.version_info[:2]
    assert ("python", f"python{major}", f"python{major}.{minor}") == SERVER_PYTHON_NAMES


def test_warnings() -> None:
    spec = {
        **GOOD,
        "argv": ["python", "-f", "{connection_file}"],
        "env": {"PATH": "/x:${PATH}", "B": "$UNSET_X/lib:${UNSET_Y}", "C": "$$HOME"},
    }
    found = {(w.field, w.message.split(",")[0]) for w in spec_warnings(spec, {"PATH": "/bin"})}
    assert (
        "argv",
        "argv[0] is the bare name 'python': jupyter_client replaces it with the "
        "server's own Python (" + sys.executable + ")",
    ) in found
    assert ("env.B", "B refers to ${UNSET_X}") in found
    assert ("env.B", "B refers to ${UNSET_Y}") in found
    assert len(found) == 3  # "$$HOME" is an escaped dollar, not a reference
    assert spec_warnings({**GOOD, "argv": ["/opt/py/bin/python", "{connection_file}"]}, {}) == []
    no_python = spec_warnings(spec, {"PATH": "/bin"}, check_python=False)
    assert [w.field for w in no_python] == ["env.B", "env.B"]
    assert bare_python_matters("user", writable=True)
    assert not bare_python_matters("env", writable=True)  # the stock kernel, as root
    assert not bare_python_matters("system", writable=False)


def test_env_references() -> None:
    assert env_references("${A}:$B:$$C:${D_1}x") == ["A", "B", "D_1"]


def test_spec_text_is_stable() -> None:
    spec = {"zeta": 1, "env": {"B": "1", "A": "2"}, "display_name": "D", "alpha": 2, **GOOD}
    text = spec_text(spec)
    assert list(json.loads(text)) == ["argv", "display_name", "env", "alpha", "zeta"]
    assert list(json.loads(text)["env"]) == ["B", "A"]
    assert text.endswith("}\n")
    assert spec_text(json.loads(text)) == text


def test_save_keeps_mode_and_backup(tmp_path: Path) -> None:
    path = tmp_path / "kernel.json"
    path.write_text('{"old": true}')
    os.chmod(path, 0o640)
    data, version = read_versioned(path)
    save_spec_file(path, dict(GOOD), data)
    assert json.loads(path.read_text()) == GOOD
    assert (tmp_path / "kernel.json.bak").read_bytes() == data
    assert path.stat().st_mode & 0o777 == 0o640
    assert read_versioned(path)[1].sha256 != version.sha256
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kernel.json", "kernel.json.bak"]
