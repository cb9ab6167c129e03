"""Writing destinations, layers and scopes, and the bottom line per chip × class × period.

The answers are computed once here, by chipdb.policy, and stored (table ``bottom_line``,
view ``chip_status``): the CLI, the Python API and SQL users read the same rows.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert

from chipdb.catalogue.destinations import Destinations, read_destinations
from chipdb.catalogue.events import Events
from chipdb.engine import RuleDefinition
from chipdb.engine.criteria import AnyOf
from chipdb.engine.explain import pieces
from chipdb.engine.model import Verdict
from chipdb.errors import SeedError
from chipdb.layers import Layers, default_layers
from chipdb.policy import (
    Answer,
    Basis,
    ChipFacts,
    Measure,
    RuleFacts,
    StoredMargin,
    StoredVerdict,
    change_dates,
    classes_on,
    held_key,
)
from chipdb.policy.bottomline import ChipAnswers, ChipDay, prongs, reaching
from chipdb.policy.places import answer_scopes
from chipdb.policy.tiers import metric_tiers
from chipdb.spec import ChipRecord
from chipdb.store import models as m

FIRST_DAY = date(2022, 10, 7)  # the first day chipdb's rules evaluate (groups' baseline)

# Children first, so deletes never trip a foreign key.
POLICY_TABLES_IN_DELETE_ORDER = (
    m.PolicyEvent, m.BottomLine, m.DestinationClassMember, m.DestinationClass, m.RuleScope,
    m.RuleLayer, m.GroupMembership, m.CountryGroup, m.DestinationTreatment, m.DestinationName,
    m.Destination,
)


def _insert(conn: Connection, table: type[m.Base], rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(table), list(rows))


def read_policy_seeds(seed_root: Path, known_sources: set[str]) -> tuple[Layers, Destinations]:
    """The layers (chipdb.outcomes) and seeds/destinations/ (its sources must not repeat a
    key of the chip and rule seeds)."""
    places = read_destinations(seed_root / "destinations", known_sources)
    for s in places.sources:
        if s.key in known_sources:
            raise SeedError(str(seed_root / "destinations" / "sources.toml"),
                            f"source '{s.key}'", "key", "is already defined in another seed file")
    return default_layers(), places


def store_places(conn: Connection, dest: Destinations, layers: Layers,
                 loaded_rules: set[str]) -> None:
    geo = dest.geography
    _insert(conn, m.Destination, [
        {"code": c.code, "alpha3": c.alpha3, "name": c.name, "common_name": c.common_name,
         "official_name": c.official_name, "note": c.note} for c in geo.countries])
    names: dict[str, dict[str, Any]] = {}
    for c in geo.countries:
        for kind, spelled in [("code", c.code), ("alpha3", c.alpha3)] + [
                ("name", n) for n in c.lookup_names()[2:]]:
            names.setdefault(spelled.casefold(), {"name_key": spelled.casefold(),
                                                  "name": spelled, "code": c.code,
                                                  "kind": kind})
    _insert(conn, m.DestinationName, list(names.values()))
    _insert(conn, m.DestinationTreatment, [
        {"code": t.code, "regime": t.regime, "kind": t.kind, "as_code": t.as_code,
         "valid_from": t.valid_from, "valid_to": t.valid_to, "unverified": t.unverified,
         "note": t.note} for t in geo.treatments])
    _insert(conn, m.CountryGroup, [
        {"id": g.id, "title": g.title, "citation": g.citation, "unverified": g.unverified,
         "note": g.note} for g in geo.groups])
    _insert(conn, m.GroupMembership, [
        {"group_id": ms.group, "code": ms.code, "valid_from": ms.valid_from,
         "valid_to": ms.valid_to, "unverified": ms.unverified, "note": ms.note}
        for ms in geo.memberships])
    _insert(conn, m.RuleLayer, [
        {"id": la.id, "position": layers.position(la), "role": la.role, "title": la.title,
         "meaning": la.meaning, "rule_layers": "\n".join(la.rule_layers) or None,
         "scope_kinds": "\n".join(la.scope_kinds) or None} for la in layers.layers])
    _insert(conn, m.RuleScope, [
        {"id": s.id, "rule_id": s.rule, "kind": s.kind, "layer": layers.for_scope_kind(
            s.kind).id, "regime": s.regime, "direction": s.direction, "outcome": s.outcome,
         "status": s.status, "valid_from": s.valid_from, "valid_to": s.valid_to,
         "exception": s.exception, "citation": s.citation, "unverified": s.unverified,
         "loaded": s.rule in loaded_rules,
         "definition": json.dumps(raw, sort_keys=True, default=str)}
        for s, raw in zip(dest.scopes, dest.scope_tables, strict=True)])


def store_events(conn: Connection, events: Events) -> None:
    """The policy events (seeds/events/events.toml), lists one item a line."""
    _insert(conn, m.PolicyEvent, [
        {"id": e.id, "day": e.day, "date_precision": e.date_precision, "title": e.title,
         "jurisdiction": e.jurisdiction, "kind": e.kind, "chips": "\n".join(e.chips) or None,
         "vendors": "\n".join(e.vendors) or None, "evidence": e.evidence, "rule_id": e.rule,
         "sources": "\n".join(e.sources), "summary": e.summary, "unverified": e.unverified,
         "missing": e.missing} for e in events.events])


def _deciding(rule: RuleDefinition | None, reason: str) -> tuple[str | None, bool]:
    """The clause a verdict's reason names ("<label>: ..."), and whether it is an any-of."""
    if rule is None:
        return None, False
    for clause in (*rule.exclusions, *rule.clauses):
        if reason == clause.head or reason.startswith(clause.head + ":"):
            return clause.head, isinstance(clause.when, AnyOf)
    return None, False


def chip_facts(chip: ChipRecord, verdicts: Sequence[Verdict], rules: dict[str, RuleDefinition],
               source_tiers: dict[str, str], layers: Layers) -> ChipFacts:
    claims = [(c.field, c.tier or source_tiers.get(c.source, "")) for c in chip.claims
              if c.preferred]
    stored = tuple(StoredVerdict(
        v.rule, v.outcome, v.determined, v.valid_from or FIRST_DAY, v.valid_to,
        tuple(v.exceptions), tuple(StoredMargin(g.clause, g.metric, g.threshold, g.value,
                                                g.margin_pct, g.met) for g in v.margins),
        *_deciding(rules.get(v.rule), v.reason),
        pieces(v.deciding) if v.outcome == "undetermined" and v.deciding else None,
        tuple(v.possible_outcomes) if not v.determined else ())
        for v in verdicts)
    return ChipFacts(chip.spec.name, chip.spec.vendor or "unknown", stored,
                     metric_tiers(claims, layers.tiers))


def _key(a: Answer) -> tuple[Any, ...]:
    return held_key(a.license_required, a.exceptions, a.review_policy,
                    [vars(x) for x in a.measures], [vars(b) for b in a.basis])


def store_bottom_lines(conn: Connection, dest: Destinations, layers: Layers,
                       rules: Sequence[RuleDefinition], facts: Sequence[ChipFacts]) -> int:
    """Compute and store every chip's answer per destination class × buyer class × period."""
    geo = dest.geography
    loaded = {r.id for r in rules}
    rule_facts = {r.id: RuleFacts(r.id, r.layer, r.status, r.citation, r.unverified,
                                  r.compliance, r.not_enforced_from)
                  for r in rules}
    days = {FIRST_DAY} | change_dates(geo, dest.scopes)
    # a measure's status moves on its rule's compliance and non-enforcement dates
    days |= {d for r in rule_facts.values() for d in (r.compliance, r.not_enforced_from)
             if d is not None and r.id in loaded}
    days |= {s.not_enforced_from for s in dest.scopes if s.not_enforced_from is not None}
    for f in facts:
        for v in f.verdicts:
            days.add(v.valid_from)
            if v.valid_to is not None:
                days.add(v.valid_to + timedelta(days=1))
    starts = sorted(d for d in days if d >= FIRST_DAY)
    class_rows: list[dict[str, Any]] = []
    member_rows: list[dict[str, Any]] = []
    periods: list[tuple[Any, ...]] = []
    role_ids: dict[tuple[Any, ...], int] = {}  # one small key per distinct reading of the scopes
    previous: dict[str, int] = {}
    previous_hq: dict[str, int] = {}
    open_classes: dict[tuple[str, frozenset[str], tuple[str, ...]], dict[str, Any]] = {}
    for i, start in enumerate(starts):
        end = starts[i + 1] - timedelta(days=1) if i + 1 < len(starts) else None
        scopes = answer_scopes(dest.scopes, start, loaded, layers)
        dest_classes, hq_classes = classes_on(geo, scopes, start)
        ids: dict[tuple[str, frozenset[str]], int] = {}
        still_open: dict[tuple[str, frozenset[str], tuple[str, ...]], dict[str, Any]] = {}
        for c in (*dest_classes, *hq_classes):
            key = (c.kind, c.signature, c.members)
            row = open_classes.get(key)
            if row is None:
                row = {"id": len(class_rows) + 1, "kind": c.kind, "label": c.label,
                       "valid_from": start, "valid_to": end,
                       "signature": "\n".join(sorted(c.signature))}
                class_rows.append(row)
                member_rows += [{"class_id": row["id"], "code": code} for code in c.members]
            row["valid_to"] = end
            still_open[key] = row
            ids[(c.kind, c.signature)] = row["id"]
        # which classes of the previous period held this class's members (for `since`)
        before = {ids[(c.kind, c.signature)]: sorted({previous[code] for code in c.members
                                                     if code in previous})
                  for c in dest_classes}
        # a buyer class is followed through one representative buyer (a US- or a PRC-
        # headquartered one where the class has it): a buyer moving between groups (Cambodia)
        # does not reset the answer of every other buyer
        hq_before = {ids[(c.kind, c.signature)]: [previous_hq[_representative(c.members)]]
                     if _representative(c.members) in previous_hq else []
                     for c in hq_classes}
        previous = {code: ids[(c.kind, c.signature)] for c in dest_classes for code in c.members}
        previous_hq = {code: ids[(c.kind, c.signature)] for c in hq_classes
                       for code in c.members}
        open_classes = still_open
        # what every chip's answers read of this period, whatever the chip: each scope's role
        # and which scopes reach each destination class × buyer class
        reach = {(hq.signature, dc.signature): reaching(scopes, dc.signature, hq.signature)
                 for hq in hq_classes for dc in dest_classes}
        day_prongs = prongs(start, rule_facts, scopes, layers)
        # what the day's scopes make of any chip: two periods with the same verdicts in
        # force and the same reach may still differ here (a compliance or non-enforcement
        # date), so an answer is reused only where this is equal too
        roles = role_ids.setdefault(tuple((p.scope.id, p.role, p.measure) for p in day_prongs),
                                    len(role_ids))
        periods.append((start, end, day_prongs, roles, reach,
                        [(c, ids[(c.kind, c.signature)]) for c in dest_classes],
                        [(c, ids[(c.kind, c.signature)], hq_before[ids[(c.kind, c.signature)]])
                         for c in hq_classes], before))
    _insert(conn, m.DestinationClass, class_rows)
    _insert(conn, m.DestinationClassMember, member_rows)
    line_rows: list[dict[str, Any]] = []
    for chip_id, f in enumerate(facts, start=1):
        line_rows += _chip_lines(chip_id, f, periods, rule_facts, layers)
    for i, row in enumerate(line_rows, start=1):
        row["id"] = i
    _insert(conn, m.BottomLine, line_rows)
    return len(line_rows)


def _representative(members: Sequence[str]) -> str:
    return next((c for c in ("US", "CN") if c in members), members[0])


def _chip_lines(chip_id: int, f: ChipFacts, periods: Sequence[Any],
                rule_facts: dict[str, RuleFacts], layers: Layers) -> list[dict[str, Any]]:
    """One chip's rows. ``since``: the answer held for every member of the class since then
    (walking back through the classes its members were in)."""
    rows: list[dict[str, Any]] = []
    held: dict[tuple[int, int], tuple[Any, date]] = {}  # (buyer class, dest class) -> key, since
    last: dict[tuple[int, int], dict[str, Any]] = {}
    cache: dict[tuple[Any, ...], tuple[Answer, Any]] = {}
    answers = ChipAnswers(f, rule_facts, layers)
    readings: dict[tuple[Any, ...], ChipDay] = {}  # per set of verdicts in force
    for start, end, day_prongs, roles, reach, dest_classes, hq_classes, before in periods:
        now_held: dict[tuple[int, int], tuple[Any, date]] = {}
        in_force = tuple(sorted((v.rule, v.valid_from) for v in f.verdicts
                                if v.valid_from <= start and (v.valid_to is None
                                                              or start <= v.valid_to)))
        for hq, hq_id, hq_before in hq_classes:
            for dc, dc_id in dest_classes:
                reached = reach[(hq.signature, dc.signature)]
                ck = (in_force, roles, reached)
                found = cache.get(ck)
                if found is None:
                    # what policy.answer computes, in parts: the prongs and the reach are
                    # the period's, the same for every chip
                    on = readings.get(in_force)
                    if on is None:
                        on = readings[in_force] = answers.on(start)
                    a = answers.answer(on, day_prongs, reached)
                    found = cache[ck] = (a, _key(a))
                a, key = found
                since = start
                earlier = [held.get((hb, db)) for hb in hq_before for db in before[dc_id]]
                if earlier and all(e is not None and e[0] == key for e in earlier):
                    since = max(e[1] for e in earlier if e is not None)
                now_held[(hq_id, dc_id)] = (key, since)
                prev = last.get((dc_id, hq_id))
                if prev is not None and prev["_answer"] == a:
                    prev["valid_to"] = end
                    continue
                row = {"chip_id": chip_id, "destination_class_id": dc_id,
                       "buyer_class_id": hq_id, "valid_from": start, "valid_to": end,
                       "since": since, "_answer": a}
                rows.append(row)
                last[(dc_id, hq_id)] = row
        held = now_held
    encoded: dict[int, dict[str, Any]] = {}
    for row in rows:
        a = row.pop("_answer")
        if id(a) not in encoded:
            encoded[id(a)] = _columns(a)
        row.update(encoded[id(a)])
    return rows


def _measure(x: Measure) -> dict[str, Any]:
    """A measure as stored (JSON): every field of chipdb.policy.Measure."""
    return dict(vars(x))  # a flat dataclass: its fields in order (asdict would deep-copy)


def _basis(b: Basis) -> dict[str, Any]:
    """A basis as stored (JSON): every field of chipdb.policy.Basis, dates as ISO text."""
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in vars(b).items()}


def _columns(a: Answer) -> dict[str, Any]:
    b = a.binding
    return {
        "license_required": a.license_required,
        "exceptions": "\n".join(a.exceptions) or None, "review_policy": a.review_policy,
        "measures": json.dumps([_measure(x) for x in a.measures]),
        "basis": json.dumps([_basis(x) for x in a.basis]),
        "binding_rule": b.rule if b else None, "binding_clause": b.clause if b else None,
        "binding_metric": b.metric if b else None, "binding_value": b.value if b else None,
        "binding_threshold": b.threshold if b else None,
        "binding_margin_pct": b.margin_pct if b else None, "confidence": a.confidence,
        "unverified": "\n".join(a.unverified) or None,
    }
