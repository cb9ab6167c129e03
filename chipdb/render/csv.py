"""CSV: one section's records, or columns (the batch fast path); text cells made inert.

A text cell that a spreadsheet would run as a formula (it starts with = + - @, or a tab or
carriage return) is written with a leading single quote, as OWASP advises; numbers are never
touched, so a negative margin stays a number. Control characters in text are escaped.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from chipdb.render.document import Document, plain
from chipdb.safetext import printable

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_FIRST = frozenset(_FORMULA_STARTS)


def text_cell(text: str) -> str:
    """A text value as a CSV cell: escaped control characters, no formula."""
    if text.startswith(_FORMULA_STARTS):
        text = "'" + text
    return printable(text, newlines=True)


def cell(value: Any) -> Any:
    value = plain(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if value != int(value) else str(int(value))
    if isinstance(value, list | tuple):
        return text_cell("; ".join(str(v) for v in value))
    if isinstance(value, str):
        return text_cell(value)
    return "" if value is None else value


def render(doc: Document, out: TextIO) -> None:
    section = doc.sections[doc.csv_section]
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([text_cell(c) for c in section.columns])
    writer.writerows([cell(row.get(k)) for k in section.columns] for row in section.rows)


def number_column(values: Iterable[float]) -> list[str]:
    """A float column as CSV text: empty when unknown, integers without ".0"."""
    return ["" if math.isnan(v) else str(int(v)) if v.is_integer() else repr(v)
            for v in map(float, values)]


def text_column(values: Iterable[Any]) -> list[str]:
    """A text column (None for unknown) as CSV cells, each made inert like ``text_cell``."""
    texts = ["" if v is None else str(v) for v in values]
    distinct = set(texts)
    if len(distinct) * 8 < len(texts):  # outcome words: a handful for any number of rows
        cells = {t: text_cell(t) for t in distinct}
        return texts if all(cells[t] == t for t in distinct) else [cells[t] for t in texts]
    # names: checked as one string, in C, for the common case of nothing to change
    lines = "\n" + "\n".join(texts)
    if ("".join(texts).isprintable() and lines.isascii()
            and not any("\n" + c in lines for c in _FORMULA_STARTS)):
        return texts
    return [text_cell(t) for t in texts]


def write_columns(out: TextIO, header: Sequence[str] | None,
                  columns: Sequence[Sequence[Any]]) -> None:
    """Columns of ready cells (``number_column``/``text_column``), one row per position;
    ``header`` None for a later chunk of a streamed table."""
    writer = csv.writer(out, lineterminator="\n")
    if header is not None:
        writer.writerow([text_cell(h) for h in header])
    writer.writerows(zip(*columns, strict=True))
