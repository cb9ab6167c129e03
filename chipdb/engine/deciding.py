"""What a range leaves open: the exact outcomes inside it, and the lines that would decide.

The vectorized pass (``evaluate``) decides each clause in three-valued logic, which is sound
but loose over ranges: it cannot see that ".b.1 fails" and ".a.2 holds" are the same fact
(performance density ≥ 5.92). A rule's outcome changes only at its lines, so for a row some
rule leaves open, every numeric metric whose range (an unknown value: any value, 0 to ∞) holds
a line of any rule is cut at those lines, and points are probed: each end, each line and one
point inside each piece, the product over the open metrics. The probes are rows of one more
table, evaluated by the same pass (``run``, which is ``evaluate``: passed in, so this module
does not import it back); the outcomes they reach are the outcomes the range can have, and a
line decides when the outcome just below it differs from the one just above.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from chipdb.engine.columns import MetricTable
from chipdb.engine.model import Deciding, RuleDefinition
from chipdb.metricdefs import HIGH, LOW, RATIOS

MAX_PROBES = 4096  # per row; past it the row keeps the three-valued answer (still sound)


@dataclass(frozen=True)
class Axis:
    metric: str
    lines: tuple[float, ...]  # the lines strictly inside the range
    values: tuple[float, ...]  # probe points, ascending
    pieces: tuple[int, ...]  # index in ``values`` of the point inside each piece


@dataclass(frozen=True)
class Probed:
    """One row's probes: the outcome masks each rule reached and the lines that decide."""

    masks: dict[str, int]
    lines: dict[str, tuple[Deciding, ...]]


def rule_lines(rules: Sequence[RuleDefinition]) -> dict[str, list[float]]:
    """Every line any rule draws on one metric, per metric, sorted."""
    found: dict[str, set[float]] = {}
    for rule in rules:
        for _, comp in rule.comparisons():
            if len(comp.metrics) == 1 and isinstance(comp.value, float):
                found.setdefault(comp.metrics[0], set()).add(comp.value)
    return {m: sorted(v) for m, v in found.items()}


def sum_lines(rules: Sequence[RuleDefinition]) -> list[tuple[tuple[str, ...], float]]:
    """Every line any rule draws on a sum of metrics (memory + interconnect ≥ 1,700)."""
    found: set[tuple[tuple[str, ...], float]] = set()
    for rule in rules:
        for _, comp in rule.comparisons():
            if len(comp.metrics) > 1 and isinstance(comp.value, float):
                found.add((tuple(comp.metrics), comp.value))
    return sorted(found)


def _row_lines(table: MetricTable, i: int, lines: Mapping[str, list[float]],
               sums: Sequence[tuple[tuple[str, ...], float]]) -> dict[str, list[float]]:
    """Row ``i``'s lines per metric: each rule's own, and a sum's line on one addend where
    the others are points (memory 1,229 GB/s: the 1,700 line is interconnect 471 GB/s)."""
    out = {m: list(v) for m, v in lines.items()}
    for metrics, value in sums:
        points = {}
        for m in metrics:
            lows, highs = table.bounds(m)
            low, high = float(lows[i]), float(highs[i])
            if not math.isnan(low) and low == high:
                points[m] = low
        for m in metrics:
            others = [points.get(o) for o in metrics if o != m]
            if m not in points and all(o is not None for o in others):
                rest = value - sum(o for o in others if o is not None)
                if rest > 0 and rest not in out.get(m, []):
                    out[m] = sorted([*out.get(m, []), rest])
    return out


def ranged_rows(table: MetricTable) -> npt.NDArray[np.bool_]:
    """Rows where some metric is a range that is not a point (unknown is not a range)."""
    out = np.zeros(table.size, dtype=bool)
    for name in {k.removesuffix(LOW).removesuffix(HIGH) for k in table.columns
                 if k.endswith((LOW, HIGH))}:
        low, high = table.bounds(name)
        with np.errstate(invalid="ignore"):
            out |= low < high
    return out


def relevant(rules: Sequence[RuleDefinition]) -> dict[str, set[str]]:
    """The metrics each rule's outcome can depend on: its own and its dependencies'."""
    by_id = {r.id: r for r in rules}
    out: dict[str, set[str]] = {}

    def visit(rule: RuleDefinition) -> set[str]:
        if rule.id not in out:
            found = {m for _, comp in rule.comparisons() for m in comp.metrics}
            for dep in rule.depends_on:
                if dep in by_id:
                    found |= visit(by_id[dep])
            out[rule.id] = found
        return out[rule.id]

    for rule in rules:
        visit(rule)
    return out


def _axes(table: MetricTable, i: int, lines: Mapping[str, list[float]],
          only: set[str] | None = None) -> list[Axis]:
    """The open metrics of row ``i``: ranges only, or (``only`` given) also unknown values
    among the metrics ``only`` names."""
    axes = []
    for metric, values in lines.items():
        if only is not None and metric not in only:
            continue
        lows, highs = table.bounds(metric)
        low, high = float(lows[i]), float(highs[i])
        if math.isnan(low) or math.isnan(high):
            if only is None:
                continue
            low, high = 0.0, math.inf
        if low == high:
            continue
        inside = [v for v in values if low < v < high]
        on_edge = [v for v in values if v in (low, high)]
        if not inside and not on_edge:
            continue
        edges = [low, *inside, high]
        mids = [(a + b) / 2 if math.isfinite(b) else a * 2 + 1
                for a, b in itertools.pairwise(edges)]
        # refining needs the ends and the lines themselves; words only one point per piece
        points = sorted({*(e for e in edges if math.isfinite(e)), *mids} if only is None
                        else set(mids))
        axes.append(Axis(metric, tuple(inside), tuple(points),
                         tuple(points.index(m) for m in mids)))
    return axes


def probe(
    rules: Sequence[RuleDefinition], table: MetricTable, as_of: date,
    rows: Iterable[tuple[int, str | None]],
    run: Callable[[Sequence[RuleDefinition], MetricTable, date], Mapping[str, Any]],
) -> dict[tuple[int, str | None], Probed]:
    """Probe each (row, rule) in ``rows``; ``run`` evaluates a table (the engine's
    ``evaluate``). With rule None, the row's ranges are probed for every rule (refining the
    outcomes); with a rule id, the metrics that rule reads, unknown ones too (for words)."""
    lines = rule_lines(rules)
    sums = sum_lines(rules)
    reads = relevant(rules)
    plans: list[tuple[tuple[int, str | None], list[Axis], int, int]] = []
    total = 0
    for i, rid in rows:
        axes = _axes(table, i, _row_lines(table, i, lines, sums) if sums else lines,
                     None if rid is None else reads[rid])
        while rid is not None and len(axes) > 1 and math.prod(
                len(a.values) for a in axes) > MAX_PROBES:
            axes.remove(max(axes, key=lambda a: len(a.values)))  # words for the rest
        count = math.prod(len(a.values) for a in axes)
        if not axes or count > MAX_PROBES:
            continue
        plans.append(((i, rid), axes, total, count))
        total += count
    out: dict[tuple[int, str | None], Probed] = {}
    if not total:
        return out
    # one probe row per combination of the axes' points, in itertools.product order (the
    # last axis fastest), written column-wise: a row-by-row loop cost seconds per seeding
    index = np.repeat(np.array([key[0] for key, *_ in plans]),
                      np.array([count for *_, count in plans]))
    cols = {name: col[index] for name, col in table.columns.items()}
    for _key, axes, start, count in plans:
        grids = np.meshgrid(*(np.asarray(a.values) for a in axes), indexing="ij")
        for axis, grid in zip(axes, grids, strict=True):
            flat = grid.ravel()
            for name in (axis.metric, axis.metric + LOW, axis.metric + HIGH):
                if name not in cols and name == axis.metric:
                    cols[name] = np.full(total, np.nan)
                if name in cols:
                    cols[name][start:start + count] = flat
    results = run(rules, MetricTable(cols, total), as_of)
    for key, axes, start, count in plans:
        shape = [len(a.values) for a in axes]
        masks: dict[str, int] = {}
        found: dict[str, tuple[Deciding, ...]] = {}
        for rid, res in results.items():
            if res.possible is None or key[1] not in (None, rid):
                continue
            part = res.possible.mask[start:start + count]
            masks[rid] = int(np.bitwise_or.reduce(part))
            words = res.outcome[start:start + count].reshape(shape)
            found[rid] = tuple(_lines(table, key[0], axes, words))
        out[key] = Probed(masks, found)
    return out


def _lines(table: MetricTable, i: int, axes: list[Axis], words: np.ndarray) -> list[Deciding]:
    found: list[Deciding] = []
    for a, axis in enumerate(axes):
        for j, value in enumerate(axis.lines):
            below = np.take(words, [axis.pieces[j]], axis=a).ravel().tolist()
            above = np.take(words, [axis.pieces[j + 1]], axis=a).ravel().tolist()
            pairs = {(str(b), str(h)) for b, h in zip(below, above, strict=True) if b != h}
            if not pairs:
                continue
            low = " or ".join(dict.fromkeys(p[0] for p in sorted(pairs)))
            high = " or ".join(dict.fromkeys(p[1] for p in sorted(pairs)))
            found.append(_as_input(table, i, Deciding(axis.metric, value, low, high)))
    return found


def _as_input(table: MetricTable, i: int, line: Deciding) -> Deciding:
    """A line on a ratio read as a line on its denominator when the numerator is a point:
    performance density 5.92 at TPP 3,152 is an applicable die area of 532 mm² (swapped)."""
    if line.metric not in RATIOS or line.value <= 0:
        return line
    numerator, denominator = RATIOS[line.metric]
    lows, highs = table.bounds(numerator)
    top = float(lows[i])
    if math.isnan(top) or top != float(highs[i]) or top <= 0:
        return line
    return Deciding(denominator, round(top / line.value, 6), line.outcome_above,
                    line.outcome_below)
