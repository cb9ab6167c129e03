"""Policy events: dated happenings that are not thresholds (seeds/events/events.toml).

Licensing practice, presidential statements, China's import-side measures, bills, GAO and court
findings, Country Group changes, deadlines: read, checked (known sources, known kinds) and
returned as plain records for the store. They carry no criteria; a rule may name them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date as Day
from pathlib import Path
from typing import Literal

from pydantic import Field

from chipdb.catalogue.destinations import _read, _Strict
from chipdb.catalogue.schema import SourceModel
from chipdb.errors import SeedError
from chipdb.spec import SourceRecord

EventKind = Literal[
    "licence-practice", "presidential-statement", "import-measure", "regulatory-action",
    "enforcement-policy", "group-change", "bill", "legislative-action", "oversight",
    "legal-opinion", "vendor-disclosure", "product-change", "deal", "investigation",
    "deadline"]


class EventModel(_Strict):
    id: str = Field(pattern=r"^[a-z]{2}-[0-9]{4}-[0-9]{2}-[a-z0-9-]+$")
    day: Day = Field(alias="date")
    date_precision: Literal["day", "approximate", "month", "reported"]
    title: str
    jurisdiction: str = Field(pattern=r"^[A-Z]{2}$")
    kind: EventKind
    chips: list[str]
    vendors: list[str]
    evidence: Literal["official", "vendor", "reported", "analyst"]
    source: list[str] = Field(min_length=1)
    summary: str
    rule: str | None = None
    unverified: bool = False
    missing: str | None = None


class EventsFile(_Strict):
    schema_: Literal["chipdb.events/1"] = Field(alias="schema")
    as_of: Day
    event: list[EventModel]
    source: list[SourceModel] = Field(default_factory=list)


@dataclass(frozen=True)
class PolicyEvent:
    id: str
    day: Day
    date_precision: str
    title: str
    jurisdiction: str
    kind: str
    chips: tuple[str, ...]
    vendors: tuple[str, ...]
    evidence: str
    sources: tuple[str, ...]
    summary: str
    rule: str | None = None
    unverified: bool = False
    missing: str | None = None


@dataclass(frozen=True)
class Events:
    events: tuple[PolicyEvent, ...]
    sources: tuple[SourceRecord, ...]  # the sources only events.toml defines


def read_events(folder: Path, known_sources: Iterable[str] = ()) -> Events:
    """Read seeds/events/events.toml; every source key must be defined there or elsewhere."""
    path = folder / "events.toml"
    if not path.exists():
        return Events((), ())
    data, _ = _read(path, EventsFile)
    assert isinstance(data, EventsFile)
    known = set(known_sources)
    own = {s.key for s in data.source}
    clash = sorted(own & known)
    if clash:
        raise SeedError(str(path), f"source '{clash[0]}'", "key",
                        "is already defined in another seed file")
    cited = known | own
    ids: set[str] = set()
    for e in data.event:
        if e.id in ids:
            raise SeedError(str(path), f"event '{e.id}'", "id", "is a duplicate")
        ids.add(e.id)
        for key in e.source:
            if key not in cited:
                raise SeedError(str(path), f"event '{e.id}'", "source",
                                f"'{key}' is not a known source")
        if e.unverified and not e.missing:
            raise SeedError(str(path), f"event '{e.id}'", "missing",
                            "unverified = true needs missing = \"what could not be checked\"")
    events = tuple(sorted((PolicyEvent(
        e.id, e.day, e.date_precision, e.title, e.jurisdiction, e.kind, tuple(e.chips),
        tuple(e.vendors), e.evidence, tuple(e.source), e.summary, e.rule, e.unverified,
        e.missing) for e in data.event), key=lambda e: (e.day, e.id)))
    records = tuple(SourceRecord(key=s.key, url=s.url, title=s.title, publisher=s.publisher,
                                 tier=s.tier, accessed=s.accessed, note=s.note, origin="seed",
                                 publisher_class=s.publisher_class, names=tuple(s.names))
                    for s in data.source)
    return Events(events, records)
