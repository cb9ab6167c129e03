"""Plain-value chip specifications: what the metrics and the rules engine read.

These dataclasses carry no database or validation machinery, so what-if, batch runs and the
loader all hand the same values to the same pure functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from chipdb.periods import release_window


@dataclass(frozen=True)
class Die:
    name: str
    kind: str = "logic"  # logic | io | memory
    count: int = 1
    area_mm2: float | None = None  # per die
    transistors_billion: float | None = None  # per die
    node_nm: float | None = None
    non_planar: bool | None = None
    process: str | None = None


@dataclass(frozen=True)
class Memory:
    type: str | None = None
    capacity_gb: float | None = None
    bandwidth_gbps: float | None = None
    stacks: int | None = None
    package_area_mm2: float | None = None  # standalone HBM: footprint of the stack package


@dataclass(frozen=True)
class IoLink:
    name: str
    kind: str = "chip-to-chip"  # chip-to-chip | host | network
    bidirectional_gbps: float | None = None
    # the published figure's basis: bidirectional | per-direction (doubled above) | unstated
    # (counted as bidirectional, i.e. the lower reading; docs/metrics.md)
    direction: str = "bidirectional"


@dataclass(frozen=True)
class Throughput:
    precision: str
    dense_tops: float | None = None
    sparse_tops: float | None = None


@dataclass(frozen=True)
class ChipSpec:
    """Everything the metrics need about one chip, in canonical units."""

    name: str
    vendor: str | None = None
    family: str | None = None
    datacenter: bool | None = None
    standalone_hbm: bool = False
    dies: tuple[Die, ...] = ()
    memories: tuple[Memory, ...] = ()
    io_links: tuple[IoLink, ...] = ()
    throughputs: tuple[Throughput, ...] = ()
    # packaged ICs on a multi-chip card whose figures are card totals (MLU370-X8: 2)
    ics_per_card: float | None = None
    # first commercially available: the first day of the published period and its precision
    # (day | month | quarter | year); a rule may test it (us-2026-01)
    released: date | None = None
    released_precision: str | None = None
    announced: date | None = None  # where an upper bound on the release starts

    def with_name(self, name: str) -> ChipSpec:
        return replace(self, name=name)

    def release_inputs(self) -> dict[str, float]:
        """The release as the engine's ``released`` metric: one day, or ``released_low`` and
        ``released_high`` when only a period or a bound is published; {} when unknown."""
        days = self.released_days()
        if days is None:
            return {}
        if days[0] == days[1]:
            return {"released": days[0]}
        return {"released_low": days[0], "released_high": days[1]}

    def released_days(self) -> tuple[float, float] | None:
        """The first and last day (day numbers) the chip can have gone on sale
        (``release_window``); an upper bound with no announcement date runs from date.min."""
        earliest, latest = release_window(self.released, self.released_precision,
                                          self.announced)
        if latest is None:
            return None
        return float((earliest or date.min).toordinal()), float(latest.toordinal())


@dataclass(frozen=True)
class Claim:
    """One published value for one field of one chip, with where it was published."""

    field: str  # e.g. "die.GH100.area_mm2", "throughput.fp8.sparse_tops", "datacenter"
    value: float | bool | str | None  # None: a range or bound (low, high)
    source: str  # source key
    preferred: bool = True
    reason: str | None = None
    note: str | None = None
    derivation: str | None = None
    tier: str | None = None  # overrides the source's tier (e.g. our own estimate)
    low: float | None = None  # a range or bound: "at most 858" is (0, 858)
    high: float | None = None  # inf for "at least"


@dataclass(frozen=True)
class ChipRecord:
    """A catalogue entry: the spec plus the descriptive fields and every claim behind it."""

    spec: ChipSpec
    family: str
    variant: str | None = None
    family_default: bool = False
    aliases: tuple[str, ...] = ()
    form_factor: str | None = None
    market: str = "datacenter"
    region: str = "global"
    architecture: str | None = None
    announced: date | None = None  # the first day of the published period
    released: date | None = None
    announced_precision: str | None = None  # day | month | quarter | year
    released_precision: str | None = None
    status: str | None = None  # shipping | announced | roadmap | cancelled
    tdp_w: float | None = None
    notes: str | None = None
    claims: tuple[Claim, ...] = field(default=())
    origin: str = "seed"
    source_file: str | None = None


@dataclass(frozen=True)
class SourceRecord:
    key: str
    url: str
    title: str
    publisher: str
    tier: str
    accessed: date | None = None
    note: str | None = None
    origin: str = "seed"
    publisher_class: str | None = None  # vendor | government | ... | generated (seed-format.md)
    names: tuple[str, ...] = ()  # chips, families or dies named beyond the title (seed-format.md)


def release_unknown_because(values: Mapping[str, Any]) -> dict[str, str]:
    """Why a chip's ``released`` metric has no single day, in words ({} when it has one)."""
    if values.get("released") is not None:
        return {}
    low, high = values.get("released_low"), values.get("released_high")
    if low is None or high is None:
        return {"released": "release date not published"}
    first = "" if low <= 1 else f"{date.fromordinal(int(low))} "
    return {"released": f"released {first}to {date.fromordinal(int(high))} (a period or a "
                        "bound)"}
