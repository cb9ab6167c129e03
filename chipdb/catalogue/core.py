"""Seed and import files: parsing and validation (pydantic), before anything is written.

A seed file is TOML with up to three arrays of tables: ``[[source]]``, ``[[chip]]`` and
``[[rule]]``. The bundled seeds and a user's ``chipdb import FILE`` use the same format; the
format is documented in docs/seed-format.md.

Every numeric value must resolve to a source: either written as
``{ value = 814, source = "key" }`` or as a plain number under a table (or chip) that names a
default ``source``. Competing published values are a list of such tables, exactly one of them
``preferred = true`` with a ``reason``.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from chipdb.engine import RuleDefinition, rule_from_mapping
from chipdb.errors import SeedError
from chipdb.metricdefs import METRICS
from chipdb.names import normalize_name
from chipdb.spec import (
    ChipRecord,
    ChipSpec,
    Claim,
    Die,
    IoLink,
    Memory,
    SourceRecord,
    Throughput,
)
from chipdb.vocab import (
    DIE_KINDS,
    IO_KINDS,
    MARKETS,
    PRECISION_BITS,
    REGIONS,
    RULE_STATUSES,
    SOURCE_TIERS,
)

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
    "tdp_w": (1.0, 30_000.0),
    "tops": (0.001, 1_000_000.0),
    "published_tpp": (1.0, 20_000_000.0),
    "published_performance_density": (0.001, 10_000.0),
}


def _one_of(allowed: tuple[str, ...]) -> AfterValidator:
    """A vocabulary check with the accepted words in the message."""

    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)}")
        return value

    return AfterValidator(check)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class SourceModel(_Strict):
    key: str = Field(min_length=1, max_length=120, pattern=r"^[a-z0-9][a-z0-9._-]*$")
    url: str = Field(min_length=8, max_length=2000, pattern=r"^https?://\S+$")
    title: str = Field(min_length=1, max_length=500)
    publisher: str = Field(min_length=1, max_length=200)
    tier: Literal["official", "secondary", "estimate", "measured"]
    accessed: date | None = None
    note: str | None = Field(default=None, max_length=2000)


class ClaimModel(_Strict):
    """A published value with its provenance."""

    value: float | bool | str
    source: str | None = None
    preferred: bool | None = None
    reason: str | None = Field(default=None, max_length=1000)
    note: str | None = Field(default=None, max_length=2000)
    derivation: str | None = Field(default=None, max_length=500)
    tier: Literal["official", "secondary", "estimate", "measured"] | None = None


class ThroughputClaimModel(_Strict):
    dense: float | None = None
    sparse: float | None = None
    source: str | None = None
    preferred: bool | None = None
    reason: str | None = Field(default=None, max_length=1000)
    note: str | None = Field(default=None, max_length=2000)
    derivation: str | None = Field(default=None, max_length=500)
    tier: Literal["official", "secondary", "estimate", "measured"] | None = None

    @model_validator(mode="after")
    def _one_rate(self) -> ThroughputClaimModel:
        if self.dense is None and self.sparse is None:
            raise ValueError("give 'dense' or 'sparse' (or both)")
        return self


Sourced = float | bool | str | ClaimModel | list[ClaimModel]


class DieModel(_Strict):
    name: str = Field(min_length=1, max_length=100)
    kind: Annotated[str, _one_of(DIE_KINDS)] = "logic"
    count: int = 1
    source: str | None = None
    process: str | None = Field(default=None, max_length=100)
    area_mm2: Sourced | None = None
    transistors_billion: Sourced | None = None
    node_nm: Sourced | None = None
    non_planar: Sourced | None = None


class MemoryModel(_Strict):
    type: str | None = Field(default=None, max_length=50)
    source: str | None = None
    capacity_gb: Sourced | None = None
    bandwidth_gbps: Sourced | None = None
    stacks: int | None = None
    package_area_mm2: Sourced | None = None


class IoModel(_Strict):
    name: str = Field(min_length=1, max_length=100)
    kind: Annotated[str, _one_of(IO_KINDS)] = "chip-to-chip"
    source: str | None = None
    bidirectional_gbps: Sourced | None = None


class ChipModel(_Strict):
    name: str = Field(min_length=1, max_length=120)
    vendor: str = Field(min_length=1, max_length=100)
    family: str = Field(min_length=1, max_length=100)
    variant: str | None = Field(default=None, max_length=200)
    default: bool = False
    aliases: list[str] = Field(default_factory=list)
    source: str | None = None
    form_factor: str | None = Field(default=None, max_length=100)
    market: Annotated[str, _one_of(MARKETS)] = "datacenter"
    region: Annotated[str, _one_of(REGIONS)] = "global"
    architecture: str | None = Field(default=None, max_length=100)
    announced: date | None = None
    released: date | None = None
    datacenter: Sourced | None = None
    standalone_hbm: bool = False
    tdp_w: Sourced | None = None
    published_tpp: Sourced | None = None
    published_performance_density: Sourced | None = None
    notes: str | None = Field(default=None, max_length=4000)
    die: list[DieModel] = Field(default_factory=list)
    memory: list[MemoryModel] = Field(default_factory=list)
    io: list[IoModel] = Field(default_factory=list)
    throughput: dict[str, ThroughputClaimModel | list[ThroughputClaimModel]] = Field(
        default_factory=dict
    )

    @field_validator("throughput")
    @classmethod
    def _precisions(
        cls, v: dict[str, ThroughputClaimModel | list[ThroughputClaimModel]]
    ) -> dict[str, ThroughputClaimModel | list[ThroughputClaimModel]]:
        unknown = sorted(set(v) - set(PRECISION_BITS))
        if unknown:
            raise ValueError(
                f"unknown precision {', '.join(unknown)}; expected {', '.join(PRECISION_BITS)}"
            )
        return v


class SeedFileModel(_Strict):
    source: list[SourceModel] = Field(default_factory=list)
    chip: list[ChipModel] = Field(default_factory=list)
    rule: list[dict[str, Any]] = Field(default_factory=list)


@dataclass(frozen=True)
class Catalogue:
    """Everything parsed from a set of seed or import files, validated."""

    sources: tuple[SourceRecord, ...]
    chips: tuple[ChipRecord, ...]
    rules: tuple[RuleDefinition, ...]


# ---------------------------------------------------------------------------------------------


class _ChipBuilder:
    """Turns one validated chip table into a ChipRecord, resolving sources and claims."""

    def __init__(self, file: str, chip: ChipModel, source_keys: set[str]) -> None:
        self.file = file
        self.chip = chip
        self.source_keys = source_keys
        self.claims: list[Claim] = []

    def fail(self, field: str, message: str) -> SeedError:
        return SeedError(self.file, f"chip '{self.chip.name}'", field, message)

    def _check_source(self, field: str, key: str | None) -> str:
        if key is None:
            raise self.fail(field, "has no source: give source = \"key\" or a table default")
        if key not in self.source_keys:
            raise self.fail(field, f"names unknown source '{key}'")
        return key

    def value(
        self,
        field: str,
        raw: Sourced | None,
        default_source: str | None,
        kind: Literal["number", "bool"],
        bounds: str | None = None,
    ) -> float | bool | None:
        """The preferred value of a sourced field, recording every claim made for it."""
        if raw is None:
            return None
        items: list[ClaimModel]
        if isinstance(raw, list):
            items = raw
            if not items:
                raise self.fail(field, "is an empty list of claims")
            preferred = [c for c in items if c.preferred]
            if len(items) > 1 and len(preferred) != 1:
                raise self.fail(field, "has competing claims: mark exactly one preferred = true")
            if len(items) > 1 and not preferred[0].reason:
                raise self.fail(field, "the preferred claim needs a reason")
        elif isinstance(raw, ClaimModel):
            items = [raw]
        else:
            items = [ClaimModel(value=raw)]
        chosen: float | bool | None = None
        for item in items:
            val = self._typed(field, item.value, kind, bounds)
            key = self._check_source(field, item.source or default_source)
            is_preferred = len(items) == 1 or bool(item.preferred)
            self.claims.append(
                Claim(
                    field=field,
                    value=val,
                    source=key,
                    preferred=is_preferred,
                    reason=item.reason,
                    note=item.note,
                    derivation=item.derivation,
                    tier=item.tier,
                )
            )
            if is_preferred:
                chosen = val
        return chosen

    def _typed(
        self,
        field: str,
        raw: float | bool | str,
        kind: Literal["number", "bool"],
        bounds: str | None,
    ) -> float | bool:
        if kind == "bool":
            if not isinstance(raw, bool):
                raise self.fail(field, f"must be true or false, not {raw!r}")
            return raw
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise self.fail(field, f"must be a number in canonical units, not {raw!r}")
        return self._number(field, float(raw), bounds)

    def _number(self, field: str, val: float, bounds: str | None) -> float:
        if not math.isfinite(val):
            raise self.fail(field, f"must be a finite number, not {val}")
        if bounds is not None:
            low, high = BOUNDS[bounds]
            if not low <= val <= high:
                raise self.fail(
                    field, f"{val:g} is outside the plausible range {low:g}..{high:g} for its unit"
                )
        return val

    def throughput(self, precision: str, raw: ThroughputClaimModel | list[ThroughputClaimModel],
                   default_source: str | None) -> Throughput:
        items = raw if isinstance(raw, list) else [raw]
        field = f"throughput.{precision}"
        preferred = [t for t in items if t.preferred]
        if len(items) > 1 and (len(preferred) != 1 or not preferred[0].reason):
            raise self.fail(
                field, "has competing claims: mark exactly one preferred = true, with a reason"
            )
        chosen = Throughput(precision=precision)
        for item in items:
            key = self._check_source(field, item.source or default_source)
            is_preferred = len(items) == 1 or bool(item.preferred)
            dense = sparse = None
            for rate_name, rate in (("dense_tops", item.dense), ("sparse_tops", item.sparse)):
                if rate is None:
                    continue
                val = self._number(f"{field}.{rate_name}", float(rate), "tops")
                if rate_name == "dense_tops":
                    dense = val
                else:
                    sparse = val
                self.claims.append(
                    Claim(
                        field=f"{field}.{rate_name}",
                        value=val,
                        source=key,
                        preferred=is_preferred,
                        reason=item.reason,
                        note=item.note,
                        derivation=item.derivation,
                        tier=item.tier,
                    )
                )
            if dense is not None and sparse is not None and sparse < dense:
                raise self.fail(field, "the sparse rate is below the dense rate: swapped?")
            if is_preferred:
                chosen = Throughput(precision=precision, dense_tops=dense, sparse_tops=sparse)
        return chosen

    def build(self) -> ChipRecord:
        c = self.chip
        if c.default is False and not c.family:
            raise self.fail("family", "is required")
        datacenter = self.value("datacenter", c.datacenter, c.source, "bool")
        tdp = self.value("tdp_w", c.tdp_w, c.source, "number", "tdp_w")
        self.value("published.tpp", c.published_tpp, c.source, "number", "published_tpp")
        self.value(
            "published.performance_density",
            c.published_performance_density,
            c.source,
            "number",
            "published_performance_density",
        )
        dies: list[Die] = []
        seen_dies: set[str] = set()
        for i, d in enumerate(c.die):
            if d.name in seen_dies:
                raise self.fail(f"die[{i}].name", f"'{d.name}' appears twice")
            seen_dies.add(d.name)
            src = d.source or c.source
            prefix = f"die.{d.name}"
            self._number(f"{prefix}.count", float(d.count), "count")
            non_planar = self.value(f"{prefix}.non_planar", d.non_planar, src, "bool")
            dies.append(
                Die(
                    name=d.name,
                    kind=d.kind,
                    count=d.count,
                    process=d.process,
                    area_mm2=_num(self.value(f"{prefix}.area_mm2", d.area_mm2, src, "number",
                                             "area_mm2")),
                    transistors_billion=_num(
                        self.value(f"{prefix}.transistors_billion", d.transistors_billion, src,
                                   "number", "transistors_billion")
                    ),
                    node_nm=_num(self.value(f"{prefix}.node_nm", d.node_nm, src, "number",
                                            "node_nm")),
                    non_planar=None if non_planar is None else bool(non_planar),
                )
            )
        memories: list[Memory] = []
        for i, m in enumerate(c.memory):
            src = m.source or c.source
            prefix = f"memory.{m.type or i}"
            if m.stacks is not None:
                self._number(f"{prefix}.stacks", float(m.stacks), "stacks")
            memories.append(
                Memory(
                    type=m.type,
                    stacks=m.stacks,
                    capacity_gb=_num(self.value(f"{prefix}.capacity_gb", m.capacity_gb, src,
                                                "number", "capacity_gb")),
                    bandwidth_gbps=_num(self.value(f"{prefix}.bandwidth_gbps", m.bandwidth_gbps,
                                                   src, "number", "bandwidth_gbps")),
                    package_area_mm2=_num(self.value(f"{prefix}.package_area_mm2",
                                                     m.package_area_mm2, src, "number",
                                                     "package_area_mm2")),
                )
            )
        links: list[IoLink] = []
        seen_links: set[str] = set()
        for i, link in enumerate(c.io):
            if link.name in seen_links:
                raise self.fail(f"io[{i}].name", f"'{link.name}' appears twice")
            seen_links.add(link.name)
            src = link.source or c.source
            links.append(
                IoLink(
                    name=link.name,
                    kind=link.kind,
                    bidirectional_gbps=_num(
                        self.value(f"io.{link.name}.bidirectional_gbps", link.bidirectional_gbps,
                                   src, "number", "bidirectional_gbps")
                    ),
                )
            )
        rates = tuple(
            self.throughput(precision, raw, c.source) for precision, raw in c.throughput.items()
        )
        if c.standalone_hbm and (rates or c.market != "memory"):
            raise self.fail("standalone_hbm", "a standalone HBM stack has market = \"memory\" "
                                              "and no throughput")
        spec = ChipSpec(
            name=c.name,
            vendor=c.vendor,
            family=c.family,
            datacenter=None if datacenter is None else bool(datacenter),
            standalone_hbm=c.standalone_hbm,
            dies=tuple(dies),
            memories=tuple(memories),
            io_links=tuple(links),
            throughputs=rates,
        )
        return ChipRecord(
            spec=spec,
            family=c.family,
            variant=c.variant,
            family_default=c.default,
            aliases=tuple(dict.fromkeys(a for a in c.aliases if a)),
            form_factor=c.form_factor,
            market=c.market,
            region=c.region,
            architecture=c.architecture,
            announced=c.announced,
            released=c.released,
            tdp_w=_num(tdp),
            notes=c.notes,
            claims=tuple(self.claims),
            source_file=self.file,
        )


def _num(value: float | bool | None) -> float | None:
    return None if value is None else float(value)


def _pydantic_message(file: str, err: ValidationError, data: Mapping[str, Any]) -> SeedError:
    """The first validation error, phrased as file / record / field."""
    first = err.errors()[0]
    loc = list(first["loc"])
    record = "file"
    if len(loc) >= 2 and loc[0] in ("chip", "source", "rule") and isinstance(loc[1], int):
        table, index = loc[0], loc[1]
        items = data.get(table) or []
        name = None
        if isinstance(items, list) and index < len(items) and isinstance(items[index], dict):
            name = items[index].get("name") or items[index].get("key") or items[index].get("id")
        record = f"{table} '{name}'" if name else f"{table} #{index + 1}"
        loc = loc[2:]
    # pydantic lists every member of a union it tried; the field path is what matters
    field = ".".join(
        str(part) for part in loc
        if not (isinstance(part, str) and (part[:1].isupper() or "[" in part or part in
                                            ("float", "bool", "str", "list", "int")))
    )
    message = first["msg"]
    if first["type"] == "extra_forbidden":
        message = "is not a known field (see docs/seed-format.md)"
    return SeedError(file, record, field or "-", message)


def parse_text(text: str, file: str) -> SeedFileModel:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SeedError(file, "file", "-", f"is not valid TOML: {exc}") from None
    try:
        return SeedFileModel.model_validate(data)
    except ValidationError as exc:
        raise _pydantic_message(file, exc, data) from None


def read_file(path: Path) -> SeedFileModel:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SeedError(str(path), "file", "-", f"cannot be read: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SeedError(str(path), "file", "-", "is not UTF-8 text") from None
    return parse_text(text, str(path))


def build_catalogue(
    files: Sequence[tuple[str, SeedFileModel]],
    known_sources: Iterable[str] = (),
    known_rules: Mapping[str, RuleDefinition] | None = None,
    origin: str = "seed",
) -> Catalogue:
    """Validate the cross-file constraints and build plain records; raise on the first error."""
    sources: list[SourceRecord] = []
    source_keys = set(known_sources)
    own_keys: set[str] = set()
    for file, model in files:
        for s in model.source:
            if s.key in own_keys:
                raise SeedError(file, f"source '{s.key}'", "key", "is defined twice")
            own_keys.add(s.key)
            sources.append(
                SourceRecord(
                    key=s.key, url=s.url, title=s.title, publisher=s.publisher, tier=s.tier,
                    accessed=s.accessed, note=s.note, origin=origin,
                )
            )
    source_keys |= own_keys
    chips: list[ChipRecord] = []
    names: dict[str, str] = {}
    for file, model in files:
        for c in model.chip:
            key = normalize_name(c.name)
            if key in names:
                raise SeedError(file, f"chip '{c.name}'", "name",
                                f"duplicates chip '{names[key]}'")
            names[key] = c.name
            record = _ChipBuilder(file, c, source_keys).build()
            chips.append(record if origin == "seed" else _with_origin(record, origin))
    _check_aliases(chips)
    rules: dict[str, RuleDefinition] = dict(known_rules or {})
    parsed_rules: list[RuleDefinition] = []
    for file, model in files:
        for raw in model.rule:
            label = f"rule '{raw.get('id', '?')}'"
            try:
                rule = rule_from_mapping(raw, rules, origin=origin)
            except ValueError as exc:
                field, _, message = str(exc).partition(": ")
                raise SeedError(file, label, field, message or field) from None
            if any(r.id == rule.id for r in parsed_rules):
                raise SeedError(file, label, "id", "is defined twice")
            rules[rule.id] = rule
            parsed_rules.append(rule)
    return Catalogue(tuple(sources), tuple(chips), tuple(parsed_rules))


def _with_origin(record: ChipRecord, origin: str) -> ChipRecord:
    from dataclasses import replace

    return replace(record, origin=origin)


def _check_aliases(chips: Sequence[ChipRecord]) -> None:
    owner: dict[str, str] = {}
    for chip in chips:
        owner[normalize_name(chip.spec.name)] = chip.spec.name
    defaults: dict[str, str] = {}
    for chip in chips:
        if chip.family_default:
            fam = normalize_name(chip.family)
            if fam in defaults:
                raise SeedError(chip.source_file or "-", f"chip '{chip.spec.name}'", "default",
                                f"family '{chip.family}' already defaults to '{defaults[fam]}'")
            defaults[fam] = chip.spec.name
        for alias in chip.aliases:
            key = normalize_name(alias)
            if key in owner and owner[key] != chip.spec.name:
                raise SeedError(chip.source_file or "-", f"chip '{chip.spec.name}'", "aliases",
                                f"'{alias}' already names '{owner[key]}'")
            owner[key] = chip.spec.name


def load_paths(paths: Sequence[Path]) -> list[tuple[str, SeedFileModel]]:
    return [(str(p), read_file(p)) for p in paths]


def seed_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.toml") if p.is_file())


__all__ = [
    "METRICS",
    "RULE_STATUSES",
    "SOURCE_TIERS",
    "Catalogue",
    "build_catalogue",
    "load_paths",
    "normalize_name",
    "parse_text",
    "read_file",
    "seed_files",
]
