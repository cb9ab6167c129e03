"""A sourced field → its preferred value and a Claim for every published value; plausibility BOUNDS.

A claim may also be a range ``{ range = [280, 400] }`` or a bound ``{ at_most = 858 }`` (an
"at most" runs from 0, an "at least" to infinity). A range has no point value: the field's
value stays unknown and the preferred range reaches the metrics through ``spans`` (a bound
claim's tier is ``bound`` unless it says otherwise). ``check_preferred_tiers`` refuses an
estimate, secondary figure or bound preferred over an official one.

Every value in a seed resolves to a source: ``{ value = 814, source = "key" }``, or a plain
value under a table (or chip) that names a default ``source``. Competing published values are a
list of claims, exactly one ``preferred = true`` with a ``reason``. A throughput claim publishes
a dense and/or a sparse rate; each becomes its own Claim (``throughput.fp8.sparse_tops``), so
the two are never mixed, while which claim is preferred is decided once per published table.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Literal

from chipdb.catalogue.schema import (
    ClaimModel,
    DateClaimModel,
    PublishedModel,
    Sourced,
    SourcedDate,
    SourcedRates,
)
from chipdb.conventions import CONVENTIONS
from chipdb.periods import period_text
from chipdb.spec import Claim

# Plausible bounds per canonical unit: a value outside them is a typo or a unit mistake
# (TB/s entered as GB/s, a sparse figure in PFLOPS, ...). Wide enough for wafer-scale parts.
BOUNDS: dict[str, tuple[float, float]] = {
    "area_mm2": (1.0, 50_000.0),
    "package_area_mm2": (1.0, 10_000.0),
    "transistors_billion": (0.001, 5_000.0),
    "node_nm": (1.0, 250.0),
    "count": (1, 1_000),
    "stacks": (1, 64),
    "capacity_gb": (0.001, 4_096.0),
    "bandwidth_gbps": (1.0, 25_000_000.0),
    "bidirectional_gbps": (0.1, 200_000.0),
    "per_direction_gbps": (0.05, 100_000.0),
    "tdp_w": (1.0, 30_000.0),
    "ics_per_card": (1.0, 64.0),
    "tops": (0.001, 1_000_000.0),
    "published_tpp": (1.0, 20_000_000.0),
    "published_performance_density": (0.001, 10_000.0),
}

Kind = Literal["number", "bool"]
Value = float | bool


class FieldProblem(ValueError):
    """One field of a record is wrong; the caller knows the file and the record."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


def check_number(field: str, value: float, bounds: str | None) -> float:
    """A finite number inside the plausible range of its unit (``BOUNDS``), if one is named."""
    if not math.isfinite(value):
        raise FieldProblem(field, f"must be a finite number, not {value}")
    if bounds is not None:
        low, high = BOUNDS[bounds]
        if not low <= value <= high:
            raise FieldProblem(
                field, f"{value:g} is outside the plausible range {low:g}..{high:g} for its unit"
            )
    return value


def _typed(field: str, raw: float | bool | str, kind: Kind, bounds: str | None) -> Value:
    if kind == "bool":
        if not isinstance(raw, bool):
            raise FieldProblem(field, f"must be true or false, not {raw!r}")
        return raw
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise FieldProblem(field, f"must be a number in canonical units, not {raw!r}")
    return check_number(field, float(raw), bounds)


def _published(field: str, raw: Sourced | SourcedRates | SourcedDate) -> list[PublishedModel]:
    if isinstance(raw, list):
        if not raw:
            raise FieldProblem(field, "is an empty list of claims")
        return list(raw)
    if isinstance(raw, PublishedModel):
        return [raw]
    if isinstance(raw, date | str) and field in DATE_FIELDS:
        return [DateClaimModel(value=raw)]
    return [ClaimModel(value=raw)]


def preferred_flags(field: str, items: Sequence[PublishedModel]) -> list[bool]:
    """Which published value chipdb uses: the only one, or the one marked preferred, which
    must say why when there are several."""
    if len(items) == 1:
        return [True]
    flags = [bool(item.preferred) for item in items]
    if flags.count(True) != 1:
        raise FieldProblem(field, "has competing claims: mark exactly one preferred = true")
    if not items[flags.index(True)].reason:
        raise FieldProblem(field, "the preferred claim needs a reason")
    return flags


def resolve(
    field: str,
    raw: Sourced | SourcedRates | None,
    default_source: str | None,
    kind: Kind,
    bounds: str | None = None,
) -> tuple[dict[str, Value], list[Claim]]:
    """The preferred value of each field a sourced entry publishes, and every Claim made for it.

    The values are keyed by claim field: ``field`` itself for a scalar, ``field.dense_tops`` and
    ``field.sparse_tops`` for a throughput rate (only those the preferred claim gives). Raises
    FieldProblem naming the field. Whether a source key exists is the caller's check (it knows
    the catalogue's sources).
    """
    if raw is None:
        return {}, []
    items = _published(field, raw)
    chosen: dict[str, Value] = {}
    claims: list[Claim] = []
    for item, preferred in zip(items, preferred_flags(field, items), strict=True):
        for suffix, published in item.published().items():
            name = f"{field}.{suffix}" if suffix else field
            source = item.source or default_source
            if source is None:
                raise FieldProblem(name, "has no source: give source = \"key\" or a table default")
            if isinstance(published, tuple):
                low, high = _span(name, published, kind, bounds)
                is_bound = getattr(item, "at_least", None) is not None or getattr(
                    item, "at_most", None) is not None
                claims.append(Claim(
                    field=name, value=None, source=source, preferred=preferred,
                    reason=item.reason, note=item.note, derivation=item.derivation,
                    tier=item.tier or ("bound" if is_bound else None), low=low, high=high,
                ))
                continue
            value = _typed(name, published, kind, bounds)
            claims.append(Claim(
                field=name, value=value, source=source, preferred=preferred, reason=item.reason,
                note=item.note, derivation=item.derivation, tier=item.tier,
            ))
            if preferred:
                chosen[name] = value
    return chosen, claims


# --- dates: as precise as the source, stored as the first day of the period ------------------

DATE_FIELDS = ("announced", "released")
_PRECISION_RANK = {"day": 0, "month": 1, "quarter": 2, "year": 3}
_PERIOD = re.compile(r"^(?P<y>\d{4})(?:-(?:(?P<m>\d{2})|Q(?P<q>[1-4])))?$")


def period_start(field: str, value: date | str, precision: str | None) -> tuple[date, str]:
    """The first day of a published period and its precision: 2024-03-18 (day), "2024-03"
    (month), "2024-Q1" (quarter), "2024" (year). A stated ``precision`` may be coarser than
    the written value (Epoch's 2024-01-01 for "2024"), never finer: no day is invented."""
    if isinstance(value, str) and len(value) == 10:
        with contextlib.suppress(ValueError):  # not a day: read as a month, quarter or year
            value = date.fromisoformat(value)
    if isinstance(value, date):
        start, written = value, "day"
    else:
        match = _PERIOD.match(value)
        if match is None:
            raise FieldProblem(field, f"'{value}' is not a date: write 2024-03-18, "
                                      "\"2024-03\", \"2024-Q1\" or \"2024\"")
        year = int(match["y"])
        try:
            if match["m"]:
                start, written = date(year, int(match["m"]), 1), "month"
            elif match["q"]:
                start, written = date(year, 3 * int(match["q"]) - 2, 1), "quarter"
            else:
                start, written = date(year, 1, 1), "year"
        except ValueError:
            raise FieldProblem(field, f"'{value}' is not a real month") from None
    chosen = precision or written
    if _PRECISION_RANK[chosen] < _PRECISION_RANK[written]:
        raise FieldProblem(field, f"precision '{chosen}' is finer than the value '{value}' "
                                  "gives: never invent a day or a month")
    if chosen == "month":
        start = start.replace(day=1)
    elif chosen == "quarter":
        start = date(start.year, 3 * ((start.month - 1) // 3) + 1, 1)
    elif chosen == "year":
        start = date(start.year, 1, 1)
    return start, chosen


def resolve_date(
    field: str, raw: SourcedDate | None, default_source: str | None
) -> tuple[tuple[date, str] | None, list[Claim]]:
    """The preferred date of a field (first day of its period, precision) and a Claim for
    every published date, valued as written ("2024-03", "2024-Q1", "2024-03-18")."""
    if raw is None:
        return None, []
    items = _published(field, raw)
    chosen: tuple[date, str] | None = None
    claims: list[Claim] = []
    for item, preferred in zip(items, preferred_flags(field, items), strict=True):
        assert isinstance(item, DateClaimModel)
        period = period_start(field, item.value, item.precision)
        if item.bound is not None:
            if field != "released":
                raise FieldProblem(field, "only 'released' takes bound = \"by\" (on sale by a "
                                          "date); give an announcement as a date")
            period = (period[0], f"{item.bound}-{period[1]}")
        source = item.source or default_source
        if source is None:
            raise FieldProblem(field, "has no source: give { value = ..., source = \"key\" } "
                                      "or a chip default source")
        claims.append(Claim(
            field=field, value=period_text(*period), source=source, preferred=preferred,
            reason=item.reason, note=item.note, derivation=item.derivation, tier=item.tier,
        ))
        if preferred:
            chosen = period
    return chosen, claims


def _span(field: str, published: tuple[float, float], kind: Kind, bounds: str | None
          ) -> tuple[float, float]:
    if kind != "number":
        raise FieldProblem(field, "only a number can be a range or a bound")
    low, high = published
    if low > 0:
        check_number(field, low, bounds)
    if math.isfinite(high):
        check_number(field, high, bounds)
    return low, high


def spans(claims: Iterable[Claim]) -> dict[str, tuple[float, float]]:
    """The preferred ranges and bounds of a chip's claims, by claim field (metrics read them)."""
    return {c.field: (c.low, c.high) for c in claims
            if c.preferred and c.low is not None and c.high is not None}


# Tiers never preferred over an official figure. Secondary is not among them: three NVIDIA
# fields prefer a secondary copy of the final datasheet over an official preliminary blog.
_WEAK = ("estimate", "bound")


def check_preferred_tiers(claims: Sequence[Claim], tier_of: Callable[[Claim], str | None]
                          ) -> tuple[str, str] | None:
    """The first field whose preferred claim is an estimate or a bound while an official claim
    for the same field exists, with the problem; None when every field is fine. An estimate
    may be preferred only where no vendor figure exists."""
    by_field: dict[str, list[Claim]] = {}
    for claim in claims:
        by_field.setdefault(claim.field, []).append(claim)
    for field, group in by_field.items():
        preferred = [c for c in group if c.preferred]
        if not preferred or tier_of(preferred[0]) not in _WEAK:
            continue
        official = [c for c in group if not c.preferred and tier_of(c) == "official"]
        if official:
            return field, (f"prefers a {tier_of(preferred[0])} claim over the official figure "
                           f"from '{official[0].source}': prefer the official one")
    return None


def check_convention(name: str, value: float) -> str | None:
    """What is wrong with choosing ``value`` for the convention ``name`` (None: fine)."""
    if name not in CONVENTIONS:
        return f"is not a convention; known: {', '.join(sorted(CONVENTIONS))}"
    default, alternative, _ = CONVENTIONS[name]
    if value not in (default, alternative):
        return f"takes {default:g} (the default) or {alternative:g}, not {value:g}"
    return None
