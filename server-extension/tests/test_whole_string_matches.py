"""Validators match whole strings: Python's ``$`` also matches just before a final newline,
so a pattern ending in ``$`` used with ``match`` or ``search`` lets ``"name\\n"`` through
(a kernel folder with a newline in its name, ``GET jobs/251%0A`` answering 200)."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path
from typing import Any

import pytest

import jupyterlab_hpc
from jupyterlab_hpc.jobs.submit_checks import InvalidOption, validate_options
from jupyterlab_hpc.jobs.templates import TemplateError, validate_template_name
from jupyterlab_hpc.kernels.validation import InvalidName, spec_problems, validate_name
from jupyterlab_hpc.modules.base import validate_collection_name, validate_module_name
from jupyterlab_hpc.schedulers.base import InvalidJobId, validate_job_id
from jupyterlab_hpc.schedulers.pbs.commands import validate_pbs_job_id
from jupyterlab_hpc.schedulers.pbs.submit import qsub_options

from .test_handlers import expect_error

PACKAGE = Path(jupyterlab_hpc.__file__).parent


def _literal(node: ast.expr) -> str | None:
    """A pattern's text where the source spells it out (f-strings: their fixed parts)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    return None


def _is_re_call(node: ast.Call, names: tuple[str, ...]) -> bool:
    func = node.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr in names
        and isinstance(func.value, ast.Name)
        and func.value.id == "re"
    )


def _loose_matches(tree: ast.Module) -> list[tuple[int, str]]:
    patterns: dict[str, str] = {}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Call)
            and _is_re_call(node.value, ("compile",))
            and node.value.args
        ):
            text = _literal(node.value.args[0])
            if text is not None:
                patterns[node.targets[0].id] = text
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        if node.func.attr not in ("match", "search"):
            continue
        target = node.func.value
        if isinstance(target, ast.Name) and patterns.get(target.id, "").endswith("$"):
            found.append((node.lineno, target.id))
        elif _is_re_call(node, ("match", "search")) and node.args:
            text = _literal(node.args[0])
            if text is not None and text.endswith("$"):
                found.append((node.lineno, text))
    return found


def test_no_pattern_that_ends_in_dollar_is_used_with_match_or_search() -> None:
    loose = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for line, what in _loose_matches(ast.parse(path.read_text())):
            loose.append(f"{path.relative_to(PACKAGE)}:{line} {what}")
    assert loose == [], "use fullmatch for a whole-string check:\n" + "\n".join(loose)


def test_the_check_finds_what_it_looks_for() -> None:
    source = 'import re\n_N = re.compile(r"^[a-z]+$")\nok = _N.match(x)\nre.search(r"^a$", y)\n'
    assert [what for _, what in _loose_matches(ast.parse(source))] == ["_N", "^a$"]


@pytest.mark.parametrize("end", ["\n", "\r", "\r\n", "\t", "\x0b", "\x00", "\x1b"])
def test_every_validator_refuses_a_trailing_control_character(end: str) -> None:
    checks: list[tuple[Any, Any, type[Exception]]] = [
        (validate_job_id, "251", InvalidJobId),
        (validate_job_id, "251_[1-3]", InvalidJobId),
        (validate_pbs_job_id, "12.pbs01", InvalidJobId),
        (validate_pbs_job_id, "7[2].torque01", InvalidJobId),
        (validate_name, "zz-nl-test", InvalidName),
        (validate_module_name, "gcc/12.2.0", ValueError),
        (validate_collection_name, "default", ValueError),
        (validate_template_name, "My template", TemplateError),
    ]
    for check, good, error in checks:
        assert check(good) == good
        with pytest.raises(error):
            check(good + end)
    assert spec_problems({"argv": ["x", "{connection_file}"], "display_name": "X", "env": {}}) == []
    bad_env = {"argv": ["x", "{connection_file}"], "display_name": "X", "env": {f"P{end}": "/x"}}
    assert [f.field.split(".")[0] for f in spec_problems(bad_env)] == ["env"]
    for field, good in [("partition", "debug"), ("time_limit", "10"), ("memory", "4G")]:
        assert validate_options({field: good})
        with pytest.raises(InvalidOption):
            validate_options({field: good + end})


def test_pbs_fields_refuse_a_trailing_newline() -> None:
    for field, good in [("name", "job"), ("partition", "workq"), ("account", "proj")]:
        request = validate_options({field: good})
        assert qsub_options(request)
        with pytest.raises(InvalidOption):
            qsub_options(dataclasses.replace(request, **{field: good + "\n"}))


async def test_a_job_id_with_a_trailing_newline_is_a_bad_request(jp_fetch: Any) -> None:
    message = await expect_error(jp_fetch, 400, "jobs", "251\n")  # sent as 251%0A
    assert "is not a valid job id" in message
