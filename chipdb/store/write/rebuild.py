"""Writing the catalogue: one transaction rebuilds every row from the seeds and user imports.

Seed rows are rebuilt from ``seeds/``; user rows from the verbatim texts in ``user_import``.
Metrics and verdicts are then computed by the one engine and stored. The whole rebuild runs in
a single transaction: killed half-way, the database keeps its previous contents.
"""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from chipdb.catalogue import (
    Catalogue,
    SeedFileModel,
    build_catalogue,
    load_paths,
    parse_text,
    seed_files,
)
from chipdb.catalogue.claims import spans
from chipdb.catalogue.events import read_events
from chipdb.conventions import other_readings
from chipdb.engine import Alternative, RuleDefinition, Verdict, evaluate_dated, weakest
from chipdb.errors import ChipdbError, DataError
from chipdb.metricdefs import HIGH, LOW, RANGED_STORED, STORED_METRICS
from chipdb.metrics import MetricValues, compute_metrics_many, metric_tiers
from chipdb.names import normalize_name, same_chip
from chipdb.spec import ChipRecord, SourceRecord
from chipdb.store import models as m
from chipdb.store.package_data import seed_signature
from chipdb.store.write.policy import (
    POLICY_TABLES_IN_DELETE_ORDER,
    chip_facts,
    read_policy_seeds,
    store_bottom_lines,
    store_events,
    store_places,
)
from chipdb.vocab import PRECISION_BITS

# Children first, so deletes never trip a foreign key.
_TABLES_IN_DELETE_ORDER = (
    *POLICY_TABLES_IN_DELETE_ORDER, m.Margin, m.Verdict, m.RuleThreshold, m.ChipMetric,
    m.Claim, m.Throughput, m.IoLink, m.Memory, m.Die, m.ChipAlias, m.Chip, m.Rule, m.Source,
    m.Vendor,
)


@dataclass(frozen=True)
class LoadReport:
    seed_chips: int
    user_chips: int
    rules: int
    verdicts: int
    warnings: tuple[str, ...] = ()
    bottom_lines: int = 0
    scopes_skipped: int = 0  # scopes naming a rule that is not loaded (yet)


def read_seed_catalogue(root: Path) -> Catalogue:
    return build_catalogue(load_paths(seed_files(root)))


def parse_user_import(
    name: str, text: str, base: Catalogue, other_users: Sequence[Catalogue] = ()
) -> Catalogue:
    """Validate a user file against the seeds (its sources and rules may refer to them)."""
    model: SeedFileModel = parse_text(text, name)
    known_sources = {s.key: s for s in base.sources} | {
        s.key: s for c in other_users for s in c.sources
    }
    known_rules = {r.id: r for r in base.rules}
    for c in other_users:
        known_rules.update({r.id: r for r in c.rules})
    return build_catalogue([(name, model)], known_sources, known_rules, origin="user")


def parse_user_imports(
    rows: Sequence[tuple[str, str]], base: Catalogue,
    on_invalid: Callable[[str, str], None] | None = None,
) -> list[Catalogue]:
    """Stored imports in import order; each may refer to the sources and rules before it.
    With ``on_invalid``, one that no longer validates (say a newer chipdb bundles a source
    key it defines) is reported there and skipped, so it never locks its owner out."""
    out: list[Catalogue] = []
    for name, content in rows:
        try:
            out.append(parse_user_import(name, content, base, out))
        except (ChipdbError, ValueError, RecursionError) as exc:
            if on_invalid is None:
                raise
            on_invalid(name, exc.message if isinstance(exc, ChipdbError) else str(exc))
    return out


def _user_catalogues(conn: Connection, base: Catalogue, warnings: list[str]) -> list[Catalogue]:
    """The stored imports that still validate; each one that does not is reported and left
    out (say a newer chipdb bundles a source key it defines), never locking its owner out."""
    rows = conn.execute(select(m.UserImport.name, m.UserImport.content)
                        .order_by(m.UserImport.id)).all()
    known = {s.key for s in base.sources}
    out: list[Catalogue] = []
    for name, content in ((r[0], r[1]) for r in rows):
        try:
            catalogue = parse_user_import(name, content, base, out)
            clash = sorted({s.key for s in catalogue.sources} & known)
            if clash:
                raise DataError(f"source '{clash[0]}' is defined twice")
        except (ChipdbError, ValueError, RecursionError) as exc:
            message = exc.message if isinstance(exc, ChipdbError) else str(exc)
            warnings.append(f"your import {name} no longer validates and is left out "
                            f"({message}); fix it: `chipdb export > {name}`, edit it, then "
                            f"`chipdb import --replace {name}`")
            continue
        known |= {s.key for s in catalogue.sources}
        out.append(catalogue)
    return out


def rebuild(
    conn: Connection,
    seed_root: Path,
    fingerprint: str,
    warn: Callable[[str], None] = lambda msg: print(msg, file=sys.stderr),
) -> LoadReport:
    """Replace every catalogue row by the seeds plus the user imports; compute and store
    metrics and verdicts. Runs inside the caller's transaction."""
    seeds = read_seed_catalogue(seed_root)
    warnings: list[str] = []
    users = _user_catalogues(conn, seeds, warnings)

    user_chip_keys = {normalize_name(c.spec.name) for u in users for c in u.chips}
    user_rule_ids = {r.id for u in users for r in u.rules}
    seed_chips = []
    for chip in seeds.chips:
        if normalize_name(chip.spec.name) in user_chip_keys:
            warnings.append(f"your imported chip '{chip.spec.name}' shadows the bundled one")
            continue
        seed_chips.append(chip)
    chips: list[ChipRecord] = seed_chips + [c for u in users for c in u.chips]
    rules: list[RuleDefinition] = [r for r in seeds.rules if r.id not in user_rule_ids]
    rules += [r for u in users for r in u.rules]
    sources: list[SourceRecord] = list(seeds.sources) + [s for u in users for s in u.sources]
    layers, places = read_policy_seeds(seed_root, {s.key for s in sources})
    sources += places.sources
    events = read_events(seed_root / "events", {s.key for s in sources})
    sources += events.sources

    for table in _TABLES_IN_DELETE_ORDER:
        conn.execute(delete(table))

    source_ids = {s.key: i for i, s in enumerate(sources, start=1)}
    _insert(conn, m.Source, [
        {"id": source_ids[s.key], "key": s.key, "url": s.url, "title": s.title,
         "publisher": s.publisher, "tier": s.tier, "accessed": s.accessed, "note": s.note,
         "origin": s.origin, "publisher_class": s.publisher_class}
        for s in sources
    ])
    vendors = sorted({c.spec.vendor or "unknown" for c in chips})
    vendor_ids = {v: i for i, v in enumerate(vendors, start=1)}
    _insert(conn, m.Vendor, [{"id": i, "name": v} for v, i in vendor_ids.items()])

    chip_rows: list[dict[str, Any]] = []
    alias_rows: list[dict[str, Any]] = []
    die_rows: list[dict[str, Any]] = []
    memory_rows: list[dict[str, Any]] = []
    io_rows: list[dict[str, Any]] = []
    rate_rows: list[dict[str, Any]] = []
    claim_rows: list[dict[str, Any]] = []
    taken_keys: dict[str, str] = {}
    for chip_id, chip in enumerate(chips, start=1):
        spec = chip.spec
        taken_keys[normalize_name(spec.name)] = spec.name
        chip_rows.append({
            "id": chip_id, "name": spec.name, "name_key": normalize_name(spec.name),
            "vendor_id": vendor_ids[spec.vendor or "unknown"], "family": chip.family,
            "family_key": normalize_name(chip.family), "variant": chip.variant,
            "family_default": chip.family_default, "form_factor": chip.form_factor,
            "market": chip.market, "region": chip.region, "architecture": chip.architecture,
            "announced": chip.announced, "released": chip.released,
            "announced_precision": chip.announced_precision,
            "released_precision": chip.released_precision, "status": chip.status,
            "datacenter": spec.datacenter, "standalone_hbm": spec.standalone_hbm,
            "tdp_w": chip.tdp_w, "notes": chip.notes, "origin": chip.origin,
            "source_file": chip.source_file,
        })
        for d in spec.dies:
            die_rows.append({"chip_id": chip_id, "name": d.name, "kind": d.kind, "count": d.count,
                             "process": d.process, "node_nm": d.node_nm,
                             "non_planar": d.non_planar, "area_mm2": d.area_mm2,
                             "transistors_billion": d.transistors_billion})
        for mem in spec.memories:
            memory_rows.append({"chip_id": chip_id, "type": mem.type,
                                "capacity_gb": mem.capacity_gb,
                                "bandwidth_gbps": mem.bandwidth_gbps, "stacks": mem.stacks,
                                "package_area_mm2": mem.package_area_mm2})
        for link in spec.io_links:
            io_rows.append({"chip_id": chip_id, "name": link.name, "kind": link.kind,
                            "bidirectional_gbps": link.bidirectional_gbps,
                            "direction": link.direction})
        for rate in spec.throughputs:
            rate_rows.append({"chip_id": chip_id, "precision": rate.precision,
                              "bit_length": PRECISION_BITS[rate.precision],
                              "dense_tops": rate.dense_tops, "sparse_tops": rate.sparse_tops})
        for claim in chip.claims:
            is_text = isinstance(claim.value, str | bool)
            claim_rows.append({
                "chip_id": chip_id, "field": claim.field,
                "value_num": None if is_text or claim.value is None else float(claim.value),
                "value_low": claim.low, "value_high": claim.high,
                "value_text": (str(claim.value).lower() if isinstance(claim.value, bool)
                               else claim.value if isinstance(claim.value, str) else None),
                "source_id": source_ids[claim.source], "preferred": claim.preferred,
                "reason": claim.reason, "note": claim.note, "derivation": claim.derivation,
                "tier": claim.tier,
            })
    for chip_id, chip in enumerate(chips, start=1):
        for alias in chip.aliases:
            key = normalize_name(alias)
            if key in taken_keys and not same_chip(taken_keys[key], chip.spec.name):
                warnings.append(f"alias '{alias}' of '{chip.spec.name}' is already a name of "
                                f"'{taken_keys[key]}'; kept for the latter")
                continue
            if key in taken_keys:
                continue
            taken_keys[key] = chip.spec.name
            alias_rows.append({"chip_id": chip_id, "alias": alias, "alias_key": key})
    for table, rows in ((m.Chip, chip_rows), (m.ChipAlias, alias_rows), (m.Die, die_rows),
                        (m.Memory, memory_rows), (m.IoLink, io_rows),
                        (m.Throughput, rate_rows), (m.Claim, claim_rows)):
        _insert(conn, table, rows)

    _store_rules(conn, rules)
    tier_of = {s.key: s.tier for s in sources}
    chosen = dict(seeds.conventions)
    for u in users:
        chosen.update(dict(u.conventions))
    verdict_count, dated = _store_metrics_and_verdicts(conn, chips, rules, tier_of, chosen)
    loaded = {r.id for r in rules}
    store_places(conn, places, layers, loaded)
    store_events(conn, events)
    by_id = {r.id: r for r in rules}
    facts = [chip_facts(c, dated[i] if dated else [], by_id, tier_of, layers)
             for i, c in enumerate(chips)]
    line_count = store_bottom_lines(conn, places, layers, rules, facts)
    skipped = sum(1 for s in places.scopes if s.rule not in loaded)
    conn.execute(delete(m.Meta).where(m.Meta.key.in_(
        ("seed_fingerprint", "seed_signature", "conventions", "catalogue_built"))))
    conn.execute(insert(m.Meta), [
        {"key": "seed_fingerprint", "value": fingerprint},
        # new on every rebuild, in the rebuild's own transaction: readers that cache what they
        # read (the web's name index and responses) key it on this, so a cache cannot outlive
        # the rows it was read from
        {"key": "catalogue_built", "value": uuid.uuid4().hex},
        {"key": "seed_signature", "value": f"{seed_signature(seed_root)}:{fingerprint}"},
        {"key": "conventions", "value": json.dumps(chosen, sort_keys=True)},
    ])
    from chipdb.store.write.comments import comment_views

    comment_views(conn)  # PostgreSQL: the views explain themselves to psql users
    for message in warnings:
        warn(f"chipdb: {message}")
    return LoadReport(len(seed_chips), len(chips) - len(seed_chips), len(rules), verdict_count,
                      tuple(warnings), line_count, skipped)


def _insert(conn: Connection, table: type[m.Base], rows: Sequence[dict[str, Any]]) -> None:
    # an executemany with no rows would insert one row of defaults: skip it
    if rows:
        conn.execute(insert(table), list(rows))


def _store_rules(conn: Connection, rules: Sequence[RuleDefinition]) -> None:
    rule_rows = []
    threshold_rows = []
    for position, rule in enumerate(rules):
        rule_rows.append({
            "id": rule.id, "title": rule.title, "short_title": rule.short_title,
            "citation": rule.citation, "url": rule.url, "published": rule.published,
            "effective": rule.effective, "ended": rule.ended, "status": rule.status,
            "layer": rule.layer, "unverified": rule.unverified, "summary": rule.summary,
            "wording": rule.wording, "notes": "\n".join(rule.notes),
            "definition": json.dumps(rule.raw, sort_keys=True), "origin": rule.origin,
            "position": position,
        })
        for i, (label, comp) in enumerate(rule.comparisons()):
            assert isinstance(comp.value, float)
            threshold_rows.append({
                "rule_id": rule.id, "clause": label, "metric": comp.subject, "op": comp.op,
                "threshold": comp.value, "parameter": comp.param, "position": i,
            })
    _insert(conn, m.Rule, rule_rows)
    _insert(conn, m.RuleThreshold, threshold_rows)


def _store_metrics_and_verdicts(
    conn: Connection, chips: Sequence[ChipRecord], rules: Sequence[RuleDefinition],
    source_tiers: Mapping[str, str], conventions: Mapping[str, float],
) -> tuple[int, list[list[Verdict]]]:
    chip_spans = [spans(c.claims) for c in chips]
    computed = compute_metrics_many([c.spec for c in chips], spans=chip_spans,
                                    conventions=conventions)
    tiers = [metric_tiers(values.values, {cl.field: cl.tier or source_tiers.get(cl.source, "")
                                          for cl in chip.claims if cl.preferred}, weakest)
             for chip, values in zip(chips, computed, strict=True)]
    alternatives = other_conventions(chips, chip_spans, computed, conventions)
    metric_rows = []
    for chip_id, values in enumerate(computed, start=1):
        v = values.values
        metric_rows.append({
            "chip_id": chip_id,
            **{k: v.get(k) for k in STORED_METRICS},
            "why_unknown": json.dumps(values.why_unknown, sort_keys=True) or None,
            **{f"{k}{end}": v.get(f"{k}{end}") for k in RANGED_STORED for end in (LOW, HIGH)},
        })
    _insert(conn, m.ChipMetric, metric_rows)
    if not chips or not rules:
        return 0, []
    dated = evaluate_dated(rules, [c.values for c in computed],
                           [c.why_unknown for c in computed], tiers, alternatives)
    verdict_rows = []
    margin_rows = []
    verdict_id = 0
    for chip_id, verdicts in enumerate(dated, start=1):
        for verdict in verdicts:
            verdict_id += 1
            verdict_rows.append({
                "id": verdict_id, "chip_id": chip_id, "rule_id": verdict.rule,
                "valid_from": verdict.valid_from, "valid_to": verdict.valid_to,
                "outcome": verdict.outcome, "determined": verdict.determined,
                "reason": verdict.reason, "missing": ", ".join(verdict.missing) or None,
                "exceptions": "\n".join(verdict.exceptions) or None,
                **verdict_columns(verdict),
            })
            for position, mg in enumerate(verdict.margins):
                margin_rows.append({
                    "verdict_id": verdict_id, "clause": mg.clause, "metric": mg.metric,
                    "op": mg.op, "threshold": mg.threshold, "value": mg.value,
                    "margin": mg.margin, "margin_pct": mg.margin_pct, "met": mg.met,
                    "position": position,
                })
    _insert(conn, m.Verdict, verdict_rows)
    _insert(conn, m.Margin, margin_rows)
    return len(verdict_rows), dated


def other_conventions(chips: Sequence[ChipRecord], chip_spans: Sequence[Mapping[str, Any]],
                      computed: Sequence[MetricValues], chosen: Mapping[str, float]
                      ) -> list[Alternative]:
    """Each convention flipped, for the chips whose metrics it changes."""
    out: list[Alternative] = []
    for conventions, wording in other_readings(chosen):
        other = compute_metrics_many([c.spec for c in chips], spans=chip_spans,
                                     conventions=conventions)
        changed = {i: o.values for i, (o, now) in enumerate(zip(other, computed, strict=True))
                   if o.values != now.values}
        out.append((wording, changed))
    return out


def verdict_columns(verdict: Verdict) -> dict[str, Any]:
    """The uncertainty columns of a verdict row (JSON text, NULL when empty)."""
    lines = [{"metric": d.metric, "value": d.value, "outcome_below": d.outcome_below,
              "outcome_above": d.outcome_above} for d in verdict.deciding]
    return {
        "possible_outcomes": json.dumps(list(verdict.possible_outcomes)),
        "confidence": verdict.confidence.tier,
        "confidence_unverified": json.dumps(list(verdict.confidence.unverified)),
        "conventions": json.dumps(list(verdict.confidence.conventions)),
        "deciding": json.dumps(lines) if lines else None,
    }
