"""The records of the listing commands: show's parts, list rows, rules, timeline, headroom.

Frozen dataclasses like those of service.results (which holds the chip and verdict records
every command shares). Kept apart because creating a dataclass costs about 1 ms: a cold
`compare` builds only the records it prints.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from chipdb.service.results import (
    BOOL_METRICS,
    ChipReport,
    Resolution,
    chip_json,
    flag,
    record_json,
)


@dataclass(frozen=True)
class DieRow:
    name: str
    kind: str
    count: int
    process: str | None
    node_nm: float | None
    non_planar: bool | None
    area_mm2: float | None
    transistors_billion: float | None


@dataclass(frozen=True)
class MemoryRow:
    type: str | None
    capacity_gb: float | None
    bandwidth_gbps: float | None
    stacks: int | None
    package_area_mm2: float | None


@dataclass(frozen=True)
class IoRow:
    name: str
    kind: str
    bidirectional_gbps: float | None


@dataclass(frozen=True)
class ChipDetail:
    """Everything about one chip: the report (with sources) plus its parts and aliases."""

    chip: ChipReport
    dies: tuple[DieRow, ...]
    memory: tuple[MemoryRow, ...]
    io: tuple[IoRow, ...]
    aliases: tuple[str, ...]
    resolved: Resolution


@dataclass(frozen=True)
class ChipRow:
    """One line of the catalogue listing (the ``chip_metrics`` view, typed)."""

    chip: str
    vendor: str
    family: str | None
    market: str | None
    region: str | None
    datacenter: bool | None
    standalone_hbm: bool | None
    tpp: float | None
    tpp_precision: str | None
    tpp_basis: str | None
    applicable_die_area_mm2: float | None
    performance_density: float | None
    bidirectional_io_gbps: float | None
    interconnect_gbps: float | None
    memory_bandwidth_gbps: float | None
    memory_capacity_gb: float | None
    memory_bandwidth_density: float | None
    transistors_billion: float | None
    logic_node_nm: float | None
    non_planar: bool | None
    contains_hbm: bool | None
    why_unknown: str | None  # JSON object: metric -> why it is unknown
    origin: str
    verdict: str | None = None  # the outcome under the rule the listing was asked for


@dataclass(frozen=True)
class ThresholdRow:
    clause: str
    metric: str
    op: str
    threshold: float | None
    parameter: str | None


@dataclass(frozen=True)
class RuleReport:
    """One rule version: dates, citation, wording and every threshold it compares."""

    rule: str
    title: str
    short_title: str | None
    citation: str | None
    url: str | None
    published: date | None
    effective: date
    ended: date | None
    status: str
    layer: str
    unverified: bool
    summary: str | None
    wording: str | None
    notes: str | None
    origin: str
    thresholds: tuple[ThresholdRow, ...]


@dataclass(frozen=True)
class TimelineRow:
    valid_from: date | None
    valid_to: date | None
    rule: str
    outcome: str
    citation: str | None
    reason: str
    status: str | None


@dataclass(frozen=True)
class TimelineReport:
    chip: str
    rows: tuple[TimelineRow, ...]
    resolved: Resolution
    # the policy events about this chip, its vendor, or a rule that reaches it (oldest first)
    events: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True)
class HeadroomRow:
    """The nearest value of one metric, up or down, where one rule's outcome changes."""

    rule: str
    metric: str
    direction: str  # up | down
    current: float
    crosses_at: float
    change: float
    change_pct: float | None
    from_outcome: str
    to_outcome: str


@dataclass(frozen=True)
class HeadroomReport:
    chip: str
    as_of: date
    rows: tuple[HeadroomRow, ...]
    resolved: Resolution


def chip_row(r: Mapping[str, Any], verdict: str | None = None) -> ChipRow:
    values: dict[str, Any] = {k: flag(r[k]) if k in BOOL_METRICS else r[k]
                              for k in ChipRow.__dataclass_fields__ if k != "verdict"}
    return ChipRow(**values, verdict=verdict)



def show_json(detail: ChipDetail) -> dict[str, Any]:
    return chip_json(detail.chip) | {
        "dies": [record_json(d) for d in detail.dies],
        "memory": [record_json(m) for m in detail.memory],
        "io": [record_json(i) for i in detail.io],
        "aliases": list(detail.aliases),
    }


def list_json(rows: Sequence[ChipRow], with_verdict: bool) -> list[dict[str, Any]]:
    out = [record_json(r) for r in rows]
    if not with_verdict:
        for r in out:
            del r["verdict"]
    return out


def rule_json(r: RuleReport) -> dict[str, Any]:
    out = record_json(r)
    out["thresholds"] = [record_json(t) for t in r.thresholds]
    return out


def timeline_json(report: TimelineReport) -> list[dict[str, Any]]:
    return [record_json(r, {"valid_from": "from", "valid_to": "to"}) for r in report.rows]


def timeline_events_json(report: TimelineReport) -> list[dict[str, Any]]:
    return [dict(e) for e in report.events]


def headroom_json(report: HeadroomReport) -> list[dict[str, Any]]:
    return [record_json(r, {"from_outcome": "from", "to_outcome": "to"}) for r in report.rows]


__all__ = [
    "ChipDetail", "ChipRow", "DieRow", "HeadroomReport", "HeadroomRow", "IoRow", "MemoryRow",
    "RuleReport", "ThresholdRow", "TimelineReport", "TimelineRow",
]
