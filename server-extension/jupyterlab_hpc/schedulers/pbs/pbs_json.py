"""Reading PBS's ``-F json`` so that every value reads as qstat's text form (``-f``) shows it.

Two writers print ``-F json``, and neither is plain JSON to read:

- The released OpenPBS (23.06.06; its writer is ``pbs_json.c``) indents with four spaces,
  writes ``"key":value`` with nothing after the colon, and prints every value that C's
  ``strtod`` reads whole as a bare token with its characters unchanged, whatever the
  attribute: ``"Job_Name":1.50``, ``1e5``, ``00``, ``inf``, ``nan``, ``"Account_Name":0.10``,
  ``"umask":22``. Its strings are nearly raw: a backslash and the character after it are
  copied as they are (``back\\slash``, ``\\\\``), and only a bare ``"`` gets a backslash. So
  the document is often not JSON (``00``, ``inf``, ``\\s``), and where it is, ``json.loads``
  reads ``1.50`` as 1.5 and ``\\\\`` as one backslash where the job has two.
- Upstream master after the release writes with cJSON: tab indents, ``"key":<TAB>value``,
  proper escapes. The server has already rewritten numbers there (``007`` comes as ``7``),
  but the job name is quoted.

Both come out as the text form's strings: a bare token is kept as its text (never turned
into a number), and a release string is read the release's way. Numbers then read as the
text form's numbers do (``to_int``, ``parse_duration``), so the JSON and the text form give
the same rows.
"""

from __future__ import annotations

import json
import re
from typing import Any

# The release's layout: a member line indented with spaces, nothing after the colon.
_RELEASE_MEMBER = re.compile(r'^(?P<indent>[ \t]+)"[^"\n]*":(?P<after>.)', re.M)
# A member with a bare value, and a bare item of an array: the token, up to the comma that
# ends its line or the line's end. A token strtod reads whole holds no quote, backslash or
# comma, so it can stand between quotes as it is. (Each line is matched from its newline:
# far faster than ``^`` on a listing of thousands of jobs.)
_BARE_MEMBER = re.compile(r'(\n *"[^"\n]*":)([^"{\[\n][^,\n]*)')
_BARE_ITEM = re.compile(r'(\n +)([^"{}\[\]\n ][^,\n]*)')
# A string (of a member or an array item) on a line with a backslash: the release writes
# each value on one line, so the string runs to the last quote of its line.
_SLASHED_STRING = re.compile(r'( *(?:"[^"\n]*":)?)"(.*)"(,?)', re.S)
_PAIR = re.compile(r"\\(.)", re.S)


def is_release_layout(text: str) -> bool:
    """Whether ``text`` comes from the released OpenPBS writer (see the module docstring)."""
    first = _RELEASE_MEMBER.search(text)
    return first is not None and "\t" not in first["indent"] and not first["after"].isspace()


def _release_string(match: re.Match[str]) -> str:
    # A backslash was copied with the character after it: keep both, except the one the
    # writer put before a bare quote.
    value = _PAIR.sub(lambda p: '"' if p[1] == '"' else p[0], match[2])
    return f"{match[1]}{json.dumps(value, ensure_ascii=False)}{match[3]}"


def _restring_slashed_lines(text: str) -> str:
    """Each line with a backslash, its string read the release's way and written as JSON.
    (Lines are found from their backslashes: most documents have few or none.)"""
    parts: list[str] = []
    done = 0
    while (slash := text.find("\\", done)) != -1:
        start = text.rfind("\n", 0, slash) + 1
        end = text.find("\n", slash)
        end = len(text) if end == -1 else end
        parts.append(text[done:start])
        line = text[start:end]
        match = _SLASHED_STRING.fullmatch(line)
        parts.append(_release_string(match) if match else line)
        done = end
    parts.append(text[done:])
    return "".join(parts)


def _quote_tokens(pattern: re.Pattern[str], text: str) -> str:
    """Each token ``pattern``'s second group matches, between quotes. (split and join: a
    listing has a hundred thousand tokens, and re.sub's template costs a call each.)"""
    parts = pattern.split(text)
    parts[2::3] = [f'"{token}"' for token in parts[2::3]]
    return "".join(parts)


def release_as_json(text: str) -> str:
    """The release's document as valid JSON with every value a string of its own text."""
    text = _quote_tokens(_BARE_MEMBER, _restring_slashed_lines(text))
    # Arrays are rare (none in the recordings): skip the pass without one.
    return _quote_tokens(_BARE_ITEM, text) if '":[' in text else text


def load_pbs_json(text: str) -> Any:
    """The document, numbers kept as the text they were printed as. Raises ValueError when
    it does not read even so."""
    if is_release_layout(text):
        text = release_as_json(text)
    # strict=False: some PBS versions print control characters (tabs) raw inside strings.
    return json.loads(text, strict=False, parse_int=str, parse_float=str, parse_constant=str)
