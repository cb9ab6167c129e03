"""Designs that need not exist: what-if and headroom, by the catalogue's own engine."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from typing import Any

from chipdb.errors import NotFoundError, UsageError
from chipdb.service.listings import HeadroomReport, HeadroomRow
from chipdb.service.results import (
    METRIC_FIELDS,
    ChipReport,
    Resolution,
    WhatIfReport,
    day,
    live_verdict,
    metric_value,
)
from chipdb.service.session import Session
from chipdb.store.read import queries
from chipdb.units import parse_value


def load_rules(s: Session, include_draft: bool = False) -> list[Any]:
    """The stored rules, rebuilt for the engine; draft rules (bills) only when asked for."""
    from chipdb.engine import rule_definitions_from_rows
    from chipdb.errors import ChipdbError, DatabaseError
    from chipdb.outcomes import DRAFT

    try:
        rules = rule_definitions_from_rows(queries.rule_definitions(s.conn))
        return [r for r in rules if include_draft or r.status != DRAFT]
    except ChipdbError:
        raise
    except (ValueError, KeyError, TypeError) as exc:  # a definition edited by hand
        raise DatabaseError(f"a stored rule definition is damaged ({type(exc).__name__}: "
                            f"{str(exc)[:200]}); `chipdb db seed` rebuilds it") from None


def chip_spec(s: Session, chip: str) -> Any:
    """A catalogued chip (name, alias or family, as typed) as a ChipSpec, read from the tables."""
    from chipdb.spec import ChipSpec, Die, IoLink, Memory, Throughput

    name = s.resolve_one(chip).chip
    parts = queries.chip_parts(s.conn, name)
    if parts is None:  # pragma: no cover - the name index and the tables are one database
        raise NotFoundError(f"unknown chip '{chip}'")
    h = parts["head"]

    def b(v: Any) -> bool | None:
        return None if v is None else bool(v)

    dies = tuple(Die(name=r["name"], kind=r["kind"], count=r["count"], area_mm2=r["area_mm2"],
                     transistors_billion=r["transistors_billion"], node_nm=r["node_nm"],
                     non_planar=b(r["non_planar"]), process=r["process"])
                 for r in parts["dies"])
    memories = tuple(Memory(type=r["type"], capacity_gb=r["capacity_gb"],
                            bandwidth_gbps=r["bandwidth_gbps"], stacks=r["stacks"],
                            package_area_mm2=r["package_area_mm2"])
                     for r in parts["memories"])
    links = tuple(IoLink(name=r["name"], kind=r["kind"],
                         bidirectional_gbps=r["bidirectional_gbps"])
                  for r in parts["io_links"])
    rates = tuple(Throughput(precision=r["precision"], dense_tops=r["dense_tops"],
                             sparse_tops=r["sparse_tops"])
                  for r in parts["throughputs"])
    ics = [r["value_num"] for r in queries.sources(s.conn, [name])
           if r["field"] == "ics_per_card" and r["preferred"]]
    return ChipSpec(name=h["name"], vendor=h["vendor"], family=h["family"],
                    datacenter=b(h["datacenter"]), standalone_hbm=bool(h["standalone_hbm"]),
                    dies=dies, memories=memories, io_links=links, throughputs=rates,
                    ics_per_card=ics[0] if ics else None,
                    released=day(h["released"]), released_precision=h["released_precision"],
                    announced=day(h["announced"]))


def design_values(overrides: Mapping[str, Any], where: str = "set") -> dict[str, Any]:
    """Values to set, in canonical units: numbers, or what a person types ("4TB/s", "yes")."""
    out: dict[str, Any] = {}
    for key, raw in overrides.items():
        if isinstance(raw, bool):
            text = "true" if raw else "false"
        elif isinstance(raw, int | float):
            text = repr(float(raw))
        elif isinstance(raw, date):
            text = raw.isoformat()
        elif isinstance(raw, str):
            text = raw
        elif (isinstance(raw, tuple | list) and len(raw) == 2
              and all(isinstance(v, int | float) and not isinstance(v, bool) for v in raw)):
            text = f"{float(raw[0])!r}..{float(raw[1])!r}"  # a range (low, high)
        else:
            raise UsageError(f"{where}: {key} takes a number, text such as '4TB/s', or "
                             f"true/false, not {type(raw).__name__}")
        out[key] = parse_value(key, text, where)
    return out


def base_chip(s: Session, base: str | None) -> Resolution | None:
    """The chip a design starts from; None (or 'blank') starts from nothing."""
    if base is None or base.strip().casefold() == "blank":
        return None
    return s.resolve_one(base)


def design_inputs_of(s: Session, base: str | None, overrides: Mapping[str, Any]
                     ) -> tuple[Resolution | None, dict[str, Any]]:
    """The base quantities of a design: a chip's (or none, for 'blank') with --set on top."""
    from chipdb.metrics import design_inputs

    resolved = base_chip(s, base)
    inputs = design_inputs(chip_spec(s, resolved.chip)) if resolved else {}
    inputs.update(design_values(overrides))
    return resolved, inputs


def what_if(s: Session, base: str | None, overrides: Mapping[str, Any], as_of: date,
            name: str | None = None, include_draft: bool = False) -> WhatIfReport:
    """A modified (or new) design, classified by the engine that classified the catalogue."""
    from chipdb.engine import evaluate_dated
    from chipdb.metrics import compute_metrics
    from chipdb.spec import ChipSpec

    resolved = base_chip(s, base)
    values_set = design_values(overrides)
    spec = chip_spec(s, resolved.chip) if resolved else ChipSpec(name="blank")
    label = name or (f"{resolved.chip} (modified)" if resolved else "design")
    spans, tiers = _claimed(s, resolved.chip) if resolved else ({}, {})
    chosen = queries.conventions(s.conn)
    values = compute_metrics(spec, values_set, spans, chosen)
    rules_ = {r.id: r for r in load_rules(s, include_draft)}
    # Every period of every rule, as the store computes them, then the ones in force on
    # as_of: a design with nothing set gets exactly its catalogue verdicts.
    metric_tiers = _tiers(values.values, tiers, values_set)
    alternatives = _alternatives(spec, values_set, spans, values.values, chosen)
    dated = evaluate_dated(list(rules_.values()), [values.values], [values.why_unknown],
                           [metric_tiers], alternatives)[0]
    live = sorted(
        (v for v in dated if v.valid_from is not None and v.valid_from <= as_of
         and (v.valid_to is None or as_of <= v.valid_to)),
        key=lambda v: (rules_[v.rule].effective, v.rule, v.valid_from))
    design = ChipReport(
        name=label, vendor=values.values.get("vendor"), specs={},
        metrics={k: metric_value(k, values.values.get(k)) for k in METRIC_FIELDS},
        unknown_because=dict(values.why_unknown),
        verdicts=tuple(live_verdict(label, v, rules_[v.rule]) for v in live),
        base=resolved.chip if resolved else None, overrides=values_set,
    )
    return WhatIfReport(as_of=as_of, design=design, resolved=resolved)


def _claimed(s: Session, chip: str) -> tuple[dict[str, tuple[float, float]], dict[str, str]]:
    """A catalogued chip's preferred ranges and bounds, and each preferred claim's tier."""
    spans: dict[str, tuple[float, float]] = {}
    tiers: dict[str, str] = {}
    for r in queries.sources(s.conn, [chip]):
        if not r["preferred"]:
            continue
        tiers[r["field"]] = r["tier"]
        if r.get("value_low") is not None and r.get("value_high") is not None:
            spans[r["field"]] = (float(r["value_low"]), float(r["value_high"]))
    return spans, tiers


def _tiers(values: Mapping[str, Any], claim_tiers: Mapping[str, str],
           values_set: Mapping[str, Any]) -> dict[str, str]:
    """Metric tiers of a design: the base chip's, and "set" for what the design sets."""
    from chipdb.engine import weakest
    from chipdb.metrics import metric_tiers

    out = metric_tiers(values, claim_tiers, weakest)
    for key in values_set:
        name = "applicable_die_area_mm2" if key == "die_area_mm2" else key
        out[name] = "set"
        if name in ("tpp", "applicable_die_area_mm2") or name.endswith("_tops"):
            out["performance_density"] = weakest([out.get("tpp"), "set"]) or "set"
            if name.endswith("_tops"):
                out["tpp"] = "set"
    return out


def _alternatives(spec: Any, values_set: Mapping[str, Any], spans: Mapping[str, Any],
                  now: Mapping[str, Any], chosen: Mapping[str, float]) -> list[Any]:
    """The design under each convention flipped, when that changes its metrics."""
    from chipdb.conventions import other_readings
    from chipdb.metrics import compute_metrics

    out = []
    for conventions, wording in other_readings(chosen):
        other = compute_metrics(spec, values_set, spans, conventions).values
        out.append((wording, {0: other} if other != now else {}))
    return out


def deciding_clauses(s: Session, chip: str, as_of: date, include_draft: bool = False
                     ) -> dict[str, str | None]:
    """Per rule, the label of the clause that decided the chip's outcome on ``as_of``
    (None: no clause met, so the rule's default, or an unknown left it open)."""
    from chipdb.engine import MetricTable, evaluate_table
    from chipdb.metrics import compute_metrics

    name = s.resolve_one(chip).chip
    spans, _ = _claimed(s, name)
    values = compute_metrics(chip_spec(s, name), {}, spans, queries.conventions(s.conn))
    rules_ = load_rules(s, include_draft)
    results = evaluate_table(rules_, MetricTable.from_rows([values.values]), as_of)
    out: dict[str, str | None] = {}
    for rule in rules_:
        decision = results[rule.id].deciding_clause(0, rule)
        out[rule.id] = None if decision is None else decision.clause(rule).head
    return out


def headroom(s: Session, chip: str, as_of: date, overrides: Mapping[str, Any] | None = None,
             name: str | None = None) -> HeadroomReport:
    """For each metric a design moves, the nearest value up and down that changes a verdict.

    ``chip`` is a catalogue chip, or 'blank'; ``overrides`` are --set values on top of it, so
    a design that does not exist needs no import first."""
    from chipdb.engine import MetricTable, evaluate_table
    from chipdb.metrics import columns_from_inputs, metrics_from_inputs

    resolved, inputs = design_inputs_of(s, chip, overrides or {})
    label = name or (resolved.chip + (" (modified)" if overrides else "") if resolved
                     else "design")
    base = metrics_from_inputs(columns_from_inputs([inputs]), 1)
    rules_ = [r for r in load_rules(s) if r.in_force(as_of)]
    base_out = evaluate_table(rules_, MetricTable(base, 1), as_of)
    current = {rid: str(res.outcome[0]) for rid, res in base_out.items()}
    area = float(base["applicable_die_area_mm2"][0])
    movable = {m: float(base[m][0]) for m in (
        "tpp", "performance_density", "memory_bandwidth_gbps", "bidirectional_io_gbps",
        "transistors_billion")}
    results: list[HeadroomRow] = []
    for metric, now in movable.items():
        if math.isnan(now):
            continue
        candidates: set[float] = set()
        for rule in rules_:
            for _, comp in rule.comparisons():
                assert isinstance(comp.value, float)
                thr = comp.value
                if metric in comp.metrics:
                    others = sum(float(base[m][0]) for m in comp.metrics if m != metric)
                    target = thr - others
                elif metric == "tpp" and comp.metrics == ("performance_density",) and area > 0:
                    target = thr * area  # raising TPP on the same die raises the density
                else:
                    continue
                if target > 0 and not math.isnan(target):
                    candidates.update({target, target * (1 - 1e-9), target * (1 + 1e-9)})
        if not candidates:
            continue
        points = sorted(candidates)
        rows = [dict(inputs, **{metric: p}) for p in points]
        cols = metrics_from_inputs(columns_from_inputs(rows), len(rows))
        outs = evaluate_table(rules_, MetricTable(cols, len(rows)), as_of)
        for rule in rules_:
            res = outs[rule.id].outcome
            up = next((i for i, p in enumerate(points) if p > now and res[i] != current[rule.id]),
                      None)
            down = next((i for i in range(len(points) - 1, -1, -1)
                         if points[i] < now and res[i] != current[rule.id]), None)
            for direction, idx in (("up", up), ("down", down)):
                if idx is None:
                    continue
                line = round_line(points[idx])
                results.append(HeadroomRow(
                    rule=rule.id, metric=metric, direction=direction, current=round_line(now),
                    crosses_at=line, change=round_line(line - now),
                    change_pct=round_line((line - now) / now * 100) if now else None,
                    from_outcome=current[rule.id], to_outcome=str(res[idx])))
    results.sort(key=lambda r: (r.rule, r.metric, r.direction))
    return HeadroomReport(chip=label, as_of=as_of, rows=tuple(results),
                          resolved=resolved or Resolution(typed=chip, chip=label, via="design"))


def round_line(value: float) -> float:
    """Six significant digits: the threshold itself, not the 1e-9 probe next to it."""
    return float(f"{value:.6g}")
