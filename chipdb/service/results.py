"""What the library returns: one typed record per report, and the one JSON shape of each.

Every record is a frozen dataclass. This module holds the chip and verdict records every
command shares (compare, what-if); service.listings holds those of show, list, rules,
timeline and headroom. The row records (``MarginRow`` here; ``ChipRow``, ``HeadroomRow``,
``TimelineRow``, ``ThresholdRow`` there) hold scalars only, so a list of them drops into
``pandas.DataFrame(...)``. The reports hold the resolved names and their rows.

The ``*_json`` functions give the JSON the CLI prints; a verdict has one shape whether it was
read from the ``chip_verdict`` view or computed live by the engine (what-if).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from chipdb.metricdefs import SHOWN_METRICS

SPEC_FIELDS = (
    "vendor", "family", "variant", "market", "region", "form_factor", "architecture",
    "released", "released_precision", "memory_type", "memory_capacity_gb", "process",
    "transistors_billion", "tdp_w",
)


METRIC_FIELDS = SHOWN_METRICS  # the metrics every report carries (chipdb.metricdefs)

BOOL_METRICS = ("datacenter", "standalone_hbm", "non_planar", "contains_hbm")


@dataclass(frozen=True)
class Resolution:
    """What a person typed, the catalogue chip it names, and how it matched."""

    typed: str
    chip: str
    via: str  # name | alias | family
    other_variants: tuple[str, ...] = ()  # a family name picks its default; these are the rest


@dataclass(frozen=True)
class MarginRow:
    """How far one value is from one threshold line of a rule."""

    clause: str
    metric: str
    op: str
    threshold: float
    value: float | None
    margin: float | None  # value - threshold: > 0 above the line
    margin_pct: float | None
    met: bool | None


@dataclass(frozen=True)
class VerdictReport:
    """One rule's outcome for one chip over one period, with its reason and margins."""

    chip: str
    rule: str
    rule_title: str | None
    citation: str | None
    valid_from: date | None
    valid_to: date | None  # None: still in force
    outcome: str
    determined: bool
    reason: str
    missing: tuple[str, ...]
    exceptions: tuple[str, ...]
    unverified: bool
    margins: tuple[MarginRow, ...]
    possible_outcomes: tuple[str, ...] = ()
    confidence: Mapping[str, Any] | None = None  # {tier, unverified[, conventions]}
    deciding: tuple[Mapping[str, Any], ...] = ()  # when undetermined: the lines that decide
    status: str | None = None  # the rule's status (in-force, not-enforced, draft, ...)


@dataclass(frozen=True)
class SourceRow:
    """One published value for one field of a chip, and who published it."""

    field: str
    value_num: float | None
    value_text: str | None
    preferred: bool
    tier: str | None
    source: str
    url: str | None
    publisher: str | None
    reason: str | None
    note: str | None
    derivation: str | None
    value_low: float | None = None  # a range or bound claim (high None: "at least")
    value_high: float | None = None
    title: str | None = None  # the document's title, and when chipdb last read it
    accessed: date | None = None


@dataclass(frozen=True)
class ChipReport:
    """A chip (or a what-if design) with its specs, metrics and verdicts."""

    name: str
    vendor: str | None
    specs: Mapping[str, Any]
    metrics: Mapping[str, Any]
    unknown_because: Mapping[str, str]
    verdicts: tuple[VerdictReport, ...]
    sources: tuple[SourceRow, ...] | None = None  # only when asked for
    base: str | None = None  # what-if: the catalogue chip the design starts from
    overrides: Mapping[str, Any] | None = None  # what-if: the values set; None for a chip


@dataclass(frozen=True)
class CompareReport:
    as_of: date | None  # None: every rule version
    chips: tuple[ChipReport, ...]
    resolved: tuple[Resolution, ...]


@dataclass(frozen=True)
class WhatIfReport:
    as_of: date
    design: ChipReport
    resolved: Resolution | None  # the base chip; None for a blank design


# --- building records from stored rows -------------------------------------------------------

def day(value: Any) -> date | None:
    """A date from a row: SQLite gives ISO text, PostgreSQL a date."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def flag(value: Any) -> bool | None:
    """A boolean from a row: SQLite gives 0/1, PostgreSQL a bool."""
    return None if value is None else bool(value)


def lines(text: str | None) -> tuple[str, ...]:
    """A list the store keeps as newline-separated text (exceptions, a layer's rule layers),
    as its items."""
    return tuple(x for x in (text or "").split("\n") if x)


def margins_by(rows: Sequence[Mapping[str, Any]]) -> dict[tuple[str, str, str],
                                                           list[MarginRow]]:
    """Margin rows of the ``chip_margin`` view, per (chip, rule, period start)."""
    out: dict[tuple[str, str, str], list[MarginRow]] = {}
    for r in rows:
        key = (r["chip"], r["rule"], str(day(r["valid_from"])))
        out.setdefault(key, []).append(MarginRow(
            clause=r["clause"], metric=r["metric"], op=r["op"], threshold=r["threshold"],
            value=r["value"], margin=r["margin"], margin_pct=r["margin_pct"],
            met=flag(r["met"])))
    return out


def _listed(text: Any) -> list[Any]:
    loaded = json.loads(text) if text else []
    return loaded if isinstance(loaded, list) else []


def _confidence(tier: Any, unverified: Sequence[str], conventions: Sequence[str]
                ) -> dict[str, Any]:
    out: dict[str, Any] = {"tier": tier, "unverified": list(unverified)}
    if conventions:
        out["conventions"] = list(conventions)
    return out


def stored_verdict(row: Mapping[str, Any], margins: Sequence[MarginRow]) -> VerdictReport:
    """A verdict from the ``chip_verdict`` view."""
    return VerdictReport(
        possible_outcomes=tuple(_listed(row.get("possible_outcomes"))) or (row["outcome"],),
        confidence=_confidence(row.get("confidence"), _listed(row.get("confidence_unverified")),
                               _listed(row.get("conventions"))),
        deciding=tuple(_listed(row.get("deciding"))),
        chip=row["chip"], rule=row["rule"], rule_title=row.get("rule_title"),
        citation=row.get("citation"), valid_from=day(row["valid_from"]),
        valid_to=day(row["valid_to"]), outcome=row["outcome"],
        determined=bool(row["determined"]), reason=row["reason"],
        missing=tuple(m for m in (row.get("missing") or "").split(", ") if m),
        exceptions=lines(row.get("exceptions")),
        unverified=bool(row.get("rule_unverified")), margins=tuple(margins),
        status=row.get("rule_status"),
    )


def live_verdict(chip: str, v: Any, rule: Any) -> VerdictReport:
    """A verdict the engine computed (``engine.Verdict``) under ``rule`` (its definition)."""
    return VerdictReport(
        possible_outcomes=tuple(v.possible_outcomes) or (v.outcome,),
        confidence=_confidence(v.confidence.tier, v.confidence.unverified,
                               v.confidence.conventions),
        deciding=tuple({"metric": d.metric, "value": d.value, "outcome_below": d.outcome_below,
                        "outcome_above": d.outcome_above} for d in v.deciding),
        chip=chip, rule=v.rule, rule_title=rule.short_title or None, citation=rule.citation,
        valid_from=v.valid_from, valid_to=v.valid_to, outcome=v.outcome,
        determined=bool(v.determined), reason=v.reason, missing=tuple(v.missing),
        exceptions=tuple(v.exceptions), unverified=bool(rule.unverified),
        margins=tuple(MarginRow(clause=m.clause, metric=m.metric, op=m.op,
                                threshold=m.threshold, value=m.value, margin=m.margin,
                                margin_pct=m.margin_pct, met=m.met) for m in v.margins),
        status=rule.status,
    )


def source_row(r: Mapping[str, Any]) -> SourceRow:
    return SourceRow(
        field=r["field"], value_num=r["value_num"], value_text=r["value_text"],
        preferred=bool(r["preferred"]), tier=r["tier"], source=r["source"], url=r["url"],
        publisher=r["publisher"], reason=r["reason"], note=r["note"],
        derivation=r["derivation"], value_low=r.get("value_low"),
        value_high=_finite(r.get("value_high")), title=r.get("title"),
        accessed=day(r.get("accessed")),
    )


def _finite(value: Any) -> Any:
    """inf (an "at least" bound) as None: JSON has no infinity."""
    return None if isinstance(value, float) and value == float("inf") else value


def metric_value(key: str, v: Any) -> Any:
    if key in BOOL_METRICS and v is not None:
        return bool(v)
    if isinstance(v, float) and v != v:  # NaN: unknown, as the store says it
        return None
    return v


# --- the JSON shapes ---------------------------------------------------------------------------

def plain(value: Any) -> Any:
    """A JSON-ready value: dates as ISO text, tuples as lists."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    return value


def record_json(record: Any, renamed: Mapping[str, str] | None = None) -> dict[str, Any]:
    """A flat record as JSON, field by field in declaration order."""
    names = renamed or {}
    return {names.get(k, k): plain(getattr(record, k)) for k in record.__dataclass_fields__}


def verdict_json(v: VerdictReport) -> dict[str, Any]:
    """The one JSON shape of a verdict, stored or live."""
    return {
        "rule": v.rule, "rule_title": v.rule_title, "citation": v.citation,
        "status": v.status, "in_force": [plain(v.valid_from), plain(v.valid_to)],
        "outcome": v.outcome, "determined": v.determined, "reason": v.reason,
        "missing": list(v.missing), "exceptions": list(v.exceptions),
        "unverified": v.unverified, "margins": [record_json(m) for m in v.margins],
        "possible_outcomes": list(v.possible_outcomes) or [v.outcome],
        "confidence": plain(dict(v.confidence)) if v.confidence is not None else
        {"tier": None, "unverified": []},
    } | ({"deciding": [plain(dict(d)) for d in v.deciding]}
         if v.outcome == "undetermined" and v.deciding else {})


def chip_json(c: ChipReport) -> dict[str, Any]:
    out: dict[str, Any] = {"name": c.name, "vendor": c.vendor}
    if c.overrides is not None:
        out |= {"base": c.base, "set": dict(c.overrides)}
    out |= {"specs": plain(dict(c.specs)), "metrics": dict(c.metrics),
            "unknown_because": dict(c.unknown_because),
            "verdicts": [verdict_json(v) for v in c.verdicts]}
    if c.sources is not None:
        out["sources"] = [record_json(s) for s in c.sources]
    return out


def compare_json(report: CompareReport) -> dict[str, Any]:
    return {"as_of": plain(report.as_of), "chips": [chip_json(c) for c in report.chips]}


def what_if_json(report: WhatIfReport) -> dict[str, Any]:
    return {"as_of": plain(report.as_of), "chips": [chip_json(report.design)]}


def unknown_because(text: str | None) -> dict[str, str]:
    loaded: dict[str, str] = json.loads(text or "{}")
    return loaded


__all__ = [
    "ChipReport", "CompareReport", "MarginRow", "Resolution", "SourceRow", "VerdictReport",
    "WhatIfReport",
]
