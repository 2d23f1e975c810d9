"""qsub options for a scheduler-neutral SubmitRequest (OpenPBS / PBS Professional).

Every value is checked before it becomes an argument, so none can start with ``-`` and be
read as a second option, and none carries a newline or a comma that would split a PBS
list. Fields PBS has no word for (Slurm's QOS and GRES) raise SchedulerError instead of
being dropped silently. The working folder is not an option on PBS: qsub records its own
current folder as PBS_O_WORKDIR, so the backend runs qsub there.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence

from ..base import InvalidOption, SchedulerError, SubmitRequest

# Job names: PBS accepts up to 236 characters; no blanks, no option-like first character.
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,235}$")
# A queue, optionally at a server: workq, gpu_long, workq@pbs01.
_QUEUE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}(@[A-Za-z0-9][A-Za-z0-9.-]{0,252})?$")
# Account strings are free text to PBS; here a conservative set that cannot split a list.
_ACCOUNT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.@+/-]{0,255}$")
# Slurm-style memory (4G, 500M, 1024 = megabytes) or PBS units (100mb, 4gb, 2048kb).
_MEMORY = re.compile(r"^(?P<n>[0-9]{1,12})(?P<unit>[KMGTkmgt]?)([Bb])?$")
# [days-]hours:minutes:seconds, minutes, minutes:seconds, days-hours[:minutes].
_TIME = re.compile(
    r"^(?:(?P<days>[0-9]{1,4})-)?(?P<a>[0-9]{1,6})(?::(?P<b>[0-9]{1,2}))?(?::(?P<c>[0-9]{1,2}))?$"
)
# PBS arrays: X-Y or X-Y:Z, with Slurm's %N (at most N subjobs at once) accepted.
_ARRAY = re.compile(
    r"^(?P<first>[0-9]{1,9})-(?P<last>[0-9]{1,9})(?::(?P<step>[0-9]{1,9}))?(?:%(?P<max>[0-9]{1,9}))?$"
)
# A PBS job id as a dependency target: 12, 12.pbs01, 3[].pbs01, 3[2].pbs01.
_DEP_JOB = r"[0-9]{1,12}(?:\[[0-9]{0,9}\])?(?:\.[A-Za-z0-9][A-Za-z0-9.-]{0,252})?"
_DEP_TYPES = (
    "after",
    "afterok",
    "afternotok",
    "afterany",
    "before",
    "beforeok",
    "beforenotok",
    "beforeany",
)
_DEPENDENCY = re.compile(
    rf"^(?:(?:{'|'.join(_DEP_TYPES)})(?::{_DEP_JOB})+|on:[0-9]{{1,9}}|runone)"
    rf"(?:,(?:(?:{'|'.join(_DEP_TYPES)})(?::{_DEP_JOB})+|on:[0-9]{{1,9}}|runone))*$"
)
# user or user@host, comma-separated.
_MAIL_USER = re.compile(
    r"^[A-Za-z0-9_.+][A-Za-z0-9_.+-]{0,63}(@[A-Za-z0-9][A-Za-z0-9.-]{0,252})?"
    r"(,[A-Za-z0-9_.+][A-Za-z0-9_.+-]{0,63}(@[A-Za-z0-9][A-Za-z0-9.-]{0,252})?)*$"
)
_MAIL_EVENTS = {"BEGIN": "b", "END": "e", "FAIL": "a", "ALL": "abe", "NONE": "n"}
_VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,255}$")
# qsub -z prints no job id (OpenPBS and Torque alike), and the id is how the new job is
# shown and followed: refused before anything is submitted, in the extra options and in
# the script's #PBS lines.
NO_JOB_ID = (
    "-z makes qsub print no job id, and the server reads the new job's id to show and "
    "follow it: remove -z"
)
# qsub's options that would break how the server submits: it hands qsub the script on
# stdin, reads the new job's id from its answer (-z, above) and must not wait for the job.
_INTERACTIVE = "an interactive job waits for a terminal, and the server has none"
_REFUSED_LETTERS = {
    "I": _INTERACTIVE,
    "X": _INTERACTIVE,  # X11 forwarding, for -I
}
# Torque's qsub (its man page) differs: -x runs the script in an interactive job, and -P is
# not a project but "submit as another user" (proxy_username[:group], root and managers).
_TORQUE_REFUSED_LETTERS = {
    **_REFUSED_LETTERS,
    "x": _INTERACTIVE,
    "P": (
        "on Torque it submits the job as another user (root and managers only); "
        "an account or project is -A there"
    ),
}


class QsubOptionError(InvalidOption, SchedulerError):
    """A value qsub cannot take: a 400 about ``field`` for the REST API, a SchedulerError
    for the magics and the command line."""

    def __init__(self, field: str, message: str) -> None:
        InvalidOption.__init__(self, field, message)
        self.detail = ""


def _fail(message: str, field: str = "extra") -> QsubOptionError:
    return QsubOptionError(field, message)


def _path(value: str, what: str, system: str = "PBS") -> str:
    if not value or value.startswith("-") or any(c in value for c in "\n\r\0,"):
        raise _fail(
            f"The {what} path {value[:60]!r} cannot be given to {system}: it must not be empty, "
            "start with '-' or contain a comma or a line break.",
            what,
        )
    return value


def walltime(value: str) -> str:
    """``90`` (minutes), ``1-02:00:00`` or ``01:30:00`` -> PBS ``HH:MM:SS`` (hours may
    exceed 99)."""
    match = _TIME.fullmatch(value.strip())
    if match is None:
        raise _fail(
            f"The time limit {value[:40]!r} is not understood: use minutes (90) or "
            "[days-]hours:minutes:seconds (1-02:00:00).",
            "time_limit",
        )
    days = int(match["days"] or 0)
    a, b, c = match["a"], match["b"], match["c"]
    if match["days"] is not None:
        # days-hours[:minutes[:seconds]]
        seconds = int(a) * 3600 + int(b or 0) * 60 + int(c or 0)
    elif c is not None:
        seconds = int(a) * 3600 + int(b or 0) * 60 + int(c)
    elif b is not None:
        seconds = int(a) * 60 + int(b)  # minutes:seconds, as Slurm reads it
    else:
        seconds = int(a) * 60
    seconds += days * 86400
    if seconds <= 0:
        raise _fail("The time limit must be longer than zero.", "time_limit")
    hours, rest = divmod(seconds, 3600)
    return f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


def pbs_memory(value: str) -> str:
    """``4G`` -> ``4gb``, ``500M`` -> ``500mb``, ``1024`` -> ``1024mb`` (Slurm's default
    unit is megabytes), ``100mb`` stays."""
    match = _MEMORY.fullmatch(value.strip())
    if match is None or int(match["n"]) == 0:
        raise _fail(
            f"The memory {value[:40]!r} is not understood: use a number with a unit such "
            "as 500M, 4G or 100mb.",
            "memory",
        )
    unit = (match["unit"] or "m").lower()
    return f"{int(match['n'])}{unit}b"


def _positive(value: int | None, what: str, field: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _fail(f"The number of {what} must be a whole number of at least 1.", field)
    return value


def select_statement(request: SubmitRequest, system: str = "PBS") -> str | None:
    """``select=N:ncpus=C[:mpiprocs=T][:mem=M][:ngpus=G]``: one chunk per node.

    ``cpus`` is CPUs per task, so a chunk asks for cpus x tasks-per-node CPUs; ``memory``
    and ``gpus`` are per node (per chunk). None when the request asks for none of these.
    """
    nodes = _positive(request.nodes, "nodes", "nodes")
    cpus = _positive(request.cpus, "CPUs", "cpus")
    ntasks = _positive(request.ntasks, "tasks", "ntasks")
    gpus = _positive(request.gpus, "GPUs", "gpus")
    if nodes is None and cpus is None and ntasks is None and gpus is None and not request.memory:
        return None
    chunks = nodes or 1
    parts = [f"select={chunks}"]
    per_node_tasks = None
    if ntasks is not None:
        if ntasks % chunks:
            raise _fail(
                f"{system} places the same number of tasks on every node: {ntasks} tasks cannot "
                f"be spread evenly over {chunks} nodes.",
                "ntasks",
            )
        per_node_tasks = ntasks // chunks
    parts.append(f"ncpus={(cpus or 1) * (per_node_tasks or 1)}")
    if per_node_tasks is not None:
        parts.append(f"mpiprocs={per_node_tasks}")
    if request.memory:
        parts.append(f"mem={pbs_memory(request.memory)}")
    if gpus is not None:
        parts.append(f"ngpus={gpus}")
    return ":".join(parts)


def array_options(value: str) -> list[str]:
    """``1-10`` -> ``-J 1-10``; ``1-10:2%3`` -> ``-J 1-10:2 -W max_run_subjobs=3``."""
    match = _ARRAY.fullmatch(value.strip())
    if match is None or int(match["first"]) >= int(match["last"]):
        raise _fail(
            f"The array {value[:40]!r} cannot be given to PBS: use first-last with first "
            "below last, optionally :step and %most-at-once (1-10, 1-10:2, 1-10%2). PBS "
            "has no lists of indices.",
            "array",
        )
    if match["step"] is not None and int(match["step"]) < 1:
        raise _fail("The array step must be at least 1.", "array")
    span = f"{int(match['first'])}-{int(match['last'])}"
    if match["step"] is not None:
        span += f":{int(match['step'])}"
    options = ["-J", span]
    if match["max"] is not None:
        if int(match["max"]) < 1:
            raise _fail("The number of array subjobs at once must be at least 1.", "array")
        options += ["-W", f"max_run_subjobs={int(match['max'])}"]
    return options


def mail_options(events: str | None, users: str | None, system: str = "PBS") -> list[str]:
    """``END,FAIL`` -> ``-m ea``; PBS letters (``abe``, ``n``) pass as they are."""
    options: list[str] = []
    if events:
        text = events.strip()
        if re.fullmatch(r"[abe]{1,3}|n", text):
            letters = text
        else:
            letters = ""
            for event in text.upper().split(","):
                code = _MAIL_EVENTS.get(event.strip())
                if code is None:
                    raise _fail(
                        f"{system} cannot mail on {event.strip()[:20]!r}: use BEGIN, END, FAIL, "
                        "ALL or NONE.",
                        "mail_type",
                    )
                letters += code
            if "n" in letters and letters != "n":
                raise _fail("NONE cannot be combined with other mail events.", "mail_type")
            letters = "".join(dict.fromkeys(letters))
        options += ["-m", letters]
    if users:
        if not _MAIL_USER.fullmatch(users.strip()):
            raise _fail(
                f"The mail address {users[:60]!r} is not understood: use user@host, "
                "comma-separated.",
                "mail_user",
            )
        options += ["-M", users.strip()]
    return options


def variable_options(
    variables: Mapping[str, str] | None = None, *, export_all: bool = False
) -> list[str]:
    """``-v NAME=value,...`` (values quoted where PBS would split them) and ``-V``."""
    options = ["-V"] if export_all else []
    if variables:
        items = []
        for name, value in variables.items():
            if not _VARIABLE_NAME.fullmatch(name):
                raise _fail(f"{name[:40]!r} is not a valid environment variable name.", "extra")
            if any(c in value for c in "\n\r\0\"'"):
                raise _fail(
                    f"The value of {name} cannot be passed by qsub -v: it contains a quote "
                    "or a line break.",
                    "extra",
                )
            # qsub splits -v at commas unless the value is quoted.
            items.append(f'{name}="{value}"' if "," in value else f"{name}={value}")
        options += ["-v", ",".join(items)]
    return options


def check_extra(extra: Sequence[str], *, torque: bool = False) -> list[str]:
    """Native qsub options as typed, one argv word each, read as qsub's getopt reads them:
    flags may share a word (``-hV``), and an option's value is the rest of its word or the
    next word (``-Pproj`` or ``-P proj``, ``-W group_list=x``). Refused: an option
    without its value, a word that would become the script (qsub reads a lone word as the
    script's path) and what breaks how the server submits (interactive jobs, ``-z``,
    OpenPBS's ``-W block=true``, ``--``, long options; on Torque also ``-x`` and ``-P``).
    Everything else, ``-V``, ``-u``, every other ``-W`` and letters qsub does not know
    included, is qsub's to judge (it answers in its own words)."""
    name = "Torque's" if torque else "PBS's"
    valued = TORQUE_VALUED if torque else _VALUED
    refused = _TORQUE_REFUSED_LETTERS if torque else _REFUSED_LETTERS
    example = (
        "-W group_list=physics or -l nodes=1:ppn=2"
        if torque
        else "-P myproject or -l place=scatter"
    )
    words = list(extra)
    for word in words:
        if not isinstance(word, str) or any(c in word for c in "\0\n\r"):
            raise _fail("Extra qsub options must be single-line text.", "extra")
    i = 0
    while i < len(words):
        word = words[i]
        if word == "--":
            raise _fail(
                "-- cannot be used here: qsub would run the words after it as a command "
                "instead of the script.",
                "extra",
            )
        if word.startswith("--"):
            raise _fail(f"{word[:40]} is not one of {name} qsub options here.", "extra")
        if not word.startswith("-") or word == "-":
            raise _fail(
                f"{word[:60]!r} is not a qsub option: each word is an option or the value "
                f"of the option before it (e.g. {example}).",
                "extra",
            )
        for at, letter in enumerate(word[1:], start=1):
            # A letter this qsub does not list is read as a flag: qsub refuses it in its own
            # words (exit 2), or a newer qsub knows it.
            if letter == "z":
                raise _fail(f"{NO_JOB_ID}.", "extra")
            if letter in refused:
                raise _fail(f"-{letter} cannot be used here: {refused[letter]}.", "extra")
            if letter in valued:
                value = word[at + 1 :]
                if not value:
                    i += 1
                    value = words[i] if i < len(words) else ""
                    if not value or value.startswith("-"):
                        raise _fail(f"-{letter} needs a value after it.", "extra")
                if letter == "W" and not torque and _blocks(value):
                    raise _fail(
                        "-W block=true cannot be used here: qsub would wait until the job ends.",
                        "extra",
                    )
                break
        i += 1
    return words


def _blocks(attributes: str) -> bool:
    """Whether OpenPBS's ``-W`` value asks qsub to wait for the job (``block=true``)."""
    for item in attributes.split(","):
        key, _, value = item.partition("=")
        if key.strip() == "block" and value.strip().lower() in ("true", "t", "y", "1"):
            return True
    return False


def torque_resources(request: SubmitRequest) -> list[str]:
    """Torque's words: ``-l nodes=N:ppn=C[:gpus=G]`` and ``-l mem=`` (the job's total,
    so per-node memory times the nodes). Torque has no select statement."""
    select = select_statement(request, "Torque")  # checks the numbers the same way
    if select is None:
        return []
    parts = dict(p.split("=", 1) for p in select.split(":")[1:])
    nodes = request.nodes or 1
    spec = f"nodes={nodes}:ppn={parts['ncpus']}"
    if "ngpus" in parts:
        spec += f":gpus={parts['ngpus']}"
    options = ["-l", spec]
    if "mem" in parts:
        amount = parts["mem"]  # pbs_memory's form: digits then a unit (4gb)
        digits = amount.rstrip("kmgtb")
        options += ["-l", f"mem={int(digits) * nodes}{amount[len(digits) :]}"]
    return options


def torque_array_options(value: str) -> list[str]:
    """``1-10%2`` -> ``-t 1-10%2``: Torque arrays take a slot limit but no step."""
    try:
        options = array_options(value)
    except QsubOptionError:
        raise _fail(
            f"The array {value[:40]!r} cannot be given to Torque: use first-last with first "
            "below last, optionally %most-at-once (1-10, 1-10%2).",
            "array",
        ) from None
    if ":" in options[1]:
        raise _fail("Torque arrays have no step: use first-last (1-10).", "array")
    span = options[1]
    if len(options) > 2:
        span += "%" + options[3].split("=", 1)[1]
    return ["-t", span]


def qsub_options(request: SubmitRequest, *, torque: bool = False) -> list[str]:
    """The qsub options that ask for ``request``, then its native ``extra`` options.

    Raises SchedulerError (a sentence for a person) for values PBS cannot take and for
    Slurm-only fields (qos, gres). ``workdir`` is not an option on OpenPBS (qsub runs
    there); Torque starts jobs in the home folder unless ``-d`` says otherwise.
    ``torque``: Torque's forms of the resources (``nodes=``) and arrays (``-t``).
    """
    # Messages name the batch system the person uses.
    system = "Torque" if torque else "PBS"
    if request.qos:
        raise _fail(
            f"{system} has no QOS: leave it empty ({system} sites use queues for this).", "qos"
        )
    if request.gres:
        gpus = "gpus= of nodes=" if torque else "ngpus"
        raise _fail(
            f"{system} has no GRES: ask for GPUs with the GPU count ({gpus}) instead.", "gres"
        )
    options: list[str] = []
    if request.name is not None:
        if not _NAME.fullmatch(request.name):
            raise _fail(
                f"The job name {request.name[:40]!r} cannot be used on {system}: letters, digits "
                "and _ . + - only, at most 236 characters, not starting with '-' or '.'.",
                "name",
            )
        options += ["-N", request.name]
    if request.partition is not None:
        if not _QUEUE.fullmatch(request.partition):
            raise _fail(
                f"{request.partition[:40]!r} is not a valid {system} queue name.", "partition"
            )
        options += ["-q", request.partition]
    if request.time_limit is not None:
        options += ["-l", f"walltime={walltime(request.time_limit)}"]
    select = None if torque else select_statement(request)
    if torque:
        options += torque_resources(request)
    elif select is not None:
        options += ["-l", select]
        if (request.nodes or 1) > 1:
            # One chunk per node: without scatter PBS may pack the chunks on one host.
            options += ["-l", "place=scatter"]
    if request.account is not None:
        if not _ACCOUNT.fullmatch(request.account):
            raise _fail(
                f"{request.account[:40]!r} is not a valid {system} account string.", "account"
            )
        options += ["-A", request.account]
    if request.array is not None:
        options += torque_array_options(request.array) if torque else array_options(request.array)
    if request.dependency is not None:
        dependency = request.dependency.strip()
        if not _DEPENDENCY.fullmatch(dependency):
            raise _fail(
                f"The dependency {request.dependency[:60]!r} is not understood by {system}: use "
                "type:jobid[:jobid...] (afterok:12.pbs01), comma-separated.",
                "dependency",
            )
        options += ["-W", f"depend={dependency}"]
    if request.hold:
        options.append("-h")
    if request.output is not None:
        options += ["-o", _path(request.output, "output", system)]
        if request.error is None:
            # Slurm's habit: without an error file, errors go to the output file.
            options += ["-j", "oe"]
    if request.error is not None:
        options += ["-e", _path(request.error, "error", system)]
    options += mail_options(request.mail_type, request.mail_user, system)
    if torque and request.workdir is not None:
        options += ["-d", _path(request.workdir, "workdir", system)]
    return [*options, *check_extra(request.extra, torque=torque)]


# qsub's options without a value and with one (from its usage, 07_qsub_bad_option).
_FLAGS = frozenset("fhIVXz")
_VALUED = frozenset("aAcCeJjklmMNoPpqrRSuvW")
_PBS_ARRAY = re.compile(r"^[0-9]{1,9}-[0-9]{1,9}(:[0-9]{1,9})?(%[0-9]{1,9})?$")
# Torque's -t: ids and ranges, comma-separated, then an optional %slot-limit; no step.
_TORQUE_ARRAY = re.compile(r"^[0-9]{1,9}(-[0-9]{1,9})?(,[0-9]{1,9}(-[0-9]{1,9})?)*(%[0-9]{1,9})?$")
_PBS_DURATION = re.compile(r"^([0-9]+:){0,2}[0-9]+(\.[0-9]+)?$")
# Torque 6 reads a walltime as [[[DD:]HH:]MM:]SS[.ms] (its decode_time); OpenPBS has no days.
_TORQUE_DURATION = re.compile(r"^([0-9]+:){0,3}[0-9]+(\.[0-9]+)?$")


def script_directives(script: str) -> list[tuple[int, str]]:
    """``(line number, text after #PBS)`` of each directive, read the way qsub reads them:
    from the top until the first line that is neither blank nor a comment."""
    found: list[tuple[int, str]] = []
    for number, line in enumerate(script.splitlines(), 1):
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        if stripped.startswith("#PBS") and (len(stripped) == 4 or stripped[4] in " \t"):
            found.append((number, stripped[4:].strip()))
    return found


def _directive_value(letter: str, value: str, *, torque: bool = False) -> str | None:
    """Why qsub would refuse ``-<letter> <value>``, or None."""
    if letter == "N" and not _NAME.fullmatch(value):
        return f"the job name {value[:40]!r} is not valid"
    if letter == "q" and not _QUEUE.fullmatch(value):
        return f"{value[:40]!r} is not a valid queue name"
    if letter == "J" and not _PBS_ARRAY.fullmatch(value):
        return f"the array {value[:40]!r} is not X-Y[:Z]"
    if letter == "t" and ":" in value:
        return (
            f"Torque arrays have no step ({value[:40]!r}): use first-last (1-10), a list "
            "(1,3,5-7) and %N for at most N at once"
        )
    if letter == "t" and not _TORQUE_ARRAY.fullmatch(value):
        return f"the array {value[:40]!r} is not ids and ranges (1-10, 1,3,5-7) with an optional %N"
    if letter == "j" and value not in ("oe", "eo", "n"):
        return "-j takes oe, eo or n"
    if letter == "l":
        for item in value.split(","):
            key, sep, amount = item.partition("=")
            if not sep or not key or not amount:
                return f"{item[:40]!r} is not resource=value"
            if key == "walltime" and torque and not _TORQUE_DURATION.fullmatch(amount):
                return f"the walltime {amount[:40]!r} is not [[[days:]hours:]minutes:]seconds"
            if key == "walltime" and not torque and not _PBS_DURATION.fullmatch(amount):
                return f"the walltime {amount[:40]!r} is not [[hours:]minutes:]seconds"
    return None


# Torque's qsub (its man page and 6.1's usage, 81): no -J/-R/-S... of OpenPBS, but -d,
# -D, -t, -w, -F, -L, -K <kill delay seconds>, and -x (only with -I).
TORQUE_FLAGS = frozenset("fhIVXxzn")
TORQUE_VALUED = frozenset("aAbcCdDeFjkKlLmMNoPpqrStTuvwW")


def check_directives(
    script: str,
    flags: frozenset[str] = _FLAGS,
    valued: frozenset[str] = _VALUED,
    *,
    torque: bool = False,
) -> int:
    """How many ``#PBS`` directives the script has; SchedulerError naming the first line
    qsub would refuse, or that would hide the new job's id (-z). ``torque``: Torque's
    qsub (its letters are ``flags`` and ``valued``) and its server's value rules."""
    directives = script_directives(script)
    for number, text in directives:
        try:
            tokens = shlex.split(text)
        except ValueError:
            raise _fail(
                f"Line {number}: the #PBS directive has an unclosed quote.", "script"
            ) from None
        i = 0
        while i < len(tokens):
            token = tokens[i]
            letter = token[1:2]
            if not token.startswith("-") or not letter or letter not in flags | valued:
                raise _fail(f"Line {number}: {token[:40]!r} is not a qsub option.", "script")
            if letter in flags:
                if len(token) > 2:
                    raise _fail(f"Line {number}: -{letter} takes no value.", "script")
                if letter in "IX":
                    raise _fail(
                        f"Line {number}: interactive jobs (-{letter}) cannot be submitted "
                        "from here.",
                        "script",
                    )
                if letter == "x":
                    # Torque's qsub: "'-x' invalid on non-interactive job".
                    raise _fail(
                        f"Line {number}: -x only goes with an interactive job (-I), which "
                        "cannot be submitted from here.",
                        "script",
                    )
                if letter == "z":
                    raise _fail(f"Line {number}: {NO_JOB_ID}.", "script")
                i += 1
                continue
            value = token[2:]
            if not value:
                if i + 1 >= len(tokens):
                    raise _fail(f"Line {number}: -{letter} needs a value.", "script")
                value = tokens[i + 1]
                i += 1
            why = _directive_value(letter, value, torque=torque)
            if why is not None:
                raise _fail(f"Line {number}: {why}.", "script")
            i += 1
    return len(directives)
