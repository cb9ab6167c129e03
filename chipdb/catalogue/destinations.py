"""seeds/destinations/ → plain policy values: countries, groups, scopes and their sources.

Strict pydantic models (``extra="forbid"``) for the four files whose format is
seeds/destinations/README.md; every problem is one ``file: record: field: problem`` line.
Cross-file checks: every code exists in countries.toml, every group in groups.toml, every
cited source key is defined (here or in the chip/rule seeds). Every source names its publisher
class, and tier official goes only with a government or vendor publisher (the chip seeds' check).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from chipdb.catalogue.build import _pydantic_message
from chipdb.catalogue.quality import check_source
from chipdb.catalogue.schema import SourceModel
from chipdb.errors import SeedError
from chipdb.policy.places import Geography
from chipdb.policy.types import Country, Group, Membership, PlaceSet, Scope, Treatment
from chipdb.spec import SourceRecord


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True,
                              populate_by_name=True)


Code = Field(pattern=r"^[A-Z]{2}$")


class CountryModel(_Strict):
    code: str = Code
    alpha3: str = Field(pattern=r"^[A-Z]{3}$")
    name: str = Field(min_length=1)
    common_name: str | None = None
    official_name: str | None = None
    aliases: list[str]
    note: str | None = None


class _DatedFact(_Strict):
    """What every dated destination fact carries: when it held, who says so, how sure."""
    from_: date | None = Field(default=None, alias="from")
    until: date | None = None
    source: list[str]
    note: str | None = None
    unverified: bool = False
    missing: str | None = None


class TreatmentModel(_DatedFact):
    code: str = Code
    regime: str
    kind: Literal["treated-as", "separate-destination", "part-of-us"]
    as_: str | None = Field(default=None, alias="as")


class CountriesFile(_Strict):
    schema_: str = Field(alias="schema")
    as_of: date
    standard: str
    list_source: str
    country: list[CountryModel]
    treatment: list[TreatmentModel] = []


class MembershipModel(_DatedFact):
    group: str
    code: str = Code


class GroupModel(_Strict):
    id: str
    title: str
    citation: str
    source: list[str]
    unverified: bool
    missing: str | None = None
    baseline_check: str | None = None
    note: str | None = None


class GroupsFile(_Strict):
    schema_: str = Field(alias="schema")
    as_of: date
    baseline_date: date
    membership: list[MembershipModel]
    group: list[GroupModel]


class PlaceSetModel(_Strict):
    worldwide: bool = False
    any_of_groups: list[str] = []
    except_groups: list[str] = []
    plus: list[str] = []
    minus: list[str] = []


class NotificationModel(_Strict):
    days: int
    destinations: PlaceSetModel


class ScopeModel(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]*$")
    rule: str
    kind: str
    regime: Literal["US-EAR", "US-S232", "US-bill", "MY-STA", "CN"]
    direction: Literal["export", "import", "export-transhipment-transit", "any"]
    items: list[str]
    destinations: PlaceSetModel
    outcome: str
    citation: str
    source: list[str]
    evidence: Literal["official", "vendor", "reported", "analyst", "derived"]
    from_: date | None = Field(default=None, alias="from")
    until: date | None = None
    compliance: date | None = None
    not_enforced_from: date | None = None
    published: date | None = None
    introduced: date | None = None
    status: Literal["not-enforced", "draft", "dropped"] | None = None
    buyer_hq: PlaceSetModel | None = None
    buyers: list[str] | None = None
    vendors: list[str] = []
    exporter: list[str] = []
    origin: PlaceSetModel | None = None
    item_origin: PlaceSetModel | None = None
    packaged_outside: PlaceSetModel | None = None
    conditions: str | None = None
    notification: NotificationModel | None = None
    exception: Literal["NAC", "ACA", "HBM", "AIA", "LPP"] | None = None
    rule_exception: str | None = None
    unverified: bool = False
    missing: str | None = None
    note: str | None = None


class ScopesFile(_Strict):
    schema_: str = Field(alias="schema")
    as_of: date
    scope: list[ScopeModel]


class SourcesFile(_Strict):
    source: list[SourceModel]


@dataclass(frozen=True)
class Destinations:
    """Everything seeds/destinations/ holds, as plain values, plus the raw scope tables."""

    geography: Geography
    scopes: tuple[Scope, ...]
    sources: tuple[SourceRecord, ...]
    scope_tables: tuple[dict[str, Any], ...]  # as written (stored as JSON)


def _read(path: Path, model: type[_Strict]) -> tuple[Any, dict[str, Any]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SeedError(str(path), "file", "-", f"cannot be read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SeedError(str(path), "file", "-", f"is not valid TOML: {exc}") from None
    try:
        return model.model_validate(data), data
    except ValidationError as exc:
        raise _pydantic_message(str(path), exc, data) from None


def _places(p: PlaceSetModel) -> PlaceSet:
    return PlaceSet(p.worldwide, tuple(p.any_of_groups), tuple(p.except_groups), tuple(p.plus),
                    tuple(p.minus))


def _scope(s: ScopeModel) -> Scope:
    return Scope(
        id=s.id, rule=s.rule, kind=s.kind, regime=s.regime, direction=s.direction,
        items=tuple(s.items), destinations=_places(s.destinations), outcome=s.outcome,
        citation=s.citation, evidence=s.evidence,
        buyer_hq=_places(s.buyer_hq) if s.buyer_hq else None, valid_from=s.from_,
        valid_to=s.until, status=s.status, not_enforced_from=s.not_enforced_from,
        exception=s.exception, rule_exception=s.rule_exception, exporter=tuple(s.exporter),
        vendors=tuple(s.vendors), named_buyers=s.buyers is not None or s.item_origin is not None,
        conditional=s.conditions is not None, unverified=s.unverified, missing=s.missing,
    )


def scope_from_table(raw: Mapping[str, Any]) -> Scope:
    """A scope as stored (``rule_scope.definition``: the seed's table as JSON) read back."""
    return _scope(ScopeModel.model_validate(dict(raw)))


def read_destinations(folder: Path, known_sources: Iterable[str] = ()) -> Destinations:
    """Read and cross-check countries.toml, groups.toml, scopes.toml and sources.toml."""
    countries, _ = _read(folder / "countries.toml", CountriesFile)
    groups, _ = _read(folder / "groups.toml", GroupsFile)
    scopes, raw_scopes = _read(folder / "scopes.toml", ScopesFile)
    sources, _ = _read(folder / "sources.toml", SourcesFile)
    codes = {c.code for c in countries.country}
    group_ids = {g.id for g in groups.group}
    cited = set(known_sources) | {s.key for s in sources.source}

    def check(file: str, record: str, field: str, values: Iterable[str], known: set[str],
              what: str) -> None:
        for v in values:
            if v not in known:
                raise SeedError(str(folder / file), record, field, f"'{v}' is not a known {what}")

    for t in countries.treatment:
        check("countries.toml", f"treatment '{t.code}'", "source", t.source, cited, "source")
        check("countries.toml", f"treatment '{t.code}'", "code", [t.code, *(
            [t.as_] if t.as_ else [])], codes, "country code")
    for m in groups.membership:
        record = f"membership '{m.group} {m.code}'"
        check("groups.toml", record, "code", [m.code], codes, "country code")
        check("groups.toml", record, "group", [m.group], group_ids, "group")
        check("groups.toml", record, "source", m.source, cited, "source")
    for s in scopes.scope:
        record = f"scope '{s.id}'"
        check("scopes.toml", record, "source", s.source, cited, "source")
        for field in ("destinations", "buyer_hq", "origin", "item_origin", "packaged_outside"):
            p = getattr(s, field)
            if p is None:
                continue
            check("scopes.toml", record, field, [*p.any_of_groups, *p.except_groups],
                  group_ids, "group")
            check("scopes.toml", record, field, [*p.plus, *p.minus], codes, "country code")
    if len({s.id for s in scopes.scope}) != len(scopes.scope):
        raise SeedError(str(folder / "scopes.toml"), "file", "scope", "has a duplicate id")
    geography = Geography(
        countries=tuple(Country(c.code, c.alpha3, c.name, c.common_name, c.official_name,
                                tuple(c.aliases), c.note) for c in countries.country),
        groups=tuple(Group(g.id, g.title, g.citation, g.unverified, g.note)
                     for g in groups.group),
        memberships=tuple(Membership(m.group, m.code, m.from_, m.until, m.unverified, m.note)
                          for m in groups.membership),
        treatments=tuple(Treatment(t.code, t.regime, t.kind, t.as_, t.from_, t.until,
                                   t.unverified, t.note) for t in countries.treatment),
    )
    out = tuple(_scope(s) for s in scopes.scope)
    records = tuple(SourceRecord(key=s.key, url=s.url, title=s.title, publisher=s.publisher,
                                 tier=s.tier, accessed=s.accessed, note=s.note, origin="seed",
                                 publisher_class=s.publisher_class, names=tuple(s.names))
                    for s in sources.source)
    for source in records:  # the same source-quality check as the chip seeds' sources
        check_source(str(folder / "sources.toml"), source, "seed")
    return Destinations(geography, out, records, tuple(raw_scopes["scope"]))
