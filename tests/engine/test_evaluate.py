"""Deciding: the Decision of each row (clause, exclusion, default, undetermined) and its truths."""

from __future__ import annotations

from datetime import date

import pytest

from chipdb.engine import Decision, Part, evaluate, evaluate_on, evaluate_rule, order_rules
from tests.engine.rules import RULES, rule, table

BIG = {"outcome": "big", "label": "the big line", "when": {"metric": "tpp", "op": ">=",
                                                           "value": 4800}}
MID = {"outcome": "mid", "when": {"metric": "tpp", "op": ">=", "value": 1600}}
CONSUMER = {"outcome": "no", "label": "Note 2", "text": "not for datacenters",
            "when": {"metric": "datacenter", "op": "==", "value": False}}
R = rule(BIG, MID, exclude=[CONSUMER])


@pytest.mark.parametrize("row,outcome,decision", [
    ({"tpp": 5000.0, "datacenter": True}, "big", Decision(Part.CLAUSE, 0)),
    ({"tpp": 2000.0, "datacenter": True}, "mid", Decision(Part.CLAUSE, 1)),
    ({"tpp": 100.0, "datacenter": True}, "no", Decision(Part.DEFAULT, -1)),
    ({"tpp": 5000.0, "datacenter": False}, "no", Decision(Part.EXCLUSION, 0)),
    ({"datacenter": True}, "undetermined", Decision(Part.CLAUSE, 0, determined=False)),
    ({"tpp": 5000.0}, "undetermined", Decision(Part.EXCLUSION, 0, determined=False)),
    # the exclusion's outcome is the default's: an unknown flag changes nothing
    ({"tpp": 100.0}, "no", Decision(Part.DEFAULT, -1)),
])
def test_the_decision_of_each_row(row: dict[str, object], outcome: str,
                                  decision: Decision) -> None:
    result = evaluate_rule(R, table(row), {})
    assert str(result.outcome[0]) == outcome
    assert result.decision(0) == decision


def test_a_decision_points_at_its_clause_and_truth() -> None:
    result = evaluate_rule(R, table({"tpp": 5000.0, "datacenter": False}), {})
    decision = result.decision(0)
    assert decision.clause(R).label == "Note 2"
    assert result.truth_of(decision) is result.exclusion_truths[0]
    with pytest.raises(ValueError):
        Decision(Part.DEFAULT).clause(R)


@pytest.mark.parametrize("row,reason", [
    ({"tpp": 5000.0, "datacenter": True}, "the big line: TPP 5,000 ≥ 4,800"),
    ({"tpp": 100.0, "datacenter": True},
     "no clause of x met — the big line: TPP 100 < 4,800; mid: TPP 100 < 1,600"),
    ({"tpp": 5000.0, "datacenter": False}, "Note 2: datacenter: no (not for datacenters)"),
    ({"datacenter": True}, "cannot tell whether “the big line” applies: TPP unknown "
                           "(line: ≥ 4,800); needs tpp; no if TPP < 1,600, mid up to 4,800, "
                           "big from 4,800"),
])
def test_the_reason_follows_the_decision(row: dict[str, object], reason: str) -> None:
    (verdict,), = evaluate_on([R], [row], date(2027, 1, 1))
    assert verdict.reason == reason
    assert verdict.determined is (verdict.outcome != "undetermined")


def test_rules_are_decided_dependencies_first() -> None:
    ordered = [r.id for r in order_rules(RULES.values())]
    assert ordered.index("us-2024-12") < ordered.index("us-2026-01")
    ev = evaluate(list(RULES.values()), table({"tpp": 5000.0, "datacenter": True}),
                  date(2026, 6, 1))
    assert ev.outcomes_at(0)["us-2024-12"] == "3A090.a.1"
    assert float(ev.table.numeric("export_year")[0]) == 2026.0


def test_a_dependency_cycle_is_refused() -> None:
    a = rule({"outcome": "y", "when": {"rule": "b", "outcome_in": ["y"]}}, id="a")
    b = rule({"outcome": "y", "when": {"rule": "a", "outcome_in": ["y"]}}, id="b")
    with pytest.raises(ValueError, match="depends on itself"):
        order_rules([a, b])
