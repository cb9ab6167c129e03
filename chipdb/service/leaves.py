"""Leaf truths of text metrics as base-3 digits, and the small helpers the batch classifier reads.

A leaf is one comparison of a rule (``tpp >= 4800``); its truth for a row is 0 (false), 1
(true) or 2 (unknown), one digit of the row's pattern (``service.classify``); the engine gives
a numeric leaf's digits (``engine.digits.truth_digits``), this module a text leaf's, asked of
it once per distinct word.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from chipdb.engine import (
    Comparison,
    Criterion,
    MetricTable,
    RuleDefinition,
    RuleOutcome,
    order_rules,
)
from chipdb.engine.digits import truth_digits

IntArray = npt.NDArray[np.int64]
DigitArray = npt.NDArray[np.int8]
FloatArray = npt.NDArray[np.float64]
# a text column as (its distinct words, each row's index into them)
Factor = tuple[Sequence[Any], npt.NDArray[np.int64]]


def line_key(comp: Comparison) -> tuple[str, str, Any]:
    return comp.subject, comp.op, comp.value


def line_name(comp: Comparison) -> str:
    """A line as a cell: ``tpp >= 4800``, ``memory_bandwidth_gbps + bidirectional_io_gbps >=
    1700`` (the rule's own metric names and operator, so the cell reads back unambiguously)."""
    value = comp.value
    assert isinstance(value, float)
    shown = str(int(value)) if value.is_integer() else repr(value)
    return f"{comp.subject} {comp.op} {shown}"


def crossing(op: str, threshold: float, holds: bool) -> float:
    """The nearest value on the other side of ``value op threshold`` from where it is now."""
    below, above = math.nextafter(threshold, -math.inf), math.nextafter(threshold, math.inf)
    true_side = {">=": threshold, ">": above, "<": below, "<=": threshold}[op]
    false_side = {">=": below, ">": threshold, "<": threshold, "<=": above}[op]
    return false_side if holds else true_side


def sum_of(cols: Mapping[str, np.ndarray[Any, Any]], metrics: Sequence[str], n: int
         ) -> FloatArray:
    total = np.asarray(cols.get(metrics[0], np.full(n, np.nan)), dtype=np.float64)
    for name in metrics[1:]:
        total = total + np.asarray(cols.get(name, np.full(n, np.nan)), dtype=np.float64)
    return total


def opaque(criterion: Criterion) -> bool:
    """Whether a criterion tree holds a leaf that is neither a comparison nor a verdict."""
    if isinstance(criterion, Comparison | RuleOutcome):
        return False
    children = criterion.children
    return not children or any(opaque(child) for child in children)


def text_code(leaf: Comparison, table: MetricTable, factor: Factor | None = None
               ) -> DigitArray:
    """A text comparison's codes, asked of the engine once per distinct word in the column
    (``factor``: the column already as codes into its words)."""
    if factor is not None:
        words_, index = factor
        small_ = np.empty(len(words_), dtype=object)
        small_[:] = list(words_)
        truth = truth_digits(leaf, MetricTable({leaf.metrics[0]: small_}, len(words_)))
        return truth[index]
    column = table.text(leaf.metrics[0])
    if len(column) > 1 and (column == column[0]).all():  # one word: a family none names
        one = truth_digits(leaf, MetricTable({leaf.metrics[0]: column[:1]}, 1))
        return np.full(len(column), one[0], dtype=np.int8)
    words = list(dict.fromkeys(column.tolist()))
    small = np.empty(len(words), dtype=object)
    small[:] = words
    found = truth_digits(leaf, MetricTable({leaf.metrics[0]: small}, len(words))).tolist()
    lookup = dict(zip(words, found, strict=True))
    return np.fromiter(map(lookup.__getitem__, column.tolist()), dtype=np.int8,
                       count=len(column))


def closure(rule: RuleDefinition, by_id: Mapping[str, RuleDefinition]
             ) -> list[RuleDefinition]:
    seen: dict[str, RuleDefinition] = {}

    def visit(r: RuleDefinition) -> None:
        for dep in r.depends_on:
            if dep in by_id and dep not in seen:
                visit(by_id[dep])
        seen[r.id] = r

    visit(rule)
    return order_rules(seen.values())
