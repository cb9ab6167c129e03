"""[[rule]] tables: pydantic checks their shape at seed time, the engine gives them meaning, and
every error reads ``file: rule 'id': field: problem`` like a chip's."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from chipdb.catalogue import SeedFileModel, build, build_catalogue, parse_text
from chipdb.errors import SeedError
from chipdb.store.write.rebuild import parse_user_import, read_seed_catalogue

ROOT = Path(__file__).resolve().parents[2]
SEEDS = read_seed_catalogue(ROOT / "seeds")

RULE = """
[[rule]]
id = "r1"
title = "A draft"
citation = "draft"
url = "https://example.org/draft"
effective = 2027-01-01
status = "draft"
default_outcome = "not-covered"

[rule.parameters]
tpp_line = { value = 4800, unit = "TPP" }

[[rule.clause]]
outcome = "license-required"
when = { metric = "tpp", op = ">=", param = "tpp_line" }
"""


def refused(text: str) -> SeedError:
    with pytest.raises(SeedError) as info:
        parse_user_import("u.toml", text, SEEDS)
    return info.value


def test_a_valid_rule_is_handed_on_as_written() -> None:
    [rule] = parse_user_import("u.toml", RULE, SEEDS).rules
    assert rule.id == "r1" and rule.origin == "user"
    # what the database stores is the table as written (4800 stays an integer)
    assert rule.raw["parameters"]["tpp_line"] == {"value": 4800, "unit": "TPP"}


SHAPE = [  # pydantic, before the engine sees the table
    ('title = "A draft"', 'title = "A draft"\ncolour = "red"', "colour",
     "is not a known field (see docs/seed-format.md)"),
    ('title = "A draft"', "title = 5", "title", "must be text"),
    ("effective = 2027-01-01", 'effective = "soon"', "effective",
     "must be a date like 2023-11-17, not 'soon'"),
    ("effective = 2027-01-01", "effective = 2027-01-01T10:00:00", "effective",
     "must be a date like 2023-11-17, not datetime.datetime(2027, 1, 1, 10, 0)"),
    ("effective = 2027-01-01", "effective = 20270101", "effective",
     "must be a date like 2023-11-17, not 20270101"),
    ('status = "draft"', 'status = "maybe"', "status",
     "must be one of in-force, not-enforced, pending, superseded, expired, draft, dropped"),
    ('outcome = "license-required"', 'outcome = "license-required"\nwhy = 1', "clause[0].why",
     "is not a known field (see docs/seed-format.md)"),
    ('when = { metric = "tpp", op = ">=", param = "tpp_line" }', "", "clause[0].when",
     "is required"),
    ('when = { metric = "tpp", op = ">=", param = "tpp_line" }', "when = 5", "clause[0].when",
     "must be a table"),
    ('tpp_line = { value = 4800, unit = "TPP" }', 'tpp_line = "big"', "parameters.tpp_line",
     "must be a number or a table"),
    ('tpp_line = { value = 4800, unit = "TPP" }', "tpp_line = { value = true }",
     "parameters.tpp_line.value", "must be a number"),
    ('title = "A draft"', 'title = "A draft"\nnotes = ["ok", 3]', "notes[1]", "must be text"),
    ('title = "A draft"', 'title = "A draft"\nunverified = "yes"', "unverified",
     "must be true or false"),
]

MEANING = [  # the engine's parser, its field kept
    ('param = "tpp_line"', 'param = "nope"', "clause[0].when.param",
     "no parameter named 'nope'"),
    ('metric = "tpp"', 'metric = "tppp"', "clause[0].when.metric", "unknown metric 'tppp'"),
    ("effective = 2027-01-01\n", "", "effective", "is required"),
    ("effective = 2027-01-01", "effective = 2027-01-01\nended = 2026-01-01", "ended",
     "is before effective"),
    ('id = "r1"', 'id = "r 1"', "id", "'r 1' must be letters, digits, '-', '_' or '.'"),
]


@pytest.mark.parametrize("old,new,field,problem", SHAPE + MEANING)
def test_rule_errors_name_file_rule_and_field(old: str, new: str, field: str,
                                              problem: str) -> None:
    assert old in RULE
    err = refused(RULE.replace(old, new, 1))
    record = "rule 'r 1'" if "r 1" in new else "rule 'r1'"
    assert (err.file, err.record, err.field) == ("u.toml", record, field), err.message
    assert problem in err.problem, err.message
    assert err.message == f"u.toml: {record}: {field}: {err.problem}"
    assert "\n" not in err.message


def test_a_rule_that_extends_another_is_named_after_it() -> None:
    err = refused('[[rule]]\nextends = "us-2025-04-h20"\n[rule.parameters]\nx = "big"\n')
    assert (err.record, err.field) == ("rule 'us-2025-04-h20'", "parameters.x")
    err = refused('[[rule]]\nextends = "us-9999"\n')
    assert (err.record, err.field, err.problem) == (
        "rule 'us-9999'", "extends", "no rule 'us-9999' to extend")


def test_a_rule_table_that_is_not_a_table_is_numbered() -> None:
    with pytest.raises(SeedError) as info:
        parse_text("rule = [1]\n", "u.toml")
    assert info.value.message == "u.toml: rule #1: -: must be a table"


def test_a_rule_defined_twice_in_one_file_is_refused() -> None:
    err = refused(RULE + RULE)
    assert (err.record, err.field, err.problem) == ("rule 'r1'", "id", "is defined twice")


class _FieldError(ValueError):
    """What an engine error that knows its field looks like."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__("not parsed: the field is taken from the attributes")
        self.field = field
        self.problem = problem


def test_an_engine_error_with_a_field_is_used_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    def engine(raw: Mapping[str, Any], known: object = None, origin: str = "seed") -> None:
        raise _FieldError("clause[0].when", "a: b: colons are part of the problem")

    monkeypatch.setattr(build, "rule_from_mapping", engine)
    with pytest.raises(SeedError) as info:
        build_catalogue([("u.toml", parse_text(RULE, "u.toml"))])
    assert (info.value.field, info.value.problem) == (
        "clause[0].when", "a: b: colons are part of the problem")


def test_the_bundled_rules_pass_the_shape_check() -> None:
    assert {r.id for r in SEEDS.rules} >= {"us-2022-10", "us-2023-10", "us-2024-12"}


# --- generated rule tables: a located one-line error or a rule, never anything else ------------

_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12),
              st.dates(), st.sampled_from(["tpp", ">=", "r1", "us-2023-10", "in-force"])),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(
                                ["metric", "op", "value", "param", "all", "any", "outcome",
                                 "when", "label", "text", "name", "rule", "outcome_in"]),
                                inner, max_size=4)),
    max_leaves=8,
)
_KEYS = ["id", "extends", "title", "citation", "url", "published", "effective", "ended",
         "status", "layer", "notes", "unverified", "parameters", "exclude", "clause",
         "append_clause", "default_outcome", "exception", "per_unit", "colour"]


@settings(max_examples=int(os.environ.get("CHIPDB_FUZZ_EXAMPLES", "150")), deadline=None)
@given(changes=st.dictionaries(st.sampled_from(_KEYS), _values, max_size=4))
def test_generated_rule_tables_get_a_located_one_line_answer(changes: dict[str, Any]) -> None:
    table = tomllib.loads(RULE)["rule"][0]
    table.update({k: v for k, v in changes.items() if v is not None})
    for key in [k for k, v in changes.items() if v is None]:
        table.pop(key, None)
    try:
        model = SeedFileModel.model_validate({"rule": [table]})
        build_catalogue([("u.toml", model)], known_rules={r.id: r for r in SEEDS.rules},
                        origin="user")
    except ValidationError as exc:  # what parse_text does with it
        located = build._pydantic_message("u.toml", exc, {"rule": [table]})
        assert located.message.startswith("u.toml: rule ") and located.field, located.message
    except SeedError as exc:
        assert exc.message.startswith("u.toml: rule ") and exc.field and exc.problem, exc.message
