"""The shape of a seed or import file as pydantic models: sources, chips and rules.

A seed file is TOML with up to three arrays of tables. The bundled seeds and a user's
``chipdb import FILE`` use the same format, documented in docs/seed-format.md. These models check
shape only (known keys, types, closed word lists, dates); sources, claims and plausibility are
resolved in ``claims`` and ``chips``, and what a rule *means* stays with the engine's parser.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)

from chipdb.outcomes import RULE_STATUSES
from chipdb.vocab import DIE_KINDS, IO_KINDS, MARKETS, PRECISION_BITS, REGIONS

# "bound": an at-least / at-most claim that limits a value nobody published (e.g. one reticle)
Tier = Literal["official", "secondary", "estimate", "measured", "bound"]
Range = tuple[StrictInt | StrictFloat, StrictInt | StrictFloat]
# Who published a source (tier says how reliable a value is; class says who put it out).
PublisherClass = Literal["vendor", "government", "standards", "press", "analyst", "blog",
                         "mirror", "database", "dealer", "generated"]
DatePrecision = Literal["day", "month", "quarter", "year"]
ChipStatus = Literal["shipping", "announced", "roadmap", "cancelled"]


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
    tier: Tier
    # ``class`` in the file (a Python keyword, hence the alias). Required in the bundled seeds
    # (build_catalogue checks it); a user import may leave it out.
    publisher_class: PublisherClass | None = Field(default=None, alias="class")
    accessed: date | None = None
    note: str | None = Field(default=None, max_length=2000)
    # The chips, families or dies the document names where its title and address do not: a
    # claim of tier official must cite a document that names its chip (quality.names_the_chip).
    names: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(default_factory=list)


# --- chips ------------------------------------------------------------------------------------


class PublishedModel(_Strict):
    """Where a published value comes from, and whether it is the one chipdb uses."""

    source: str | None = None
    preferred: bool | None = None
    reason: str | None = Field(default=None, max_length=1000)
    note: str | None = Field(default=None, max_length=2000)
    derivation: str | None = Field(default=None, max_length=500)
    tier: Tier | None = None

    def published(self) -> dict[str, float | bool | str | tuple[float, float]]:
        """The values this claim publishes, by field suffix ('' for the field itself); a
        range or bound as (low, high), high inf for "at least"."""
        raise NotImplementedError


def _span(low: float, high: float) -> tuple[float, float]:
    if low > high:
        raise ValueError(f"a range runs from low to high, not {low:g} to {high:g}")
    return float(low), float(high)


class ClaimModel(PublishedModel):
    """A published value with its provenance: ``{ value = 814, source = "key" }``; or a range
    ``{ range = [280, 400] }``; or a bound ``{ at_most = 858 }`` / ``{ at_least = ... }``."""

    value: float | bool | str | None = None
    range: Range | None = None
    at_least: StrictInt | StrictFloat | None = None
    at_most: StrictInt | StrictFloat | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> ClaimModel:
        given = [self.value is not None, self.range is not None,
                 self.at_least is not None or self.at_most is not None]
        if given.count(True) != 1:
            raise ValueError("give one of 'value', 'range = [low, high]', 'at_least' / 'at_most'")
        if self.range is not None:
            _span(*self.range)
        if self.at_least is not None and self.at_most is not None:
            _span(self.at_least, self.at_most)
        return self

    def published(self) -> dict[str, float | bool | str | tuple[float, float]]:
        if self.value is not None:
            return {"": self.value}
        if self.range is not None:
            return {"": _span(*self.range)}
        low = 0.0 if self.at_least is None else float(self.at_least)
        high = float("inf") if self.at_most is None else float(self.at_most)
        return {"": (low, high)}


class ThroughputClaimModel(PublishedModel):
    """A published rate for one precision: dense and sparse figures kept apart."""

    dense: float | Range | None = None  # a published range: [low, high]
    sparse: float | Range | None = None

    @model_validator(mode="after")
    def _rates(self) -> ThroughputClaimModel:
        if self.dense is None and self.sparse is None:
            raise ValueError("give 'dense' or 'sparse' (or both)")
        for rate in (self.dense, self.sparse):
            if isinstance(rate, tuple):
                _span(*rate)
        if (isinstance(self.dense, float) and isinstance(self.sparse, float)
                and self.sparse < self.dense):
            raise ValueError("the sparse rate is below the dense rate: swapped?")
        return self

    def published(self) -> dict[str, float | bool | str | tuple[float, float]]:
        rates = {"dense_tops": self.dense, "sparse_tops": self.sparse}
        return {suffix: (_span(*rate) if isinstance(rate, tuple) else rate)
                for suffix, rate in rates.items() if rate is not None}


class DateClaimModel(PublishedModel):
    """A published date, as precise as its source: ``{ value = "2024-03", precision = "month",
    source = "key" }``. TOML has no partial dates, so a month, quarter or year is text."""

    value: date | str
    precision: DatePrecision | None = None
    # "by": the source proves only that the part was on sale by then (an MLPerf "available"
    # listing, a review of a bought unit): an upper bound, the announcement the lower one
    bound: Literal["by"] | None = None

    @field_validator("value", mode="before")
    @classmethod
    def _no_time(cls, v: Any) -> Any:
        if isinstance(v, datetime):
            raise ValueError("must be a date like 2024-03-18, or text like \"2024-03\", "
                             "\"2024-Q1\" or \"2024\"; not a time")
        return v

    def published(self) -> dict[str, float | bool | str | tuple[float, float]]:
        return {"": self.value.isoformat() if isinstance(self.value, date) else self.value}


Sourced = float | bool | str | ClaimModel | list[ClaimModel]
SourcedRates = ThroughputClaimModel | list[ThroughputClaimModel]
SourcedDate = date | str | DateClaimModel | list[DateClaimModel]


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
    # Exactly one basis: both directions summed, one direction (doubled for the metric), or a
    # figure whose direction the source does not state (``gbps`` with direction = "unstated").
    bidirectional_gbps: Sourced | None = None
    per_direction_gbps: Sourced | None = None
    gbps: Sourced | None = None
    direction: Literal["unstated"] | None = None

    @model_validator(mode="after")
    def _one_basis(self) -> IoModel:
        given = [f for f in ("bidirectional_gbps", "per_direction_gbps", "gbps")
                 if getattr(self, f) is not None]
        if len(given) > 1:
            raise ValueError(f"give one of bidirectional_gbps, per_direction_gbps or gbps, "
                             f"not {' and '.join(given)}")
        if (self.gbps is not None) != (self.direction is not None):
            raise ValueError("'gbps' goes with direction = \"unstated\" (a figure whose "
                             "direction the source does not state), and only with it")
        return self


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
    announced: SourcedDate | None = None
    released: SourcedDate | None = None
    status: ChipStatus | None = None
    datacenter: Sourced | None = None
    standalone_hbm: bool = False
    tdp_w: Sourced | None = None
    ics_per_card: Sourced | None = None  # packaged ICs on a card whose figures are card totals
    published_tpp: Sourced | None = None
    published_performance_density: Sourced | None = None
    notes: str | None = Field(default=None, max_length=4000)
    die: list[DieModel] = Field(default_factory=list)
    memory: list[MemoryModel] = Field(default_factory=list)
    io: list[IoModel] = Field(default_factory=list)
    throughput: dict[str, SourcedRates] = Field(default_factory=dict)

    @field_validator("throughput")
    @classmethod
    def _precisions(cls, v: dict[str, SourcedRates]) -> dict[str, SourcedRates]:
        unknown = sorted(set(v) - set(PRECISION_BITS))
        if unknown:
            raise ValueError(
                f"unknown precision {', '.join(unknown)}; expected {', '.join(PRECISION_BITS)}"
            )
        return v


# --- rules: the shape only; the engine's parser owns extends, parameters and criteria ----------


def _rule_date(value: Any) -> Any:
    """A TOML date (or an ISO text date, as the engine accepts); never a time or a number."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"must be a date like 2023-11-17, not {value!r}")


RuleDate = Annotated[date, BeforeValidator(_rule_date)]
Text = StrictStr
Number = StrictInt | StrictFloat
Criterion = dict[str, Any]  # {metric, op, value|param}, {all}, {any}, {rule, outcome_in}


class ParameterModel(_Strict):
    value: Number | None = None  # a rule that extends another may change only the note
    unit: Text = ""
    note: Text = ""
    unverified: StrictBool = False


class ClauseModel(_Strict):
    outcome: Text
    when: Criterion
    label: Text = ""
    text: Text = ""


class ExceptionModel(_Strict):
    name: Text
    text: Text
    outcomes: list[Text] = Field(default_factory=list)
    when: Criterion | None = None


class PerUnitModel(_Strict):
    label: Text
    param: Text
    metric: Text


class RuleModel(_Strict):
    """One ``[[rule]]`` table. Fields a rule needs may come from the rule it ``extends``, so the
    engine checks what is required after merging; this model checks what is written."""

    id: Text | None = None
    extends: Text | None = None
    title: Text | None = None
    short_title: Text | None = None
    citation: Text | None = None
    url: Text | None = None
    published: RuleDate | None = None
    effective: RuleDate | None = None
    ended: RuleDate | None = None
    compliance: RuleDate | None = None
    not_enforced_from: RuleDate | None = None
    status: Annotated[str, _one_of(RULE_STATUSES)] | None = None
    layer: Text | None = None
    summary: Text | None = None
    wording: Text | None = None
    notes: Text | list[Text] | None = None
    unverified: StrictBool | None = None
    parameters: dict[str, Number | ParameterModel] | None = None
    exclude: list[ClauseModel] | None = None
    clause: list[ClauseModel] | None = None
    append_clause: list[ClauseModel] | None = None
    default_outcome: Text | None = None
    default_reason: Text | None = None
    exception: list[ExceptionModel] | None = None
    append_exception: list[ExceptionModel] | None = None
    per_unit: list[PerUnitModel] | None = None

    # The table exactly as written: what the engine parses and what the database stores, so a
    # rule's stored definition does not depend on how pydantic coerces (4800 stays 4800).
    _mapping: dict[str, Any] = PrivateAttr(default_factory=dict)

    @model_validator(mode="wrap")
    @classmethod
    def _keep_mapping(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> RuleModel:
        model: RuleModel = handler(data)
        if isinstance(data, dict):
            model._mapping = dict(data)
        return model

    @property
    def mapping(self) -> dict[str, Any]:
        return self._mapping

    @property
    def label(self) -> str:
        """The record part of an error: the rule's id, or the id it takes from ``extends``."""
        return f"rule '{self.id or self.extends or '?'}'"


class SeedFileModel(_Strict):
    source: list[SourceModel] = Field(default_factory=list)
    chip: list[ChipModel] = Field(default_factory=list)
    rule: list[RuleModel] = Field(default_factory=list)
    # conventions the rules leave open, chosen by an import: [conventions] tf32_bits = 32
    conventions: dict[str, StrictInt | StrictFloat] = Field(default_factory=dict)
