"""Criterion kinds: the KINDS registry, Kleene truth, explanations and plot lines."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

import numpy as np
import pytest

from chipdb.engine import (
    KINDS,
    AllOf,
    AnyOf,
    Comparison,
    Criterion,
    MetricTable,
    RuleError,
    RuleOutcome,
    Truth,
    evaluate_on,
)
from chipdb.engine import criteria as criteria_module
from chipdb.engine.columns import Possible
from chipdb.engine.criteria import Line, Row, parse_criterion
from tests.engine.rules import rule, table

TPP = {"metric": "tpp", "op": ">=", "value": 4800}
PD = {"metric": "performance_density", "op": ">=", "value": 5.92}
# rows: both hold, tpp fails, density unknown, both unknown
ROWS = table({"tpp": 5000.0, "performance_density": 6.0},
             {"tpp": 100.0, "performance_density": 6.0},
             {"tpp": 5000.0}, {})


def test_the_registry_holds_every_kind_once() -> None:
    assert {"metric": Comparison, "all": AllOf, "any": AnyOf, "rule": RuleOutcome} == KINDS
    assert all(kind.key == key for key, kind in KINDS.items())


@pytest.mark.parametrize("raw,kind", [
    (TPP, Comparison), ({"all": [TPP]}, AllOf), ({"any": [TPP, PD]}, AnyOf),
    ({"rule": "us-2024-12", "outcome_in": ["3A090.a.1"]}, RuleOutcome),
])
def test_the_key_chooses_the_kind(raw: dict[str, Any], kind: type[Criterion]) -> None:
    assert type(parse_criterion(raw, {}, "w")) is kind


@pytest.mark.parametrize("raw,field,message", [
    ({"all": [TPP], "any": [TPP]}, "w", "expected {metric, op, value|param}, {all=[...]}"),
    ({"speed": 3}, "w", "got keys ['speed']"),
    ([TPP], "w", "must be a table"),
    ({"all": []}, "w", "'all' takes a non-empty list"),
    ({"any": [TPP, {"metric": "tpp", "op": "=>", "value": 1}]}, "w[1].op", "is not one of"),
    ({"all": [TPP], "note": "x"}, "w", "unknown key note"),
    ({"rule": "us-2024-12"}, "w", "outcome_in"),
    ({"metric": "tpp", "op": ">="}, "w", "value|param"),
    ({"metric": "tpp", "op": ">=", "param": "nope"}, "w.param", "no parameter named 'nope'"),
])
def test_parse_errors_name_the_field(raw: Any, field: str, message: str) -> None:
    with pytest.raises(RuleError) as caught:
        parse_criterion(raw, {}, "w")
    assert caught.value.field == field
    assert message in caught.value.problem


def test_a_parameter_supplies_the_value() -> None:
    comp = parse_criterion({"metric": "tpp", "op": ">=", "param": "tpp_a"}, {"tpp_a": 4800.0}, "w")
    assert comp == Comparison(("tpp",), ">=", 4800.0, "tpp_a")


def _at(truth: Truth) -> list[bool | None]:
    return [truth.at(i) for i in range(len(truth.true))]


def test_all_and_any_are_kleene_and_keep_their_parts() -> None:
    both = parse_criterion({"all": [TPP, PD]}, {}, "w")
    either = parse_criterion({"any": [TPP, PD]}, {}, "w")
    t_all, t_any = both.truth(ROWS, {}), either.truth(ROWS, {})
    assert _at(t_all) == [True, False, None, None]
    assert _at(t_any) == [True, True, True, None]
    assert [_at(p) for p in t_all.parts] == [[True, False, True, None], [True, True, None, None]]
    assert [node for node, _ in both.walk(t_all)] == [both, *both.children]


def test_rule_outcome_reads_the_earlier_verdict() -> None:
    crit = RuleOutcome("us-2024-12", ("3A090.a.1", "3A090.a.2"))
    names = ("3A090.a.1", "3A090.a.2", "3A090.b.1", "not-controlled")
    # a.2 | b.1 | a.2 or b.1 | a.1 or a.2 (both inside the test) | a.1 or not-controlled
    mask = np.array([0b0010, 0b0100, 0b0110, 0b0011], dtype=np.int64)
    words = np.array(["3A090.a.2", "3A090.b.1", "undetermined", "3A090.a.1 or 3A090.a.2"],
                     dtype=object)
    outcomes = {"us-2024-12": Possible(words, names, mask)}
    truth = crit.truth(MetricTable({}, 4), outcomes)
    assert _at(truth) == [True, False, None, True]
    row = Row(MetricTable({}, 4), 2, {"us-2024-12": "undetermined"})
    assert crit.missing(row, truth) == ["verdict of us-2024-12"]
    assert crit.explain(row, truth, None) == "us-2024-12 gives undetermined"
    assert list(parse_criterion({"all": [TPP, {"rule": "a", "outcome_in": ["x"]}]}, {},
                                "w").rule_refs()) == ["a"]


@pytest.mark.parametrize("i,want,words", [
    (0, True, "TPP 5,000 ≥ 4,800 and perf. density 6 ≥ 5.92"),
    (1, False, "TPP 100 < 4,800"),
    (2, None, "perf. density unknown (line: ≥ 5.92)"),
])
def test_explain_names_only_the_deciding_parts(i: int, want: bool | None, words: str) -> None:
    both = parse_criterion({"all": [TPP, PD]}, {}, "w")
    truth = both.truth(ROWS, {})
    row = Row(ROWS, i, {})
    assert both.explain(row, truth, want) == words
    assert both.missing(row, truth) == (["performance_density"] if i == 2 else [])


def test_a_failing_disjunction_names_every_branch() -> None:
    either = parse_criterion({"any": [TPP, PD]}, {}, "w")
    rows = table({"tpp": 100.0, "performance_density": 1.0})
    assert either.explain(Row(rows, 0, {}), either.truth(rows, {}), False) == (
        "TPP 100 < 4,800 and perf. density 1 < 5.92")


def test_yes_no_wording() -> None:
    crit = parse_criterion({"metric": "datacenter", "op": "==", "value": True}, {}, "w")
    rows = table({"datacenter": False})
    assert crit.explain(Row(rows, 0, {}), crit.truth(rows, {}), False) == (
        "datacenter: no (the test needs yes)")


def test_lines_carry_the_metrics_a_conjunction_needs() -> None:
    crit = parse_criterion({"any": [TPP, {"all": [TPP, PD]}]}, {}, "w")
    lines = [(c.subject, c.value, sorted(ctx)) for c, ctx in crit.lines(frozenset())]
    assert lines == [("tpp", 4800.0, []), ("tpp", 4800.0, ["performance_density", "tpp"]),
                     ("performance_density", 5.92, ["performance_density", "tpp"])]
    yes_no = parse_criterion({"metric": "datacenter", "op": "==", "value": True}, {}, "w")
    assert list(yes_no.lines(frozenset())) == []


@dataclass(frozen=True)
class _Not(Criterion):
    """A kind written for this test only: one class, one registry entry."""

    key: ClassVar[str] = "not"
    shape: ClassVar[str] = "{not={...}}"

    item: Criterion

    @property
    def children(self) -> tuple[Criterion, ...]:
        return (self.item,)

    @classmethod
    def parse(cls, raw: Mapping[str, Any], params: Mapping[str, float], where: str) -> Criterion:
        return cls(parse_criterion(raw["not"], params, f"{where}.not"))

    def truth(self, table: MetricTable, outcomes: Mapping[str, Possible]) -> Truth:
        inner = self.item.truth(table, outcomes)
        return Truth(inner.false, inner.true, (inner,))

    def explain(self, row: Row, truth: Truth, want: bool | None) -> str:
        return "not " + self.item.explain(row, truth.parts[0], None)

    def missing(self, row: Row, truth: Truth) -> list[str]:
        return self.item.missing(row, truth.parts[0])

    def lines(self, context: frozenset[str]) -> Iterator[Line]:
        return iter(())


def test_a_new_kind_is_one_class_and_one_registry_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(criteria_module.KINDS, "not", _Not)
    r = rule({"outcome": "small", "when": {"not": TPP}}, default_outcome="not-controlled")
    verdicts = evaluate_on([r], [{"tpp": 100.0}, {"tpp": 5000.0}, {}], date(2027, 1, 1))
    assert [v[0].outcome for v in verdicts] == ["small", "not-controlled", "undetermined"]
    assert verdicts[0][0].reason == "small: not TPP 100 < 4,800"
    assert verdicts[2][0].missing == ("tpp",)
    # the rule's margins reach the new kind's comparisons through ``children``
    assert [m.threshold for m in verdicts[1][0].margins] == [4800.0]
