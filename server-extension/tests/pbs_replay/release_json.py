"""How the released OpenPBS 23.06.06 prints ``-F json`` (its writer, ``pbs_json.c``), for
the stand-ins' release mode (state ``"json_printer": "release"``).

As the release's recordings show (fixtures/pbs/release-23.06.06, its README):

- four-space indents and ``"key":value`` with nothing after the colon;
- a value that C's ``strtod`` reads whole (white space around it allowed) is printed bare,
  its characters unchanged, whatever the attribute: ``"Job_Name":1.50``, ``1e5``, ``00``,
  ``inf``, ``12345``, ``"Account_Name":0.10``, ``"umask":22``; except one that starts
  with ``0`` and is 1 or more (``007`` stays a string). ``00`` and ``inf`` make the
  document invalid JSON (09, 17);
- a string is copied nearly raw: a backslash goes out with the character after it (``\\s``
  stays ``\\s``: invalid JSON, 21; ``\\\\`` stays two backslashes, which JSON reads as
  one, 18), except before ``'`` and ``,``, where it is dropped; a bare ``"`` gets a
  backslash unless it comes first or after a backslash; control characters are escaped;
- when qstat returns no job the wrapper has no ``"Jobs"`` and ends with ``}`` and no
  newline (45); otherwise the document ends with ``}`` and a newline.

Test-only, like the stand-ins it serves.
"""

from __future__ import annotations

import math
import re
from typing import Any

# What strtod reads: decimal and hexadecimal numbers, inf, infinity, nan, nan(chars).
_STRTOD = re.compile(
    r"\s*[+-]?(?:"
    r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
    r"|0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?"
    r"|(?i:inf(?:inity)?|nan(?:\([0-9A-Za-z_]*\))?)"
    r")\s*"
)
_CONTROL = {"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
INDENT = 4


def _strtod(token: str) -> float:
    text = token.strip().lower()
    if "nan" in text:
        return math.nan
    return float.fromhex(text) if "x" in text else float(text)


def is_bare(value: str) -> bool:
    """Whether the release prints this value without quotes."""
    if not value.strip() or _STRTOD.fullmatch(value) is None:
        return False
    # pbs_json.c: "value with leading zeroes is represented as a string, unless all
    # zeroes or part of a decimal number < 1".
    return value[0] != "0" or _strtod(value) < 1


def escape(value: str) -> str:
    """pbs_json.c's ``strdup_escape`` in its JSON_ESCAPE mode."""
    out: list[str] = []
    i = 0
    while i < len(value):
        c = value[i]
        if c in _CONTROL:
            out.append(_CONTROL[c])
        elif c == '"':
            out.append('\\"' if i > 0 and value[i - 1] != "\\" else '"')
        elif c == "\\":
            after = value[i + 1 : i + 2]
            out.append(after if after in ("'", ",") else c + after)
            i += len(after)
        else:
            out.append(c)
        i += 1
    return "".join(out)


def _scalar(value: Any) -> str:
    text = str(value)
    return text if is_bare(text) else f'"{escape(text)}"'


def _value(value: Any, indent: int) -> str:
    pad = " " * indent
    if isinstance(value, dict):
        inner = [f'{pad}{" " * INDENT}"{k}":{_value(v, indent + INDENT)}' for k, v in value.items()]
        return (
            "{"
            + "".join(f"{',' if i else ''}\n{line}" for i, line in enumerate(inner))
            + (f"\n{pad}}}")
        )
    if isinstance(value, list):
        items = [f"{pad}{' ' * INDENT}{_value(v, indent + INDENT)}" for v in value]
        return (
            "["
            + "".join(f"{',' if i else ''}\n{line}" for i, line in enumerate(items))
            + (f"\n{pad}]")
        )
    return _scalar(value)


def release_document(doc: dict[str, Any], *, matched: bool) -> str:
    """The document as the release prints it; ``matched``: whether it holds the member
    asked for (without it, no newline at the end)."""
    return _value(doc, 0) + ("\n" if matched else "")
