"""Markdown: one pipe table per section; data text escaped so it cannot break the table.

A line break inside a cell is written ``<br>`` (GitHub, GitLab and pandoc show it as one), so a
reason's margins stay on their own line; a ``<`` that would open a tag is written ``&lt;``.
"""

from __future__ import annotations

import io
import re
from typing import Any, TextIO

from chipdb.render.document import Document, cell_text
from chipdb.safetext import printable


def inline(text: str) -> str:
    """Text safe inside a pipe-table cell or a heading: control characters escaped, newlines
    as spaces, pipes (and a backslash that would escape one) escaped."""
    return (printable(text, newlines=True).replace("\n", " ")
            .replace("\\|", "\\\\|").replace("|", "\\|"))


_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")


def cell(value: Any) -> str:
    """A cell: pipes escaped, no tag, and its line breaks as ``<br>``."""
    lines = printable(cell_text(value), newlines=True).split("\n")
    return "<br>".join(_TAG_START.sub("&lt;", inline(line)) for line in lines)


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
