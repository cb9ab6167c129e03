"""TSV: the record table as tab-separated values (IANA text/tab-separated-values).

A tab, newline or backslash inside a cell is written as ``\\t``, ``\\n``, ``\\\\`` (a TSV
field cannot hold them); text cells are made inert as in CSV (render.csv.text_cell)."""

from __future__ import annotations

from typing import Any, TextIO

from chipdb.render.csv import cell, text_cell
from chipdb.render.document import Document


def _escaped(text: str) -> str:
    return (text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            .replace("\r", "\\r"))


def _field(value: Any) -> str:
    if isinstance(value, str):  # escaped first, then made inert and printable as in CSV
        return str(text_cell(_escaped(value)))
    return _escaped(str(cell(value)))


def render(doc: Document, out: TextIO) -> None:
    section = doc.sections[doc.csv_section]
    lines = ["\t".join(_field(c) for c in section.columns)]
    lines += ["\t".join(_field(row.get(k)) for k in section.columns) for row in section.rows]
    out.write("\n".join(lines) + "\n")
