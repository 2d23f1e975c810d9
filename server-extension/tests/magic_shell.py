"""A real IPython shell with the magics loaded, for the magics tests."""

from __future__ import annotations

import subprocess
from typing import Any

from IPython.core.interactiveshell import ExecutionResult, InteractiveShell


def shell_with_magics() -> InteractiveShell:
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "jupyterlab_hpc")
    return shell


def run(shell: InteractiveShell, source: str) -> Any:
    """Run a cell as a notebook would; its value, failing the test on any error."""
    result = shell.run_cell(source, store_history=True)
    error = result.error_in_exec or result.error_before_exec
    if error is not None:
        raise AssertionError(f"cell failed: {source!r}") from error
    return result.result


def run_failing(shell: InteractiveShell, source: str) -> BaseException:
    result: ExecutionResult = shell.run_cell(source, store_history=True)
    error = result.error_in_exec or result.error_before_exec
    assert error is not None, f"cell should have failed: {source!r}"
    return error


def scontrol_fields(job_id: str) -> dict[str, str]:
    """A few fields of `scontrol show job -o`, straight from Slurm, for the assertions."""
    out = subprocess.run(
        ["scontrol", "show", "job", "-o", job_id], capture_output=True, text=True, check=True
    ).stdout
    fields: dict[str, str] = {}
    for key in ("JobState", "Reason", "Partition", "TimeLimit", "Comment"):
        marker = f" {key}="
        if marker in out:
            fields[key] = out.split(marker, 1)[1].split(" ", 1)[0]
    fields["JobName"] = out.split(" JobName=", 1)[1].split(" UserId=", 1)[0]
    return fields


def batch_script(job_id: str) -> str:
    return subprocess.run(
        ["scontrol", "write", "batch_script", job_id, "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
