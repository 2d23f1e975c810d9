"""Checks of a submission's script and options before anything reaches a batch system.

Every check raises InvalidOption with the field it is about and a sentence for a person.
Values reach the batch system as ``--flag=value`` words (one argv word each), so no value
can ever be read as an option; these checks are about telling the user early and plainly.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from ..schedulers.base import InvalidOption, SubmitRequest
from ..schedulers.pbs.submit import check_extra

MAX_SCRIPT_BYTES = 1024 * 1024
MAX_PATH = 4096
MAX_EXTRA = 100
MAX_COUNT = 1_000_000


OPTION_NAMES: tuple[str, ...] = tuple(f.name for f in fields(SubmitRequest))

_SCHEDULER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
# Slurm takes a comma-separated list of partitions (the first that can run the job wins).
_NAME_PART = r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"
_PARTITIONS = re.compile(rf"{_NAME_PART}(?:,{_NAME_PART}){{0,15}}")
_MEMORY = re.compile(r"[1-9][0-9]{0,12}[KMGTkmgt]?")
_MINUTES = re.compile(r"[0-9]{1,7}")
_CLOCK = re.compile(r"(?:[0-9]{1,4}-)?[0-9]{1,4}:[0-5][0-9]:[0-5][0-9]")
_GRES_PART = r"[A-Za-z][A-Za-z0-9_]*(?::[A-Za-z0-9_.-]+){0,3}"
_GRES = re.compile(rf"{_GRES_PART}(?:,{_GRES_PART})*")
_RANGE = r"[0-9]{1,9}(?:-[0-9]{1,9}(?::[0-9]{1,9})?)?"
_ARRAY = re.compile(rf"{_RANGE}(?:,{_RANGE})*(?:%[0-9]{{1,9}})?")
# Slurm afterok:123:124_2+10,singleton; PBS afterok:12.server:13.server. A word, then ids.
_DEPENDENCY_PART = r"(?:singleton|[a-z]+(?::[A-Za-z0-9_.\[\]+-]+)+)"
_DEPENDENCY = re.compile(rf"{_DEPENDENCY_PART}(?:[,?]{_DEPENDENCY_PART})*")
_MAIL_USER = re.compile(r"[A-Za-z0-9._%+][A-Za-z0-9._%+-]{0,63}(?:@[A-Za-z0-9.-]{1,190})?")
MAIL_TYPES = frozenset(
    {
        "NONE",
        "BEGIN",
        "END",
        "FAIL",
        "REQUEUE",
        "ALL",
        "INVALID_DEPEND",
        "STAGE_OUT",
        "TIME_LIMIT",
        "TIME_LIMIT_90",
        "TIME_LIMIT_80",
        "TIME_LIMIT_50",
        "ARRAY_TASKS",
    }
)

# sbatch's options that would break how the server submits (it must read the job id and must
# not wait for the job), run as someone else, or print help instead of submitting. qsub has
# rules of its own (schedulers/pbs/submit.py check_extra).
_REFUSED_LONG = (
    "--parsable",
    "--test-only",
    "--wrap",
    "--wait",
    "--uid",
    "--gid",
    "--help",
    "--usage",
    "--version",
    "--batch",
)
_REFUSED_SHORT = frozenset("huVW")
# sbatch's short options that take an argument: after one of them the word is its value.
_SHORT_WITH_VALUE = frozenset("AabBcCdDeFGiJLMmnNopqStwx")


def _text(field: str, value: object, *, limit: int = 200) -> str | None:
    """A string option: None or "" mean "not set"; no control characters."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidOption(field, f"{field} must be text.")
    if len(value) > limit:
        raise InvalidOption(field, f"{field} is too long ({limit} characters at most).")
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise InvalidOption(field, f"{field} must not contain line breaks or control characters.")
    return value


def _count(field: str, value: object) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidOption(field, f"{field} must be a whole number.")
    if not 1 <= value <= MAX_COUNT:
        raise InvalidOption(field, f"{field} must be between 1 and {MAX_COUNT:,}.")
    return value


def _matching(field: str, value: object, pattern: re.Pattern[str], explain: str) -> str | None:
    text = _text(field, value)
    if text is not None and not pattern.fullmatch(text):
        raise InvalidOption(field, f"{text[:60]!r} is not a valid {field}: {explain}")
    return text


def validate_time_limit(value: object) -> str | None:
    text = _text("time_limit", value, limit=20)
    if text is not None and not (_MINUTES.fullmatch(text) or _CLOCK.fullmatch(text)):
        raise InvalidOption(
            "time_limit",
            f"{text!r} is not a time limit: write minutes (90) or [days-]hours:minutes:seconds "
            "(1-12:00:00).",
        )
    return text


def validate_mail_type(value: object) -> str | None:
    text = _text("mail_type", value)
    if text is None:
        return None
    events = [e.strip().upper() for e in text.split(",")]
    unknown = [e for e in events if e not in MAIL_TYPES]
    if unknown:
        raise InvalidOption(
            "mail_type",
            f"{unknown[0][:40]!r} is not a mail event: use a comma-separated list of "
            f"{', '.join(sorted(MAIL_TYPES))}.",
        )
    return ",".join(events)


def validate_extra(value: object, kind: str | None = "slurm") -> list[str]:
    """Native options of the batch system ``kind``, one argv word each.

    Slurm (sbatch): every word an option, with its value in the same word. PBS and Torque
    (qsub): an option's value may be the next word (``-P proj``, ``-W group_list=x``), and
    qsub's own rules apply (``check_extra``). ``None``: only the shape is checked (a file of
    templates that may have been written on another cluster).
    """
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidOption("extra", "extra must be a list of options, one word each.")
    if len(value) > MAX_EXTRA:
        raise InvalidOption("extra", f"At most {MAX_EXTRA} extra options.")
    out = []
    for word in value:
        word = word.strip()
        if not word:
            continue
        _text("extra", word, limit=MAX_PATH)
        out.append(word)
    if kind in ("pbs", "torque"):
        return check_extra(out, torque=kind == "torque")
    return out if kind is None else [_sbatch_word(word) for word in out]


def _sbatch_word(word: str) -> str:
    """One of sbatch's options as the server can pass it; InvalidOption otherwise."""
    if not word.startswith("-") or word in ("-", "--"):
        raise InvalidOption(
            "extra",
            f"{word[:60]!r} is not an option: each extra option starts with - "
            "(e.g. --constraint=intel), with its value in the same word.",
        )
    refused = _refused_option(word)
    if refused:
        raise InvalidOption(
            "extra",
            f"{refused} cannot be used here: the server submits the script itself and "
            "reads the new job's id.",
        )
    return word


def _refused_option(word: str) -> str | None:
    if word.startswith("--"):
        name = word.split("=", 1)[0]
        # getopt_long accepts any unambiguous prefix (--pars is --parsable).
        for refused in _REFUSED_LONG:
            if refused.startswith(name) and len(name) > 2:
                return refused
        return None
    for letter in word[1:]:
        if letter in _REFUSED_SHORT:
            return f"-{letter}"
        if letter in _SHORT_WITH_VALUE:
            return None
    return None


def resolve_workdir(value: object, root_dir: str) -> str:
    """The working folder as an absolute path: relative ones (and none) from ``root_dir``."""
    text = _text("workdir", value, limit=MAX_PATH)
    path = Path(os.path.expanduser(text)) if text else Path(root_dir)
    if not path.is_absolute():
        path = Path(root_dir) / path
    path = Path(os.path.normpath(path))
    if not path.is_dir():
        shown = text if text else str(path)
        raise InvalidOption(
            "workdir", f"The working directory {shown!r} does not exist or is not a folder."
        )
    return str(path)


def validate_options(
    options: object, *, root_dir: str | None = None, kind: str | None = "slurm"
) -> SubmitRequest:
    """A SubmitRequest from the form's options; InvalidOption for the first wrong field.

    With ``root_dir`` the working folder is resolved and must exist; without it (templates)
    only its form is checked. ``kind``: the batch system whose rules ``extra`` follows
    (``Scheduler.kind``; see validate_extra).
    """
    if options is None:
        options = {}
    if not isinstance(options, Mapping):
        raise InvalidOption("options", "options must be a JSON object of submit options.")
    unknown = [k for k in options if k not in OPTION_NAMES]
    if unknown:
        raise InvalidOption(
            str(unknown[0])[:40],
            f"{str(unknown[0])[:40]!r} is not a submit option; the options are: "
            f"{', '.join(OPTION_NAMES)}.",
        )
    get = options.get
    hold = get("hold", False)
    if not isinstance(hold, bool):
        raise InvalidOption("hold", "hold must be true or false.")
    workdir = get("workdir")
    if root_dir is not None:
        workdir = resolve_workdir(workdir, root_dir)
    else:
        workdir = _text("workdir", workdir, limit=MAX_PATH)
    names = "letters, digits, '.', '_' and '-'"
    return SubmitRequest(
        name=_text("name", get("name")),
        partition=_matching(
            "partition",
            get("partition"),
            _PARTITIONS,
            f"a partition name is {names}.",
        ),
        time_limit=validate_time_limit(get("time_limit")),
        nodes=_count("nodes", get("nodes")),
        cpus=_count("cpus", get("cpus")),
        memory=_matching(
            "memory",
            get("memory"),
            _MEMORY,
            "write a number with an optional unit K, M, G or T (e.g. 4G).",
        ),
        gpus=_count("gpus", get("gpus")),
        account=_matching("account", get("account"), _SCHEDULER_NAME, f"use {names}."),
        output=_text("output", get("output"), limit=MAX_PATH),
        error=_text("error", get("error"), limit=MAX_PATH),
        hold=hold,
        extra=validate_extra(get("extra"), kind),
        qos=_matching("qos", get("qos"), _SCHEDULER_NAME, f"use {names}."),
        ntasks=_count("ntasks", get("ntasks")),
        gres=_matching(
            "gres",
            get("gres"),
            _GRES,
            "write name[:type]:count, e.g. gpu:2 or gpu:a100:2, comma-separated.",
        ),
        array=_matching(
            "array",
            get("array"),
            _ARRAY,
            "write indexes and ranges such as 1-10, 1,3,5 or 0-99:3, with an optional %limit.",
        ),
        dependency=_matching(
            "dependency",
            get("dependency"),
            _DEPENDENCY,
            "write type:jobid[:jobid...], e.g. afterok:123, separated by commas.",
        ),
        workdir=workdir,
        mail_type=validate_mail_type(get("mail_type")),
        mail_user=_matching(
            "mail_user",
            get("mail_user"),
            _MAIL_USER,
            "write an e-mail address or a user name.",
        ),
    )


def validate_script(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidOption("script", "The job script is empty: write the script to submit.")
    if len(value.encode("utf-8", "surrogatepass")) > MAX_SCRIPT_BYTES:
        raise InvalidOption("script", "The job script is larger than 1 MiB.")
    if "\x00" in value:
        raise InvalidOption("script", "The job script contains a null character.")
    if not value.startswith("#!"):
        raise InvalidOption(
            "script",
            "The job script must start with an interpreter line such as #!/bin/bash.",
        )
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidOption("script", "The job script is not valid text (UTF-8).") from None
    return value


def request_to_options(request: SubmitRequest) -> dict[str, Any]:
    """The form's options for a request: only what is set (templates keep these)."""
    out: dict[str, Any] = {}
    for name, value in request.to_dict().items():
        if value is None or value is False or value == []:
            continue
        out[name] = value
    return out
