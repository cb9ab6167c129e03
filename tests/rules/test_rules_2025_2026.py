"""The rules added and fixed for issue 14, on both sides of their dates and lines (engine).

Each case cites the published fact it encodes (rules-update-2026-12.md and the rule files).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from chipdb.engine import evaluate_dated, evaluate_on
from tests.engine.rules import RULES

ALL = list(RULES.values())
DC = {"datacenter": True, "vendor": "NVIDIA", "chip_family": "X", "standalone_hbm": False}
# H200 SXM as the catalogue has it: TPP 15,832, PD 19.4, 4,800 GB/s, NVLink 900 GB/s
H200 = {**DC, "chip_family": "H200", "tpp": 15832.0, "performance_density": 19.45,
        "memory_bandwidth_gbps": 4800.0, "interconnect_gbps": 900.0,
        "bidirectional_io_gbps": 1028.0, "transistors_billion": 80.0, "contains_hbm": True,
        "non_planar": True, "logic_node_nm": 4.0}
H20 = {**DC, "chip_family": "H20", "tpp": 2368.0, "performance_density": 2.91,
       "memory_bandwidth_gbps": 4000.0, "interconnect_gbps": 900.0,
       "bidirectional_io_gbps": 1028.0}


def day(text: str) -> float:
    return float(date.fromisoformat(text).toordinal())


def outcome(rule_id: str, on: str, **metrics: Any) -> str:
    verdicts = evaluate_on(ALL, [metrics], date.fromisoformat(on), only_in_force=False)[0]
    return next(v.outcome for v in verdicts if v.rule == rule_id)


def in_force(rule_id: str, on: str) -> bool:
    return RULES[rule_id].in_force(date.fromisoformat(on))


# --- status vocabulary and the diffusion rule ------------------------------------------------

def test_the_diffusion_rule_is_on_the_books_but_not_enforced() -> None:
    # GAO B-337935: not rescinded; BIS non-enforcement from 2025-05-13, compliance 2025-05-15
    rule = RULES["us-2025-01-diffusion"]
    assert (rule.status, rule.ended) == ("not-enforced", None)
    assert (rule.not_enforced_from, rule.compliance) == (date(2025, 5, 13), date(2025, 5, 15))
    assert in_force("us-2025-01-diffusion", "2026-11-30")
    enforced = frozenset({"in-force", "superseded"})
    for on in ("2025-01-12", "2025-01-13", "2025-05-12", "2025-05-13", "2025-05-15",
               "2026-11-30"):
        assert not rule.enforced_on(date.fromisoformat(on), enforced), on


def test_statuses_are_one_vocabulary() -> None:
    from chipdb.outcomes import RULE_STATUSES

    assert set(RULE_STATUSES) >= {"in-force", "not-enforced", "superseded", "expired", "draft"}
    assert {r.status for r in ALL} <= set(RULE_STATUSES)
    assert {r.id for r in ALL if r.status == "draft"} == {
        "us-bill-ai-overwatch", "us-bill-safe-chips", "us-bill-chip-security"}


# --- us-2026-01: commercially available in the US on 2026-01-15 ------------------------------

@pytest.mark.parametrize(("released", "expected"), [
    ("2024-11-18", "case-by-case"),  # H200: Epoch AI release date
    ("2026-01-15", "case-by-case"),  # on the day of publication
    ("2026-01-16", "presumption-of-denial"),  # later: not available at publication
    ("2026-06-01", "presumption-of-denial"),
])
def test_2026_case_by_case_only_for_chips_available_at_publication(released: str,
                                                                     expected: str) -> None:
    assert outcome("us-2026-01", "2026-06-01", **H200, released=day(released)) == expected


def test_2026_unknown_release_leaves_both_outcomes_open() -> None:
    verdicts = evaluate_on(ALL, [H200], date(2026, 6, 1))[0]
    (v,) = [v for v in verdicts if v.rule == "us-2026-01"]
    assert set(v.possible_outcomes) == {"case-by-case", "presumption-of-denial"}
    assert not v.determined


def test_2026_a_release_month_across_the_date_is_open_and_one_before_it_is_not() -> None:
    across = {**H200, "released_low": day("2026-01-01"), "released_high": day("2026-01-31")}
    before = {**H200, "released_low": day("2025-12-01"), "released_high": day("2025-12-31")}
    assert outcome("us-2026-01", "2026-06-01", **across) == \
        "case-by-case or presumption-of-denial"
    assert outcome("us-2026-01", "2026-06-01", **before) == "case-by-case"


def test_2026_3a090b_is_not_asserted_not_applicable() -> None:
    # TPP 2,400..4,800 with PD 1.6..5.92 is 3A090.b.1 (88 FR 73458); the rule's 3A090.b
    # scope is not verified, so the same lines apply and the clause says so
    b_item = {**DC, "tpp": 3000.0, "performance_density": 2.0, "memory_bandwidth_gbps": 1000.0,
              "released": day("2024-01-01")}
    verdicts = evaluate_on(ALL, [b_item], date(2026, 6, 1))[0]
    (v,) = [v for v in verdicts if v.rule == "us-2026-01"]
    assert v.outcome == "case-by-case" and "scope not verified" in v.reason
    assert outcome("us-2026-01", "2026-06-01", **{**b_item, "tpp": 100.0}) == "not-applicable"


# --- us-2025-05-guidance ---------------------------------------------------------------------

@pytest.mark.parametrize("family", ["Ascend 910B", "Ascend 910C", "Ascend 910D"])
def test_the_named_ascend_chips(family: str) -> None:
    chip = {**DC, "vendor": "Huawei", "chip_family": family}
    assert outcome("us-2025-05-guidance", "2025-05-13", **chip) == "named-prc-3a090"
    assert not in_force("us-2025-05-guidance", "2025-05-12")


def test_other_prc_chips_meeting_3a090_are_presumed() -> None:
    prc = {**DC, "vendor": "Cambricon", "chip_family": "MLU590", "tpp": 5000.0,
           "performance_density": 7.0}
    assert outcome("us-2025-05-guidance", "2025-06-01", **prc) == "presumed-prc-3a090"
    # below every 3A090 line: not covered; a US vendor's chip: not covered
    assert outcome("us-2025-05-guidance", "2025-06-01",
                   **{**prc, "tpp": 1000.0, "performance_density": 1.0}) == "not-covered"
    assert outcome("us-2025-05-guidance", "2025-06-01", **{**prc, "vendor": "NVIDIA"}) == \
        "not-covered"


# --- us-2026-05-guidance, us-2026-07-uae, my-2025-07-sta -------------------------------------

def test_d5_hq_requirement_from_2023_11_17() -> None:
    assert not in_force("us-2026-05-guidance", "2023-11-16")
    assert outcome("us-2026-05-guidance", "2023-11-17", **H200) == "license-required-d5-hq"
    assert outcome("us-2026-05-guidance", "2026-06-01", **H20) == "not-covered"  # not 3A090


def test_uae_rule_from_2026_07_10() -> None:
    assert not in_force("us-2026-07-uae", "2026-07-09")
    assert outcome("us-2026-07-uae", "2026-07-10", **H200) == "license-free-approved-entity"


def test_malaysia_permit_for_us_origin_advanced_chips_from_2025_07_14() -> None:
    assert not in_force("my-2025-07-sta", "2025-07-13")
    assert outcome("my-2025-07-sta", "2025-07-14", **H200) == "permit-required"
    assert outcome("my-2025-07-sta", "2025-07-14", **{**H200, "vendor": "Huawei"}) == \
        "not-covered"
    assert outcome("my-2025-07-sta", "2025-07-14", **H20) == "not-covered"


# --- us-2026-04-icdesigner: the authorized-designer route ends with 2026 ---------------------

def test_authorized_designer_route_until_2026_12_31() -> None:
    assert not in_force("us-2026-04-icdesigner", "2026-04-06")
    (periods,) = evaluate_dated([RULES["us-2025-01-foundry"], RULES["us-2026-04-icdesigner"]],
                                [H200])
    mine = [(v.valid_from, v.valid_to, v.outcome) for v in periods
            if v.rule == "us-2026-04-icdesigner"]
    # (a reason quotes the export year, so each later year is a period of its own)
    assert mine[0] == (date(2026, 4, 7), date(2026, 12, 31), "authorized-designer-route")
    assert mine[1][0] == date(2027, 1, 1) and mine[-1][1] is None
    assert {o for _, _, o in mine[1:]} == {"approved-designers-only"}
    foundry = [v for v in periods if v.rule == "us-2025-01-foundry"]
    names = {e.split(":")[0] for v in foundry if v.valid_from <= date(2026, 6, 1)
             for e in v.exceptions}
    assert {"Approved IC designer route", "Authorized IC designer route"} <= names
    late = [v for v in foundry if v.valid_from >= date(2027, 1, 1)]
    assert late and all(not any(e.startswith("Authorized") for e in v.exceptions)
                        for v in late)


# --- China's import-side measures (informational) --------------------------------------------

@pytest.mark.parametrize(("rule_id", "first", "chip", "expected"), [
    ("cn-2025-07-cac-h20", "2025-07-31", H20, "import-discouraged"),
    ("cn-2025-09-cac-6000d", "2025-09-17", {**DC, "chip_family": "RTX PRO 6000D"},
     "purchase-halt-ordered"),
    ("cn-2025-10-customs", "2025-10-10", H20, "import-blocked"),
    ("cn-2025-11-state-dc", "2025-11-05", H200, "purchase-halt-ordered"),
    ("cn-2026-01-h200", "2026-01-07", H200, "import-gated"),
])
def test_china_measures_from_their_dates(rule_id: str, first: str, chip: dict[str, Any],
                                         expected: str) -> None:
    before = date.fromordinal(date.fromisoformat(first).toordinal() - 1).isoformat()
    assert not in_force(rule_id, before) and in_force(rule_id, first)
    assert outcome(rule_id, first, **chip) == expected
    assert RULES[rule_id].layer == "import-policy-cn"


def test_china_measures_spare_domestic_chips() -> None:
    ascend = {**DC, "vendor": "Huawei", "chip_family": "Ascend 910C", "tpp": 12800.0,
              "performance_density": 20.0}
    assert outcome("cn-2025-11-state-dc", "2025-11-05", **ascend) == "not-covered"
    assert outcome("cn-2025-10-customs", "2025-10-10", **ascend) == "not-covered"


# --- bills (drafts) --------------------------------------------------------------------------

def test_ai_overwatch_covers_the_h20_restricts_new_and_large_chips() -> None:
    # S. 4456: restricted = TPP >= 21,000, or first marketed after 2026-01-01 at 3A090 level
    on = "2026-06-01"
    assert outcome("us-bill-ai-overwatch", on, **H20) == "bill-covered"
    assert outcome("us-bill-ai-overwatch", on, **H200, released=day("2024-11-18")) == \
        "bill-covered"
    assert outcome("us-bill-ai-overwatch", on, **H200, released=day("2026-01-02")) == \
        "bill-mandatory-denial"
    assert outcome("us-bill-ai-overwatch", on, **{**H200, "tpp": 21000.0},
                   released=day("2024-11-18")) == "bill-mandatory-denial"
    # RTX PRO 6000D: 1,398 GB/s, PCIe only, TPP ~2,300, PD ~3.1 -> under every line
    pro = {**DC, "tpp": 2300.0, "performance_density": 3.1, "memory_bandwidth_gbps": 1398.0,
           "interconnect_gbps": 0.0}
    assert outcome("us-bill-ai-overwatch", on, **pro) == "not-covered"
    assert outcome("us-bill-ai-overwatch", on, **{**pro, "memory_bandwidth_gbps": 1400.0}) == \
        "bill-covered"


def test_safe_chips_leaves_the_h20_just_under_its_lines() -> None:
    # S. 3374: DRAM >= 4,100, interconnect >= 1,100 or sum >= 5,000 GB/s
    assert outcome("us-bill-safe-chips", "2026-06-01", **H20) == "not-covered"
    assert outcome("us-bill-safe-chips", "2026-06-01",
                   **{**H20, "memory_bandwidth_gbps": 4100.0}) == "bill-mandatory-denial"
    assert outcome("us-bill-safe-chips", "2026-06-01", **H200) == "bill-mandatory-denial"
