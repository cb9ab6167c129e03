"""Rich tables for people. Colour only on a terminal; NO_COLOR respected (Rich does both).

Every piece of data text (cells, headers, titles, notes) reaches Rich as a ``Text`` built from
``printable`` text: no control character reaches the terminal and no ``[markup]`` in a chip
name is interpreted.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from chipdb.render.document import Document, Section, cell_text
from chipdb.render.styles import terminal_style
from chipdb.safetext import printable


class _Console(Console):
    def on_broken_pipe(self) -> None:
        """Rich exits 1 on a closed pipe; hand it to render.write like every other format."""
        self.quiet = True
        raise BrokenPipeError


def _text(value: str, style: str = "") -> Text:
    return Text(printable(value, newlines=True), style=style)


def outcome_style(text: str) -> str:
    """The style of a cell: its outcome's, or the latest one's in "a → b" (every rule version)."""
    return terminal_style(text.rsplit(" → ", 1)[-1])


PIPED_WIDTH = 100  # the width of a table written to a pipe or file when COLUMNS is not set
TRANSPOSE_OVER = 4  # a side-by-side table of more chips than this reads better one per row


def width(out: TextIO) -> int | None:
    """The terminal's width (Rich finds it) or, piped, $COLUMNS, else PIPED_WIDTH."""
    if out.isatty():
        return None
    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        return PIPED_WIDTH
    return columns if columns >= 20 else PIPED_WIDTH


def transposed(section: Section) -> Section:
    """A side-by-side section (rows: fields, columns: chips) with one row per chip instead."""
    key = section.columns[0]
    chips = list(section.columns[1:])
    fields = [str(row.get(key)) for row in section.rows]
    rows = [{key: chip, **{f: row.get(chip) for f, row in zip(fields, section.rows,
                                                            strict=True)}}
            for chip in chips]
    label = section.labels.get(key) or key
    return replace(section, columns=[key, *fields], rows=rows,
                   labels={key: "chip" if label in ("", "field", "rule") else label},
                   highlight_differences=False)


def fitting(section: Section, room: int) -> list[Section]:
    """A wide section as several tables of consecutive columns, each ``room`` wide at most,
    every one repeating the first column (the chip)."""
    def need(col: str) -> int:
        texts = [section.labels.get(col, col), *(cell_text(r.get(col)) for r in section.rows)]
        return max(len(line) for t in texts for line in t.split("\n")) + 3

    first, rest = section.columns[0], list(section.columns[1:])
    parts: list[list[str]] = [[]]
    used = need(first)
    for col in rest:
        if parts[-1] and used + need(col) > room:
            parts.append([])
            used = need(first)
        parts[-1].append(col)
        used += need(col)
    return [replace(section, columns=[first, *cols], title=section.title if i == 0 else "",
                    note=section.note if i == len(parts) - 1 else "")
            for i, cols in enumerate(parts)]


def _shown(doc: Document, room: int) -> list[Section]:
    out: list[Section] = []
    for section in doc.shown:
        if section.highlight_differences and len(section.columns) - 1 > TRANSPOSE_OVER:
            out += fitting(transposed(section), room)
        else:
            out.append(section)
    return out


def render(doc: Document, out: TextIO) -> None:
    console = _Console(file=out, width=width(out), highlight=False, soft_wrap=False)
    for i, section in enumerate(_shown(doc, console.width)):
        if i:
            console.print()
        table = Table(title=_text(section.title, "table.title") if section.title else None,
                      title_justify="left", expand=False, show_lines=False, pad_edge=False)
        for col in section.columns:
            table.add_column(_text(section.labels.get(col, col)), overflow="fold")
        for row in section.rows:
            cells = [cell_text(row.get(c)) for c in section.columns]
            differs = section.highlight_differences and len(set(cells[1:])) > 1
            styled = []
            for j, text in enumerate(cells):
                style = outcome_style(text) if j else ""
                if differs and j == 0:
                    style = "bold"
                styled.append(_text(text, style))
            table.add_row(*styled)
        console.print(table)
        if section.note:
            console.print(_text(section.note), soft_wrap=True)
