"""The magics get the same hostile inputs as the REST routes (test_fuzz.py's nasty strings).

Each call either succeeds harmlessly or raises one of the magics' own compact errors
(UsageError, or BatchError which IPython shows without a traceback); never another
exception type. A canary proves no shell ever ran.

Safety on the shared cluster: every input that acts on jobs names a job id that cannot
exist (99999999999, beyond Slurm's 32-bit ids) next to a filter that matches nothing, and a
guard refuses to run any line that could name another number. Submissions are held
(-H / --hold), srun and salloc only ask for an estimate (--test-only), and every job this
test's tag marks is cancelled at the end.
"""

from __future__ import annotations

import random
import re
import shlex
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from jupyterlab_hpc.magics import JobHandle
from jupyterlab_hpc.magics.errors import BatchError

from .magic_shell import shell_with_magics
from .test_fuzz import CANARY_DIR, nasty_strings

pytestmark = pytest.mark.usefixtures("slurm")

INPUTS_PER_MAGIC = 30
NO_JOB = "99999999999"  # more than Slurm's 32-bit job ids: never a real job

# Besides test_fuzz's strings: what shlex, float() and the kernel's argv limits choke on.
MAGIC_EXTRAS = [
    "nan",
    "inf",
    "-inf",
    "1e999",
    "'unbalanced",
    '"unbalanced',
    "trailing\\",
    "b" * 200_000,  # one argument longer than Linux's 128 KiB limit per argument
]
# Always tried for every magic, whatever the seeded sample picks.
MUST_TRY = ["x\x00y", "b" * 200_000, "'unbalanced", "nan", "--uid=0", "-h"]


@dataclass(frozen=True)
class MagicForm:
    name: str
    cell: bool  # the %%cell form
    templates: tuple[str, ...]  # the line; {h} is the hostile string, {q} it shell-quoted
    acts_on_jobs: bool = False
    cell_line: str = ""  # when set, the hostile string is also tried as the cell, under this line


def forms(tag: str) -> list[MagicForm]:
    held = f"-H -t 1 -c 1 -J {tag} --comment={tag} --output=/dev/null"
    estimate = f"--test-only -t 1 -J {tag} --comment={tag}"
    return [
        MagicForm("sbatch", False, (f"{held} {{h}}", f"{held} {{q}}", f"--name-var {{q}} {held}")),
        MagicForm("sbatch", True, (f"{held} {{h}}", f"{held} {{q}}"), cell_line=held),
        MagicForm("squeue", False, ("{h}", "{q}", "-j {q}", "-u {q}", "-o {q}")),
        MagicForm("sinfo", False, ("{h}", "{q}", "-p {q}", "-n {q}")),
        MagicForm("sacct", False, ("{h}", "-j {q}")),
        MagicForm("sprio", False, ("{h}", "-j {q}")),
        MagicForm("sshare", False, ("{h}", "-u {q}")),
        MagicForm(
            "scancel",
            False,
            (f"{{h}} {NO_JOB} --name={tag}", f"{{q}} {NO_JOB} --name={tag}"),
            acts_on_jobs=True,
        ),
        MagicForm(
            "scontrol",
            False,
            ("show {h}", "show job {q}", f"hold {NO_JOB} {{q}}", f"release {NO_JOB} {{q}}"),
            acts_on_jobs=True,
        ),
        MagicForm("srun", False, (f"{estimate} {{h}}", f"--timeout {{q}} {estimate} true")),
        MagicForm("salloc", False, (f"{estimate} {{h}}", f"--timeout {{q}} {estimate}")),
        MagicForm(
            "submit",
            True,
            (
                f"--hold -t 1 {{h}} -- --comment={tag}",
                f"--hold -t 1 -J {{q}} -- --comment={tag}",
                f"--hold -t 1 -c {{q}} -- --comment={tag}",
                f"--hold -t 1 -- --comment={tag} {{q}}",
            ),
            cell_line=f"--hold -t 1 -- --comment={tag}",
        ),
        MagicForm("jobs", False, ("{h}", "-u {q}", "-s {q}")),
        MagicForm("cluster", False, ("{h}", "-n {q}", "--nodes={q}")),
        MagicForm(
            "job",
            False,
            (
                "{q}",
                "wait {q} --timeout 1",
                "output {q}",
                "cancel {q}",
                f"wait {NO_JOB} --timeout {{q}}",
                f"output {NO_JOB} --tail {{q}}",
            ),
            acts_on_jobs=True,
        ),
    ]


def assert_cannot_touch_real_jobs(line: str) -> None:
    """Refuse (in the test) a line that might name a real job: only 0 or impossible ids."""
    try:
        tokens = shlex.split(line)
    except ValueError:
        return  # the magic refuses it before running anything
    for previous, token in zip(["", *tokens], tokens, strict=False):
        if re.fullmatch(r"-\d+", token) or previous in ("--timeout", "--tail"):
            continue  # read as an option or a number of seconds/lines, never as a job id
        value = re.sub(r"^--?[\w-]+=", "", token).strip()  # --jobs=5 names job 5
        if not re.fullmatch(r"[\d_\[\],.+%-]+", value):
            continue  # Slurm reads no job id out of it ("Invalid job id")
        # The job ids in it: each comma-separated item's leading number (what follows
        # _ . + is a task, step or component of that job).
        for item in re.sub(r"\[[^\]]*\]", "", value).split(","):
            number = re.match(r"\d*", item.lstrip("-")).group()  # type: ignore[union-attr]
            huge = len(number) > 10  # beyond any job id (and int() refuses 4,300+ digits)
            assert not number or huge or int(number) in (0, int(NO_JOB)) or int(number) > 2**32, (
                f"unsafe input: {line!r}"
            )


def letters(n: int) -> str:
    """A random name with no digit in it, which the guard could read as a job id."""
    return uuid.uuid4().hex[:n].translate(str.maketrans("0123456789", "ghijklmnop"))


def tagged_jobs(tag: str) -> list[str]:
    out = subprocess.run(
        ["squeue", "-h", "-o", "%i|%j|%k"], capture_output=True, text=True, check=True
    ).stdout
    return [ln.split("|", 1)[0] for ln in out.splitlines() if tag in ln]


@pytest.fixture
def tag() -> Iterator[str]:
    """The name and comment of every job this test may submit; they are cancelled after."""
    # Letters only, so no digit in it can be read as a job id.
    value = f"jlhpc-fuzz-{letters(10)}"
    yield value
    leftover = tagged_jobs(value)
    if leftover:
        subprocess.run(["scancel", *leftover], capture_output=True, check=False)


@pytest.fixture
def shell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[InteractiveShell]:
    monkeypatch.chdir(tmp_path)  # sbatch resolves relative paths and writes here
    ip = shell_with_magics()
    yield ip
    ip.user_ns.pop("_", None)


def inputs_for(form: MagicForm, strings: list[str], rng: random.Random) -> list[tuple[str, str]]:
    """(line, cell) pairs: the must-try strings, then a seeded sample of the rest."""
    every: list[tuple[str, str]] = []
    safe_cell = "#!/bin/bash\ntrue\n"
    for h in strings:
        for template in form.templates:
            line = template.format(h=h, q=shlex.quote(h))
            every.append((line, safe_cell))
        if form.cell_line:
            every.append((form.cell_line, h))
    first = [(t.format(h=h, q=shlex.quote(h)), safe_cell) for h in MUST_TRY for t in form.templates]
    chosen = rng.sample(first, min(len(first), INPUTS_PER_MAGIC // 2))
    rest = [pair for pair in every if pair not in chosen]
    chosen += rng.sample(rest, INPUTS_PER_MAGIC - len(chosen))
    return chosen


def call(shell: InteractiveShell, form: MagicForm, line: str, cell: str) -> object:
    """The magic's own function with exactly this line: IPython's {var}/$var expansion
    (its code, quadratic on a 200 KB line) is left out."""
    if form.cell:
        return shell.find_cell_magic(form.name)(line, cell)  # type: ignore[no-untyped-call]
    return shell.find_line_magic(form.name)(line)  # type: ignore[no-untyped-call]


def test_magics_survive_hostile_input(
    shell: InteractiveShell, tag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    canary = f"jupyterlab-hpc-magic-canary-{letters(32)}"
    strings = nasty_strings(canary) + MAGIC_EXTRAS
    rng = random.Random(20261122)
    tried: dict[str, int] = {}
    outcomes: dict[str, int] = {"ok": 0, "UsageError": 0, "BatchError": 0}
    submitted = 0
    for form in forms(tag):
        label = f"%%{form.name}" if form.cell else f"%{form.name}"
        for line, cell in inputs_for(form, strings, rng):
            if form.acts_on_jobs:
                assert_cannot_touch_real_jobs(line)
            error: UsageError | BatchError | None = None
            result: object = None
            try:
                result = call(shell, form, line, cell)
            except (UsageError, BatchError) as e:
                error = e
            except Exception as e:
                pytest.fail(f"{label} {line[:120]!r} raised {type(e).__name__}: {e}")
            if error is not None:
                outcomes[type(error).__name__] += 1
                assert str(error).strip(), f"{label} {line[:80]!r}: an empty message"
            else:
                outcomes["ok"] += 1
            if isinstance(result, JobHandle):
                # Only held submissions can succeed; cancel them at once.
                assert result.state.value == "held", f"{label} {line[:80]!r}: not held"
                submitted += 1
                subprocess.run(["scancel", result.id], capture_output=True, check=False)
            tried[label] = tried.get(label, 0) + 1
        capsys.readouterr()  # the commands' own output is not this test's concern
    assert not (CANARY_DIR / canary).exists(), "a shell ran a payload"
    leftover = tagged_jobs(tag)
    if leftover:
        subprocess.run(["scancel", *leftover], capture_output=True, check=False)
    for label, count in tried.items():
        print(f"magic fuzz: {label}: {count} hostile inputs, only UsageError/BatchError")
    print(f"magic fuzz: outcomes {outcomes}; {submitted} held jobs submitted and cancelled")
