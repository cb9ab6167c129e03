"""The engine over the bundled rule files: every threshold on both sides, undetermined, dates."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chipdb.catalogue import build_catalogue, load_paths, seed_files
from chipdb.engine import RuleDefinition, evaluate_on, order_rules

ROOT = Path(__file__).resolve().parents[2]
RULES = {r.id: r for r in build_catalogue(load_paths(seed_files(ROOT / "seeds" / "rules"))).rules}
EPS = 1e-6

DC = {"datacenter": True, "vendor": "NVIDIA", "chip_family": "X", "standalone_hbm": False}


def outcome(rule_id: str, when: date | None = None, **metrics: Any) -> str:
    rule = RULES[rule_id]
    row = {**DC, **metrics}
    verdicts = evaluate_on(list(RULES.values()), [row], when or rule.effective,
                           only_in_force=False)[0]
    return next(v.outcome for v in verdicts if v.rule == rule_id)


def verdict(rule_id: str, **metrics: Any) -> Any:
    row = {**DC, **metrics}
    verdicts = evaluate_on(list(RULES.values()), [row], RULES[rule_id].effective,
                           only_in_force=False)[0]
    return next(v for v in verdicts if v.rule == rule_id)


def test_ids_are_the_fixed_ones() -> None:
    assert set(RULES) == {"us-2022-10", "us-2023-10", "us-2024-12", "us-2025-01-foundry",
                          "us-2025-01-diffusion", "us-2025-04-h20", "us-2026-01",
                          "us-2026-01-s232", "us-2025-05-guidance", "us-2026-05-guidance",
                          "us-2026-07-uae", "us-2026-04-icdesigner", "my-2025-07-sta",
                          "cn-2025-03-ndrc-efficiency", "cn-2025-07-cac-h20",
                          "cn-2025-08-h20-guidance", "cn-2025-09-cac-6000d",
                          "cn-2025-10-customs", "cn-2025-11-state-dc", "cn-2026-01-h200",
                          "us-bill-ai-overwatch", "us-bill-safe-chips", "us-bill-chip-security"}


@pytest.mark.parametrize("tpp,io,expected", [
    (4800, 600, "3A090"), (4800 - EPS, 600, "not-controlled"),
    (4800, 600 - EPS, "not-controlled"), (10000, 1000, "3A090"),
])
def test_2022_needs_both_tpp_4800_and_io_600(tpp: float, io: float, expected: str) -> None:
    assert outcome("us-2022-10", tpp=tpp, bidirectional_io_gbps=io) == expected


@pytest.mark.parametrize("rule_id", ["us-2023-10", "us-2024-12"])
@pytest.mark.parametrize("tpp,pd,expected", [
    (4800, 0.1, "3A090.a.1"), (4800 - EPS, 0.1, "not-controlled"),
    (1600, 5.92, "3A090.a.2"), (1600 - EPS, 5.92, "not-controlled"),
    (1600, 5.92 - EPS, "3A090.b.2"),
    (2400, 1.6, "3A090.b.1"), (2400 - EPS, 1.6, "not-controlled"),
    (2400, 1.6 - EPS, "not-controlled"), (4800 - EPS, 5.92 - EPS, "3A090.b.1"),
    (1600, 3.2, "3A090.b.2"), (1600, 3.2 - EPS, "not-controlled"),
    (2368, 2.91, "not-controlled"),
])
def test_2023_paragraphs_on_both_sides(rule_id: str, tpp: float, pd: float,
                                       expected: str) -> None:
    assert outcome(rule_id, tpp=tpp, performance_density=pd) == expected


@pytest.mark.parametrize("tpp,expected", [(4800, "3A090.a.1"), (4800 - EPS, "not-controlled")])
def test_note_2_non_datacenter_only_the_4800_line(tpp: float, expected: str) -> None:
    assert outcome("us-2023-10", tpp=tpp, performance_density=50.0,
                   datacenter=False) == expected


def test_nac_note_for_consumer_parts_over_4800() -> None:
    v = verdict("us-2023-10", tpp=5286.0, performance_density=8.7, datacenter=False)
    assert v.outcome == "3A090.a.1"
    assert any("NAC" in e for e in v.exceptions)


def test_unknown_density_is_undetermined_and_named() -> None:
    v = verdict("us-2023-10", tpp=3000.0, performance_density=None)
    assert v.outcome == "undetermined"
    assert v.missing == ("performance_density",)
    # but a TPP above 4800 or below 1600 decides without the density
    assert outcome("us-2023-10", tpp=5000.0, performance_density=None) == "3A090.a.1"
    assert outcome("us-2023-10", tpp=1500.0, performance_density=None) == "not-controlled"


def test_unknown_datacenter_flag_matters_only_below_4800() -> None:
    assert outcome("us-2023-10", tpp=5000.0, performance_density=9.0,
                   datacenter=None) == "3A090.a.1"
    assert outcome("us-2023-10", tpp=2000.0, performance_density=9.0,
                   datacenter=None) == "undetermined"


@pytest.mark.parametrize("density,expected,le_hbm", [
    (2.0, "not-controlled", False), (2.0 + EPS, "3A090.c", True),
    (3.3 - EPS, "3A090.c", True), (3.3, "3A090.c", False),
])
def test_hbm_density_line_and_licence_exception(density: float, expected: str,
                                                le_hbm: bool) -> None:
    v = verdict("us-2024-12", tpp=0.0, standalone_hbm=True, memory_bandwidth_density=density)
    assert v.outcome == expected
    assert any("License Exception HBM" in e for e in v.exceptions) is le_hbm


@pytest.mark.parametrize("tpp,bw,expected", [
    (21000 - EPS, 6500 - EPS, "case-by-case"), (21000, 6500 - EPS, "presumption-of-denial"),
    (21000 - EPS, 6500, "presumption-of-denial"), (15832, 4800, "case-by-case"),
])
def test_2026_review_lines_are_strict(tpp: float, bw: float, expected: str) -> None:
    # released before the rule's publication (2026-01-15): only the two lines decide
    assert outcome("us-2026-01", tpp=tpp, performance_density=20.0, memory_bandwidth_gbps=bw,
                   released=float(date(2024, 11, 18).toordinal())) == expected


def test_2026_only_concerns_3a090a_items() -> None:
    assert outcome("us-2026-01", tpp=2368.0, performance_density=2.9,
                   memory_bandwidth_gbps=4000.0) == "not-applicable"


@pytest.mark.parametrize("tpp,bw,expected", [
    (14000, 4800, "not-covered"), (14000 + EPS, 4800, "tariff-25"),
    (17500, 4800, "not-covered"), (17500 - EPS, 4800, "tariff-25"),
    (15832, 4500, "not-covered"), (15832, 4500 + EPS, "tariff-25"),
    (15832, 5000, "not-covered"), (15832, 5000 - EPS, "tariff-25"),
    (20800, 6000, "not-covered"), (20800 + EPS, 6000, "tariff-25"),
    (21100, 6000, "not-covered"), (21100 - EPS, 6000, "tariff-25"),
    (20900, 5800, "not-covered"), (20900, 5800 + EPS, "tariff-25"),
    (20900, 6200, "not-covered"), (20900, 6200 - EPS, "tariff-25"),
])
def test_section_232_bands_strict_on_both_ends(tpp: float, bw: float, expected: str) -> None:
    assert outcome("us-2026-01-s232", tpp=tpp, memory_bandwidth_gbps=bw) == expected


@pytest.mark.parametrize("bw,io,expected", [
    (1400, 0, "license-required"), (1400 - EPS, 0, "not-covered"),
    (0, 1100, "license-required"), (0, 1100 - EPS, "not-covered"),
    (1344, 128, "not-covered"),  # RTX 5090 D V2: cut to 1,344 GB/s to comply
    (1000, 700, "license-required"), (1000, 700 - EPS, "not-covered"),
])
def test_h20_letter_reported_trigger(bw: float, io: float, expected: str) -> None:
    assert outcome("us-2025-04-h20", memory_bandwidth_gbps=bw,
                   bidirectional_io_gbps=io) == expected


def test_h20_letter_only_for_notified_vendors() -> None:
    assert outcome("us-2025-04-h20", memory_bandwidth_gbps=3200.0, bidirectional_io_gbps=400.0,
                   vendor="Huawei") == "not-covered"


@pytest.mark.parametrize("when,transistors,hbm,expected", [
    (date(2026, 6, 1), 30 - EPS, True, "rebutted"),
    (date(2026, 6, 1), 30, True, "presumed-3A090.a"),
    (date(2026, 6, 1), 34.0, False, "presumed-3A090.a"),
    (date(2027, 6, 1), 34.0, False, "rebutted"),
    (date(2027, 6, 1), 35, False, "presumed-3A090.a"),
    (date(2027, 6, 1), 34.0, True, "presumed-3A090.a"),
    (date(2028, 6, 1), 34.0, False, "presumed-3A090.a"),
    (date(2029, 6, 1), 40 - EPS, False, "rebutted"),
    (date(2029, 6, 1), 40, False, "presumed-3A090.a"),
])
def test_foundry_transistor_test_by_year(when: date, transistors: float, hbm: bool,
                                         expected: str) -> None:
    assert outcome("us-2025-01-foundry", when, transistors_billion=transistors,
                   contains_hbm=hbm, non_planar=True, logic_node_nm=5.0) == expected


def test_foundry_not_applicable_to_planar_mature_nodes() -> None:
    assert outcome("us-2025-01-foundry", transistors_billion=80.0, contains_hbm=True,
                   non_planar=False, logic_node_nm=28.0) == "not-applicable"


def test_margins_carry_value_threshold_and_percent() -> None:
    v = verdict("us-2023-10", tpp=2368.0, performance_density=2.909)
    line = next(m for m in v.margins if m.metric == "tpp" and m.threshold == 2400)
    assert line.margin == pytest.approx(-32)
    assert line.margin_pct == pytest.approx(-32 / 2400 * 100)


def test_dependencies_are_evaluated_first() -> None:
    order = [r.id for r in order_rules(RULES.values())]
    assert order.index("us-2024-12") < order.index("us-2026-01")
    assert order.index("us-2024-12") < order.index("us-2025-01-diffusion")


def _controlled(rule: RuleDefinition, row: dict[str, Any]) -> bool | None:
    out = next(v.outcome for v in evaluate_on([rule], [row], rule.effective, False)[0])
    return None if out == "undetermined" else out.startswith("3A090")


metric = st.floats(min_value=0.0, max_value=30000.0, allow_nan=False)


@given(tpp=metric, pd=st.floats(min_value=0, max_value=40, allow_nan=False),
       dc=st.booleans(), which=st.sampled_from(["tpp", "performance_density"]),
       step=st.floats(min_value=0.0, max_value=20000.0, allow_nan=False))
def test_growing_a_metric_never_decontrols(tpp: float, pd: float, dc: bool, which: str,
                                           step: float) -> None:
    rule = RULES["us-2023-10"]
    row = {**DC, "tpp": tpp, "performance_density": pd, "datacenter": dc}
    grown = dict(row)
    grown[which] = row[which] + step
    if _controlled(rule, row):
        assert _controlled(rule, grown)


@pytest.mark.parametrize("criterion,message", [
    ({"metric": "tpp", "op": "in", "value": ["x"]}, "compares a text metric"),
    ({"metric": "tpp", "op": "=>", "value": 1}, "is not one of"),
    ({"metric": "speed", "op": ">=", "value": 1}, "unknown metric"),
    ({"metric": "tpp", "op": ">=", "value": "lots"}, "finite number"),
    ({"metric": "datacenter", "op": ">=", "value": True}, "yes/no metric"),
    ({"metric": "tpp", "op": ">=", "param": "nope"}, "no parameter"),
])
def test_bad_criteria_are_refused_with_the_field(criterion: dict[str, Any], message: str) -> None:
    from chipdb.engine import rule_from_mapping

    raw = {"id": "x", "title": "t", "citation": "c", "url": "https://e.org", "effective":
           "2027-01-01", "default_outcome": "no", "clause": [{"outcome": "yes",
                                                              "when": criterion}]}
    with pytest.raises(ValueError, match=message):
        rule_from_mapping(raw)
