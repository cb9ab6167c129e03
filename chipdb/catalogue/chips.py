"""ChipModel → ChipRecord: each part's sourced fields resolved by one loop over its field table.

To add a sourced field to a part: add the attribute to its model in ``schema`` and a row to its
table here (claim field, kind, plausibility bounds); the value lands on the part's dataclass
attribute of the same name, and every published value becomes a Claim (stored in table order).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel

from chipdb.catalogue.claims import FieldProblem, Kind, check_number, resolve, resolve_date
from chipdb.catalogue.schema import ChipModel, IoModel, Sourced, SourcedDate, SourcedRates
from chipdb.errors import SeedError
from chipdb.names import normalize_name
from chipdb.periods import period_end, period_text
from chipdb.spec import (
    ChipRecord,
    ChipSpec,
    Claim,
    Die,
    IoLink,
    Memory,
    Throughput,
)


@dataclass(frozen=True)
class FieldRow:
    """One field of a part: its claim name under the part's prefix, its kind, its bounds.

    The model and dataclass attribute is the claim name with '_' for '.' (``published.tpp`` is
    ``published_tpp``). A ``count`` is a plain integer: checked against its bounds, not sourced.
    """

    field: str
    kind: Kind | Literal["count"]
    bounds: str | None = None

    @property
    def attr(self) -> str:
        return self.field.replace(".", "_")


CHIP_FIELDS = (
    FieldRow("datacenter", "bool"),
    FieldRow("tdp_w", "number", "tdp_w"),
    FieldRow("ics_per_card", "number", "ics_per_card"),
    FieldRow("published.tpp", "number", "published_tpp"),
    FieldRow("published.performance_density", "number", "published_performance_density"),
)
DIE_FIELDS = (
    FieldRow("count", "count", "count"),
    FieldRow("non_planar", "bool"),
    FieldRow("area_mm2", "number", "area_mm2"),
    FieldRow("transistors_billion", "number", "transistors_billion"),
    FieldRow("node_nm", "number", "node_nm"),
)
MEMORY_FIELDS = (
    FieldRow("stacks", "count", "stacks"),
    FieldRow("capacity_gb", "number", "capacity_gb"),
    FieldRow("bandwidth_gbps", "number", "bandwidth_gbps"),
    FieldRow("package_area_mm2", "number", "package_area_mm2"),
)
IO_FIELDS = (
    FieldRow("bidirectional_gbps", "number", "bidirectional_gbps"),
    FieldRow("per_direction_gbps", "number", "per_direction_gbps"),
    FieldRow("gbps", "number", "bidirectional_gbps"),
)
# A link's figure as published, by basis → (IoLink.direction, factor to both directions summed).
# An unstated direction counts as bidirectional: the lower reading (docs/metrics.md).
IO_BASES = {
    "bidirectional_gbps": ("bidirectional", 1.0),
    "per_direction_gbps": ("per-direction", 2.0),
    "gbps": ("unstated", 1.0),
}
RATE_BOUNDS = "tops"  # every throughput rate, dense or sparse, in tera-ops per second


class _ChipBuilder:
    """Turns one validated chip table into a ChipRecord, collecting every claim on the way."""

    def __init__(self, file: str, chip: ChipModel, source_keys: Collection[str]) -> None:
        self.file = file
        self.chip = chip
        self.source_keys = source_keys
        self.claims: list[Claim] = []

    def fail(self, field: str, problem: str) -> SeedError:
        return SeedError(self.file, f"chip '{self.chip.name}'", field, problem)

    def resolve(
        self, field: str, raw: Sourced | SourcedRates | None, default_source: str | None,
        kind: Kind, bounds: str | None,
    ) -> dict[str, float | bool]:
        try:
            chosen, claims = resolve(field, raw, default_source, kind, bounds)
        except FieldProblem as exc:
            raise self.fail(exc.field, exc.problem) from None
        self.check_sources(claims)
        return chosen

    def fields(self, prefix: str, part: BaseModel, table: tuple[FieldRow, ...],
               default_source: str | None) -> dict[str, Any]:
        """The part's values by attribute name, typed by the table (float, bool or int)."""
        values: dict[str, Any] = {}
        for row in table:
            field = f"{prefix}.{row.field}" if prefix else row.field
            raw = getattr(part, row.attr)
            if row.kind == "count":
                if raw is not None:
                    try:
                        check_number(field, float(raw), row.bounds)
                    except FieldProblem as exc:
                        raise self.fail(exc.field, exc.problem) from None
                values[row.attr] = raw
            else:
                values[row.attr] = self.resolve(field, raw, default_source, row.kind,
                                                row.bounds).get(field)
        return values

    def check_sources(self, claims: list[Claim]) -> None:
        for claim in claims:
            if claim.source not in self.source_keys:
                raise self.fail(claim.field, f"names unknown source '{claim.source}'")
        self.claims += claims

    def dated(self, field: str, raw: SourcedDate | None) -> tuple[date | None, str | None]:
        """A date field: the first day of its period and the precision (or None, None)."""
        try:
            period, claims = resolve_date(field, raw, self.chip.source)
        except FieldProblem as exc:
            raise self.fail(exc.field, exc.problem) from None
        self.check_sources(claims)
        return period if period is not None else (None, None)

    def link(self, link: IoModel) -> IoLink:
        """One I/O link; its figure as the metric counts it, both directions summed."""
        values = self.fields(f"io.{link.name}", link, IO_FIELDS, link.source or self.chip.source)
        basis = next((b for b in IO_BASES if values[b] is not None), "bidirectional_gbps")
        direction, factor = IO_BASES[basis]
        published = values[basis]
        both = None if published is None else published * factor
        return IoLink(name=link.name, kind=link.kind, bidirectional_gbps=both,
                      direction=direction)

    def rate(self, precision: str, raw: SourcedRates, default_source: str | None) -> Throughput:
        field = f"throughput.{precision}"
        chosen = self.resolve(field, raw, default_source, "number", RATE_BOUNDS)
        dense, sparse = chosen.get(f"{field}.dense_tops"), chosen.get(f"{field}.sparse_tops")
        return Throughput(precision, _num(dense), _num(sparse))

    def unique(self, table: str, names: list[str]) -> None:
        seen: set[str] = set()
        for i, name in enumerate(names):
            if name in seen:
                raise self.fail(f"{table}[{i}].name", f"'{name}' appears twice")
            seen.add(name)

    def build(self) -> ChipRecord:
        c = self.chip
        if not normalize_name(c.name):
            raise self.fail("name", "needs at least one letter or digit")
        announced, announced_precision = self.dated("announced", c.announced)
        released, released_precision = self.dated("released", c.released)
        # availability never precedes the announcement: a release (a date, a period or an
        # upper bound) whose last possible day is before the announcement's first possible day
        # cannot both be true; periods that overlap the announcement are allowed
        if (released is not None and announced is not None
                and announced > period_end(released, released_precision)):
            when = period_text(announced, announced_precision)
            raise self.fail("released", f"{period_text(released, released_precision)} is before "
                                        f"the announcement ({when})")
        top = self.fields("", c, CHIP_FIELDS, c.source)
        self.unique("die", [d.name for d in c.die])
        dies = tuple(
            Die(name=d.name, kind=d.kind, process=d.process,
                **self.fields(f"die.{d.name}", d, DIE_FIELDS, d.source or c.source))
            for d in c.die
        )
        memories = tuple(
            Memory(type=m.type, **self.fields(f"memory.{m.type or i}", m, MEMORY_FIELDS,
                                              m.source or c.source))
            for i, m in enumerate(c.memory)
        )
        self.unique("io", [link.name for link in c.io])
        links = tuple(self.link(link) for link in c.io)
        rates = tuple(self.rate(p, raw, c.source) for p, raw in c.throughput.items())
        if c.standalone_hbm and (rates or c.market != "memory"):
            raise self.fail("standalone_hbm", "a standalone HBM stack has market = \"memory\" "
                                              "and no throughput")
        spec = ChipSpec(
            name=c.name, vendor=c.vendor, family=c.family, datacenter=top["datacenter"],
            standalone_hbm=c.standalone_hbm, dies=dies, memories=memories, io_links=links,
            throughputs=rates, ics_per_card=top["ics_per_card"],
            released=released, released_precision=released_precision,
            announced=announced,
        )
        return ChipRecord(
            spec=spec, family=c.family, variant=c.variant, family_default=c.default,
            aliases=self.aliases(), form_factor=c.form_factor, market=c.market,
            region=c.region, architecture=c.architecture, announced=announced,
            released=released, announced_precision=announced_precision,
            released_precision=released_precision, status=c.status, tdp_w=top["tdp_w"],
            notes=c.notes,
            claims=tuple(self.claims), source_file=self.file,
        )

    def aliases(self) -> tuple[str, ...]:
        """Each other name once under the one name rule (first spelling kept); never the name."""
        keys = {normalize_name(self.chip.name)}
        out: list[str] = []
        for alias in self.chip.aliases:
            if not alias:
                continue
            key = normalize_name(alias)
            if not key:
                raise self.fail("aliases", f"'{alias}' needs at least one letter or digit")
            if key not in keys:
                keys.add(key)
                out.append(alias)
        return tuple(out)


def _num(value: float | bool | None) -> float | None:
    return None if value is None else float(value)


def chip_record(file: str, chip: ChipModel, source_keys: Collection[str],
                origin: str = "seed") -> ChipRecord:
    """One chip table as a plain record; raises SeedError naming file, chip and field."""
    record = _ChipBuilder(file, chip, source_keys).build()
    return record if origin == "seed" else replace(record, origin=origin)
