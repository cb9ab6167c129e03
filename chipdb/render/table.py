"""Rich tables for people. Colour only on a terminal; NO_COLOR respected (Rich does both).

Every piece of data text (cells, headers, titles, notes) reaches Rich as a ``Text`` built from
``printable`` text: no control character reaches the terminal and no ``[markup]`` in a chip
name is interpreted.
"""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from chipdb.render.document import Document, cell_text
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


def render(doc: Document, out: TextIO) -> None:
    console = _Console(file=out, width=None if out.isatty() else 100,
                       highlight=False, soft_wrap=False)
    for i, section in enumerate(doc.shown):
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
