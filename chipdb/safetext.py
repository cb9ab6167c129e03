"""Data text made safe to show: control, escape and invisible characters become visible escapes.

Chip names, vendors, notes, rule text and file names come from seeds, user imports, typed
options and SQL results. Any of them may hold ESC/CSI/OSC sequences (colours, screen clears,
window titles, clipboard writes), bidi overrides or lone surrogates. Every renderer that writes
for people (terminal tables, markdown, CSV, the plot, stderr notes) passes its text through
``printable`` so such a character is shown as ``\\x1b`` instead of acting on the terminal.
JSON keeps the exact text, with ``json_safe`` writing the characters its encoder leaves raw
as ``\\uXXXX``.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# Other (control, format, surrogate, private-use, unassigned) and the line/paragraph
# separators: none of them is text a reader is meant to see as such.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


@lru_cache(maxsize=4096)
def _unsafe(ch: str) -> bool:
    return unicodedata.category(ch) in _UNSAFE_CATEGORIES


def _escape(ch: str) -> str:
    return ascii(ch)[1:-1]  # '\x1b', '\u202e', '\udcff': what Python itself would print


def printable(text: str, newlines: bool = False) -> str:
    """``text`` with every unsafe character escaped; ``newlines`` keeps ``\\n`` (cells that are
    several lines on purpose) — tabs and carriage returns are escaped either way."""
    if text.isascii() and text.isprintable():  # the common case, checked in C
        return text
    return "".join(_escape(ch) if (_unsafe(ch) and not (newlines and ch == "\n")) else ch
                   for ch in text)


def _json_escape(ch: str) -> str:
    code = ord(ch)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # beyond the BMP JSON spells a UTF-16 surrogate pair
    return f"\\u{0xd800 + (code >> 10):04x}\\u{0xdc00 + (code & 0x3ff):04x}"


def json_safe(document: str) -> str:
    """A JSON text with every unsafe character written as a \\uXXXX escape: the same JSON
    value, but no raw C1 control, DEL or bidi override reaches a terminal (the encoder
    escapes only U+0000-U+001F)."""
    if document.replace("\n", "").isprintable():  # JSON's own newlines are its indentation
        return document
    return "".join(_json_escape(ch) if _unsafe(ch) and ch != "\n" else ch for ch in document)
