"""Splitting a magic's line into an argv list, and finding options in it."""

from __future__ import annotations

import argparse
import math
import shlex
from collections.abc import Iterable
from typing import NoReturn

from IPython.core.error import UsageError

# The largest --timeout / --tail a magic takes: a year of seconds.
MAX_NUMBER = 365 * 24 * 3600.0


def split(line: str) -> list[str]:
    """The line as the shell would split it (quotes work), never through a shell."""
    if "\x00" in line:
        # No command can receive it (argv strings end at a null byte).
        raise UsageError("The arguments contain a null byte, which no command can receive.")
    try:
        return shlex.split(line)
    except ValueError as e:
        raise UsageError(f"Cannot split the arguments ({e}): check the quotes.") from None


def pop_option(args: list[str], name: str) -> tuple[str | None, list[str]]:
    """Remove ``--name VALUE`` or ``--name=VALUE`` (one of the magic's own options)."""
    rest: list[str] = []
    value: str | None = None
    it = iter(args)
    for token in it:
        if token == name:
            value = next(it, None)
            if value is None:
                raise UsageError(f"{name} needs a value.")
        elif token.startswith(name + "="):
            value = token.split("=", 1)[1]
        else:
            rest.append(token)
    return value, rest


def pop_float(args: list[str], name: str, default: float) -> tuple[float, list[str]]:
    value, rest = pop_option(args, name)
    if value is None:
        return default, rest
    try:
        number = float(value)
    except ValueError:
        raise UsageError(f"{name} takes a number of seconds, not {value!r}.") from None
    if not math.isfinite(number) or number > MAX_NUMBER:
        # nan, inf ("1e999") and huge numbers parse as floats, but a timeout that large
        # overflows the clock the wait uses (OverflowError deep in subprocess).
        raise UsageError(f"{name} takes a number up to {MAX_NUMBER:g}, not {value!r}.")
    if number <= 0:
        raise UsageError(f"{name} must be more than 0 seconds.")
    return number, rest


def has_option(args: Iterable[str], short: str = "", long: Iterable[str] = ()) -> bool:
    """Whether args hold one of these options.

    ``short`` is a string of single-letter options, found alone (``-o``) or with an attached
    value (``-o%i``). Long ones match exactly, with ``=value``, or as the unambiguous
    abbreviations Slurm's getopt accepts (``--form``).
    """
    longs = tuple(long)
    for arg in args:
        if arg == "--":
            return False
        if arg.startswith("--"):
            name = arg[2:].split("=", 1)[0]
            if len(name) >= 3 and any(opt[2:].startswith(name) for opt in longs):
                return True
        elif arg.startswith("-") and len(arg) >= 2 and arg[1] in short:
            return True
    return False


def valid_name(name: str) -> str:
    if not name.isidentifier():
        raise UsageError(f"--name-var wants a Python variable name, not {name!r}.")
    return name


class MagicParser(argparse.ArgumentParser):
    """argparse for a magic's own options: a mistake is a UsageError, never an exit."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog=prog, add_help=False)

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}. See {self.prog}? for the options.")
