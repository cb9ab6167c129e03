"""Reading rules: extends with append_clause/append_exception, parameters, errors with a field."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from chipdb.catalogue import build_catalogue, load_paths
from chipdb.engine import (
    Comparison,
    RuleError,
    evaluate_on,
    rule_definitions_from_rows,
    rule_from_mapping,
)
from chipdb.errors import SeedError
from tests.engine.rules import HEAD, RULES, rule

CLAUSE = {"outcome": "yes", "when": {"metric": "tpp", "op": ">=", "param": "line"}}
EXTRA = {"outcome": "hbm", "when": {"metric": "memory_bandwidth_density", "op": ">",
                                    "value": 2.0}}
NOTE = {"name": "Note A", "text": "a", "outcomes": ["yes"]}
PARENT = rule(CLAUSE, id="parent", ended="2027-12-31", status="superseded",
              parameters={"line": 4800, "other": {"value": 1.0, "unit": "x"}},
              exception=[NOTE])
KNOWN = {"parent": PARENT}


def test_append_clause_and_append_exception_extend_the_parents_lists() -> None:
    child = rule_from_mapping({
        **HEAD, "id": "child", "extends": "parent", "append_clause": [EXTRA],
        "append_exception": [{"name": "Note B", "text": "b", "outcomes": ["hbm"]}],
    }, KNOWN)
    assert [c.outcome for c in child.clauses] == ["yes", "hbm"]
    assert [n.name for n in child.exceptions] == ["Note A", "Note B"]
    assert child.clauses[0] == PARENT.clauses[0]
    # the stored mapping is self-contained: no extends, no append_*
    assert not {"extends", "append_clause", "append_exception"} & set(child.raw)
    assert len(child.raw["clause"]) == 2


def test_a_plain_list_in_the_child_replaces_the_parents() -> None:
    child = rule_from_mapping({**HEAD, "id": "child", "extends": "parent", "clause": [EXTRA],
                               "exception": []}, KNOWN)
    assert [c.outcome for c in child.clauses] == ["hbm"]
    assert child.exceptions == ()


def test_a_new_id_is_a_new_text_and_inherits_only_the_tests() -> None:
    child = rule_from_mapping({**HEAD, "id": "child", "extends": "parent"}, KNOWN)
    assert (child.ended, child.status) == (None, "in-force")
    assert child.parameter("other").unit == "x"
    with pytest.raises(RuleError) as caught:
        rule_from_mapping({"id": "child", "extends": "parent"}, KNOWN)
    assert caught.value.field == "effective"


def test_an_override_keeps_everything_and_merges_parameters() -> None:
    override = rule_from_mapping({"extends": "parent", "parameters": {"line": {"value": 5000}}},
                                 KNOWN)
    assert (override.id, override.ended, override.status) == (
        "parent", date(2027, 12, 31), "superseded")
    assert override.clauses[0].when == Comparison(("tpp",), ">=", 5000.0, "line")
    assert override.parameter("other").value == 1.0
    (v,), = evaluate_on([override], [{"tpp": 4900.0}], date(2027, 1, 1))
    assert v.outcome == "no"


@pytest.mark.parametrize("raw,field,message", [
    ({**HEAD, "append_clause": [EXTRA], "clause": [CLAUSE]}, "append_clause", "'extends'"),
    ({**HEAD, "id": "c", "extends": "parent", "append_exception": NOTE}, "append_exception",
     "array of tables"),
    ({**HEAD, "extends": "nobody"}, "extends", "no rule 'nobody'"),
    ({**HEAD, "clause": [{"outcome": "undetermined", "when": CLAUSE["when"]}],
      "parameters": {"line": 1}}, "clause[0].outcome", "word for unknown"),
    ({**HEAD, "clause": [CLAUSE]}, "clause[0].when.param", "no parameter named 'line'"),
    ({**HEAD, "clause": [{**CLAUSE, "why": 1}], "parameters": {"line": 1}}, "clause[0].why",
     "not a known clause field"),
    ({**HEAD, "clause": [CLAUSE], "parameters": {"line": "high"}}, "parameters.line",
     "must be a number"),
    ({**HEAD, "clause": [CLAUSE], "parameters": {"line": 1}, "exception": [{"name": "n"}]},
     "exception[0].text", "is required"),
    ({**HEAD, "clause": [CLAUSE], "parameters": {"line": 1}, "status": "gone"}, "status",
     "in-force, not-enforced, pending, superseded, expired, draft or dropped"),
    ({**HEAD, "clause": [CLAUSE], "parameters": {"line": 1}, "ended": "2026-01-01"}, "ended",
     "before effective"),
    ({**HEAD, "clause": [], "parameters": {"line": 1}}, "clause", "at least one clause"),
    ({**HEAD, "colour": "red"}, "colour", "not a known rule field"),
])
def test_errors_name_the_field(raw: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(RuleError) as caught:
        rule_from_mapping(raw, KNOWN)
    assert caught.value.field == field
    assert message in caught.value.problem
    assert str(caught.value) == f"{field}: {caught.value.problem}"


def test_a_seed_file_error_carries_file_record_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[[rule]]\nid = "bad"\ntitle = "t"\ncitation = "c"\nurl = "https://e.org"\n'
                    'effective = 2027-01-01\ndefault_outcome = "no"\n[[rule.clause]]\n'
                    'outcome = "yes"\nwhen = { metric = "tpp", op = "=>", value = 1 }\n',
                    encoding="utf-8")
    with pytest.raises(SeedError) as caught:
        build_catalogue(load_paths([path]))
    err = caught.value
    assert (err.file, err.record, err.field) == (str(path), "rule 'bad'", "clause[0].when.op")
    assert err.problem.startswith("'=>' is not one of >= > <")


def test_us_2024_12_is_us_2023_10_plus_3a090c() -> None:
    old, new = RULES["us-2023-10"], RULES["us-2024-12"]
    assert new.clauses[:-1] == old.clauses
    assert new.exclusions == old.exclusions
    assert new.clauses[-1].outcome == "3A090.c"
    assert [n.name for n in new.exceptions] == [*(n.name for n in old.exceptions),
                                                "License Exception HBM"]
    assert (new.ended, new.status, old.ended) == (None, "in-force", date(2024, 12, 1))
    # the six 3A090.a/.b numbers are typed once, as parameters both rules read
    assert {p.name: p.value for p in new.parameters} == {
        "tpp_a": 4800.0, "tpp_floor": 1600.0, "pd_a": 5.92, "tpp_b1": 2400.0, "pd_b1": 1.6,
        "pd_b2": 3.2}
    assert all(c.param for _, c in old.comparisons())


def test_the_stored_definition_rebuilds_the_same_rule() -> None:
    rows = [{"id": r.id, "definition": json.dumps(r.raw, sort_keys=True), "origin": r.origin}
            for r in RULES.values()]
    # the database stores the JSON with sorted keys: parameters come back in name order
    assert rule_definitions_from_rows(rows) == [
        replace(r, parameters=tuple(sorted(r.parameters, key=lambda p: p.name)))
        for r in RULES.values()]
