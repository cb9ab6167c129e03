"""The map's data: lines, boxes, regions and points, built from plain inputs (no database).

``build`` takes what ``service.plot.plot_inputs`` read from the views (``rule_thresholds`` for
the lines, ``chip_metrics`` for the points, ``chip_verdict`` for their outcomes) and the rule
definitions (to know which clause holds on each side of the lines). It returns a ``PlotData``
whose ``skipped`` lists the chips it could not place; the caller decides how to tell. No
threshold is written in this module; colours come from ``render.styles``.

The default map is TPP x performance density under one rule: the lines cut the plane into
cells, the rule's own engine (imported lazily) classifies a point in each cell (as a datacenter
logic chip), and cells with the same outcome make the shaded regions (3A090.a.1, .a.2, .b.1,
.b.2, outside). Other metric pairs (``--metric X,Y``) draw the lines on those two metrics of
every rule in force on the date, and a clause bounded above and below on both metrics as a box
(the tariff bands).

Every text taken from data (chip names, rule titles, notes) is made ``printable`` here, once,
for both renderers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from chipdb.errors import NotFoundError, UsageError
from chipdb.metricdefs import METRIC_LABELS, METRICS, NUMERIC_METRICS
from chipdb.outcomes import severity
from chipdb.plot.geometry import cell_points
from chipdb.render.styles import GREY, plot_colours
from chipdb.safetext import printable
from chipdb.units import fmt_number

DEFAULT_AXES = ("tpp", "performance_density")
PLOTTABLE: tuple[str, ...] = tuple(
    m for m in METRICS if m in NUMERIC_METRICS and m != "export_year"
)
UNDETERMINED = "undetermined"
NO_VERDICT = "no verdict"
_RULE_COLOURS = ("#b9770e", "#148f77", "#6e2c00", "#1a5276", "#7b241c", "#4d5656")


@dataclass(frozen=True)
class Line:
    """A threshold on one axis; ``rules`` lists (rule, clause, op) drawing it."""

    axis: str  # "x" or "y"
    value: float
    rules: tuple[tuple[str, str, str], ...]
    partial: bool  # the clause also needs metrics not on the map

    def label(self, metric: str) -> str:
        parts = []
        for rule, clause, op in self.rules:
            parts.append(f"{rule} {clause}: {metric_label(metric)} {_op(op)} "
                         f"{fmt_number(self.value)}")
        return "; ".join(parts)


@dataclass(frozen=True)
class Box:
    """A clause bounded on both metrics (e.g. a Section 232 duty band)."""

    rule: str
    clause: str
    x0: float
    x1: float
    y0: float
    y1: float

    def label(self, x: str, y: str) -> str:
        return (f"{self.rule} {self.clause}: {metric_label(x)} {fmt_number(self.x0)}–"
                f"{fmt_number(self.x1)}, {metric_label(y)} {fmt_number(self.y0)}–"
                f"{fmt_number(self.y1)}")


@dataclass(frozen=True)
class Regions:
    """The plane cut by the rule's lines: ``outcome[i][j]`` for x-cell i, y-cell j."""

    xs: tuple[float, ...]
    ys: tuple[float, ...]
    outcome: tuple[tuple[str, ...], ...]
    labels: dict[str, str]  # outcome -> text shown in the region


@dataclass(frozen=True)
class Point:
    chips: tuple[str, ...]  # several chips with the same two values share a point
    x: float
    y: float
    datacenter: bool | None
    outcome: str  # verdict under the rule on the date (NO_VERDICT when none)
    # rules not drawn on the map (licence notices) that require a licence for these chips
    overlays: tuple[str, ...] = ()
    highlighted: bool = False  # named by --highlight


@dataclass
class PlotData:
    x: str
    y: str
    rule: str
    title: str
    citation: str
    in_force: bool
    day: date
    points: list[Point]
    lines: list[Line]
    boxes: list[Box] = field(default_factory=list)
    regions: Regions | None = None
    outcomes: list[str] = field(default_factory=list)  # legend order
    colours: dict[str, str] = field(default_factory=dict)
    rule_colours: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    named: bool = False
    skipped: list[str] = field(default_factory=list)
    lead: list[str] = field(default_factory=list)  # shown before the map: the bottom line
    custom_title: str | None = None  # --title

    @property
    def heading(self) -> str:
        if self.custom_title:
            return self.custom_title
        return (f"{metric_label(self.x)} × {metric_label(self.y)}: {self.rule}, "
                f"as of {self.day.isoformat()}")

    @property
    def overlay_rules(self) -> list[str]:
        return list(dict.fromkeys(r for p in self.points for r in p.overlays))

    def caption(self) -> list[str]:
        force = "" if self.in_force else f" (not in force on {self.day.isoformat()})"
        lines = [f"{self.rule}{force}: {self.title}", self.citation]
        return lines + self.notes

    def limits(self, axis: str) -> tuple[float, float]:
        values = [p.x if axis == "x" else p.y for p in self.points]
        values += [ln.value for ln in self.lines if ln.axis == axis]
        for b in self.boxes:
            values += [b.x0, b.x1] if axis == "x" else [b.y0, b.y1]
        if self.regions is not None:
            values += list(self.regions.xs if axis == "x" else self.regions.ys)
        values = [v for v in values if v > 0 and math.isfinite(v)]
        if not values:
            return 1.0, 10.0
        lo, hi = min(values), max(values)
        if hi / lo < 4:  # keep a readable span around a lone point or line
            mid = math.sqrt(lo * hi)
            lo, hi = min(lo, mid / 2), max(hi, mid * 2)
        return lo / 1.6, hi * 1.6

    def colour(self, outcome: str) -> str:
        return self.colours.get(outcome, GREY)


def metric_label(metric: str) -> str:
    return METRIC_LABELS.get(metric, metric)


def _op(op: str) -> str:
    return {">=": "≥", "<=": "≤"}.get(op, op)


def axis_title(metric: str) -> str:
    unit, meaning = METRICS.get(metric, ("", ""))
    label = metric_label(metric)
    if unit and unit not in label:
        label += f" ({unit})"
    return f"{label}: {meaning}" if meaning else label


def rule_axes(rule: str, thresholds: Sequence[Mapping[str, Any]]) -> tuple[str, str]:
    """The two metrics ``rule`` itself tests, as the map's default axes (us-2022-10: TPP x
    I/O); TPP x performance density when the rule tests those or not two plottable ones."""
    tested = list(dict.fromkeys(str(r["metric"]) for r in thresholds if r["rule"] == rule
                                and str(r["metric"]) in PLOTTABLE))
    if set(DEFAULT_AXES) <= set(tested) or len(tested) != 2:
        return DEFAULT_AXES
    return (tested[0], tested[1]) if tested[1] != "tpp" else (tested[1], tested[0])


def parse_axes(metric: str | None) -> tuple[str, str]:
    if metric is None:
        return DEFAULT_AXES
    names = [m.strip() for m in metric.split(",")]
    if len(names) != 2 or not all(names):
        raise UsageError(f"--metric '{metric}' is not two metrics: use X,Y, e.g. "
                         "tpp,memory_bandwidth_gbps")
    for name in names:
        if name not in PLOTTABLE:
            raise UsageError(f"unknown metric '{name}' in --metric: use two of "
                             f"{', '.join(PLOTTABLE)}")
    if names[0] == names[1]:
        raise UsageError(f"--metric '{metric}' names the same metric twice")
    return names[0], names[1]


def _day(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _in_force(row: Mapping[str, Any], day: date) -> bool:
    effective, ended = _day(row["effective"]), _day(row["ended"])
    return effective is not None and effective <= day and (ended is None or day <= ended)


def _criterion_lines(crit: Any, context: frozenset[str],
                     out: list[tuple[Any, frozenset[str]]]) -> None:
    """Every numeric comparison with the metrics it must hold together with (AllOf siblings)."""
    from chipdb.engine import AllOf, AnyOf, Comparison

    if isinstance(crit, Comparison):
        if isinstance(crit.value, float):
            out.append((crit, context))
        return
    if isinstance(crit, AllOf):
        found: list[tuple[Any, frozenset[str]]] = []
        for item in crit.items:
            _criterion_lines(item, frozenset(), found)
        together = frozenset(m for comp, _ in found for m in comp.metrics)
        for item in crit.items:
            _criterion_lines(item, context | together, out)
    elif isinstance(crit, AnyOf):
        for item in crit.items:
            _criterion_lines(item, context, out)


def _partial_lines(definition: Any, shown: set[str]) -> set[tuple[str, str, float]]:
    """(metric, op, value) of the rule's lines that decide nothing without another metric."""
    alone: set[tuple[str, str, float]] = set()
    needs: set[tuple[str, str, float]] = set()
    criteria = [c.when for c in (*definition.exclusions, *definition.clauses)]
    for crit in criteria:
        found: list[tuple[Any, frozenset[str]]] = []
        _criterion_lines(crit, frozenset(), found)
        for comp, context in found:
            key = (comp.subject, comp.op, float(comp.value))
            other = {m for m in context if m in NUMERIC_METRICS and m not in shown}
            (needs if other else alone).add(key)
    return needs - alone


def _lines_and_boxes(rows: Sequence[dict[str, Any]], x: str, y: str, definitions: dict[str, Any],
                     boxes_too: bool) -> tuple[list[Line], list[Box]]:
    by_clause: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in rows:
        by_clause.setdefault((r["rule"], r["clause"]), []).append(r)
    boxes: list[Box] = []
    drawn: list[dict[str, Any]] = []
    for (rule, clause), items in by_clause.items():
        groups: list[dict[tuple[str, str], dict[str, Any]]] = [{}]
        for r in items:
            side = "lo" if r["op"] in (">", ">=") else "hi" if r["op"] in ("<", "<=") else ""
            if not side:
                continue
            if (r["metric"], side) in groups[-1]:
                groups.append({})
            groups[-1][(r["metric"], side)] = r
        for g in groups:
            keys = [(m, s) for m in (x, y) for s in ("lo", "hi")]
            if boxes_too and all(k in g for k in keys):
                v = [float(g[k]["threshold"]) for k in keys]
                boxes.append(Box(rule, clause, v[0], v[1], v[2], v[3]))
            else:
                drawn.extend(r for r in g.values() if r["metric"] in (x, y))
    partial: dict[str, set[tuple[str, str, float]]] = {
        rid: _partial_lines(d, {x, y}) for rid, d in definitions.items()
    }
    merged: dict[tuple[str, float], list[dict[str, Any]]] = {}
    for r in drawn:
        axis = "x" if r["metric"] == x else "y"
        merged.setdefault((axis, float(r["threshold"])), []).append(r)
    lines = []
    for (axis, value), rs in merged.items():
        per_rule: dict[str, dict[str, Any]] = {}
        for r in rs:  # one label per rule: the side where its clause starts to hold
            kept = per_rule.get(r["rule"])
            if kept is None or (kept["op"] in ("<", "<=") and r["op"] in (">", ">=")):
                per_rule[r["rule"]] = r
        is_partial = all((r["metric"], r["op"], value) in partial.get(r["rule"], set())
                         for r in rs)
        lines.append(Line(axis, value,
                          tuple((r["rule"], r["clause"], r["op"]) for r in per_rule.values()),
                          is_partial))
    lines.sort(key=lambda ln: (ln.axis, ln.value))
    return lines, boxes


def _regions(definition: Any, rules: Sequence[Any], x: str, y: str,
             lines: Sequence[Line], day: date) -> Regions:
    import numpy as np

    from chipdb.engine import MetricTable, evaluate_table

    xs = tuple(sorted({ln.value for ln in lines if ln.axis == "x" and ln.value > 0}))
    ys = tuple(sorted({ln.value for ln in lines if ln.axis == "y" and ln.value > 0}))
    px, py = cell_points(xs), cell_points(ys)
    n = len(px) * len(py)
    cols = {
        x: np.array([a for a in px for _ in py], dtype=np.float64),
        y: np.array([b for _ in px for b in py], dtype=np.float64),
        # the regions a datacenter logic IC falls in (Note 2 to 3A090 is about the others)
        "datacenter": np.ones(n), "standalone_hbm": np.zeros(n),
        "non_planar": np.ones(n),
    }
    result = evaluate_table(rules, MetricTable(cols, n), day)[definition.id].outcome
    grid = tuple(tuple(printable(str(result[i * len(py) + j])) for j in range(len(py)))
                 for i in range(len(px)))
    labels = {}
    for o in {o for col in grid for o in col}:
        if o == printable(definition.default_outcome):
            reason = definition.default_reason
            labels[o] = printable(reason) if reason and len(reason) <= 24 else o
        elif o == UNDETERMINED:
            labels[o] = "depends on other metrics"
        else:
            labels[o] = o
    return Regions(xs, ys, grid, labels)


def _outcome_order(definition: Any | None) -> list[str]:
    if definition is None:
        return []
    order = [c.outcome for c in definition.clauses]
    order += [c.outcome for c in definition.exclusions]
    order.append(definition.default_outcome)
    return list(dict.fromkeys(printable(o) for o in order))


def build(*, rule: str, metric: str | None, day: date, rule_rows: Sequence[Mapping[str, Any]],
          definitions: Sequence[Any], thresholds: Sequence[Mapping[str, Any]],
          metrics: Sequence[Mapping[str, Any]], verdicts: Mapping[str, str],
          named: bool, overlays: Mapping[str, Sequence[str]] | None = None,
          highlight: Sequence[str] = (), title: str | None = None) -> PlotData:
    """Everything the map shows: lines, regions, points, caption, and the chips not placed.

    ``rule_rows`` are the rows of ``rules`` (every rule), ``definitions`` the engine's rules,
    ``thresholds`` the rows of ``rule_thresholds``, ``metrics`` the rows of ``chip_metrics`` in
    the order to plot, ``verdicts`` each chip's outcome under ``rule`` on ``day``.
    """
    x, y = parse_axes(metric) if metric is not None else rule_axes(rule, thresholds)
    head = next((r for r in rule_rows if r["rule"] == rule), None)
    if head is None:
        raise NotFoundError(f"unknown rule '{rule}': `chipdb rules` lists them")
    definition = next((d for d in definitions if d.id == rule), None)
    default_map = (x, y) == DEFAULT_AXES
    if default_map:  # the rule and the rules its clauses refer to (us-2026-01 -> us-2024-12)
        shown_rules = {rule}
        by_id = {d.id: d for d in definitions}
        todo = [rule]
        while todo:
            d = by_id.get(todo.pop())
            for ref in d.depends_on if d is not None else ():
                if ref not in shown_rules:
                    shown_rules.add(ref)
                    todo.append(ref)
    else:
        shown_rules = {r["rule"] for r in rule_rows if _in_force(r, day)} | {rule}
    rows = [dict(r, clause=printable(str(r["clause"]))) for r in thresholds
            if r["rule"] in shown_rules and r["threshold"] is not None
            and float(r["threshold"]) > 0]
    shown_definitions = {d.id: d for d in definitions if d.id in shown_rules}
    lines, boxes = _lines_and_boxes(rows, x, y, shown_definitions, boxes_too=not default_map)

    # regions where the map is exact: the default map, or the rule's own two metrics with no
    # other metric in any drawn rule (us-2022-10 on TPP x I/O)
    exact = metric is None and {str(r["metric"]) for r in rows} <= {x, y}
    regions = None
    if (default_map or exact) and definition is not None and lines:
        regions = _regions(definition, definitions, x, y, lines, day)

    groups: dict[tuple[float, float, str, bool | None, tuple[str, ...]], list[str]] = {}
    over = overlays or {}
    skipped = []
    for r in metrics:
        name = printable(str(r["chip"]))
        vx, vy = r.get(x), r.get(y)
        if vx is None or vy is None or not (float(vx) > 0 and float(vy) > 0):
            skipped.append(name)
            continue
        # chips with the same two values, verdict and kind share one point and one label
        key = (round(float(vx), 9), round(float(vy), 9),
               printable(verdicts.get(r["chip"], NO_VERDICT)),
               None if r["datacenter"] is None else bool(r["datacenter"]),
               # marked where the map would mislead: not controlled here, caught there
               () if severity(verdicts.get(r["chip"], NO_VERDICT)) == "controlled"
               else tuple(printable(o) for o in over.get(r["chip"], ())))
        groups.setdefault(key, []).append(name)
    marked = {printable(h) for h in highlight}
    points = [Point(tuple(names), vx, vy, dc, o, ov, bool(marked & set(names)))
              for (vx, vy, o, dc, ov), names in groups.items()]

    order = _outcome_order(definition)
    present = [p.outcome for p in points]
    if regions is not None:
        present += [o for col in regions.outcome for o in col]
    outcomes = [o for o in order if o in present]
    outcomes += [o for o in dict.fromkeys(present) if o not in outcomes]
    notes = []
    if regions is not None and definition is not None:
        notes.append("Regions: the outcome for a datacenter logic chip at that point.")
        for excl in definition.exclusions:
            notes.append(printable(f"{excl.label or excl.outcome}: {excl.text} "
                                   f"({excl.outcome})."))
    caught = [p for p in points if p.overlays]
    if caught:
        notes.append("Marked (ringed; named in the legend): not controlled on this map, yet "
                     "a licence is required by a measure that is not a line on it ("
                     f"{', '.join(dict.fromkeys(r for p in caught for r in p.overlays))}).")
    if skipped and named:
        notes.append(f"Not plotted (no {metric_label(x)} or {metric_label(y)}): "
                     f"{', '.join(skipped)}.")
    rule_colours = {r: _RULE_COLOURS[i % len(_RULE_COLOURS)]
                    for i, r in enumerate(sorted(shown_rules - {rule}))} | {rule: "#273746"}
    return PlotData(
        x=x, y=y, rule=printable(rule),
        title=printable(str(head["short_title"] or head["title"])),
        citation=printable(str(head["citation"])), in_force=_in_force(head, day), day=day,
        points=points, lines=lines, boxes=boxes, regions=regions, outcomes=outcomes,
        colours=plot_colours([*order, *outcomes]), rule_colours=rule_colours, notes=notes,
        named=named, skipped=skipped, custom_title=printable(title) if title else None,
    )


def skipped_note(data: PlotData) -> str:
    """One line naming the chips the map could not place (at most 12 unless they were named)."""
    shown = data.skipped if data.named or len(data.skipped) <= 12 else data.skipped[:12]
    more = "" if len(shown) == len(data.skipped) else f" and {len(data.skipped) - len(shown)} more"
    return (f"chipdb: not plotted, no {metric_label(data.x)} or {metric_label(data.y)}: "
            f"{', '.join(shown)}{more}")
