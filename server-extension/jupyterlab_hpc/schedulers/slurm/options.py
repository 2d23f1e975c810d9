"""Where a Slurm command's options end and its command begins (``salloc -N 1 -t 5 hostname``).

Which options take a value is read from the command's own ``--help`` (``-N, --nodes=N``), so
it follows the installed Slurm version instead of a list kept here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# "  -N, --nodes=N    number of nodes" / "      --mem=MB ..." / "  -I, --immediate[=secs] ..."
# / "  -B  --extra-node-info=S[:C[:T]]" (no comma).
_HELP_OPTION = re.compile(
    r"\s+(?:-(?P<short>[A-Za-z0-9]),?\s+)?--(?P<long>[A-Za-z0-9][A-Za-z0-9-]*)(?P<arg>\[?=)?.*"
)
# Options Slurm 22.05's help prints without "=" although they take a value.
_VALUE_WITHOUT_EQUALS = frozenset({"container"})


@dataclass(frozen=True)
class ValueOptions:
    """The options of one command that take a separate value (``-N 1``, ``--nodes 1``)."""

    short: frozenset[str]
    long: frozenset[str]
    # Every long option, to resolve abbreviations as getopt does (--part = --partition).
    known_long: frozenset[str]


def value_options(help_text: str, extra_long: Iterable[str] = ()) -> ValueOptions:
    """The value-taking options named in a Slurm command's ``--help``.

    ``[=value]`` options (``--immediate[=secs]``) take their value only when attached, so
    they do not count. ``extra_long`` adds options of the caller's own (a magic's --timeout).
    """
    short: set[str] = set()
    long: set[str] = set(extra_long)
    known: set[str] = set(extra_long)
    for line in help_text.splitlines():
        m = _HELP_OPTION.fullmatch(line)
        if m is None:
            continue
        name = m.group("long")
        known.add(name)
        takes_value = m.group("arg") == "=" or name in _VALUE_WITHOUT_EQUALS
        if takes_value:
            long.add(name)
            if m.group("short"):
                short.add(m.group("short"))
    return ValueOptions(frozenset(short), frozenset(long), frozenset(known))


def split_command(args: Sequence[str], options: ValueOptions) -> tuple[list[str], list[str]]:
    """``(options, command)``: the command starts at the first word that is neither an
    option nor an option's value, or after ``--``."""
    for i, token in enumerate(_option_ends(args, options)):
        if token is not None:
            return list(args[:i]), list(args[i:] if args[i] != "--" else args[i + 1 :])
    return list(args), []


def _option_ends(args: Sequence[str], options: ValueOptions) -> Iterable[str | None]:
    """For each position: the word if the command starts there, else None."""
    skip = False
    for word in args:
        if skip:
            skip = False
            yield None
        elif word == ":":
            # Separates the components of a heterogeneous job: more options follow.
            yield None
        elif word == "--" or word == "-" or not word.startswith("-"):
            yield word
        elif word.startswith("--"):
            name = word[2:]
            skip = "=" not in name and _long_takes_value(name, options)
            yield None
        else:
            skip = _short_takes_value(word[1:], options)
            yield None


def _long_takes_value(name: str, options: ValueOptions) -> bool:
    if name in options.known_long:
        return name in options.long
    matches = [o for o in options.known_long if o.startswith(name)]
    return bool(matches) and all(o in options.long for o in matches)


def _short_takes_value(letters: str, options: ValueOptions) -> bool:
    """``-vN`` then a value: a bundle of flags whose last letter takes the next word,
    unless the value is attached (``-N2``)."""
    for i, letter in enumerate(letters):
        if letter in options.short:
            return i == len(letters) - 1
    return False


# For a line made only of options: nothing to tell apart, no need to ask --help.
NO_VALUE_OPTIONS = ValueOptions(frozenset(), frozenset(), frozenset())
