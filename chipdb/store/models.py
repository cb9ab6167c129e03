"""The typed SQLAlchemy 2 schema. Canonical units live in column names.

Seed rows and user rows share the tables; ``origin`` ('seed' or 'user') tells them apart, so a
reseed replaces only seed rows. Metrics and verdicts are computed by the Python engine after
each load and stored, so SQL users and the CLI read the same figures.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Meta(Base):
    """Key/value facts about the database: seed fingerprint, engine version."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class UserImport(Base):
    """A user's imported file, verbatim: the durable record of user rows.

    Chips, sources and rules with origin 'user' are rebuilt from these texts on every reseed,
    so they survive reseeds, package upgrades and a downgrade/upgrade cycle (the initial
    migration's downgrade keeps this table unless told to drop user data).
    """

    __tablename__ = "user_import"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    content: Mapped[str] = mapped_column(Text)
    imported_at: Mapped[str] = mapped_column(String(40))


class Vendor(Base):
    __tablename__ = "vendor"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)


class Source(Base):
    __tablename__ = "source"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    url: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    publisher: Mapped[str] = mapped_column(String(200))
    tier: Mapped[str] = mapped_column(String(20))
    accessed: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(10), default="seed", index=True)
    publisher_class: Mapped[str | None] = mapped_column(String(20))  # vendor, press, mirror...


class Chip(Base):
    __tablename__ = "chip"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    name_key: Mapped[str] = mapped_column(String(120), unique=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendor.id"), index=True)
    family: Mapped[str] = mapped_column(String(100), index=True)
    family_key: Mapped[str] = mapped_column(String(100), index=True)
    variant: Mapped[str | None] = mapped_column(String(200))
    family_default: Mapped[bool] = mapped_column(Boolean, default=False)
    form_factor: Mapped[str | None] = mapped_column(String(100))
    market: Mapped[str] = mapped_column(String(20))
    region: Mapped[str] = mapped_column(String(20))
    architecture: Mapped[str | None] = mapped_column(String(100))
    announced: Mapped[date | None] = mapped_column(Date)  # first day of the published period
    released: Mapped[date | None] = mapped_column(Date)
    announced_precision: Mapped[str | None] = mapped_column(String(10))  # day|month|quarter|year
    released_precision: Mapped[str | None] = mapped_column(String(10))
    status: Mapped[str | None] = mapped_column(String(20))  # shipping|announced|roadmap|cancelled
    datacenter: Mapped[bool | None] = mapped_column(Boolean)
    standalone_hbm: Mapped[bool] = mapped_column(Boolean, default=False)
    tdp_w: Mapped[float | None] = mapped_column(Float)
    notes: Mapped[str | None] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(10), default="seed", index=True)
    source_file: Mapped[str | None] = mapped_column(Text)

    vendor: Mapped[Vendor] = relationship()
    aliases: Mapped[list[ChipAlias]] = relationship(cascade="all, delete-orphan")
    dies: Mapped[list[Die]] = relationship(cascade="all, delete-orphan")
    memories: Mapped[list[Memory]] = relationship(cascade="all, delete-orphan")
    io_links: Mapped[list[IoLink]] = relationship(cascade="all, delete-orphan")
    throughputs: Mapped[list[Throughput]] = relationship(cascade="all, delete-orphan")
    claims: Mapped[list[Claim]] = relationship(cascade="all, delete-orphan")


class ChipAlias(Base):
    __tablename__ = "chip_alias"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chip_id: Mapped[int] = mapped_column(ForeignKey("chip.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(120))
    alias_key: Mapped[str] = mapped_column(String(120), unique=True)


class Die(Base):
    __tablename__ = "die"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chip_id: Mapped[int] = mapped_column(ForeignKey("chip.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    count: Mapped[int] = mapped_column(Integer, default=1)
    process: Mapped[str | None] = mapped_column(String(100))
    node_nm: Mapped[float | None] = mapped_column(Float)
    non_planar: Mapped[bool | None] = mapped_column(Boolean)
    area_mm2: Mapped[float | None] = mapped_column(Float)
    transistors_billion: Mapped[float | None] = mapped_column(Float)


class Memory(Base):
    __tablename__ = "memory"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chip_id: Mapped[int] = mapped_column(ForeignKey("chip.id", ondelete="CASCADE"), index=True)
    type: Mapped[str | None] = mapped_column(String(50))
    capacity_gb: Mapped[float | None] = mapped_column(Float)
    bandwidth_gbps: Mapped[float | None] = mapped_column(Float)
    stacks: Mapped[int | None] = mapped_column(Integer)
    package_area_mm2: Mapped[float | None] = mapped_column(Float)


class IoLink(Base):
    __tablename__ = "io_link"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chip_id: Mapped[int] = mapped_column(ForeignKey("chip.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    bidirectional_gbps: Mapped[float | None] = mapped_column(Float)
    # the published figure's basis: bidirectional | per-direction | unstated (docs/metrics.md)
    direction: Mapped[str | None] = mapped_column(String(20))


class Throughput(Base):
    """Peak rate per precision in tera-operations per second; dense and sparse apart."""

    __tablename__ = "throughput"
    __table_args__ = (UniqueConstraint("chip_id", "precision"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chip_id: Mapped[int] = mapped_column(ForeignKey("chip.id", ondelete="CASCADE"), index=True)
    precision: Mapped[str] = mapped_column(String(20))
    bit_length: Mapped[int] = mapped_column(Integer)
    dense_tops: Mapped[float | None] = mapped_column(Float)
    sparse_tops: Mapped[float | None] = mapped_column(Float)


class Claim(Base):
    """One published value of one field, with its source; one claim per field is preferred."""

    __tablename__ = "claim"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chip_id: Mapped[int] = mapped_column(ForeignKey("chip.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(200))
    value_num: Mapped[float | None] = mapped_column(Float)
    value_text: Mapped[str | None] = mapped_column(Text)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"), index=True)
    preferred: Mapped[bool] = mapped_column(Boolean, default=True)
    reason: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    derivation: Mapped[str | None] = mapped_column(Text)
    tier: Mapped[str | None] = mapped_column(String(20))
    value_low: Mapped[float | None] = mapped_column(Float)  # a range or bound; NULL: a point
    value_high: Mapped[float | None] = mapped_column(Float)  # inf: "at least"

    source: Mapped[Source] = relationship()


class ChipMetric(Base):
    """Derived figures, computed once by chipdb.metrics after each load."""

    __tablename__ = "chip_metric"
    chip_id: Mapped[int] = mapped_column(
        ForeignKey("chip.id", ondelete="CASCADE"), primary_key=True
    )
    tpp: Mapped[float | None] = mapped_column(Float)
    tpp_precision: Mapped[str | None] = mapped_column(String(20))
    tpp_basis: Mapped[str | None] = mapped_column(String(20))
    applicable_die_area_mm2: Mapped[float | None] = mapped_column(Float)
    performance_density: Mapped[float | None] = mapped_column(Float)
    bidirectional_io_gbps: Mapped[float | None] = mapped_column(Float)
    interconnect_gbps: Mapped[float | None] = mapped_column(Float)
    memory_bandwidth_gbps: Mapped[float | None] = mapped_column(Float)
    memory_capacity_gb: Mapped[float | None] = mapped_column(Float)
    memory_bandwidth_density: Mapped[float | None] = mapped_column(Float)
    transistors_billion: Mapped[float | None] = mapped_column(Float)
    logic_node_nm: Mapped[float | None] = mapped_column(Float)
    non_planar: Mapped[bool | None] = mapped_column(Boolean)
    contains_hbm: Mapped[bool | None] = mapped_column(Boolean)
    why_unknown: Mapped[str | None] = mapped_column(Text)
    # the ends of a ranged metric (NULL when it is a point or unknown)
    tpp_low: Mapped[float | None] = mapped_column(Float)
    tpp_high: Mapped[float | None] = mapped_column(Float)
    applicable_die_area_mm2_low: Mapped[float | None] = mapped_column(Float)
    applicable_die_area_mm2_high: Mapped[float | None] = mapped_column(Float)
    performance_density_low: Mapped[float | None] = mapped_column(Float)
    performance_density_high: Mapped[float | None] = mapped_column(Float)


class Rule(Base):
    __tablename__ = "rule"
    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    short_title: Mapped[str | None] = mapped_column(Text)
    citation: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(Text)
    published: Mapped[date | None] = mapped_column(Date)
    effective: Mapped[date] = mapped_column(Date)
    ended: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    layer: Mapped[str] = mapped_column(String(40))
    unverified: Mapped[bool] = mapped_column(Boolean, default=False)
    summary: Mapped[str | None] = mapped_column(Text)
    wording: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    definition: Mapped[str] = mapped_column(Text)  # JSON, re-read by the engine for what-if
    origin: Mapped[str] = mapped_column(String(10), default="seed", index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class RuleThreshold(Base):
    """Every line a rule draws, one row each, for `chipdb rules` and SQL users."""

    __tablename__ = "rule_threshold"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule_id: Mapped[str] = mapped_column(
        ForeignKey("rule.id", ondelete="CASCADE"), index=True
    )
    clause: Mapped[str] = mapped_column(String(100))
    metric: Mapped[str] = mapped_column(String(200))
    op: Mapped[str] = mapped_column(String(10))
    threshold: Mapped[float] = mapped_column(Float)
    parameter: Mapped[str | None] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)


class Verdict(Base):
    """One chip under one rule over one period of that rule's life."""

    __tablename__ = "verdict"
    __table_args__ = (UniqueConstraint("chip_id", "rule_id", "valid_from"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chip_id: Mapped[int] = mapped_column(ForeignKey("chip.id", ondelete="CASCADE"), index=True)
    rule_id: Mapped[str] = mapped_column(ForeignKey("rule.id", ondelete="CASCADE"), index=True)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(40))
    determined: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    missing: Mapped[str | None] = mapped_column(Text)
    exceptions: Mapped[str | None] = mapped_column(Text)
    possible_outcomes: Mapped[str | None] = mapped_column(Text)  # JSON list
    confidence: Mapped[str | None] = mapped_column(String(20))  # the weakest deciding tier
    confidence_unverified: Mapped[str | None] = mapped_column(Text)  # JSON list
    conventions: Mapped[str | None] = mapped_column(Text)  # JSON list: how it reads otherwise
    deciding: Mapped[str | None] = mapped_column(Text)  # JSON list of deciding lines


class Margin(Base):
    __tablename__ = "margin"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    verdict_id: Mapped[int] = mapped_column(
        ForeignKey("verdict.id", ondelete="CASCADE"), index=True
    )
    clause: Mapped[str] = mapped_column(String(100))
    metric: Mapped[str] = mapped_column(String(200))
    op: Mapped[str] = mapped_column(String(10))
    threshold: Mapped[float] = mapped_column(Float)
    value: Mapped[float | None] = mapped_column(Float)
    margin: Mapped[float | None] = mapped_column(Float)
    margin_pct: Mapped[float | None] = mapped_column(Float)
    met: Mapped[bool | None] = mapped_column(Boolean)
    position: Mapped[int] = mapped_column(Integer, default=0)


# --- destinations and the bottom line (issue 13) ----------------------------------------------


class Destination(Base):
    """A country or territory (ISO 3166-1 alpha-2), from seeds/destinations/countries.toml."""

    __tablename__ = "destination"
    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    alpha3: Mapped[str] = mapped_column(String(3))
    name: Mapped[str] = mapped_column(String(200))
    common_name: Mapped[str | None] = mapped_column(String(200))
    official_name: Mapped[str | None] = mapped_column(String(300))
    note: Mapped[str | None] = mapped_column(Text)


class DestinationName(Base):
    """Every spelling that reaches a destination (code, alpha-3, names, aliases), keyed by
    its case-folded form; the name lookup of ``--to``."""

    __tablename__ = "destination_name"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name_key: Mapped[str] = mapped_column(String(300), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    code: Mapped[str] = mapped_column(ForeignKey("destination.code", ondelete="CASCADE"),
                                      index=True)
    kind: Mapped[str] = mapped_column(String(20))


class DestinationTreatment(Base):
    """How a regime treats a destination (Hong Kong as CN under the EAR), dated."""

    __tablename__ = "destination_treatment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(ForeignKey("destination.code", ondelete="CASCADE"),
                                      index=True)
    regime: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(30))
    as_code: Mapped[str | None] = mapped_column(String(2))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    unverified: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)


class CountryGroup(Base):
    """An EAR Country Group (Supplement No. 1 to part 740): A:1, A:5, A:6, D:1, D:3-D:5."""

    __tablename__ = "country_group"
    id: Mapped[str] = mapped_column(String(10), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    citation: Mapped[str] = mapped_column(Text)
    unverified: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)


class GroupMembership(Base):
    """A destination's membership of a group, dated (both ends inclusive; open when null)."""

    __tablename__ = "group_membership"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[str] = mapped_column(ForeignKey("country_group.id", ondelete="CASCADE"),
                                          index=True)
    code: Mapped[str] = mapped_column(ForeignKey("destination.code", ondelete="CASCADE"),
                                      index=True)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    unverified: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)


class RuleLayer(Base):
    """A layer of the law (chipdb.outcomes.LAYERS), in the order the bottom line composes them."""

    __tablename__ = "rule_layer"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(Text)
    meaning: Mapped[str] = mapped_column(Text)
    rule_layers: Mapped[str | None] = mapped_column(Text)  # newline-separated rule `layer`s
    scope_kinds: Mapped[str | None] = mapped_column(Text)  # newline-separated scope kinds


class RuleScope(Base):
    """One prong of one rule: where, to whom and when it reaches (seeds/destinations/
    scopes.toml). ``rule_id`` may name a rule not loaded (yet): ``loaded`` says so."""

    __tablename__ = "rule_scope"
    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    rule_id: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    layer: Mapped[str] = mapped_column(String(40))
    regime: Mapped[str] = mapped_column(String(20))
    direction: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(60))
    status: Mapped[str | None] = mapped_column(String(20))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    exception: Mapped[str | None] = mapped_column(String(10))
    citation: Mapped[str] = mapped_column(Text)
    unverified: Mapped[bool] = mapped_column(Boolean, default=False)
    loaded: Mapped[bool] = mapped_column(Boolean, default=False)
    definition: Mapped[str] = mapped_column(Text)  # the scope table as written, JSON


class DestinationClass(Base):
    """Destinations (or buyer HQs) that fall in the same scopes over a period."""

    __tablename__ = "destination_class"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # destination | buyer-hq
    label: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    signature: Mapped[str] = mapped_column(Text)  # the scope ids, newline-separated


class DestinationClassMember(Base):
    __tablename__ = "destination_class_member"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    class_id: Mapped[int] = mapped_column(
        ForeignKey("destination_class.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(2), index=True)


class BottomLine(Base):
    """The answer for one chip, destination class and buyer-HQ class over one period,
    computed once by chipdb.policy at rebuild time."""

    __tablename__ = "bottom_line"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chip_id: Mapped[int] = mapped_column(ForeignKey("chip.id", ondelete="CASCADE"), index=True)
    destination_class_id: Mapped[int] = mapped_column(
        ForeignKey("destination_class.id", ondelete="CASCADE"), index=True)
    buyer_class_id: Mapped[int] = mapped_column(
        ForeignKey("destination_class.id", ondelete="CASCADE"), index=True)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    license_required: Mapped[bool | None] = mapped_column(Boolean)
    exceptions: Mapped[str | None] = mapped_column(Text)
    review_policy: Mapped[str | None] = mapped_column(String(60))
    measures: Mapped[str] = mapped_column(Text)  # JSON list
    basis: Mapped[str] = mapped_column(Text)  # JSON list
    binding_rule: Mapped[str | None] = mapped_column(String(100))
    binding_clause: Mapped[str | None] = mapped_column(String(100))
    binding_metric: Mapped[str | None] = mapped_column(String(200))
    binding_value: Mapped[float | None] = mapped_column(Float)
    binding_threshold: Mapped[float | None] = mapped_column(Float)
    binding_margin_pct: Mapped[float | None] = mapped_column(Float)
    confidence: Mapped[str | None] = mapped_column(String(20))
    unverified: Mapped[str | None] = mapped_column(Text)
    since: Mapped[date] = mapped_column(Date)


class PolicyEvent(Base):
    """A dated policy event that is not a threshold (seeds/events/events.toml); ``rule_id``
    may name a rule not loaded."""

    __tablename__ = "policy_event"
    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    date_precision: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(Text)
    jurisdiction: Mapped[str] = mapped_column(String(2))
    kind: Mapped[str] = mapped_column(String(40))
    chips: Mapped[str | None] = mapped_column(Text)  # chip families, one a line
    vendors: Mapped[str | None] = mapped_column(Text)  # one a line
    evidence: Mapped[str] = mapped_column(String(20))
    rule_id: Mapped[str | None] = mapped_column(String(100))
    sources: Mapped[str] = mapped_column(Text)  # source keys, one a line
    summary: Mapped[str] = mapped_column(Text)
    unverified: Mapped[bool] = mapped_column(Boolean, default=False)
    missing: Mapped[str | None] = mapped_column(Text)
