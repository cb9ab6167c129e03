"""The shape every command hands to a renderer: a Document of titled Sections of records."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass
class Section:
    title: str
    columns: Sequence[str]
    rows: list[dict[str, Any]]
    # table view only: column -> header label
    labels: dict[str, str] = field(default_factory=dict)
    note: str = ""
    highlight_differences: bool = False
    # its content is repeated in the record table, so a one-table format loses nothing by it
    flat: bool = False


@dataclass
class Document:
    sections: list[Section]
    payload: Any = None  # JSON shape when it is not simply the records
    csv_section: int = 0  # which section the CSV carries
    table_sections: int | None = None  # how many sections table/markdown show (None: all)
    title: str = ""  # the heading of a report (html)
    figures: list[tuple[str, str]] = field(default_factory=list)  # html: (caption, svg markup)

    @property
    def shown(self) -> list[Section]:
        return self.sections[: self.table_sections]


def plain(value: Any) -> Any:
    """A value as JSON and CSV carry it: dates as ISO text, NaN and infinities as null."""
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):  # a BLOB from `chipdb sql`
        return "x'" + bytes(value).hex() + "'"  # as SQL writes a BLOB literal
    return value


def to_jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    return plain(value)


def cell_text(value: Any) -> str:
    """A value as people read it in a table: a dash for unknown, yes/no, 5,600."""
    from chipdb.units import fmt_number

    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return fmt_number(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return str(plain(value))
    return str(value)
