"""The package's layout rules (docs/architecture.md): no import circles, and the batch-system
backends stand on nothing above them. Read from the source with ast, so an import inside a
function or under TYPE_CHECKING counts as much as one at the top."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = "jupyterlab_hpc"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE
# What schedulers/ may import from the package besides itself: the ground floor.
SCHEDULER_GROUND = {f"{PACKAGE}.runner", f"{PACKAGE}.config"}


def module_name(path: Path) -> str:
    parts = [PACKAGE, *path.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in ROOT.rglob("*.py")}


def is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def imports_of(name: str) -> set[str]:
    """The package's modules that ``name`` imports by name (parents are not counted: Python
    runs a package's __init__ before its modules, whatever they import)."""
    tree = ast.parse(MODULES[name].read_text())
    here = name if is_package(name) else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name in MODULES)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here.rsplit(".", node.level - 1)[0] if node.level > 1 else here
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            submodules = {f"{target}.{a.name}" for a in node.names} & MODULES.keys()
            found.update(submodules)
            # `from . import parse` needs only the submodule; a name defined in the
            # package's __init__ needs the __init__.
            if target in MODULES and len(submodules) < len(node.names):
                found.add(target)
    found.discard(name)
    return found


GRAPH = {name: imports_of(name) for name in MODULES}


def cycles() -> list[list[str]]:
    """Every strongly connected group of two or more modules (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in GRAPH[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for name in sorted(GRAPH):
        if name not in index:
            visit(name)
    return groups


def test_the_graph_is_read() -> None:
    # A parser that found nothing would pass every rule below.
    assert f"{PACKAGE}.base.handlers" in GRAPH[f"{PACKAGE}.jobs.handlers"]
    assert f"{PACKAGE}.schedulers.pbs.commands" in GRAPH[f"{PACKAGE}.schedulers.pbs.blocking"]
    assert f"{PACKAGE}.modules" in GRAPH[f"{PACKAGE}.kernels.launcher"]


def test_no_import_circles() -> None:
    assert cycles() == []


def test_schedulers_import_nothing_above_them() -> None:
    above = {
        name: sorted(
            t
            for t in targets
            if not t.startswith(f"{PACKAGE}.schedulers") and t not in SCHEDULER_GROUND
        )
        for name, targets in GRAPH.items()
        if name.startswith(f"{PACKAGE}.schedulers")
    }
    assert {name: targets for name, targets in above.items() if targets} == {}


def test_the_handler_base_imports_no_feature_handlers() -> None:
    handler_modules = {n for n in MODULES if n.endswith("handlers") and ".base." not in n}
    assert GRAPH[f"{PACKAGE}.base.handlers"] & handler_modules == set()
    assert {n for n in MODULES if f"{PACKAGE}.routes" in GRAPH[n]} == {PACKAGE}


def test_the_kernel_launcher_keeps_its_name() -> None:
    # Users' kernel.json files start kernels with `python -m jupyterlab_hpc.kernel_launcher`.
    result = subprocess.run(
        [sys.executable, "-m", f"{PACKAGE}.kernel_launcher", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "python -m jupyterlab_hpc.kernel_launcher" in result.stdout
