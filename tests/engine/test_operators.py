"""The operator table: one row per operator, each compared on both sides of its line."""

from __future__ import annotations

import math
from typing import Any

import pytest

from chipdb.engine import OPERATORS, Comparison, RuleError
from chipdb.engine.criteria import parse_criterion
from chipdb.engine.digits import truth_digits
from chipdb.engine.operators import NUMBER, TEXT, YES_NO, metric_kind, tokens_for
from tests.engine.rules import table

EPS = 1e-6
# operator -> whether it holds just below, on, and just above the line
SIDES = {">=": (False, True, True), ">": (False, False, True), "<": (True, False, False),
         "<=": (True, True, False), "==": (False, True, False), "!=": (True, False, True)}


def test_the_table_is_the_documented_operators() -> None:
    assert tuple(OPERATORS) == (">=", ">", "<", "<=", "==", "!=", "in", "not-in")
    assert all(op.token == token for token, op in OPERATORS.items())


@pytest.mark.parametrize("token", sorted(SIDES))
def test_numeric_operators_on_both_sides_of_the_line(token: str) -> None:
    comp = Comparison(("tpp",), token, 4800.0)
    truth = comp.truth(table({"tpp": 4800 - EPS}, {"tpp": 4800.0}, {"tpp": 4800 + EPS},
                             {"tpp": None}), {})
    assert [truth.at(i) for i in range(4)] == [*SIDES[token], None]
    # the same function compares one plain value, as the wording and the tests do
    compare = OPERATORS[token].compare
    assert compare is not None
    assert [bool(compare(v, 4800.0)) for v in (4800 - EPS, 4800.0, 4800 + EPS)] == list(
        SIDES[token])


@pytest.mark.parametrize("token", sorted(SIDES))
def test_the_negated_symbol_reads_the_complement(token: str) -> None:
    op = OPERATORS[token]
    complement = {t for t, sides in SIDES.items()
                  if sides == tuple(not s for s in SIDES[token])}
    assert [OPERATORS[t].symbol for t in complement] == [op.negated]


@pytest.mark.parametrize("token,value,expected", [
    ("in", ["NVIDIA", "AMD"], [True, False, None]),
    ("not-in", ["NVIDIA", "AMD"], [False, True, None]),
    ("==", "NVIDIA", [True, False, None]),
    ("!=", "NVIDIA", [False, True, None]),
])
def test_text_operators_match_names_and_leave_unknown_unknown(
        token: str, value: Any, expected: list[bool | None]) -> None:
    comp = parse_criterion({"metric": "vendor", "op": token, "value": value}, {}, "w")
    truth = comp.truth(table({"vendor": "NVIDIA"}, {"vendor": "Huawei"}, {"vendor": None}), {})
    assert [truth.at(i) for i in range(3)] == expected


@pytest.mark.parametrize("value,expected", [(True, [True, False, None]),
                                            (False, [False, True, None])])
def test_yes_no_compares_to_true_and_false(value: bool, expected: list[bool | None]) -> None:
    comp = parse_criterion({"metric": "datacenter", "op": "==", "value": value}, {}, "w")
    truth = comp.truth(table({"datacenter": True}, {"datacenter": False}, {}), {})
    assert [truth.at(i) for i in range(3)] == expected


def test_a_sum_is_unknown_when_any_part_is() -> None:
    comp = Comparison(("memory_bandwidth_gbps", "bidirectional_io_gbps"), ">=", 1700.0)
    rows = table({"memory_bandwidth_gbps": 1000.0, "bidirectional_io_gbps": 700.0},
                 {"memory_bandwidth_gbps": 1000.0, "bidirectional_io_gbps": 700 - EPS},
                 {"memory_bandwidth_gbps": 1000.0})
    truth = comp.truth(rows, {})
    assert [truth.at(i) for i in range(3)] == [True, False, None]
    assert not math.isnan(rows.numeric("memory_bandwidth_gbps")[2])


@pytest.mark.parametrize("kind,tokens", [
    (NUMBER, (">=", ">", "<", "<=", "==", "!=")), (YES_NO, ("==", "!=")),
    (TEXT, ("==", "!=", "in", "not-in")),
])
def test_allowed_kinds_per_operator(kind: str, tokens: tuple[str, ...]) -> None:
    assert tokens_for(kind) == tokens


@pytest.mark.parametrize("metric,kind", [
    (("tpp",), NUMBER), (("datacenter",), YES_NO), (("vendor",), TEXT),
    (("memory_bandwidth_gbps", "bidirectional_io_gbps"), NUMBER),
])
def test_metric_kind(metric: tuple[str, ...], kind: str) -> None:
    assert metric_kind(metric) == kind


@pytest.mark.parametrize("raw,field,message", [
    ({"metric": "datacenter", "op": ">=", "value": True}, "w",
     "yes/no metric compares with == or !="),
    ({"metric": "vendor", "op": ">", "value": "A"}, "w",
     "text metric compares with ==, !=, in or not-in"),
    ({"metric": "tpp", "op": "in", "value": ["A"]}, "w.op", "compares a text metric"),
    ({"metric": "vendor", "op": "in", "value": "A"}, "w.value", "takes a list of names"),
    ({"metric": ["tpp", "vendor"], "op": ">=", "value": 1}, "w.metric", "numeric metrics"),
    ({"metric": [], "op": ">=", "value": 1}, "w.metric", "name a metric"),
    ({"metric": "tpp", "op": ">=", "value": math.inf}, "w.value", "finite number"),
])
def test_an_operator_outside_its_kinds_is_refused(raw: dict[str, Any], field: str,
                                                  message: str) -> None:
    with pytest.raises(RuleError, match=message) as caught:
        parse_criterion(raw, {}, "w")
    assert caught.value.field == field


@pytest.mark.parametrize("token", [">=", ">", "<", "<=", "==", "!="])
def test_pattern_digits_are_the_truth_as_0_1_2(token: str) -> None:
    """``engine.digits.truth_digits`` (the batch classifier's digits, worked out apart) says
    what ``truth`` says: 1 true, 0 false, 2 unknown, for one metric and for a sum."""
    rows = [{"tpp": v, "die_area_mm2": a} for v in (4800 - EPS, 4800.0, 4800 + EPS, None, 0.0)
            for a in (None, 1.0)]
    for comp in (Comparison(("tpp",), token, 4800.0),
                 Comparison(("tpp", "die_area_mm2"), token, 4801.0)):
        t = table(*rows)
        truth = comp.truth(t, {})
        expected = [2 if truth.at(i) is None else int(truth.at(i) or 0) for i in range(len(rows))]
        assert truth_digits(comp, t).tolist() == expected
