"""Batch rows whose inputs are ranges (``600..850``): answered by the engine itself, not a lookup.

A pattern of leaf truths cannot tell a range that straddles a line from a value nobody knows,
so the lookup (``service.classify``) sees a ranged row's point columns only (the range reads
as unknown there, and no pattern learns a ranged answer), and the rows with a range are then
evaluated by the engine (``engine.evaluate``), which probes each range at the lines inside it:
the outcome is the set of outcomes the range can reach ("3A090.a.1 or 3A090.a.2"), the clause
is the one that decided when that set is one outcome, and the line is the first of the rule's
own lines inside the range that changes the answer. A range has no single margin: those cells
stay empty.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from chipdb.metricdefs import HIGH, LOW

IntArray = npt.NDArray[np.int64]


def point_columns(metrics: Mapping[str, np.ndarray[Any, Any]]) -> dict[str, np.ndarray[Any, Any]]:
    """The metric columns less the ends of ranges: a ranged row's point is unknown (NaN)."""
    return {k: v for k, v in metrics.items() if not k.endswith((LOW, HIGH))}


def ranged_rows(metrics: Mapping[str, np.ndarray[Any, Any]], n: int) -> IntArray:
    """Rows where some metric is a range that is not a point."""
    from chipdb.engine import MetricTable
    from chipdb.engine.deciding import ranged_rows as engine_ranged

    if not any(k.endswith((LOW, HIGH)) for k in metrics):
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(engine_ranged(MetricTable(metrics, n)))


def answer_ranged(rules: Sequence[Any], lookups: Mapping[str, Any], out: Mapping[str, Any],
                  metrics: Mapping[str, np.ndarray[Any, Any]], rows: IntArray,
                  as_of: date) -> None:
    """Overwrite ``out`` (rule id -> RuleColumns) at ``rows`` with the engine's answers."""
    from chipdb.engine import MetricTable, Part, evaluate

    sub = MetricTable({k: v[rows] for k, v in metrics.items()}, len(rows))
    found = evaluate(list(rules), sub, as_of, keep=False)
    for rule_id, got in out.items():
        lookup, result = lookups[rule_id], found.results[rule_id]
        # a rule without lines shares one read-only "no line" set (Classifier._no_line)
        for name in ("line", "margin", "margin_pct"):
            if not getattr(got, name).flags.writeable:
                setattr(got, name, getattr(got, name).copy())
        for k, row in enumerate(rows.tolist()):
            got.outcome[row] = _code(lookup.outcomes, str(result.outcome[k]))
            decision = result.decision(k)
            clause = ("" if not decision.determined or decision.part is Part.DEFAULT
                      else decision.clause(lookup.rule).head)
            got.clause[row] = _code(lookup.clauses, clause)
            got.line[row] = _line(lookup.lines, found.lines.get((k, rule_id), ()))
            got.margin[row] = got.margin_pct[row] = np.nan


def _line(lines: Sequence[Any], deciding: Sequence[Any]) -> int:
    """The first deciding line that is one of the rule's own lines (by metric and value)."""
    for d in deciding:
        for j, comp in enumerate(lines):
            if comp.metrics == (d.metric,) and comp.value == d.value:
                return j
    return -1


def _code(vocab: list[str], word: str) -> int:
    if word not in vocab:
        vocab.append(word)
    return vocab.index(word)
