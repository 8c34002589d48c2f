"""Showing outside-controlled text on the terminal safely (终端安全).

Subjects, senders, bodies, file names, server and OA error messages come from outside: a
petitioner, a forger, a misbehaving server. The CLI never lets such text act on the terminal:
it is never read as Rich markup (a subject `[/] 热水` would crash a table, `[link=…]` would
become a link), and control characters — ESC and the rest of C0 and C1, DEL, bidi overrides,
zero-width and other format characters, line and paragraph separators, lone surrogates — are
shown as visible escapes (`\\x1b`, `\\u202e`) instead of being sent to the terminal. JSON
output escapes the same characters as `\\uXXXX`, which JSON reads back unchanged.

Every command that prints such text passes it through `shown`, and prints tables and lines
through `console()`, whose markup and emoji codes are off.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

from rich.console import Console

# Unicode categories that can move the cursor, change colours, reorder or hide text.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def _unsafe(ch: str) -> bool:
    return unicodedata.category(ch) in _UNSAFE_CATEGORIES


def _escape(ch: str) -> str:
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def shown(text: object, *, multiline: bool = False, limit: int | None = None) -> str:
    """`text` with every control or format character escaped, safe to print.

    `multiline` keeps line feeds and tabs (a letter's body); in one line (a subject, a table
    cell) they are escaped too, so the line stays one line.
    `limit` shortens to that many characters first, so an escape is never cut in half.
    A literal backslash stays as it is: the escapes are for the eye, not to be parsed back.
    """
    value = "" if text is None else str(text)
    if limit is not None:
        value = value[:limit]
    out: list[str] = []
    for ch in value:
        if multiline and ch in "\n\t":
            out.append(ch)
        elif _unsafe(ch):
            out.append(_escape(ch))
        else:
            out.append(ch)
    return "".join(out)


def _json_escape(ch: str) -> str:
    code = ord(ch)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def json_text(value: Any, *, indent: int | None = 2) -> str:
    """`value` as JSON (Chinese left readable), with every unsafe character escaped as `\\uXXXX`.

    `json.dumps` already escapes C0 controls inside strings; C1 controls, bidi overrides and
    format characters it leaves raw. Outside strings JSON has only ASCII punctuation, spaces and
    the line feeds of `indent`, so every unsafe character left is inside a string.
    """
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    return "".join(_json_escape(ch) if ch != "\n" and _unsafe(ch) else ch for ch in text)


def console(*, stderr: bool = False) -> Console:
    """A Rich console that reads no markup and no emoji codes in what it prints."""
    return Console(stderr=stderr, markup=False, emoji=False, highlight=False)
