"""One shape per report: stored and live verdicts agree field for field; rows are flat."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from typing import Any

import pytest

from chipdb.service import catalogue, designs
from chipdb.service.listings import ChipRow, HeadroomRow, ThresholdRow, TimelineRow
from chipdb.service.results import MarginRow, compare_json, verdict_json, what_if_json
from chipdb.service.session import Session, open_session
from chipdb.store.url import DatabaseUrl

DAY = date(2026, 6, 1)
DAYS = [date(2023, 1, 1), date(2024, 6, 1), DAY]


@pytest.fixture
def s(db: DatabaseUrl) -> Iterator[Session]:
    with open_session(db) as session:
        yield session


@pytest.fixture(scope="module")
def sqlite_session(sqlite_db: DatabaseUrl) -> Iterator[Session]:
    with open_session(sqlite_db) as session:
        yield session


def test_live_verdicts_equal_stored_ones_for_every_chip(sqlite_session: Session) -> None:
    """A what-if that sets nothing is the catalogue's verdict, in the one JSON shape."""
    s = sqlite_session
    chips = [r.chip for r in catalogue.list_chips(s)]
    assert len(chips) > 50
    for day in DAYS:
        stored = catalogue.compare(s, chips, day).chips
        for chip in stored:
            live = designs.what_if(s, chip.name, {}, day).design
            assert [verdict_json(v) for v in live.verdicts] == \
                [verdict_json(v) for v in chip.verdicts], (chip.name, day)
            assert live.metrics == chip.metrics, chip.name


def test_what_if_json_carries_the_stored_keys(s: Session) -> None:
    stored = compare_json(catalogue.compare(s, ["H20"], DAY))["chips"][0]["verdicts"]
    live = what_if_json(designs.what_if(s, "H20", {"fp8_dense_tops": 600}, DAY))
    verdicts = live["chips"][0]["verdicts"]
    assert [list(v) for v in verdicts] == [list(v) for v in stored]
    h20_rule = next(v for v in verdicts if v["rule"] == "us-2025-04-h20")
    assert h20_rule["unverified"] is True and h20_rule["in_force"] == ["2025-04-09", None]
    assert h20_rule["rule_title"]
    json.dumps(live)  # JSON-ready as it is


@pytest.mark.parametrize(("tops", "outcome"), [(599.9, "3A090.b.1"), (600, "3A090.a.1")])
def test_what_if_both_sides_of_the_tpp_line(s: Session, tops: float, outcome: str) -> None:
    # H20: FP8 dense x 8 bits = TPP; 3A090.a.1 starts at TPP 4,800
    design = designs.what_if(s, "H20", {"fp8_dense_tops": tops}, DAY).design
    v = next(v for v in design.verdicts if v.rule == "us-2024-12")
    assert v.outcome == outcome


def test_unit_strings_equal_numbers(s: Session) -> None:
    typed = designs.what_if(s, "H20", {"memory_bandwidth_gbps": "4TB/s",
                                       "fp8_dense_tops": "600 TFLOPS", "datacenter": "no"}, DAY)
    plain = designs.what_if(s, "H20", {"memory_bandwidth_gbps": 4000, "fp8_dense_tops": 600.0,
                                       "datacenter": False}, DAY)
    assert typed.design == plain.design
    assert typed.design.overrides == {"memory_bandwidth_gbps": 4000.0,
                                      "fp8_dense_tops": 600.0, "datacenter": False}


@pytest.mark.parametrize(("values", "message"), [
    ({"memory_bandwidth_gbps": "4 parsecs"}, "unit 'parsecs' not understood"),
    ({"colour": "red"}, "unknown key 'colour'"),
    ({"tpp": [1]}, "tpp takes a number, text such as '4TB/s', or true/false, not list"),
    ({"tpp": -5}, "must be a finite number"),
    ({"tpp": float("nan")}, "tpp takes a number"),
    ({"tpp": float("inf")}, "tpp takes a number"),
    ({"tpp": 1e12}, "beyond any real chip"),
    ({"datacenter": "perhaps"}, "datacenter takes true or false"),
])
def test_bad_values_are_usage_errors(s: Session, values: dict[str, object], message: str) -> None:
    from chipdb.errors import UsageError

    with pytest.raises(UsageError, match=message):
        designs.what_if(s, "H20", values, DAY)


def test_check_names_the_deciding_clause(s: Session) -> None:
    clauses = {v.rule: (v.outcome, v.clause) for v in catalogue.check(s, "H100", DAY).verdicts}
    assert clauses["us-2024-12"] == ("3A090.a.1", "3A090.a.1")
    assert clauses["us-2026-01-s232"] == ("not-covered", None)  # no band met: the default
    h20 = {v.rule: v.clause for v in catalogue.check(s, "H20", DAY).verdicts}
    assert h20["us-2024-12"] is None  # outside 3A090: no clause met


def test_deciding_clauses_agree_with_outcomes(sqlite_session: Session) -> None:
    """The clause named leads to the outcome stored, for every chip and rule in force."""
    s = sqlite_session
    rules = {r.id: r for r in designs.load_rules(s)}
    for row in catalogue.list_chips(s):
        for v in catalogue.check(s, row.chip, DAY).verdicts:
            rule = rules[v.rule]
            if v.clause is None:  # the default, or open: undetermined or inside either way,
                # or one outcome over the ranges of the inputs that no single clause gives
                assert (v.outcome in (rule.default_outcome, "undetermined")
                        or " or " in v.outcome or "either way" in v.reason), (row.chip, v.rule)
            else:
                outcomes = {c.outcome for c in (*rule.clauses, *rule.exclusions)
                            if (c.label or c.outcome) == v.clause}
                assert v.outcome in outcomes, (row.chip, v.rule, v.clause)


FLAT = (bool, int, float, str, date, type(None))


@pytest.mark.parametrize("kind", [ChipRow, TimelineRow, HeadroomRow, MarginRow, ThresholdRow])
def test_row_records_are_flat(s: Session, kind: type) -> None:
    fetch: dict[type, Callable[[], Sequence[Any]]] = {
        ChipRow: lambda: catalogue.list_chips(s, rule="us-2024-12", as_of=DAY),
        TimelineRow: lambda: list(catalogue.timeline(s, "H100").rows),
        HeadroomRow: lambda: list(designs.headroom(s, "H20", DAY).rows),
        MarginRow: lambda: list(next(v for v in catalogue.compare(s, ["H100"], DAY)
                                     .chips[0].verdicts if v.rule == "us-2024-12").margins),
        ThresholdRow: lambda: list(catalogue.rules(s, "us-2024-12")[0].thresholds),
    }
    rows = fetch[kind]()
    assert rows and all(isinstance(r, kind) for r in rows)
    for r in rows:
        values = dataclasses.asdict(r)
        bad = {k: v for k, v in values.items() if not isinstance(v, FLAT)}
        assert not bad, f"{kind.__name__} has non-scalar fields {bad}"


def test_booleans_are_booleans_on_both_engines(s: Session) -> None:
    row = next(r for r in catalogue.list_chips(s) if r.chip == "H100 SXM")
    assert (row.datacenter, row.standalone_hbm, row.non_planar, row.contains_hbm) == \
        (True, False, True, True)
    claims = catalogue.show(s, "H100").chip.sources or ()
    assert claims and all(type(c.preferred) is bool for c in claims)
    assert all(type(d.non_planar) in (bool, type(None)) for d in catalogue.show(s, "H100").dies)


def test_rows_drop_into_pandas(s: Session) -> None:
    pandas = pytest.importorskip("pandas")
    frame = pandas.DataFrame(catalogue.timeline(s, "H100").rows)
    assert list(frame.columns) == list(TimelineRow.__dataclass_fields__)
    chips = pandas.DataFrame(catalogue.list_chips(s))
    assert chips.set_index("chip").loc["H100 SXM", "tpp"] == 15832.0
