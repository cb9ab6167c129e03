"""Frontier: how far a design's chosen inputs can scale together before a target outcome goes.

Scaling inputs by ``s`` moves every metric a rule compares along a known curve: the sum of
scaled inputs is affine in ``s`` (``a + b s``), a ratio of a scaled input to an unscaled one
is ``c s``, the inverse ratio ``c / s``. Each curve is read from the metrics at s = 1, 2 and 4
(``metrics_from_inputs``, the one definition of every metric) and checked to be one of those
shapes; each comparison of the target rule, and of the rules it reads, then crosses its line
at one factor, solved exactly. The outcome can only change at those factors, so the engine is
asked at each one and just below and just above it (a relative 1e-9 away), all in one
vectorized evaluation: the largest factor that keeps the target and the nearest one that
loses it are both points the engine evaluated, never samples of a grid.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from chipdb.errors import DataError, UsageError
from chipdb.metricdefs import INPUT_KEYS, METRICS

EPS = 1e-9
_FAR = 1e6  # the factor beyond which nothing is looked for


@dataclass(frozen=True)
class Frontier:
    rule: str
    target: str
    scaled: tuple[str, ...]
    base: dict[str, float]  # the scaled inputs at factor 1
    keeps_up_to: float | None  # None: the target holds at any factor up to _FAR
    kept: dict[str, float]  # the inputs at that factor
    crosses_at: float | None
    crossed: dict[str, float]
    line: str | None  # the line whose crossing loses the target
    becomes: str | None  # the outcome there


def _matches(outcome: str, target: str) -> bool:
    return outcome.startswith(target[:-1]) if target.endswith("*") else outcome == target


def parse_target(text: str, rules: Sequence[Any]) -> tuple[Any, str]:
    rule_id, sep, outcome = text.partition("=")
    if not sep or not rule_id.strip() or not outcome.strip():
        raise UsageError(f"--target takes RULE=OUTCOME (OUTCOME* for a prefix), not '{text}'")
    by_id = {r.id: r for r in rules}
    rule = by_id.get(rule_id.strip())
    if rule is None:
        raise UsageError(f"--target: unknown rule '{rule_id.strip()}'; `chipdb rules` lists them")
    return rule, outcome.strip()


def scaled_inputs(inputs: Mapping[str, Any], keys: Sequence[str]) -> dict[str, float]:
    """The base value of each key to scale: as set, or the base design's metric of that name."""
    from chipdb.metrics import columns_from_inputs, metrics_from_inputs

    metrics = metrics_from_inputs(columns_from_inputs([dict(inputs)]), 1)
    out: dict[str, float] = {}
    for key in keys:
        if INPUT_KEYS.get(key) != "number":
            raise UsageError(f"--scale: '{key}' is not a numeric key of `chipdb what-if --set`")
        value = inputs.get(key)
        if value is None and key in METRICS and key in metrics:
            value = float(metrics[key][0])
        if value is None or math.isnan(float(value)):
            raise UsageError(f"--scale: the design has no {key} to scale; --set it")
        out[key] = float(value)
    return out


def _designs(inputs: Mapping[str, Any], base: Mapping[str, float], factors: Sequence[float]
             ) -> dict[str, np.ndarray[Any, Any]]:
    from chipdb.metrics import columns_from_inputs, metrics_from_inputs

    rows = [dict(inputs, **{k: v * f for k, v in base.items()}) for f in factors]
    return metrics_from_inputs(columns_from_inputs(rows), len(rows))


def crossings(rule: Any, rules: Sequence[Any], inputs: Mapping[str, Any],
              base: Mapping[str, float]) -> list[tuple[float, str]]:
    """(factor, line) where each comparison of the rule and of the rules it reads is crossed."""
    from chipdb.service.leaves import line_name

    by_id = {r.id: r for r in rules}
    members, todo = {}, [rule]
    while todo:
        r = todo.pop()
        members[r.id] = r
        todo += [by_id[d] for d in r.depends_on if d in by_id and d not in members]
    cols = _designs(inputs, base, [1.0, 2.0, 4.0])
    found: list[tuple[float, str]] = []
    for member in members.values():
        for _, comp in member.comparisons():
            if "export_year" in comp.metrics or not isinstance(comp.value, float):
                continue
            v1, v2, v4 = (sum(float(cols[m][i]) for m in comp.metrics) for i in range(3))
            if any(math.isnan(v) for v in (v1, v2, v4)):
                continue
            factor = _solve(v1, v2, v4, comp.value)
            if factor is not None and 0 < factor < _FAR:
                found.append((factor, line_name(comp)))
    return sorted(set(found))


def _solve(v1: float, v2: float, v4: float, threshold: float) -> float | None:
    """The factor s where a curve through (1, v1), (2, v2), (4, v4) meets the threshold."""
    slope = v2 - v1
    if math.isclose(v4 - v2, 2 * slope, rel_tol=1e-9, abs_tol=1e-12 * max(1.0, abs(v1))):
        if slope == 0:
            return None
        return (threshold - (v1 - slope)) / slope  # affine: v = a + b s
    if math.isclose(v2 * 2, v1, rel_tol=1e-9) and math.isclose(v4 * 4, v1, rel_tol=1e-9):
        return v1 / threshold if threshold else None  # inverse: v = c / s
    raise DataError("a scaled metric is neither affine nor inverse in the factor; "
                    "scale fewer inputs")


def frontier(rules: Sequence[Any], inputs: Mapping[str, Any], target: str,
             keys: Sequence[str], as_of: date) -> Frontier:
    from chipdb.engine import MetricTable, evaluate_table

    rule, word = parse_target(target, rules)
    if not rule.in_force(as_of):
        raise UsageError(f"--target: {rule.id} is not in force on {as_of}; use --as-of")
    base = scaled_inputs(inputs, keys)
    lines = crossings(rule, rules, inputs, base)
    points: list[tuple[float, str | None]] = [(1.0, None)]
    for factor, line in lines:
        if factor > 1.0:
            points += [(factor * (1 - EPS), line), (factor, line), (factor * (1 + EPS), line)]
    points.sort(key=lambda p: p[0])
    cols = _designs(inputs, base, [f for f, _ in points])
    outcome = evaluate_table(rules, MetricTable(cols, len(points)), as_of)[rule.id].outcome
    if not _matches(str(outcome[0]), word):
        raise DataError(f"the base design is {outcome[0]} under {rule.id}, not {word}: "
                        "nothing to keep")
    for i in range(1, len(points)):
        if not _matches(str(outcome[i]), word):
            keep, cross = points[i - 1][0], points[i][0]
            return Frontier(rule.id, word, tuple(keys), base, keep,
                            {k: v * keep for k, v in base.items()}, cross,
                            {k: v * cross for k, v in base.items()}, points[i][1],
                            str(outcome[i]))
    return Frontier(rule.id, word, tuple(keys), base, None, {}, None, {}, None, None)


def frontier_rows(f: Frontier) -> list[dict[str, Any]]:
    """One row per scaled input: its value at 1, at the largest kept factor, at the crossing."""
    return [{"rule": f.rule, "target": f.target, "input": key, "base": f.base[key],
             "keeps_up_to": f.keeps_up_to, "kept": f.kept.get(key),
             "crosses_at": f.crosses_at, "crossed": f.crossed.get(key), "line": f.line,
             "becomes": f.becomes} for key in f.scaled]
