"""Renderers: data in, text out. One interface for every command and format.

A command hands over a ``Document``: a list of sections, each a titled table of records.
``json`` and ``csv`` print records only (no decoration); ``table`` uses Rich; ``markdown``
prints pipe tables. Commands whose JSON has a fixed shape (compare, what-if) pass that shape as
``payload``.
"""

from __future__ import annotations

import csv
import io
import json
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TextIO

FORMATS = ("table", "json", "csv", "markdown")


@dataclass
class Section:
    title: str
    columns: Sequence[str]
    rows: list[dict[str, Any]]
    # table view only: column -> header label
    labels: dict[str, str] = field(default_factory=dict)
    note: str = ""
    highlight_differences: bool = False


@dataclass
class Document:
    sections: list[Section]
    payload: Any = None  # JSON shape when it is not simply the records
    csv_section: int = 0  # which section the CSV carries
    table_sections: int | None = None  # how many sections table/markdown show (None: all)

    @property
    def shown(self) -> list[Section]:
        return self.sections[: self.table_sections]


def _plain(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, date):
        return value.isoformat()
    return value


def to_jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    return _plain(value)


def cell_text(value: Any) -> str:
    from chipdb.units import fmt_number

    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return fmt_number(value)
    return str(value)


def render(doc: Document, fmt: str, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    if fmt == "json":
        payload = doc.payload if doc.payload is not None else (
            doc.sections[0].rows if len(doc.sections) == 1
            else {s.title: s.rows for s in doc.sections}
        )
        json.dump(to_jsonable(payload), out, indent=2, ensure_ascii=False)
        out.write("\n")
    elif fmt == "csv":
        section = doc.sections[doc.csv_section]
        writer = csv.DictWriter(out, fieldnames=list(section.columns), extrasaction="ignore",
                                lineterminator="\n")
        writer.writeheader()
        for row in section.rows:
            writer.writerow({k: _csv_cell(row.get(k)) for k in section.columns})
    elif fmt == "markdown":
        out.write(markdown(doc))
    else:
        from chipdb.render.table import print_document

        print_document(doc, out)


def _csv_cell(value: Any) -> Any:
    value = _plain(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if value != int(value) else str(int(value))
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return "" if value is None else value


def markdown(doc: Document) -> str:
    buf = io.StringIO()
    for i, section in enumerate(doc.shown):
        if i:
            buf.write("\n")
        if section.title:
            buf.write(f"### {section.title}\n\n")
        cols = list(section.columns)
        heads = [section.labels.get(c, c) for c in cols]
        buf.write("| " + " | ".join(heads) + " |\n")
        buf.write("|" + "|".join("---" for _ in cols) + "|\n")
        for row in section.rows:
            cells = [cell_text(row.get(c)).replace("|", "\\|").replace("\n", " ") for c in cols]
            buf.write("| " + " | ".join(cells) + " |\n")
        if section.note:
            buf.write(f"\n{section.note}\n")
    return buf.getvalue()
