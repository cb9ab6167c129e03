"""The threshold map: two metrics on log axes, the lines a rule draws, the chips as points.

``collect`` reads everything from the views (``rule_thresholds`` for the lines,
``chip_metrics`` for the points, ``chip_verdict`` for their outcomes) and the stored rule
definitions (to know which clause holds on each side of the lines); ``terminal`` draws the map
as text and ``to_file`` as PNG or SVG with matplotlib, which is an optional extra imported only
here, only when drawing. No threshold is written in this module.

The default map is TPP x performance density under one rule: the lines cut the plane into
cells, the rule's own engine classifies a point in each cell (as a datacenter logic chip), and
cells with the same outcome make the shaded regions (3A090.a.1, .a.2, .b.1, .b.2, outside).
Other metric pairs (``--metric X,Y``) draw the lines on those two metrics of every rule in force
on the date, and a clause bounded above and below on both metrics as a box (the tariff bands).
"""

from __future__ import annotations

import itertools
import math
import sys
import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from chipdb.errors import DataError, NotFoundError, UsageError
from chipdb.metricdefs import METRIC_LABELS, METRICS, NUMERIC_METRICS
from chipdb.store.read import queries as query
from chipdb.units import fmt_number

DEFAULT_AXES = ("tpp", "performance_density")
PLOTTABLE: tuple[str, ...] = tuple(
    m for m in METRICS if m in NUMERIC_METRICS and m != "export_year"
)
INSTALL_HINT = "plotting to a file needs matplotlib: pip install 'chipdb[plot]'"
UNDETERMINED = "undetermined"
NO_VERDICT = "no verdict"

# Colours for outcomes, in the order the rule lists its clauses (most specific first).
_CLAUSE_COLOURS = ("#c0392b", "#e67e22", "#8e44ad", "#2471a3", "#a04000", "#6c3483",
                   "#1a5276", "#922b21", "#7e5109", "#4a235a")
_DEFAULT_COLOUR = "#27ae60"
_AMBER = "#d4ac0d"
_GREY = "#95a5a6"
_RULE_COLOURS = ("#b9770e", "#148f77", "#6e2c00", "#1a5276", "#7b241c", "#4d5656")
_PX = (1600, 1000)
_DPI = 150


# --- the data ---------------------------------------------------------------------------------


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
            parts.append(f"{rule} {clause}: {_metric_label(metric)} {_op(op)} "
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
        return (f"{self.rule} {self.clause}: {_metric_label(x)} {fmt_number(self.x0)}–"
                f"{fmt_number(self.x1)}, {_metric_label(y)} {fmt_number(self.y0)}–"
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

    @property
    def heading(self) -> str:
        return (f"{_metric_label(self.x)} × {_metric_label(self.y)}: {self.rule}, "
                f"as of {self.day.isoformat()}")

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
        return self.colours.get(outcome, _GREY)


def _metric_label(metric: str) -> str:
    return METRIC_LABELS.get(metric, metric)


def _op(op: str) -> str:
    return {">=": "≥", "<=": "≤"}.get(op, op)


def _axis_title(metric: str) -> str:
    unit, meaning = METRICS.get(metric, ("", ""))
    label = _metric_label(metric)
    if unit and unit not in label:
        label += f" ({unit})"
    return f"{label}: {meaning}" if meaning else label


# --- collect ----------------------------------------------------------------------------------


def _axes(metric: str | None) -> tuple[str, str]:
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


def _in_force(row: dict[str, Any], day: date) -> bool:
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


def _cell_points(edges: Sequence[float]) -> list[float]:
    """A representative value inside each cell the edges cut the axis into."""
    if not edges:
        return [1.0]
    pts = [edges[0] / 2]
    pts += [math.sqrt(a * b) for a, b in itertools.pairwise(edges)]
    pts.append(edges[-1] * 2)
    return pts


def _regions(definition: Any, rules: Sequence[Any], x: str, y: str,
             lines: Sequence[Line], day: date) -> Regions:
    import numpy as np

    from chipdb.engine import MetricTable, evaluate_table

    xs = tuple(sorted({ln.value for ln in lines if ln.axis == "x" and ln.value > 0}))
    ys = tuple(sorted({ln.value for ln in lines if ln.axis == "y" and ln.value > 0}))
    px, py = _cell_points(xs), _cell_points(ys)
    n = len(px) * len(py)
    cols = {
        x: np.array([a for a in px for _ in py], dtype=np.float64),
        y: np.array([b for _ in px for b in py], dtype=np.float64),
        # the regions a datacenter logic IC falls in (Note 2 to 3A090 is about the others)
        "datacenter": np.ones(n), "standalone_hbm": np.zeros(n),
        "non_planar": np.ones(n),
    }
    result = evaluate_table(rules, MetricTable(cols, n), day)[definition.id].outcome
    grid = tuple(tuple(str(result[i * len(py) + j]) for j in range(len(py)))
                 for i in range(len(px)))
    labels = {}
    for o in {o for col in grid for o in col}:
        if o == definition.default_outcome:
            reason = definition.default_reason
            labels[o] = reason if reason and len(reason) <= 24 else o
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
    return list(dict.fromkeys(order))


def collect(s: Any, chips: list[str] | None, rule: str, metric: str | None,
            day: date) -> PlotData:
    """Everything the map shows, read from the views: lines, regions, points, caption."""
    from chipdb.service import designs as api

    x, y = _axes(metric)
    rule_rows = query.rules(s.conn, rule)
    if not rule_rows:
        raise NotFoundError(f"unknown rule '{rule}': `chipdb rules` lists them")
    head = rule_rows[0]
    definitions_all = api.load_rules(s)
    definition = next((d for d in definitions_all if d.id == rule), None)
    thresholds = query.rule_thresholds(s.conn)
    default_map = (x, y) == DEFAULT_AXES
    if default_map:  # the rule and the rules its clauses refer to (us-2026-01 -> us-2024-12)
        shown_rules = {rule}
        by_id = {d.id: d for d in definitions_all}
        todo = [rule]
        while todo:
            d = by_id.get(todo.pop())
            for ref in d.depends_on if d is not None else ():
                if ref not in shown_rules:
                    shown_rules.add(ref)
                    todo.append(ref)
    else:
        shown_rules = {r["rule"] for r in query.rules(s.conn) if _in_force(r, day)} | {rule}
    rows = [r for r in thresholds
            if r["rule"] in shown_rules and r["threshold"] is not None
            and float(r["threshold"]) > 0]
    definitions = {d.id: d for d in definitions_all if d.id in shown_rules}
    lines, boxes = _lines_and_boxes(rows, x, y, definitions, boxes_too=not default_map)

    regions = None
    if default_map and definition is not None and lines:
        regions = _regions(definition, definitions_all, x, y, lines, day)

    metrics = query.chip_metrics(s.conn, chips)
    if chips is not None:
        position = {c: i for i, c in enumerate(chips)}
        metrics.sort(key=lambda r: position.get(r["chip"], len(position)))
    verdicts = {v["chip"]: v["outcome"] for v in query.verdicts(s.conn, chips, day)
                if v["rule"] == rule}
    groups: dict[tuple[float, float, str, bool | None], list[str]] = {}
    skipped = []
    for r in metrics:
        vx, vy = r.get(x), r.get(y)
        if vx is None or vy is None or not (float(vx) > 0 and float(vy) > 0):
            skipped.append(r["chip"])
            continue
        # chips with the same two values, verdict and kind share one point and one label
        key = (round(float(vx), 9), round(float(vy), 9), verdicts.get(r["chip"], NO_VERDICT),
               None if r["datacenter"] is None else bool(r["datacenter"]))
        groups.setdefault(key, []).append(r["chip"])
    points = [Point(tuple(names), vx, vy, dc, o) for (vx, vy, o, dc), names in groups.items()]
    if skipped:
        _note_skipped(skipped, x, y, chips is not None)

    order = _outcome_order(definition)
    present = [p.outcome for p in points]
    if regions is not None:
        present += [o for col in regions.outcome for o in col]
    outcomes = [o for o in order if o in present]
    outcomes += [o for o in dict.fromkeys(present) if o not in outcomes]
    colours = _colours([*order, *outcomes])
    notes = []
    if regions is not None and definition is not None:
        notes.append("Regions: the outcome for a datacenter logic chip at that point.")
        for excl in definition.exclusions:
            notes.append(f"{excl.label or excl.outcome}: {excl.text} ({excl.outcome}).")
    if skipped and chips is not None:
        notes.append(f"Not plotted (no {_metric_label(x)} or {_metric_label(y)}): "
                     f"{', '.join(skipped)}.")
    rule_colours = {r: _RULE_COLOURS[i % len(_RULE_COLOURS)]
                    for i, r in enumerate(sorted(shown_rules - {rule}))} | {rule: "#273746"}
    return PlotData(
        x=x, y=y, rule=rule, title=head["short_title"] or head["title"],
        citation=head["citation"], in_force=_in_force(head, day), day=day, points=points,
        lines=lines, boxes=boxes, regions=regions, outcomes=outcomes, colours=colours,
        rule_colours=rule_colours, notes=notes, named=chips is not None, skipped=skipped,
    )


def _colours(outcomes: Sequence[str]) -> dict[str, str]:
    """Green for the clear outcomes, amber for review, reds then other hues for controls.

    The families are the terminal's (chipdb.render.table.outcome_style), so the picture and
    the tables agree; within the controlled family the rule's clause order picks the shade.
    """
    from chipdb.render.table import outcome_style

    out: dict[str, str] = {}
    controlled = 0
    for o in dict.fromkeys(outcomes):
        style = outcome_style(o)
        if o in (UNDETERMINED, NO_VERDICT):
            out[o] = _GREY
        elif style == "green":
            out[o] = _DEFAULT_COLOUR
        elif style == "yellow":
            out[o] = _AMBER
        else:
            out[o] = _CLAUSE_COLOURS[controlled % len(_CLAUSE_COLOURS)]
            controlled += 1
    return out


def _note_skipped(skipped: Sequence[str], x: str, y: str, named: bool) -> None:
    shown = list(skipped) if named or len(skipped) <= 12 else list(skipped[:12])
    more = "" if len(shown) == len(skipped) else f" and {len(skipped) - len(shown)} more"
    print(f"chipdb: not plotted, no {_metric_label(x)} or {_metric_label(y)}: "
          f"{', '.join(shown)}{more}", file=sys.stderr)


# --- geometry shared by both renderers --------------------------------------------------------


def _cell_bounds(edges: Sequence[float], lo: float, hi: float) -> list[tuple[float, float]]:
    bounds = [lo, *edges, hi]
    return [(max(a, lo), min(b, hi)) for a, b in itertools.pairwise(bounds)]


def _rectangles(regions: Regions, xb: Sequence[tuple[float, float]],
                yb: Sequence[tuple[float, float]]) -> dict[str, list[tuple[int, int, int, int]]]:
    """For each outcome, the blocks of cells that hold only it, largest (log area) first."""
    nx, ny = len(xb), len(yb)

    def size(b: tuple[float, float]) -> float:
        return max(math.log(b[1]) - math.log(b[0]), 0.0)

    found: dict[str, list[tuple[float, tuple[int, int, int, int]]]] = {}
    for i0 in range(nx):
        for i1 in range(i0, nx):
            for j0 in range(ny):
                for j1 in range(j0, ny):
                    o = regions.outcome[i0][j0]
                    if any(regions.outcome[i][j] != o
                           for i in range(i0, i1 + 1) for j in range(j0, j1 + 1)):
                        continue
                    area = (sum(size(xb[i]) for i in range(i0, i1 + 1))
                            * sum(size(yb[j]) for j in range(j0, j1 + 1)))
                    if area > 0:
                        found.setdefault(o, []).append((area, (i0, i1, j0, j1)))
    return {o: [rect for _, rect in sorted(items, key=lambda t: -t[0])]
            for o, items in found.items()}


def _boundaries(regions: Regions, xb: Sequence[tuple[float, float]],
                yb: Sequence[tuple[float, float]]) -> list[tuple[float, float, float, float]]:
    """Segments (x0, y0, x1, y1) where neighbouring cells differ in outcome."""
    segs = []
    for i in range(len(xb) - 1):
        for j in range(len(yb)):
            if regions.outcome[i][j] != regions.outcome[i + 1][j]:
                segs.append((xb[i][1], yb[j][0], xb[i][1], yb[j][1]))
    for i in range(len(xb)):
        for j in range(len(yb) - 1):
            if regions.outcome[i][j] != regions.outcome[i][j + 1]:
                segs.append((xb[i][0], yb[j][1], xb[i][1], yb[j][1]))
    return segs


def _point_label(chips: Sequence[str], width: int = 34) -> str:
    """Chip names packed into lines of about ``width`` characters, never split."""
    lines: list[str] = []
    for name in chips:
        if lines and len(lines[-1]) + 3 + len(name) <= width:
            lines[-1] += f" / {name}"
        else:
            lines.append(name)
    return "\n".join(lines)


def _letters() -> Iterator[str]:
    yield from "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    yield from "abcdefghijklmnopqrstuvwxyz"
    yield from "0123456789"
    while True:
        yield "*"


# --- terminal ---------------------------------------------------------------------------------

_JUNCTIONS = {
    (True, True, True, True): "┼", (True, True, False, True): "├",
    (True, True, True, False): "┤", (False, True, True, True): "┬",
    (True, False, True, True): "┴", (False, True, False, True): "┌",
    (False, True, True, False): "┐", (True, False, False, True): "└",
    (True, False, True, False): "┘", (True, True, False, False): "│",
    (False, False, True, True): "─", (True, False, False, False): "│",
    (False, True, False, False): "│", (False, False, True, False): "─",
    (False, False, False, True): "─",
}


class _Canvas:
    def __init__(self, width: int, height: int, xlim: tuple[float, float],
                 ylim: tuple[float, float]) -> None:
        self.w, self.h = width, height
        self.xlim, self.ylim = xlim, ylim
        self.chars = [[" "] * width for _ in range(height)]
        self.vert = [[False] * width for _ in range(height)]
        self.horiz = [[False] * width for _ in range(height)]

    def col(self, v: float) -> int:
        lo, hi = self.xlim
        f = (math.log(v) - math.log(lo)) / (math.log(hi) - math.log(lo))
        return min(max(round(f * (self.w - 1)), 0), self.w - 1)

    def row(self, v: float) -> int:
        lo, hi = self.ylim
        f = (math.log(v) - math.log(lo)) / (math.log(hi) - math.log(lo))
        return min(max(self.h - 1 - round(f * (self.h - 1)), 0), self.h - 1)

    def vline(self, x: float, y0: float, y1: float) -> None:
        c = self.col(x)
        r0, r1 = sorted((self.row(y0), self.row(y1)))
        for r in range(r0, r1 + 1):
            self.vert[r][c] = True

    def hline(self, y: float, x0: float, x1: float) -> None:
        r = self.row(y)
        c0, c1 = sorted((self.col(x0), self.col(x1)))
        for c in range(c0, c1 + 1):
            self.horiz[r][c] = True

    def strokes(self) -> None:
        for r in range(self.h):
            for c in range(self.w):
                if not (self.vert[r][c] or self.horiz[r][c]):
                    continue
                up = r > 0 and self.vert[r - 1][c] and self.vert[r][c]
                down = r < self.h - 1 and self.vert[r + 1][c] and self.vert[r][c]
                left = c > 0 and self.horiz[r][c - 1] and self.horiz[r][c]
                right = c < self.w - 1 and self.horiz[r][c + 1] and self.horiz[r][c]
                if self.vert[r][c] and not (up or down):
                    up = down = True
                if self.horiz[r][c] and not (left or right):
                    left = right = True
                self.chars[r][c] = _JUNCTIONS.get((up, down, left, right), "┼")

    def free(self, r: int, c: int, text: str) -> bool:
        return (0 <= r < self.h and c >= 0 and c + len(text) <= self.w
                and all(self.chars[r][c + k] == " " for k in range(len(text))))

    def put(self, r: int, c: int, text: str) -> None:
        for k, ch in enumerate(text):
            if 0 <= c + k < self.w:
                self.chars[r][c + k] = ch


def _ticks(lo: float, hi: float, lines: Sequence[float]) -> list[float]:
    """The lines first, then decades and 2/5 steps inside the range."""
    out = [v for v in lines if lo <= v <= hi]
    e = math.floor(math.log10(lo))
    while 10 ** e <= hi:
        for m in (1, 2, 5):
            v = m * 10.0 ** e
            if lo <= v <= hi:
                out.append(v)
        e += 1
    return out


def terminal(data: PlotData, out: TextIO, width: int = 100, height: int = 30) -> None:
    """The map as text: box-drawing lines, region labels, points as letters and a legend."""
    gutter = 9
    w, h = width - gutter - 1, height - 4
    xlim, ylim = data.limits("x"), data.limits("y")
    cv = _Canvas(w, h, xlim, ylim)

    if data.regions is not None:
        xb = _cell_bounds(data.regions.xs, *xlim)
        yb = _cell_bounds(data.regions.ys, *ylim)
        for x0, y0, x1, y1 in _boundaries(data.regions, xb, yb):
            if x0 == x1:
                cv.vline(x0, y0, y1)
            else:
                cv.hline(y0, x0, x1)
    else:
        for ln in data.lines:
            if ln.axis == "x":
                cv.vline(ln.value, *ylim)
            else:
                cv.hline(ln.value, *xlim)
    for b in data.boxes:
        cv.vline(b.x0, b.y0, b.y1)
        cv.vline(b.x1, b.y0, b.y1)
        cv.hline(b.y0, b.x0, b.x1)
        cv.hline(b.y1, b.x0, b.x1)
    cv.strokes()

    # points first (they must show), then region labels in the space left
    letters = _letters()
    legend = []
    taken: dict[tuple[int, int], str] = {}
    xedges = [ln.value for ln in data.lines if ln.axis == "x"]
    yedges = [ln.value for ln in data.lines if ln.axis == "y"]
    for b in data.boxes:
        xedges += [b.x0, b.x1]
        yedges += [b.y0, b.y1]
    for p in sorted(data.points, key=lambda p: (-p.y, p.x)):
        letter = next(letters)
        r, c = cv.row(p.y), cv.col(p.x)
        # a point on the row or column of a line goes to the side of the line it is on
        for v in yedges:
            if cv.row(v) == r and p.y != v:
                r = min(max(r + (1 if p.y < v else -1), 0), h - 1)
        for v in xedges:
            if cv.col(v) == c and p.x != v:
                c = min(max(c + (-1 if p.x < v else 1), 0), w - 1)
        for dc in (0, 1, -1, 2, -2):
            if (r, c + dc) not in taken and 0 <= c + dc < w:
                c += dc
                break
        taken[(r, c)] = letter
        cv.put(r, c, letter)
        legend.append((letter, p))
    unlabelled: list[str] = []
    if data.regions is not None:
        xb = _cell_bounds(data.regions.xs, *xlim)
        yb = _cell_bounds(data.regions.ys, *ylim)
        for o, rects in _rectangles(data.regions, xb, yb).items():
            text = data.regions.labels[o]
            for i0, i1, j0, j1 in rects[:12]:
                c0, c1 = cv.col(xb[i0][0]) + 1, cv.col(xb[i1][1]) - 1
                r0, r1 = cv.row(yb[j1][1]) + 1, cv.row(yb[j0][0]) - 1
                spots = [((r0 + r1) // 2 + dr, (c0 + c1 - len(text)) // 2)
                         for dr in (0, -1, 1, -2, 2, -3, 3)]
                spots += [(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)]
                spot = next(((r, c) for r, c in spots
                             if r0 <= r <= r1 and c >= c0 and c + len(text) - 1 <= c1
                             and cv.free(r, c, text)), None)
                if spot is not None:
                    cv.put(*spot, text)
                    break
            else:
                unlabelled.append(text)
    for i, b in enumerate(data.boxes, 1):
        tag = f"[{i}]"
        r, c = cv.row(b.y1) - 1, cv.col(b.x0)
        for rr, cc in ((r, c), (r, c - len(tag)), (r + 2, cv.col(b.x1) + 1), (r - 1, c)):
            if cv.free(rr, cc, tag):
                cv.put(rr, cc, tag)
                break

    out.write(data.heading + "\n")
    for line in data.caption()[:2]:
        out.write(_fill(line, width) + "\n")
    out.write(f"{'↑ ' + _metric_label(data.y):<{gutter}}\n")

    ylabels: dict[int, str] = {}
    for v in _ticks(*ylim, [ln.value for ln in data.lines if ln.axis == "y"]):
        r = cv.row(v)
        if r not in ylabels and all(abs(r - k) > 0 for k in ylabels):
            ylabels[r] = fmt_number(v)
    line_rows = {cv.row(ln.value) for ln in data.lines if ln.axis == "y"}
    for r in range(h):
        tick = "┤" if r in ylabels else "│"
        label = ylabels.get(r, "")
        if r in line_rows:
            label = "▸" + label if len(label) < gutter - 1 else label
        out.write(f"{label:>{gutter - 1}} {tick}" + "".join(cv.chars[r]).rstrip() + "\n")

    axis = ["─"] * w
    xlabel_row = [" "] * w
    occupied: list[tuple[int, int]] = []
    for v in _ticks(*xlim, [ln.value for ln in data.lines if ln.axis == "x"]):
        c = cv.col(v)
        text = fmt_number(v)
        start = max(min(c - len(text) // 2, w - len(text)), 0)
        if any(start <= b + 1 and a <= start + len(text) for a, b in occupied):
            continue
        axis[c] = "┬"
        occupied.append((start, start + len(text) - 1))
        for k, ch in enumerate(text):
            xlabel_row[start + k] = ch
    out.write(" " * (gutter - 1) + " └" + "".join(axis) + "\n")
    out.write(" " * (gutter + 1) + "".join(xlabel_row).rstrip() + "\n")
    title = _metric_label(data.x) + " →"
    out.write(" " * (gutter + 1 + max((w - len(title)) // 2, 0)) + title + "\n")

    out.write("\n")
    for letter, p in legend:
        kind = "" if p.datacenter is not False else ", not datacenter"
        words = [f"{c}," for c in p.chips[:-1]] + [f"{p.chips[-1]}: {p.outcome}{kind}",
                                                   f"({_metric_label(data.x)}",
                                                   f"{fmt_number(p.x)},",
                                                   _metric_label(data.y),
                                                   f"{fmt_number(p.y)})"]
        out.write(_wrap(f"  {letter}  ", words, width) + "\n")
    if data.regions is None:
        for ln in data.lines:
            metric = data.x if ln.axis == "x" else data.y
            mark = "│" if ln.axis == "x" else "─"
            extra = " (decides only with another metric)" if ln.partial else ""
            out.write(f"  {mark}  {ln.label(metric)}{extra}\n")
    for i, b in enumerate(data.boxes, 1):
        out.write(f"  [{i}] {b.label(data.x, data.y)}\n")
    if unlabelled:
        out.write(f"  Regions too small to label here: {', '.join(unlabelled)}.\n")
    for note in data.caption()[2:]:
        out.write(_fill(note, width) + "\n")


def _fill(text: str, width: int) -> str:
    return textwrap.fill(text, width, subsequent_indent="  ", break_on_hyphens=False)


def _wrap(head: str, words: Sequence[str], width: int) -> str:
    """Words (chip names kept whole) after ``head``, wrapped under it at ``width``."""
    lines = [head]
    for word in words:
        if len(lines[-1]) > len(head) and len(lines[-1]) + 1 + len(word) > width:
            lines.append(" " * len(head) + word)
        else:
            lines[-1] += ("" if len(lines[-1]) == len(head) else " ") + word
    return "\n".join(lines)


# --- matplotlib -------------------------------------------------------------------------------


def _matplotlib() -> tuple[Any, Any]:
    """matplotlib and pyplot on the Agg backend, or how to install them."""
    try:
        import matplotlib
    except ImportError:
        raise DataError(INSTALL_HINT) from None
    mpl: Any = matplotlib
    mpl.use("Agg")
    import matplotlib.pyplot as plt

    return mpl, plt


def to_file(data: PlotData, out: Path) -> None:
    """Write the map as PNG (1600 x 1000 px) or SVG (text kept as text)."""
    suffix = Path(out).suffix.lower()
    if suffix not in (".png", ".svg"):
        raise UsageError(f"--out '{out}': the file must end in .png or .svg")
    mpl, plt = _matplotlib()
    rc = {"svg.fonttype": "none", "svg.hashsalt": "chipdb", "font.size": 9}
    with mpl.rc_context(rc):
        fig = _draw(plt, data)
        try:
            fig.savefig(out, format=suffix[1:], dpi=_DPI,
                        metadata={"Date": None} if suffix == ".svg" else None)
        except OSError as exc:
            raise DataError(f"cannot write {out}: {exc.strerror or exc}") from None
        finally:
            plt.close(fig)


def _draw(plt: Any, data: PlotData) -> Any:
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, Rectangle
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    fig = plt.figure(figsize=(_PX[0] / _DPI, _PX[1] / _DPI), dpi=_DPI)
    ax = fig.add_axes((0.065, 0.27, 0.69, 0.65))
    ax.set_xscale("log")
    ax.set_yscale("log")
    xlim, ylim = data.limits("x"), data.limits("y")
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    fmt = FuncFormatter(lambda v, _pos: fmt_number(v))
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        axis.set_major_formatter(fmt)
        axis.set_minor_locator(LogLocator(base=10, subs=tuple(range(1, 10))))
        axis.set_minor_formatter(NullFormatter())
    ax.tick_params(labelsize=8, colors="#555555")
    ax.grid(True, which="major", color="#e5e5e5", lw=0.6, zorder=0)
    ax.set_xlabel(_axis_title(data.x), fontsize=9.5)
    ax.set_ylabel(_axis_title(data.y), fontsize=9.5)
    ax.set_title(data.heading, loc="left", fontsize=12, fontweight="bold", pad=22)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)

    renderer = fig.canvas.get_renderer()
    obstacles: list[Any] = []

    # regions: shaded cells, the boundaries between outcomes, one label each
    if data.regions is not None:
        reg = data.regions
        xb, yb = _cell_bounds(reg.xs, *xlim), _cell_bounds(reg.ys, *ylim)
        for i, (x0, x1) in enumerate(xb):
            for j, (y0, y1) in enumerate(yb):
                ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, lw=0, zorder=0.5,
                                       facecolor=data.colour(reg.outcome[i][j]), alpha=0.13))
        segs = [((a, b), (c, d)) for a, b, c, d in _boundaries(reg, xb, yb)]
        ax.add_collection(LineCollection(segs, colors="#2c3e50", linewidths=1.4, zorder=1.5))
        _threshold_ticks(ax, data)
        _region_labels(ax, renderer, data, reg, xb, yb, obstacles)
    else:
        _metric_lines(ax, data)
    for b in data.boxes:
        colour = data.rule_colours.get(b.rule, "#7d6608")
        ax.add_patch(Rectangle((b.x0, b.y0), b.x1 - b.x0, b.y1 - b.y0, facecolor=colour,
                               alpha=0.3, edgecolor=colour, lw=1.2, zorder=1.2))

    # points: colour = verdict, shape = datacenter or not
    big = len(data.points) > 24
    size = 34 if big else 58
    for p in data.points:
        marker = "o" if p.datacenter is not False else "D"
        ax.scatter([p.x], [p.y], s=size if marker == "o" else size * 0.8, marker=marker,
                   facecolor=data.colour(p.outcome), edgecolor="#1b1b1b", linewidth=0.7,
                   zorder=4)
    ax_box = ax.get_window_extent(renderer)
    for p in data.points:
        cx, cy = ax.transData.transform((p.x, p.y))
        r = 5 if big else 6
        obstacles.append((cx - r, cy - r, cx + r, cy + r))
    if data.regions is None:
        _metric_line_labels(ax, renderer, data, obstacles)
    unlabelled = _chip_labels(ax, renderer, data, ax_box, obstacles, 7.2 if big else 8.5)
    for b in data.boxes:
        _box_label(ax, renderer, data, b, ax_box, obstacles)

    # legend: outcomes (colour) and kinds of chip (shape)
    handles: list[Any] = [Patch(facecolor=data.colour(o), edgecolor="#1b1b1b", lw=0.6,
                                label=o) for o in data.outcomes]
    kinds = {p.datacenter is not False for p in data.points}
    if True in kinds:
        handles.append(Line2D([], [], marker="o", ls="", color="#777777", mec="#1b1b1b",
                              label="datacenter chip"))
    if False in kinds:
        handles.append(Line2D([], [], marker="D", ls="", color="#777777", mec="#1b1b1b",
                              markersize=5.5, label="not for datacenters"))
    if data.regions is None and any(ln.partial for ln in data.lines):
        handles.append(Line2D([], [], ls=":", color="#555555",
                              label="line needs another metric too"))
    for b_rule in dict.fromkeys(b.rule for b in data.boxes):
        handles.append(Patch(facecolor=data.rule_colours.get(b_rule, "#7d6608"), alpha=0.35,
                             label=f"{b_rule} box"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8.5,
              title=f"verdict under {data.rule}\non {data.day.isoformat()}", title_fontsize=8.5,
              frameon=False, alignment="left")

    caption = data.caption()
    if unlabelled:
        caption.append(f"{unlabelled} crowded points unlabelled: name chips "
                       "(chipdb plot NAME ...) to label them.")
    fig.text(0.065, 0.155, caption[0], fontsize=9, fontweight="bold", va="top",
             color="#222222")
    fig.text(0.065, 0.155 - 0.024, "\n".join(caption[1:]), fontsize=8, va="top",
             color="#444444", linespacing=1.45)
    return fig


def _threshold_ticks(ax: Any, data: PlotData) -> None:
    """The line values on the top and right edges, where the lines meet them."""
    from matplotlib.ticker import NullLocator

    xs = sorted({ln.value for ln in data.lines if ln.axis == "x"})
    ys = sorted({ln.value for ln in data.lines if ln.axis == "y"})
    top = ax.secondary_xaxis("top")
    top.set_xticks(xs, labels=[fmt_number(v) for v in xs])
    top.xaxis.set_minor_locator(NullLocator())
    right = ax.secondary_yaxis("right")
    right.set_yticks(ys, labels=[fmt_number(v) for v in ys])
    right.yaxis.set_minor_locator(NullLocator())
    for sec in (top, right):
        sec.tick_params(labelsize=8.5, colors="#2c3e50", length=5, width=1.2)
        for lab in (sec.get_xticklabels() if sec is top else sec.get_yticklabels()):
            lab.set_fontweight("bold")
        sec.spines[:].set_visible(False)


def _region_labels(ax: Any, renderer: Any, data: PlotData, reg: Regions,
                   xb: Sequence[tuple[float, float]], yb: Sequence[tuple[float, float]],
                   obstacles: list[Any]) -> None:
    pts = [ax.transData.transform((p.x, p.y)) for p in data.points]
    for o, rects in _rectangles(reg, xb, yb).items():
        colour = data.colour(o)
        text = ax.text(0, 0, reg.labels[o], ha="center", va="center", fontsize=12,
                       fontweight="bold", color=colour, alpha=0.9, zorder=2)
        # the block and direction where the label fits largest (upright before rotated)
        chosen: tuple[float, int, tuple[float, float, float, float]] | None = None
        for rotation in (0, 90):
            text.set_rotation(rotation)
            for i0, i1, j0, j1 in rects[:12]:
                x0, y0 = ax.transData.transform((xb[i0][0], yb[j0][0]))
                x1, y1 = ax.transData.transform((xb[i1][1], yb[j1][1]))
                for size in (12, 11, 10, 9, 8, 7, 0):
                    if not size:
                        break
                    text.set_fontsize(size)
                    bb = text.get_window_extent(renderer)
                    if bb.width <= (x1 - x0) - 8 and bb.height <= (y1 - y0) - 6:
                        break
                if chosen is None or size > chosen[0]:
                    chosen = (size, rotation, (x0, y0, x1, y1))
            if chosen is not None and chosen[0] >= 9:
                break
        assert chosen is not None
        text.set_fontsize(max(chosen[0], 7))
        text.set_rotation(chosen[1])
        x0, y0, x1, y1 = chosen[2]
        best, best_score = ((x0 + x1) / 2, (y0 + y1) / 2), -1e9
        bb = text.get_window_extent(renderer)
        half_w, half_h = bb.width / 2 + 4, bb.height / 2 + 3
        for fx in (0.5, 0.3, 0.7, 0.15, 0.85):
            for fy in (0.5, 0.75, 0.25, 0.88, 0.12):
                cx = min(max(x0 + (x1 - x0) * fx, x0 + half_w), x1 - half_w) \
                    if x1 - x0 > 2 * half_w else (x0 + x1) / 2
                cy = min(max(y0 + (y1 - y0) * fy, y0 + half_h), y1 - half_h) \
                    if y1 - y0 > 2 * half_h else (y0 + y1) / 2
                near = min((math.hypot(cx - px, cy - py) for px, py in pts), default=1e9)
                score = min(near, 80.0) - 4 * abs(fx - 0.5) - 4 * abs(fy - 0.5)
                if score > best_score:
                    best, best_score = (cx, cy), score
        text.set_position(ax.transData.inverted().transform(best))
        bb = text.get_window_extent(renderer)
        obstacles.append((bb.x0 - 2, bb.y0 - 2, bb.x1 + 2, bb.y1 + 2))


def _metric_lines(ax: Any, data: PlotData) -> None:
    for ln in data.lines:
        colour = data.rule_colours.get(ln.rules[0][0], "#34495e")
        style = ":" if ln.partial else "--"
        draw = ax.axvline if ln.axis == "x" else ax.axhline
        draw(ln.value, color=colour, ls=style, lw=1.3, zorder=1.5)


def _metric_line_labels(ax: Any, renderer: Any, data: PlotData, obstacles: list[Any]) -> None:
    """Each line's rule, clause and value along it, at whichever end crowds fewer points."""
    for ln in sorted(data.lines, key=lambda ln: ln.axis != "y"):  # the wide labels first
        colour = data.rule_colours.get(ln.rules[0][0], "#34495e")
        label = ln.label(data.x if ln.axis == "x" else data.y)
        spots: list[tuple[tuple[float, float], str, str, float]] = []
        for frac in (1.0, 0.0, 0.5, 0.75, 0.25):
            if ln.axis == "x":
                va, dy = ("top", -4) if frac == 1.0 else ("bottom", 4) if frac == 0.0 \
                    else ("center", 0)
                spots += [((3, dy), "left", va, frac), ((-3, dy), "right", va, frac)]
            else:
                ha, dx = ("left", 4) if frac == 0.0 else ("right", -4) if frac == 1.0 \
                    else ("center", 0)
                spots += [((dx, 2), ha, "bottom", frac), ((dx, -2), ha, "top", frac)]
        xy: tuple[float, float] = (ln.value, 1.0) if ln.axis == "x" else (0.0, ln.value)
        coords = ("data", "axes fraction") if ln.axis == "x" else ("axes fraction", "data")
        text = ax.annotate(label, xy, xycoords=coords, textcoords="offset points",
                           xytext=(0, 0), fontsize=7.5, color=colour, zorder=3,
                           rotation=90 if ln.axis == "x" else 0,
                           bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none",
                                     alpha=0.7))
        best: tuple[float, int] | None = None
        for k in range(len(spots)):
            _set_spot(text, ln, spots[k])
            bb = text.get_window_extent(renderer)
            bad = sum(_overlap((bb.x0, bb.y0, bb.x1, bb.y1), o) for o in obstacles)
            bad += 0.0 if spots[k][3] in (0.0, 1.0) else 30.0  # the ends read best
            if best is None or bad < best[0]:
                best = (bad, k)
        assert best is not None
        _set_spot(text, ln, spots[best[1]])
        bb = text.get_window_extent(renderer)
        obstacles.append((bb.x0, bb.y0, bb.x1, bb.y1))


def _set_spot(text: Any, ln: Line, spot: tuple[tuple[float, float], str, str, float]) -> None:
    (dx, dy), ha, va, frac = spot
    text.xy = (ln.value, frac) if ln.axis == "x" else (frac, ln.value)
    text.set_position((dx, dy))
    text.set_ha(ha)
    text.set_va(va)


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


_OFFSETS = [(1.0, 0.0, "left", "center"), (-1.0, 0.0, "right", "center"),
            (0.7, 0.7, "left", "bottom"), (0.7, -0.7, "left", "top"),
            (-0.7, 0.7, "right", "bottom"), (-0.7, -0.7, "right", "top"),
            (0.0, 1.0, "center", "bottom"), (0.0, -1.0, "center", "top")]


def _place(ax: Any, renderer: Any, xy: tuple[float, float], text: str, ax_box: Any,
           obstacles: list[Any], style: dict[str, Any], rings: Sequence[float],
           offsets: Sequence[tuple[float, float, str, str]] = _OFFSETS) -> tuple[Any, float]:
    """Try offsets around ``xy`` (points) until the text overlaps nothing; the least-bad else."""
    probe = ax.annotate(text, xy, xytext=(0, 0), textcoords="offset points", **style)
    best: tuple[float, tuple[float, float, str, str]] | None = None
    for ring in rings:
        for dx, dy, ha, va in offsets:
            cand = (dx * ring, dy * ring, ha, va)
            probe.set_position(cand[:2])
            probe.set_ha(ha)
            probe.set_va(va)
            bb = probe.get_window_extent(renderer)
            box = (bb.x0 - 1.5, bb.y0 - 1.5, bb.x1 + 1.5, bb.y1 + 1.5)
            outside = (max(ax_box.x0 - box[0], 0) + max(box[2] - ax_box.x1, 0)
                       + max(ax_box.y0 - box[1], 0) + max(box[3] - ax_box.y1, 0))
            bad = sum(_overlap(box, o) for o in obstacles) + outside * 1000
            if best is None or bad < best[0]:
                best = (bad, cand)
            if bad == 0:
                break
        if best is not None and best[0] == 0:
            break
    probe.remove()
    assert best is not None
    bad, (dx, dy, ha, va) = best
    leader = math.hypot(dx, dy) > rings[0] * 1.5
    arrow = dict(arrowstyle="-", color="#777777", lw=0.6, shrinkA=0, shrinkB=2) \
        if leader else None
    final = ax.annotate(text, xy, xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                        arrowprops=arrow, **style)
    bb = final.get_window_extent(renderer)
    obstacles.append((bb.x0, bb.y0, bb.x1, bb.y1))
    return final, bad


def _chip_labels(ax: Any, renderer: Any, data: PlotData, ax_box: Any, obstacles: list[Any],
                 size: float) -> int:
    """Label every point where there is room; returns how many could not be labelled."""
    unlabelled = 0
    order = sorted(data.points, key=lambda p: -len(p.chips))
    for p in order:
        text = _point_label(p.chips)
        style = {"fontsize": size, "color": "#1b1b1b", "zorder": 5,
                 "bbox": dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.75)}
        placed = _place(ax, renderer, (p.x, p.y), text, ax_box, obstacles, style,
                        (7, 16, 28, 42, 58))
        if placed[1] > 0 and not data.named and len(data.points) > 24:
            placed[0].remove()
            obstacles.pop()
            unlabelled += 1
    return unlabelled


def _box_label(ax: Any, renderer: Any, data: PlotData, b: Box, ax_box: Any,
               obstacles: list[Any]) -> None:
    colour = data.rule_colours.get(b.rule, "#7d6608")
    text = f"{b.rule} {b.clause}\n{_metric_label(data.x)} {fmt_number(b.x0)}–" \
           f"{fmt_number(b.x1)}\n{_metric_label(data.y)} {fmt_number(b.y0)}–{fmt_number(b.y1)}"
    style = {"fontsize": 7.5, "color": colour, "zorder": 5,
             "bbox": dict(boxstyle="round,pad=0.2", fc="white", ec=colour, lw=0.6, alpha=0.85)}
    above = [o for o in _OFFSETS if o[1] > 0] + [o for o in _OFFSETS if o[1] <= 0]
    _place(ax, renderer, (b.x0, b.y1), text, ax_box, obstacles, style, (14, 30, 50, 75),
           above)
