"""Plain value types for destinations: countries, group memberships, treatments and scopes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


def in_window(day: date, start: date | None, end: date | None) -> bool:
    """Both ends inclusive; a missing end is open."""
    return (start is None or start <= day) and (end is None or day <= end)


@dataclass(frozen=True)
class Country:
    code: str
    alpha3: str
    name: str
    common_name: str | None = None
    official_name: str | None = None
    aliases: tuple[str, ...] = ()
    note: str | None = None

    @property
    def shown_name(self) -> str:
        return self.common_name or self.name

    def lookup_names(self) -> tuple[str, ...]:
        """Every spelling that reaches this country (the README of seeds/destinations)."""
        found = [self.code, self.alpha3, self.name, self.common_name, self.official_name,
                 *self.aliases]
        return tuple(dict.fromkeys(n for n in found if n))


@dataclass(frozen=True)
class Membership:
    group: str
    code: str
    valid_from: date | None = None
    valid_to: date | None = None
    unverified: bool = False
    note: str | None = None


@dataclass(frozen=True)
class Group:
    id: str
    title: str
    citation: str
    unverified: bool = False
    note: str | None = None


@dataclass(frozen=True)
class Treatment:
    code: str
    regime: str
    kind: str  # treated-as | separate-destination | part-of-us
    as_code: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    unverified: bool = False
    note: str | None = None


@dataclass(frozen=True)
class PlaceSet:
    """A destination set: (base ∪ plus) − members of except_groups − minus, on a day."""

    worldwide: bool = False
    any_of_groups: tuple[str, ...] = ()
    except_groups: tuple[str, ...] = ()
    plus: tuple[str, ...] = ()
    minus: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scope:
    """One prong of one rule: where, to whom and when the rule's outcome reaches."""

    id: str
    rule: str
    kind: str
    regime: str
    direction: str
    items: tuple[str, ...]
    destinations: PlaceSet
    outcome: str
    citation: str
    evidence: str
    buyer_hq: PlaceSet | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    status: str | None = None
    not_enforced_from: date | None = None
    exception: str | None = None
    rule_exception: str | None = None
    exporter: tuple[str, ...] = ()
    vendors: tuple[str, ...] = ()
    named_buyers: bool = False  # applies only to named or described end users
    conditional: bool = False  # has conditions chipdb does not evaluate
    unverified: bool = False
    missing: str | None = None

    def in_force(self, day: date) -> bool:
        """Bills (no ``from``) are never in force; their windows are open only as drafts."""
        if self.valid_from is None:
            return False
        return in_window(day, self.valid_from, self.valid_to)
