"""The library behind every command: plain data in, plain data out.

Reads go through ``chipdb.query`` (the views); what-if, batch and headroom evaluate designs
with the same metrics and engine the loader used to store verdicts. The CLI only parses
arguments, calls these functions and hands their results to a renderer.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from chipdb import query
from chipdb.db import DatabaseUrl, ensure_ready
from chipdb.errors import NotFoundError, UsageError
from chipdb.names import NameIndex, Resolved
from chipdb.query import ReadConnection, reading

SPEC_FIELDS = (
    "vendor", "family", "variant", "market", "region", "form_factor", "architecture",
    "released", "memory_type", "memory_capacity_gb", "process", "transistors_billion", "tdp_w",
)
METRIC_FIELDS = (
    "tpp", "tpp_precision", "tpp_basis", "applicable_die_area_mm2", "performance_density",
    "bidirectional_io_gbps", "interconnect_gbps", "memory_bandwidth_gbps",
    "memory_bandwidth_density", "datacenter",
)


@dataclass
class Session:
    """An open, ready, read-only view of one database."""

    db: DatabaseUrl
    conn: ReadConnection
    _names: NameIndex | None = None

    @property
    def names(self) -> NameIndex:
        if self._names is None:
            rows = query.name_index(self.conn)
            fam_rows = self.conn.rows(
                "SELECT chip, family, family_default FROM chip_specs ORDER BY chip")
            by_family: dict[str, list[str]] = {}
            for r in fam_rows:
                by_family.setdefault(r["family"], []).append(r["chip"])
            families = {}
            for r in fam_rows:
                if r["family_default"]:
                    families[r["chip"]] = [c for c in by_family[r["family"]] if c != r["chip"]]
            self._names = NameIndex(rows, families)
        return self._names

    def resolve(self, typed: Sequence[str]) -> list[Resolved]:
        return [self.names.resolve(t) for t in typed]

    def other_variants(self, resolved: Resolved) -> list[str]:
        return self.names.families.get(resolved.chip, []) if resolved.via == "family" else []


@contextmanager
def open_session(db: DatabaseUrl, notify: Callable[[str], None] | None = None
                 ) -> Iterator[Session]:
    """Prepare the database if needed, then read from it."""
    ensure_ready(db, notify)
    with reading(db) as conn:
        yield Session(db, conn)


def _margins_by(rows: Sequence[dict[str, Any]]) -> dict[tuple[str, str, str], list[dict[str, Any]]]:
    out: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for r in rows:
        key = (r["chip"], r["rule"], str(r["valid_from"]))
        out.setdefault(key, []).append({
            "clause": r["clause"], "metric": r["metric"], "op": r["op"],
            "threshold": r["threshold"], "value": r["value"], "margin": r["margin"],
            "margin_pct": r["margin_pct"], "met": None if r["met"] is None else bool(r["met"]),
        })
    return out


def verdict_dict(row: Mapping[str, Any], margins: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "rule": row["rule"],
        "rule_title": row.get("rule_title"),
        "citation": row.get("citation"),
        "in_force": [str(row["valid_from"]), None if row["valid_to"] is None
                     else str(row["valid_to"])],
        "outcome": row["outcome"],
        "determined": bool(row["determined"]),
        "reason": row["reason"],
        "missing": [m for m in (row.get("missing") or "").split(", ") if m],
        "exceptions": [e for e in (row.get("exceptions") or "").split("\n") if e],
        "unverified": bool(row.get("rule_unverified")),
        "margins": margins,
    }


def compare(s: Session, chips: Sequence[str], as_of: date | None,
            with_sources: bool = False) -> dict[str, Any]:
    """Specs, metrics and verdicts (in force on ``as_of``, or all when None) per chip."""
    specs = {r["chip"]: r for r in query.chip_specs(s.conn, chips)}
    metrics = {r["chip"]: r for r in query.chip_metrics(s.conn, chips)}
    verdict_rows = query.verdicts(s.conn, chips, as_of)
    margins = _margins_by(query.margins(s.conn, chips, as_of))
    source_rows = query.sources(s.conn, chips) if with_sources else []
    out = []
    for name in chips:
        spec = specs[name]
        metric = metrics[name]
        verdicts = [
            verdict_dict(v, margins.get((name, v["rule"], str(v["valid_from"])), []))
            for v in verdict_rows if v["chip"] == name
        ]
        entry: dict[str, Any] = {
            "name": name,
            "vendor": spec["vendor"],
            "specs": {k: _value(spec.get(k)) for k in SPEC_FIELDS if k != "vendor"}
            | {k: spec[k] for k in spec if k.endswith("_tops") and spec[k] is not None},
            "metrics": {k: _metric_value(k, metric.get(k)) for k in METRIC_FIELDS},
            "unknown_because": json.loads(metric.get("why_unknown") or "{}"),
            "verdicts": verdicts,
        }
        if with_sources:
            entry["sources"] = [
                {k: _value(r[k]) for k in ("field", "value_num", "value_text", "preferred",
                                          "tier", "source", "url", "publisher", "reason",
                                          "note", "derivation")}
                for r in source_rows if r["chip"] == name
            ]
        out.append(entry)
    return {"as_of": None if as_of is None else as_of.isoformat(), "chips": out}


def _value(v: Any) -> Any:
    if isinstance(v, date):
        return v.isoformat()
    return v


def _metric_value(key: str, v: Any) -> Any:
    if key in ("datacenter", "non_planar", "contains_hbm") and v is not None:
        return bool(v)
    return v


def list_chips(s: Session, vendor: str | None = None, market: str | None = None,
               datacenter: bool | None = None, rule: str | None = None,
               outcome: str | None = None, as_of: date | None = None,
               sort: str = "vendor") -> list[dict[str, Any]]:
    rows = query.chip_metrics(s.conn)
    if rule is not None:
        known = {r["rule"] for r in query.rules(s.conn)}
        if rule not in known:
            raise NotFoundError(f"unknown rule '{rule}': `chipdb rules` lists them")
        by_chip = {v["chip"]: v["outcome"] for v in query.verdicts(s.conn, None, as_of)
                   if v["rule"] == rule}
        for r in rows:
            r["verdict"] = by_chip.get(r["chip"])
    out = []
    for r in rows:
        if vendor and r["vendor"].casefold() != vendor.casefold():
            continue
        if market and r["market"] != market:
            continue
        if datacenter is not None and (r["datacenter"] is None
                                       or bool(r["datacenter"]) != datacenter):
            continue
        if outcome and (r.get("verdict") or "") != outcome and not (
            outcome.endswith("*") and (r.get("verdict") or "").startswith(outcome[:-1])
        ):
            continue
        r["datacenter"] = None if r["datacenter"] is None else bool(r["datacenter"])
        out.append(r)
    if sort not in ("vendor", "chip", *METRIC_FIELDS, "memory_capacity_gb",
                    "transistors_billion"):
        raise UsageError(f"cannot sort by '{sort}': use chip, vendor or a metric "
                         f"({', '.join(METRIC_FIELDS)})")
    numeric = sort not in ("vendor", "chip", "tpp_precision", "tpp_basis")
    if numeric:
        out.sort(key=lambda r: (r.get(sort) is None, -(r.get(sort) or 0.0), r["chip"]))
    else:
        out.sort(key=lambda r: (str(r.get(sort) or ""), r["chip"]))
    return out


def show(s: Session, chip: str) -> dict[str, Any]:
    data: dict[str, Any] = compare(s, [chip], None, with_sources=True)["chips"][0]
    structure = {
        "dies": s.conn.rows(
            "SELECT d.name, d.kind, d.count, d.process, d.node_nm, d.non_planar, d.area_mm2, "
            "d.transistors_billion FROM die d JOIN chip c ON c.id = d.chip_id "
            "WHERE c.name = :chip ORDER BY d.id", {"chip": chip}),
        "memory": s.conn.rows(
            "SELECT m.type, m.capacity_gb, m.bandwidth_gbps, m.stacks, m.package_area_mm2 "
            "FROM memory m JOIN chip c ON c.id = m.chip_id WHERE c.name = :chip ORDER BY m.id",
            {"chip": chip}),
        "io": s.conn.rows(
            "SELECT l.name, l.kind, l.bidirectional_gbps FROM io_link l JOIN chip c "
            "ON c.id = l.chip_id WHERE c.name = :chip ORDER BY l.id", {"chip": chip}),
        "aliases": [r["alias"] for r in s.conn.rows(
            "SELECT a.alias FROM chip_alias a JOIN chip c ON c.id = a.chip_id "
            "WHERE c.name = :chip ORDER BY a.alias", {"chip": chip})],
    }
    for die in structure["dies"]:
        if die["non_planar"] is not None:
            die["non_planar"] = bool(die["non_planar"])
    data.update(structure)
    return data


def rules(s: Session, rule_id: str | None = None) -> list[dict[str, Any]]:
    rows = query.rules(s.conn, rule_id)
    if rule_id is not None and not rows:
        known = [r["rule"] for r in query.rules(s.conn)]
        raise NotFoundError(f"unknown rule '{rule_id}': known rules are {', '.join(known)}")
    thresholds = query.rule_thresholds(s.conn, rule_id)
    for r in rows:
        r["thresholds"] = [
            {k: t[k] for k in ("clause", "metric", "op", "threshold", "parameter")}
            for t in thresholds if t["rule"] == r["rule"]
        ]
        r["unverified"] = bool(r["unverified"])
        for k in ("published", "effective", "ended"):
            r[k] = _value(r[k])
    return rows


def timeline(s: Session, chip: str) -> list[dict[str, Any]]:
    rows = query.verdicts(s.conn, [chip], None)
    rows.sort(key=lambda r: (str(r["valid_from"]), r["rule"]))
    return [
        {"from": _value(r["valid_from"]), "to": _value(r["valid_to"]), "rule": r["rule"],
         "outcome": r["outcome"], "citation": r["citation"], "reason": r["reason"],
         "status": r["rule_status"]}
        for r in rows
    ]


# --- designs: what-if, batch, headroom --------------------------------------------------------


def load_rules(s: Session) -> list[Any]:
    from chipdb.rules import rule_definitions_from_rows

    return rule_definitions_from_rows(query.rule_definitions(s.conn))


def chip_spec(s: Session, chip: str) -> Any:
    """A catalogued chip as a ChipSpec, read from the tables."""
    from chipdb.spec import ChipSpec, Die, IoLink, Memory, Throughput

    head = s.conn.rows(
        "SELECT c.id, c.name, v.name AS vendor, c.family, c.datacenter, c.standalone_hbm "
        "FROM chip c JOIN vendor v ON v.id = c.vendor_id WHERE c.name = :chip", {"chip": chip})
    if not head:
        raise NotFoundError(f"unknown chip '{chip}'")
    h = head[0]
    cid = {"id": h["id"]}

    def b(v: Any) -> bool | None:
        return None if v is None else bool(v)

    dies = tuple(Die(name=r["name"], kind=r["kind"], count=r["count"], area_mm2=r["area_mm2"],
                     transistors_billion=r["transistors_billion"], node_nm=r["node_nm"],
                     non_planar=b(r["non_planar"]), process=r["process"])
                 for r in s.conn.rows("SELECT * FROM die WHERE chip_id = :id", cid))
    memories = tuple(Memory(type=r["type"], capacity_gb=r["capacity_gb"],
                            bandwidth_gbps=r["bandwidth_gbps"], stacks=r["stacks"],
                            package_area_mm2=r["package_area_mm2"])
                     for r in s.conn.rows("SELECT * FROM memory WHERE chip_id = :id", cid))
    links = tuple(IoLink(name=r["name"], kind=r["kind"],
                         bidirectional_gbps=r["bidirectional_gbps"])
                  for r in s.conn.rows("SELECT * FROM io_link WHERE chip_id = :id", cid))
    rates = tuple(Throughput(precision=r["precision"], dense_tops=r["dense_tops"],
                             sparse_tops=r["sparse_tops"])
                  for r in s.conn.rows("SELECT * FROM throughput WHERE chip_id = :id", cid))
    return ChipSpec(name=h["name"], vendor=h["vendor"], family=h["family"],
                    datacenter=b(h["datacenter"]), standalone_hbm=bool(h["standalone_hbm"]),
                    dies=dies, memories=memories, io_links=links, throughputs=rates)


def what_if(s: Session, base: str | None, overrides: Mapping[str, Any], as_of: date,
            name: str | None = None) -> dict[str, Any]:
    from chipdb.metrics import compute_metrics
    from chipdb.rules import evaluate_on
    from chipdb.spec import ChipSpec

    spec = chip_spec(s, base) if base else ChipSpec(name="blank")
    label = name or (f"{base} (modified)" if base else "design")
    values = compute_metrics(spec, overrides)
    rules_ = load_rules(s)
    verdicts = evaluate_on(rules_, [values.values], as_of, True, [values.why_unknown])[0]
    citations = {r.id: r.citation for r in rules_}
    return {
        "as_of": as_of.isoformat(),
        "chips": [{
            "name": label,
            "vendor": values.values.get("vendor"),
            "base": base,
            "set": dict(overrides),
            "specs": {},
            "metrics": {k: values.values.get(k) for k in METRIC_FIELDS},
            "unknown_because": values.why_unknown,
            "verdicts": [_verdict_obj(v, citations.get(v.rule)) for v in verdicts],
        }],
    }


def _verdict_obj(v: Any, citation: str | None) -> dict[str, Any]:
    return {
        "rule": v.rule, "citation": citation, "outcome": v.outcome,
        "determined": v.determined, "reason": v.reason, "missing": list(v.missing),
        "exceptions": list(v.exceptions),
        "margins": [
            {"clause": m.clause, "metric": m.metric, "op": m.op, "threshold": m.threshold,
             "value": m.value, "margin": m.margin, "margin_pct": m.margin_pct, "met": m.met}
            for m in v.margins
        ],
    }


def headroom(s: Session, chip: str, as_of: date) -> list[dict[str, Any]]:
    """For each metric a design moves, the nearest value up and down that changes a verdict."""
    from chipdb.metrics import columns_from_inputs, design_inputs, metrics_from_inputs
    from chipdb.rules import MetricTable, evaluate_table

    spec = chip_spec(s, chip)
    inputs = design_inputs(spec)
    base = metrics_from_inputs(columns_from_inputs([inputs]), 1)
    rules_ = [r for r in load_rules(s) if r.in_force(as_of)]
    base_out = evaluate_table(rules_, MetricTable(base, 1), as_of)
    current = {rid: str(res.outcome[0]) for rid, res in base_out.items()}
    tpp = float(base["tpp"][0])
    area = float(base["applicable_die_area_mm2"][0])
    movable = {
        "tpp": tpp,
        "performance_density": float(base["performance_density"][0]),
        "memory_bandwidth_gbps": float(base["memory_bandwidth_gbps"][0]),
        "bidirectional_io_gbps": float(base["bidirectional_io_gbps"][0]),
        "transistors_billion": float(base["transistors_billion"][0]),
    }
    results = []
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
                value = points[idx]
                line = _round_line(value)
                results.append({
                    "rule": rule.id, "metric": metric, "direction": direction,
                    "current": _round_line(now), "crosses_at": line,
                    "change": _round_line(line - now),
                    "change_pct": _round_line((line - now) / now * 100) if now else None,
                    "from": current[rule.id], "to": str(res[idx]),
                })
    results.sort(key=lambda r: (r["rule"], r["metric"], r["direction"]))
    return results


def _round_line(value: float) -> float:
    """Six significant digits: the threshold itself, not the 1e-9 probe next to it."""
    return float(f"{value:.6g}")
