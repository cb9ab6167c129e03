"""Where a scope reaches on a day: group members, treatments, destination sets and classes.

A destination class is the set of destinations that fall in exactly the same scopes on a day
(their answer-relevant memberships are equal), so one answer holds for every member. Buyer-HQ
classes are the same idea over the scopes' ``buyer_hq`` sets.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from chipdb.layers import Layers
from chipdb.policy.types import Country, Group, Membership, PlaceSet, Scope, Treatment, in_window

US = "US"


@dataclass(frozen=True)
class Geography:
    countries: tuple[Country, ...]
    groups: tuple[Group, ...]
    memberships: tuple[Membership, ...]
    treatments: tuple[Treatment, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.countries)

    def country(self, code: str) -> Country | None:
        return next((c for c in self.countries if c.code == code), None)

    def members(self, group: str, day: date) -> frozenset[str]:
        return frozenset(m.code for m in self.memberships
                         if m.group == group and in_window(day, m.valid_from, m.valid_to))

    def groups_of(self, code: str, day: date) -> tuple[str, ...]:
        """The groups ``code`` (as treated under the EAR) is in on ``day``."""
        code = self.treated(code, "US-EAR", day)
        return tuple(sorted({m.group for m in self.memberships if m.code == code
                             and in_window(day, m.valid_from, m.valid_to)}))

    def treated(self, code: str, regime: str, day: date) -> str:
        """The destination a code is evaluated as under ``regime`` (Hong Kong → CN under the
        EAR; a US territory → US)."""
        for t in self.treatments:
            if t.code != code or t.regime != regime or not in_window(day, t.valid_from,
                                                                      t.valid_to):
                continue
            if t.kind == "treated-as" and t.as_code:
                return t.as_code
            if t.kind == "part-of-us":
                return US
        return code

    def expand(self, places: PlaceSet, day: date) -> frozenset[str]:
        """The README's formula: base ∪ plus − except_groups members − minus (raw codes)."""
        if places.worldwide:
            base = set(self.codes)
        else:
            base = set().union(*(self.members(g, day) for g in places.any_of_groups))
        removed = set().union(*(self.members(g, day) for g in places.except_groups))
        return frozenset((base | set(places.plus)) - removed - set(places.minus))

    def reach(self, scope: Scope, day: date, buyer: bool = False) -> frozenset[str]:
        """Every code in the scope's destinations (``buyer``: its buyer-HQ set) on ``day``
        once the scope's regime treats it (Hong Kong counts as CN under the EAR, not under
        China's own customs measures)."""
        places = scope.buyer_hq if buyer else scope.destinations
        if places is None:
            return frozenset()
        expanded = self.expand(places, day)
        out = set()
        for code in self.codes:
            target = self.treated(code, scope.regime, day)
            if not buyer and scope.direction != "import" and target == US:
                continue  # a shipment within the United States is not an export
            if target in expanded:
                out.add(code)
        return frozenset(out)


@dataclass(frozen=True)
class DestinationClass:
    """Destinations (or buyer HQs) that fall in the same scopes on a day."""

    kind: Literal["destination", "buyer-hq"]
    signature: frozenset[str]  # ids of the scopes that reach every member
    members: tuple[str, ...]
    label: str


def answer_scopes(scopes: Iterable[Scope], day: date, loaded_rules: set[str], layers: Layers
                  ) -> list[Scope]:
    """The scopes that can take part in an answer on ``day``: in force, their rule loaded
    (a scope naming a rule not loaded yet is skipped), and not a licence exception of a text
    that is not enforced (an exception to an unenforced requirement changes nothing), and
    not a prong that binds others than the exporter (foundries, packagers)."""
    out = []
    for s in scopes:
        if s.rule not in loaded_rules or not s.in_force(day):
            continue
        if s.exporter and not {"from-us", "not-from-us"} & set(s.exporter):
            continue  # binds foundries and packagers (the 3A090.a presumption), not exporters
        not_enforced = not layers.enforced(s.status) or (
            s.not_enforced_from is not None and day >= s.not_enforced_from)
        if not_enforced and layers.for_scope_kind(s.kind).role == "licence-exception":
            continue
        out.append(s)
    return out


def skipped_scopes(scopes: Iterable[Scope], loaded_rules: set[str]) -> list[Scope]:
    """Scopes whose rule is not loaded (reported by the rebuild, never an error)."""
    return [s for s in scopes if s.rule not in loaded_rules]


def classes_on(geo: Geography, scopes: Sequence[Scope], day: date,
               ) -> tuple[tuple[DestinationClass, ...], tuple[DestinationClass, ...]]:
    """The destination classes and the buyer-HQ classes on ``day`` for these (relevant)
    scopes. Every code is in exactly one class of each kind."""
    dest: dict[frozenset[str], list[str]] = {}
    hq: dict[frozenset[str], list[str]] = {}
    dest_reach = {s.id: geo.reach(s, day) for s in scopes}
    hq_reach = {s.id: geo.reach(s, day, buyer=True) for s in scopes if s.buyer_hq is not None}
    for code in geo.codes:
        dest.setdefault(frozenset(i for i, r in dest_reach.items() if code in r),
                        []).append(code)
        hq.setdefault(frozenset(i for i, r in hq_reach.items() if code in r), []).append(code)
    by_id = {s.id: s for s in scopes}
    named = {r: describe(by_id[i].destinations) for i, r in dest_reach.items()}
    named.update({r: describe(by_id[i].buyer_hq) for i, r in hq_reach.items()
                  if by_id[i].buyer_hq is not None})
    return (_classes(geo, "destination", dest, day, named),
            _classes(geo, "buyer-hq", hq, day, named))


def describe(places: PlaceSet | None) -> str:
    """A destination set in words: 'D:1/D:4/D:5 not A:5/A:6, plus MO'."""
    if places is None:
        return ""
    text = "anywhere" if places.worldwide else "/".join(places.any_of_groups)
    if places.plus:
        text = (text + " or " if text else "") + "/".join(places.plus)
    if places.except_groups:
        text += " not " + "/".join(places.except_groups)
    if places.minus:
        text += " except " + "/".join(places.minus)
    return text


def _classes(geo: Geography, kind: Literal["destination", "buyer-hq"],
             found: dict[frozenset[str], list[str]], day: date,
             named: dict[frozenset[str], str]) -> tuple[DestinationClass, ...]:
    largest = max(found, key=lambda sig: len(found[sig]))
    out = [DestinationClass(kind, sig, tuple(sorted(codes)),
                            "everywhere else" if sig == largest else
                            _label(geo, codes, sig, day) if len(codes) <= 6 else
                            named.get(frozenset(codes)) or _label(geo, codes, sig, day))
           for sig, codes in found.items()]
    # biggest class (everywhere else) last; then by label, so the order is stable
    return tuple(sorted(out, key=lambda c: (len(c.members) > 60, -len(c.signature), c.label)))


def _label(geo: Geography, codes: Sequence[str], signature: frozenset[str], day: date) -> str:
    """A name people read: the countries when few, else the groups all members share."""
    if US in codes:
        return "United States (not an export)"
    if all(geo.treated(c, "US-EAR", day) == US for c in codes):
        return "US territories (not an export)"
    if len(codes) <= 4:
        names = []
        for code in sorted(codes, key=lambda c: (c not in ("CN", "MO"), c)):
            country = geo.country(code)
            name = country.shown_name if country else code
            treated = geo.treated(code, "US-EAR", day)
            names.append(name if treated == code else f"{name} (as {treated})")
        return ", ".join(names)
    shared = set(geo.groups_of(codes[0], day))
    for code in codes[1:]:
        shared &= set(geo.groups_of(code, day))
    absent = {g.id for g in geo.groups} - set().union(*(geo.groups_of(c, day) for c in codes))
    parts = []
    if absent:
        parts.append("not " + "/".join(sorted(absent)))
    if shared:
        return f"other {'/'.join(sorted(shared))} ({len(codes)} destinations)"
    return f"{len(codes)} destinations " + (", ".join(parts) if parts else "(mixed groups)")


def change_dates(geo: Geography, scopes: Iterable[Scope]) -> set[date]:
    """Every day on which a membership, treatment or scope starts, or the day after one
    ends: the only days on which a class can change."""
    days: set[date] = set()
    windows = [(m.valid_from, m.valid_to) for m in geo.memberships]
    windows += [(t.valid_from, t.valid_to) for t in geo.treatments]
    windows += [(s.valid_from, s.valid_to) for s in scopes if s.valid_from is not None]
    for start, end in windows:
        if start is not None:
            days.add(start)
        if end is not None:
            days.add(end + timedelta(days=1))
    return days
