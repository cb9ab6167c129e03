"""Reading the catalogue: compare, show, list, rules and timeline, all from the views."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from chipdb.errors import NotFoundError, UsageError
from chipdb.service.results import (
    METRIC_FIELDS,
    SPEC_FIELDS,
    margins_by,
    metric_value,
    plain_value,
    verdict_dict,
)
from chipdb.service.session import Session
from chipdb.store.read import queries


def compare(s: Session, chips: Sequence[str], as_of: date | None,
            with_sources: bool = False) -> dict[str, Any]:
    """Specs, metrics and verdicts (in force on ``as_of``, or all when None) per chip."""
    specs = {r["chip"]: r for r in queries.chip_specs(s.conn, chips)}
    metrics = {r["chip"]: r for r in queries.chip_metrics(s.conn, chips)}
    verdict_rows = queries.verdicts(s.conn, chips, as_of)
    margins = margins_by(queries.margins(s.conn, chips, as_of))
    source_rows = queries.sources(s.conn, chips) if with_sources else []
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
            "specs": {k: plain_value(spec.get(k)) for k in SPEC_FIELDS if k != "vendor"}
            | {k: spec[k] for k in spec if k.endswith("_tops") and spec[k] is not None},
            "metrics": {k: metric_value(k, metric.get(k)) for k in METRIC_FIELDS},
            "unknown_because": json.loads(metric.get("why_unknown") or "{}"),
            "verdicts": verdicts,
        }
        if with_sources:
            entry["sources"] = [
                {k: plain_value(r[k]) for k in ("field", "value_num", "value_text", "preferred",
                                          "tier", "source", "url", "publisher", "reason",
                                          "note", "derivation")}
                for r in source_rows if r["chip"] == name
            ]
        out.append(entry)
    return {"as_of": None if as_of is None else as_of.isoformat(), "chips": out}


def list_chips(s: Session, vendor: str | None = None, market: str | None = None,
               datacenter: bool | None = None, rule: str | None = None,
               outcome: str | None = None, as_of: date | None = None,
               sort: str = "vendor") -> list[dict[str, Any]]:
    rows = queries.chip_metrics(s.conn)
    if rule is not None:
        known = {r["rule"] for r in queries.rules(s.conn)}
        if rule not in known:
            raise NotFoundError(f"unknown rule '{rule}': `chipdb rules` lists them")
        by_chip = {v["chip"]: v["outcome"] for v in queries.verdicts(s.conn, None, as_of)
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
    structure: dict[str, Any] = dict(queries.chip_structure(s.conn, chip))
    structure["aliases"] = [r["alias"] for r in structure["aliases"]]
    for die in structure["dies"]:
        if die["non_planar"] is not None:
            die["non_planar"] = bool(die["non_planar"])
    data.update(structure)
    return data


def rules(s: Session, rule_id: str | None = None) -> list[dict[str, Any]]:
    rows = queries.rules(s.conn, rule_id)
    if rule_id is not None and not rows:
        known = [r["rule"] for r in queries.rules(s.conn)]
        raise NotFoundError(f"unknown rule '{rule_id}': known rules are {', '.join(known)}")
    thresholds = queries.rule_thresholds(s.conn, rule_id)
    for r in rows:
        r["thresholds"] = [
            {k: t[k] for k in ("clause", "metric", "op", "threshold", "parameter")}
            for t in thresholds if t["rule"] == r["rule"]
        ]
        r["unverified"] = bool(r["unverified"])
        for k in ("published", "effective", "ended"):
            r[k] = plain_value(r[k])
    return rows


def timeline(s: Session, chip: str) -> list[dict[str, Any]]:
    rows = queries.verdicts(s.conn, [chip], None)
    rows.sort(key=lambda r: (str(r["valid_from"]), r["rule"]))
    return [
        {"from": plain_value(r["valid_from"]), "to": plain_value(r["valid_to"]), "rule": r["rule"],
         "outcome": r["outcome"], "citation": r["citation"], "reason": r["reason"],
         "status": r["rule_status"]}
        for r in rows
    ]
