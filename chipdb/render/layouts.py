"""How each command's data is laid out as a Document (sections of records)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from typing import Any

from chipdb.metricdefs import COMPARE_ROWS
from chipdb.periods import period_text
from chipdb.render.document import Document, Section, cell_text

_METRIC_ROWS = COMPARE_ROWS  # compare's metric rows and their labels (chipdb.metricdefs)
_SPEC_ROWS = (
    ("vendor", "vendor"),
    ("market", "market"),
    ("region", "region"),
    ("memory_type", "memory"),
    ("memory_capacity_gb", "memory GB"),
    ("process", "process"),
    ("transistors_billion", "transistors (bn)"),
    ("tdp_w", "TDP W"),
)
_OPS = {">=": "≥", ">": ">", "<": "<", "<=": "≤", "==": "=", "!=": "≠"}


def _tpp_text(m: dict[str, Any]) -> str:
    if m.get("tpp") is None:
        return "—"
    basis = m.get("tpp_basis")
    prec = m.get("tpp_precision")
    extra = f" ({prec}{', sparse/2' if basis == 'sparse/2' else ''})" if prec else ""
    return cell_text(m["tpp"]) + extra


def distinct_lines(margins: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One margin per line drawn (a band's ≥ and < on one value are the same distance),
    nearest line first."""
    seen: set[tuple[str, float]] = set()
    out = []
    for mg in margins:
        key = (mg["metric"], mg["threshold"])
        if mg.get("value") is None or key in seen:
            continue
        seen.add(key)
        out.append(mg)
    return sorted(out, key=lambda m: abs(m["margin_pct"] if m["margin_pct"] is not None
                                          else m["margin"]))


def margin_text(mg: dict[str, Any]) -> str:
    from chipdb.metricdefs import METRIC_LABELS

    label = " + ".join(METRIC_LABELS.get(p, p) for p in mg["metric"].split(" + "))
    if mg.get("value") is None:
        return f"{label} unknown (line {cell_text(mg['threshold'])})"
    pct = mg.get("margin_pct")
    sign = "+" if (mg["margin"] or 0) >= 0 else "−"
    pct_text = f" ({sign}{abs(pct):.1f}%)" if pct is not None else ""
    return (f"{label} {cell_text(mg['value'])} is {sign}{cell_text(abs(mg['margin']))}"
            f"{pct_text} from {cell_text(mg['threshold'])}")


def outcomes_text(verdicts: list[dict[str, Any]]) -> str | None:
    """A rule's outcomes over its periods, oldest first, "a → b" (a repeat of the one before
    is one step); None when the rule gave no verdict."""
    steps: list[str] = []
    for v in verdicts:
        if not steps or steps[-1] != v["outcome"]:
            steps.append(v["outcome"])
    return " → ".join(steps) if steps else None


def confidence_text(c: dict[str, Any]) -> str:
    """A verdict's confidence in words: the weakest tier and what is unverified."""
    tier = c.get("tier") or "-"
    return tier + ("; unverified: " + "; ".join(c["unverified"]) if c.get("unverified") else "")


def _claim_value(s: dict[str, Any]) -> Any:
    """A claim's value; a range or bound as text ("280–400", "≤ 858", "≥ 400")."""
    if s["value_num"] is not None or s["value_text"] is not None:
        return s["value_num"] if s["value_num"] is not None else s["value_text"]
    low, high = s.get("value_low"), s.get("value_high")
    if low is None:
        return None
    if high is None or not math.isfinite(high):
        return f"≥ {low:g}"
    return f"≤ {high:g}" if low == 0 else f"{low:g}–{high:g}"


def _claim_row(s: dict[str, Any]) -> dict[str, Any]:
    """One published value as the tables show it: the value, where from, and why."""
    return {
        "field": s["field"],
        "value": _claim_value(s),
        "tier": s["tier"], "publisher": s["publisher"], "url": s["url"],
        "accessed": s.get("accessed"),
        "note": "; ".join(x for x in (s.get("derivation"), s.get("reason"), s.get("note"))
                          if x),
    }


def by_layer(rule_ids: list[str], layers: list[dict[str, Any]] | None
             ) -> list[tuple[str | None, list[str]]]:
    """The rules grouped by the layer of the law each belongs to, layers in the order the
    bottom line composes them (``layers``: ``[{layer, title, rules}]`` from the service);
    without layers, one untitled group in the given order."""
    if layers is None:
        return [(None, list(rule_ids))]
    groups = [(la["title"], [r for r in rule_ids if r in la["rules"]]) for la in layers]
    placed = {r for la in layers for r in la["rules"]}
    groups.append(("Other", [r for r in rule_ids if r not in placed]))
    return [(title, rules) for title, rules in groups if rules]


_NO_LINE = "none: decided by a name, a flag or another rule's verdict, not a line"


def binding_line(verdict: dict[str, Any]) -> dict[str, Any] | str | None:
    """The one line nearest to changing a verdict. A verdict decided by a clause reads
    "<clause>: ..." (chipdb.engine.explain): the nearest met line of that clause, or, when
    the clause has no line (a name, a flag), the words saying so. The rule's default reads
    "<why> — ...": the nearest unmet line of any clause. Approximate, one line at a time."""
    margins = verdict["margins"]
    reason = verdict["reason"]
    clause = next((m["clause"] for m in margins
                   if reason == m["clause"] or reason.startswith(m["clause"] + ":")), None)
    head = reason.split(":", 1)[0]
    by_clause = clause is not None or (
        ":" in reason and " — " not in head and verdict.get("determined", True)
        and len(verdict.get("possible_outcomes") or ()) <= 1)
    if by_clause and clause is None:
        return _NO_LINE
    lines = [m for m in margins if (m["clause"] == clause and m["met"] is True)
             or (clause is None and m["met"] is False)]
    shown = distinct_lines(lines)
    return shown[0] if shown else None


def reason_margins(verdict: dict[str, Any], all_margins: bool) -> str | None:
    """The binding margin (the one nearest line), or every line with ``all_margins``."""
    if all_margins:
        shown = distinct_lines(verdict["margins"])
        return "margins: " + "; ".join(margin_text(m) for m in shown) if shown else None
    line = binding_line(verdict)
    if line is None:
        return None
    return "binding margin: " + (line if isinstance(line, str) else margin_text(line))


def compare_document(data: dict[str, Any], with_sources: bool, *,
                     layers: list[dict[str, Any]] | None = None,
                     all_margins: bool = True) -> Document:
    """Specs and metrics, then the verdicts (grouped by layer when ``layers`` are given: a
    heading row per layer), then each verdict's reason with its binding margin (every line
    with ``all_margins``)."""
    chips = data["chips"]
    names = [c["name"] for c in chips]
    rows: list[dict[str, Any]] = []
    for key, label in _SPEC_ROWS:
        row: dict[str, Any] = {"field": label}
        for c in chips:
            row[c["name"]] = c["vendor"] if key == "vendor" else c["specs"].get(key)
        if any(row[n] is not None for n in names):
            rows.append(row)
    for key, label in _METRIC_ROWS:
        row = {"field": label}
        for c in chips:
            row[c["name"]] = _tpp_text(c["metrics"]) if key == "tpp" else c["metrics"].get(key)
        if key == "tpp_precision":
            continue
        rows.append(row)
    spec_section = Section(
        title="", columns=["field", *names], rows=rows, labels={"field": ""},
        highlight_differences=len(names) > 1,
    )
    rule_ids: list[str] = []
    for c in chips:
        for v in c["verdicts"]:
            if v["rule"] not in rule_ids:
                rule_ids.append(v["rule"])
    groups = by_layer(rule_ids, layers)
    order = [r for _, rules in groups for r in rules]
    verdict_rows = []
    for title, rules in groups:
        if title is not None:  # a heading row: the layer, no outcome
            verdict_rows.append({"field": f"{title}:", **{n: "" for n in names}})
        for rid in rules:
            row = {"field": rid}
            for c in chips:
                row[c["name"]] = outcomes_text([v for v in c["verdicts"] if v["rule"] == rid])
            verdict_rows.append(row)
    as_of = data.get("as_of")
    verdict_section = Section(
        title=(f"Verdicts in force on {as_of}" if as_of else "Verdicts under every rule version")
        + (", by layer" if layers is not None else ""),
        columns=["field", *names], rows=verdict_rows, labels={"field": "rule"},
        highlight_differences=len(names) > 1,
    )
    reason_rows = []
    for c in chips:
        for v in sorted(c["verdicts"], key=lambda v: order.index(v["rule"])):
            lines = [v["reason"]]
            margins = reason_margins(v, all_margins)
            if margins:
                lines.append(margins)
            lines += v["exceptions"]
            if v.get("unverified"):
                lines.append("parameters unverified (reported, not published)")
            reason_rows.append({"chip": c["name"], "rule": v["rule"], "outcome": v["outcome"],
                                "why": "\n".join(lines)})
    reason_section = Section(title="Why", columns=["chip", "rule", "outcome", "why"],
                             rows=reason_rows)
    sections = [spec_section, verdict_section, reason_section]
    if with_sources:
        src_rows = []
        for c in chips:
            for s in c.get("sources", []):
                row = _claim_row(s)
                src_rows.append({"chip": c["name"], **row, "preferred": s["preferred"],
                                 "source": f"{s['publisher']}: {s['url']}"})
        sections.append(Section(title="Sources", columns=["chip", "field", "value", "preferred",
                                                          "tier", "source", "accessed", "note"],
                                rows=src_rows))
    csv_rows = []
    for c in chips:
        row = {"name": c["name"], "vendor": c["vendor"], **c["metrics"]}
        for rid in rule_ids:  # every period's outcome, as in the table (not the last one)
            row[rid] = outcomes_text([v for v in c["verdicts"] if v["rule"] == rid])
        csv_rows.append(row)
    csv_cols = ["name", "vendor", *[k for k, _ in _METRIC_ROWS], *rule_ids]
    csv_cols.insert(3, "tpp_basis")
    # CSV: one row per chip with its metrics and one column per rule; not shown as a table.
    # With --sources the one-table formats write the sources instead, as a long table (one
    # row per chip, field and published value), and say the chips' table is not in it.
    sections.append(Section(title="chips", columns=csv_cols, rows=csv_rows))
    spec_section.flat = verdict_section.flat = not with_sources
    if with_sources:
        long_cols = ["chip", "field", "value", "preferred", "tier", "publisher", "url",
                     "accessed", "note"]
        sections.append(Section(title="", columns=long_cols, rows=src_rows))
        sections[-3].flat = True  # the shown Sources section
    return Document(sections=sections, payload=data, csv_section=len(sections) - 1,
                    table_sections=len(sections) - (2 if with_sources else 1))


def shown_specs(specs: Mapping[str, Any]) -> dict[str, Any]:
    """A chip's specs for a person: the release as one value, as precise as its source
    ("2024-02", "by 2024-08"), never the stored first day beside a separate precision."""
    shown = dict(specs)
    released = shown.get("released")
    if released is not None:
        start = released if isinstance(released, date) else date.fromisoformat(str(released))
        shown["released"] = period_text(start, shown.pop("released_precision", None))
    return shown


def show_document(data: dict[str, Any], *, layers: list[dict[str, Any]] | None = None,
                  all_margins: bool = True) -> Document:
    """Every field with its claims, then every verdict (grouped by layer when ``layers`` are
    given) with its reason and binding margin (every line with ``all_margins``)."""
    head = [{"field": "name", "value": data["name"]}, {"field": "vendor", "value": data["vendor"]}]
    head += [{"field": k, "value": v} for k, v in shown_specs(data["specs"]).items()
             if v is not None]
    head.append({"field": "aliases", "value": ", ".join(data["aliases"]) or None})
    metric_rows = [{"field": k, "value": v} for k, v in data["metrics"].items()]
    for k, why in data["unknown_because"].items():
        metric_rows.append({"field": f"{k} unknown", "value": why})
    sources = []
    for s in data["sources"]:
        sources.append({**_claim_row(s), "preferred": "yes" if s["preferred"] else "alt.",
                        "source": f"{s['publisher']}\n{s['url']}"})
    groups = by_layer(list(dict.fromkeys(v["rule"] for v in data["verdicts"])), layers)
    verdicts = []
    for title, rules in groups:
        ordered = sorted((v for v in data["verdicts"] if v["rule"] in rules),
                         key=lambda v: rules.index(v["rule"]))
        for i, v in enumerate(ordered):
            margins = reason_margins(v, all_margins)
            verdicts.append({"layer": "" if i or title is None else title, "rule": v["rule"],
                             "in force": f"{v['in_force'][0]} – {v['in_force'][1] or ''}",
                             "outcome": v["outcome"],
                             "confidence": confidence_text(v["confidence"]),
                             "reason": v["reason"] + (f"\n{margins}" if margins else "")})
    verdict_columns = ["rule", "in force", "outcome", "confidence", "reason"]
    return Document(
        sections=[
            Section("Chip", ["field", "value"], head),
            Section("Dies", ["name", "kind", "count", "process", "node_nm", "non_planar",
                             "area_mm2", "transistors_billion"], data["dies"]),
            Section("Memory", ["type", "capacity_gb", "bandwidth_gbps", "stacks",
                               "package_area_mm2"], data["memory"]),
            Section("I/O", ["name", "kind", "bidirectional_gbps"], data["io"]),
            Section("Metrics", ["field", "value"], metric_rows),
            Section("Sources and claims", ["field", "value", "preferred", "tier", "source",
                                           "accessed", "note"], sources,
                    labels={"preferred": "pref."}, flat=True),
            Section("Verdicts (every rule version" + (", by layer)" if layers else ")"),
                    ["layer", *verdict_columns] if layers else verdict_columns, verdicts),
            # CSV: every claim with its full source, one per row
            Section("", ["field", "value", "preferred", "tier", "publisher", "url", "accessed",
                         "note"], sources),
        ],
        payload=data,
        csv_section=7,
        table_sections=7,
    )


def list_document(rows: list[dict[str, Any]], rule: str | None) -> Document:
    cols = ["chip", "vendor", "market", "datacenter", "tpp", "tpp_precision",
            "performance_density", "bidirectional_io_gbps", "memory_bandwidth_gbps"]
    if rule:
        cols.append("verdict")
    labels = {"performance_density": "PD", "bidirectional_io_gbps": "I/O GB/s",
              "memory_bandwidth_gbps": "mem GB/s", "tpp_precision": "set by",
              "datacenter": "DC", "verdict": rule or "verdict"}
    return Document([Section(f"{len(rows)} chips", cols, rows, labels=labels)])


def rules_document(rows: list[dict[str, Any]], detail: bool) -> Document:
    if not detail:
        # origin: "seed" or the import a rule (or an override of a bundled one) came from
        cols = ["rule", "short_title", "citation", "effective", "ended", "status", "layer",
                "origin"]
        table_cols = ["rule", "short_title", "effective", "ended", "status"]
        if any(r.get("origin", "seed") != "seed" for r in rows):
            table_cols.append("origin")
        return Document([Section("", table_cols, rows, labels={"short_title": "title"},
                                 note="`chipdb rules ID` shows the citation, wording and "
                                      "thresholds.", flat=True),
                         Section("", cols, rows)], payload=rows, csv_section=1,
                        table_sections=1)
    r = rows[0]
    head = [{"field": k, "value": r[k]} for k in (
        "rule", "title", "citation", "url", "published", "effective", "ended", "status",
        "layer", "origin", "unverified", "summary", "wording", "notes")
        if r.get(k) not in (None, "")]
    return Document([
        Section(r["rule"], ["field", "value"], head),
        Section("Thresholds", ["clause", "metric", "op", "threshold", "parameter"],
                r["thresholds"]),
    ], payload=r, csv_section=1)


def headroom_document(chip: str, day: date, rows: list[dict[str, Any]]) -> Document:
    cols = ["rule", "metric", "direction", "current", "crosses_at", "change", "change_pct",
            "from", "to"]
    return Document([Section(f"Headroom of {chip} under the rules in force on {day}", cols,
                             rows, labels={"crosses_at": "line at", "change_pct": "%",
                                           "direction": "dir"})],
                    payload={"chip": chip, "as_of": day.isoformat(), "headroom": rows})


def timeline_document(chip: str, rows: list[dict[str, Any]],
                      events: list[dict[str, Any]] | None = None) -> Document:
    """The verdicts through time; with ``events``, the policy events beside them (a second
    section; CSV carries the verdicts)."""
    cols = ["from", "to", "rule", "status", "outcome", "citation", "reason"]
    sections = [Section(f"{chip} through time", cols, rows)]
    payload: dict[str, Any] = {"chip": chip, "timeline": rows}
    if events is not None:
        sections.append(Section(f"Policy events about {chip}",
                                ["day", "event", "kind", "title", "evidence", "rule"], events))
        payload["events"] = events
    return Document(sections, payload=payload)
