"""Dates as precise as their sources: a day, a month, a quarter, a year, or an upper bound.

A light module of its own: renderers print periods, and importing the spec dataclasses for
that cost a cold `compare` 8 ms.
"""

from __future__ import annotations

from datetime import date, timedelta

BOUND_PREFIX = "by-"  # released_precision "by-month": on sale by the end of that month


def period_text(start: date, precision: str | None) -> str:
    """A date as precise as its source: 2024-03-18 (day), 2024-03, 2024-Q1 or 2024; the date
    stored for sorting is the first day of the period. An upper bound ("by-month") reads
    "by 2024-03"."""
    if precision is not None and precision.startswith(BOUND_PREFIX):
        return f"by {period_text(start, precision.removeprefix(BOUND_PREFIX))}"
    if precision == "month":
        return f"{start.year}-{start.month:02d}"
    if precision == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if precision == "year":
        return str(start.year)
    return start.isoformat()


def period_end(start: date, precision: str | None) -> date:
    """The last day of the period that starts on ``start`` (a bound's period alike)."""
    grain = (precision or "day").removeprefix(BOUND_PREFIX)
    months = {"month": 1, "quarter": 3, "year": 12}.get(grain)
    if months is None:
        return start
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def release_window(released: date | None, precision: str | None,
                   announced: date | None) -> tuple[date | None, date | None]:
    """(earliest, latest) day the part can have gone on sale, as its sources allow: a dated
    release spans its period; an upper bound ("by-...") runs from the announcement (None when
    unknown) to the end of the bound's period; no release gives (None, None)."""
    if released is None:
        return None, None
    latest = period_end(released, precision)
    if precision is not None and precision.startswith(BOUND_PREFIX):
        return announced, latest
    return released, latest
