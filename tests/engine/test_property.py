"""The one evaluation path, held by properties over random metric rows and every bundled rule.

The engine decides column-wise and explains from the truths it kept (``engine/evaluate.py``).
These properties check that against a plain-Python Kleene reference written here, row by row:
every kept node truth, every margin's ``met``, the outcome, the missing metrics and the
reason's head must agree with it, and a row's verdicts must not depend on the rows around it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from chipdb.engine import (
    OPERATORS,
    AllOf,
    AnyOf,
    Comparison,
    Criterion,
    MetricTable,
    Part,
    RuleDefinition,
    RuleOutcome,
    evaluate,
    evaluate_on,
    order_rules,
)
from chipdb.engine.dated import period_starts
from chipdb.metricdefs import BOOLEAN_METRICS, DATE_METRICS, METRICS, TEXT_METRICS
from tests.engine.rules import RULES

ALL = list(RULES.values())
EPS = 1e-6
# every number a bundled rule compares a metric with, to land on and next to the lines
LINES: dict[str, list[float]] = {}
for _rule in ALL:
    for _clause in (*_rule.exclusions, *_rule.clauses):
        for _comp in _clause.when.comparisons():
            if isinstance(_comp.value, float):
                for _m in _comp.metrics:
                    LINES.setdefault(_m, []).append(_comp.value)
NAMES = sorted({v for r in ALL for c in (*r.exclusions, *r.clauses)
                for comp in c.when.comparisons() if isinstance(comp.value, tuple)
                for v in comp.value} | {"Huawei"})
DAYS = sorted({d for r in ALL for d in period_starts(r)} | {date(2026, 6, 1)})


def _number(metric: str) -> st.SearchStrategy[float | None]:
    if metric in DATE_METRICS:  # day numbers: on, before and after each date a rule names
        days = [v + d for v in LINES.get(metric, [float(date(2026, 1, 15).toordinal())])
                for d in (-1.0, 0.0, 1.0)]
        return st.one_of(st.none(), st.sampled_from(days))
    near = [v + d for v in LINES.get(metric, [100.0]) for d in (-EPS, 0.0, EPS)]
    return st.one_of(st.none(), st.sampled_from(near),
                     st.floats(min_value=0.0, max_value=50000.0, allow_nan=False))


def _value(metric: str) -> st.SearchStrategy[Any]:
    if metric in BOOLEAN_METRICS:
        return st.one_of(st.none(), st.booleans())
    if metric in TEXT_METRICS:
        return st.one_of(st.none(), st.sampled_from(NAMES))
    return _number(metric)


ROW = st.fixed_dictionaries({m: _value(m) for m in METRICS if m != "export_year"})


def _known(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def reference(crit: Criterion, row: Mapping[str, Any], outcomes: Mapping[str, set[str]]
              ) -> bool | None:
    """Kleene truth of one criterion for one row, in plain Python: the oracle."""
    if isinstance(crit, Comparison):
        values = [row.get(m) for m in crit.metrics]
        if not all(_known(v) for v in values):
            return None
        op = OPERATORS[crit.op]
        if crit.kind == "text":
            targets = crit.value if isinstance(crit.value, tuple) else (crit.value,)
            return (str(values[0]) in targets) is op.match_holds
        threshold = float(crit.value) if not isinstance(crit.value, tuple | str) else math.nan
        assert op.compare is not None
        return bool(op.compare(sum(float(v) for v in values), threshold))
    if isinstance(crit, RuleOutcome):
        possible = outcomes[crit.rule]
        if possible <= set(crit.outcomes):
            return True
        return None if possible & set(crit.outcomes) else False
    assert isinstance(crit, AllOf | AnyOf)
    parts = [reference(item, row, outcomes) for item in crit.items]
    stop = isinstance(crit, AnyOf)  # the value that decides: True for any, False for all
    if stop in parts:
        return stop
    return None if None in parts else not stop


def possible_outcomes(rule: RuleDefinition, row: Mapping[str, Any],
                      outcomes: Mapping[str, set[str]]) -> set[str]:
    """The outcomes a rule may give, in plain Python: an unknown clause may hold or not."""
    found: set[str] = set()
    for clause in rule.clauses:
        held = reference(clause.when, row, outcomes)
        if held is not False:
            found.add(clause.outcome)
        if held is True:
            break
    else:
        found.add(rule.default_outcome)
    for excl in rule.exclusions:
        held = reference(excl.when, row, outcomes)
        if held is True:
            found = {excl.outcome}
        elif held is None:
            found.add(excl.outcome)
    return found


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(ROW, min_size=1, max_size=4), day=st.sampled_from(DAYS))
def test_decision_and_explanation_agree_with_the_reference(rows: list[dict[str, Any]],
                                                           day: date) -> None:
    ev = evaluate(ALL, MetricTable.from_rows(rows), day)
    batch = evaluate_on(ALL, rows, day, only_in_force=False)
    for i, row in enumerate(rows):
        at = dict(row, export_year=float(day.year))
        outcomes = ev.outcomes_at(i)
        sets: dict[str, set[str]] = {}
        for rule in order_rules(ALL):
            sets[rule.id] = possible_outcomes(rule, at, sets)
        alone = evaluate_on(ALL, [row], day, only_in_force=False)[0]
        assert batch[i] == alone  # a row's verdicts do not depend on its neighbours
        for verdict in batch[i]:
            rule, result = RULES[verdict.rule], ev.results[verdict.rule]
            assert verdict.outcome == outcomes[rule.id]
            assert set(verdict.possible_outcomes) == sets[rule.id]
            trees = [*zip(rule.clauses, result.clause_truths, strict=True),
                     *zip(rule.exclusions, result.exclusion_truths, strict=True)]
            for clause, truth in trees:
                for node, node_truth in clause.when.walk(truth):
                    assert node_truth.at(i) == reference(node, at, sets), (rule.id, node)
            for m in verdict.margins:
                if m.value is None:
                    assert m.met is None
                    continue
                compare = OPERATORS[m.op].compare
                assert compare is not None
                assert m.met == bool(compare(m.value, m.threshold))
            decision = result.decision(i)
            assert verdict.determined is decision.determined
            if verdict.outcome == "undetermined":
                assert verdict.missing
                for name in verdict.missing:
                    dep = name.removeprefix("verdict of ")
                    assert (len(sets[dep]) > 1 if dep != name else not _known(at.get(name)))
            elif not decision.determined:  # inside the rule either way
                assert verdict.reason.startswith(" or ".join(verdict.possible_outcomes))
            elif decision.part is Part.CLAUSE:
                assert verdict.reason.startswith(f"{decision.clause(rule).head}: ")
                assert reference(decision.clause(rule).when, at, sets) is not False
            elif decision.part is Part.DEFAULT:
                assert all(reference(c.when, at, sets) is False for c in rule.clauses)
