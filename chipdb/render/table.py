"""Rich tables for people. Colour only on a terminal; NO_COLOR respected (Rich does both)."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from chipdb.render import Document, cell_text

_OUTCOME_STYLES = {
    "not-controlled": "green",
    "not-covered": "green",
    "not-applicable": "green",
    "rebutted": "green",
    "case-by-case": "yellow",
    "undetermined": "magenta",
    "tariff-25": "yellow",
}


def outcome_style(value: str) -> str:
    if value in _OUTCOME_STYLES:
        return _OUTCOME_STYLES[value]
    if value.startswith("3A090") or value in ("license-required", "presumption-of-denial",
                                              "presumed-3A090.a"):
        return "bold red"
    return ""


def print_document(doc: Document, out: TextIO) -> None:
    console = Console(file=out, width=None if out.isatty() else 100,
                      highlight=False, soft_wrap=False)
    for i, section in enumerate(doc.shown):
        if i:
            console.print()
        table = Table(title=section.title or None, title_justify="left", expand=False,
                      show_lines=False, pad_edge=False)
        for col in section.columns:
            table.add_column(section.labels.get(col, col), overflow="fold")
        for row in section.rows:
            cells = [cell_text(row.get(c)) for c in section.columns]
            differs = section.highlight_differences and len(set(cells[1:])) > 1
            styled = []
            for j, text in enumerate(cells):
                style = outcome_style(text) if j else ""
                if differs and j == 0:
                    style = "bold"
                styled.append(Text(text, style=style))
            table.add_row(*styled)
        console.print(table)
        if section.note:
            console.print(section.note, soft_wrap=True)
