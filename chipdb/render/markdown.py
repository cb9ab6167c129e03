"""Markdown: one pipe table per section; data text escaped so it cannot break the table."""

from __future__ import annotations

import io
from typing import Any, TextIO

from chipdb.render.document import Document, cell_text
from chipdb.safetext import printable


def inline(text: str) -> str:
    """Text safe inside a pipe-table cell or a heading: control characters escaped, newlines
    as spaces, pipes (and a backslash that would escape one) escaped."""
    return (printable(text, newlines=True).replace("\n", " ")
            .replace("\\|", "\\\\|").replace("|", "\\|"))


def cell(value: Any) -> str:
    return inline(cell_text(value))


def markdown(doc: Document) -> str:
    buf = io.StringIO()
    for i, section in enumerate(doc.shown):
        if i:
            buf.write("\n")
        if section.title:
            buf.write(f"### {inline(section.title)}\n\n")
        cols = list(section.columns)
        heads = [inline(section.labels.get(c, c)) for c in cols]
        buf.write("| " + " | ".join(heads) + " |\n")
        buf.write("|" + "|".join("---" for _ in cols) + "|\n")
        for row in section.rows:
            buf.write("| " + " | ".join(cell(row.get(c)) for c in cols) + " |\n")
        if section.note:
            buf.write(f"\n{inline(section.note)}\n")
    return buf.getvalue()


def render(doc: Document, out: TextIO) -> None:
    out.write(markdown(doc))
