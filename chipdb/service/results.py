"""The shapes of what the library returns: one serializer for stored and one for live verdicts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

SPEC_FIELDS = (
    "vendor", "family", "variant", "market", "region", "form_factor", "architecture",
    "released", "memory_type", "memory_capacity_gb", "process", "transistors_billion", "tdp_w",
)


METRIC_FIELDS = (
    "tpp", "tpp_precision", "tpp_basis", "applicable_die_area_mm2", "performance_density",
    "bidirectional_io_gbps", "interconnect_gbps", "memory_bandwidth_gbps",
    "memory_bandwidth_density", "datacenter",
)


def margins_by(rows: Sequence[dict[str, Any]]) -> dict[tuple[str, str, str], list[dict[str, Any]]]:
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


def live_verdict_dict(v: Any, citation: str | None) -> dict[str, Any]:
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


def plain_value(v: Any) -> Any:
    if isinstance(v, date):
        return v.isoformat()
    return v


def metric_value(key: str, v: Any) -> Any:
    if key in ("datacenter", "non_planar", "contains_hbm") and v is not None:
        return bool(v)
    return v
