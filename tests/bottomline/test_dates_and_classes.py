"""The bottom line for the seed's chips, per destination class, on both sides of every date
that changes an answer; each case cites the published fact it encodes.

Destination classes used: PRC (CN; Hong Kong as CN), Macau (MO), other D:5 (RU), D:1/D:4
outside D:5 (SA), the UAE (AE, D:4 until 2026-07-09, A:5 from 2026-07-10), everywhere else
(DE), and any destination with a buyer headquartered in the PRC (DE + --party-hq CN).
"""

from __future__ import annotations

from typing import Any

import pytest

import chipdb

H20 = ("H20 96GB", "H20 141GB")
NOT_CAUGHT_BY_2022 = ("A800 SXM4 80GB", "H800 SXM")


def one(db: chipdb.Database, chip: str, to: str, on: str, hq: str | None = None) -> Any:
    answers = db.check(chip, to=to, party_hq=hq, as_of=on).answers
    assert len(answers) == 1, answers
    return answers[0]


# (chip, to, party_hq, day, licence required?) -- why, with the published source
CASES: list[tuple[str, str, str | None, str, bool | None]] = [
    # 87 FR 62186 (us-2022-10), effective 2022-10-07: 3A090 to the PRC. The H100 passes the
    # 2022 test (TPP >= 4800 and I/O >= 600 GB/s); the A800/H800 were cut to 400 GB/s NVLink
    # to fall outside it (rules.md §5, NVIDIA 8-K of 2022-08-31 / 2023-10-24).
    ("H100 SXM", "CN", None, "2022-10-07", True),
    ("A800 SXM4 80GB", "CN", None, "2022-10-07", False),
    ("H800 SXM", "CN", None, "2022-10-07", False),
    ("H100 SXM", "HK", None, "2022-10-07", True),  # HK treated as the PRC since 2020-12-23
    ("H100 SXM", "RU", None, "2022-10-07", False),  # 2022 rule: PRC (and Macau) only
    ("H100 SXM", "DE", "CN", "2022-10-07", False),  # no HQ prong before 2023-11-17
    # 88 FR 2821 (FR Doc 2023-00888, published 2023-01-18): Macau added
    ("H100 SXM", "MO", None, "2023-01-16", False),
    ("H100 SXM", "MO", None, "2023-01-18", True),
    # 88 FR 73458 (us-2023-10), effective 2023-11-17: TPP/PD test; D:1/D:4/D:5 not A:5/A:6
    # plus Macau; and any destination for a buyer headquartered in D:5/Macau (BIS guidance of
    # 2026-05-31: the HQ requirement was "first introduced on November 17, 2023")
    ("A800 SXM4 80GB", "CN", None, "2023-11-17", True),
    ("H800 SXM", "CN", None, "2023-11-17", True),
    ("RTX 4090", "CN", None, "2023-11-16", False),  # 2022 I/O test: 64 GB/s PCIe
    ("RTX 4090", "CN", None, "2023-11-17", True),  # 3A090.a.1, TPP 5,286 (NVIDIA 8-K)
    ("RTX 4090", "SA", None, "2023-11-16", False),
    ("RTX 4090", "SA", None, "2023-11-17", True),  # Saudi Arabia: D:1/D:4
    ("H100 SXM", "RU", None, "2023-11-17", True),
    ("H100 SXM", "DE", "CN", "2023-11-16", False),
    ("H100 SXM", "DE", "CN", "2023-11-17", True),
    ("H100 SXM", "DE", None, "2023-11-17", False),  # Germany: A:1, not D:1/D:4/D:5
    ("RTX 4090 D", "CN", None, "2024-01-01", False),  # Note 2: not datacenter, TPP 4,707
    ("L20", "CN", None, "2024-01-01", False),  # TPP 1,912 < 2,400 (Tom's Hardware)
    ("L2", "CN", None, "2024-01-01", False),  # TPP 1,544 < 1,600
    ("H20 96GB", "CN", None, "2024-01-01", False),  # TPP 2,368 < 2,400, PD 2.91 < 3.2
    # USG notices of 2025-04-09 (NVIDIA 8-K 2025-04-15, AMD 8-K 2025-04-16): H20 and MI308
    # to the PRC (incl. HK), Macau and D:5, and to parties headquartered there
    ("H20 96GB", "CN", None, "2025-04-08", False),
    ("H20 96GB", "CN", None, "2025-04-09", True),
    ("H20 141GB", "CN", None, "2025-04-08", False),
    ("H20 141GB", "CN", None, "2025-04-09", True),
    ("H20 96GB", "HK", None, "2025-04-09", True),
    ("H20 96GB", "MO", None, "2025-04-09", True),
    ("H20 96GB", "RU", None, "2025-04-09", True),
    ("H20 96GB", "SA", None, "2025-04-09", False),  # the letters do not reach D:1/D:4
    ("H20 96GB", "DE", None, "2025-04-09", False),
    ("H20 96GB", "DE", "CN", "2025-04-09", True),  # ... but do reach a PRC-HQ buyer
    ("MI308X", "CN", None, "2025-04-08", None),  # its 3A090 test lacks a figure (die area)
    ("MI308X", "CN", None, "2025-04-09", True),  # named in AMD's 8-K
    # the reported bandwidth trigger (1,400 GB/s memory; FT 2025-04-16, in H.R. 6875): the
    # RTX 5090 D (1,792 GB/s) is caught, the 5090 D V2 (1,344 GB/s) made for China is not
    ("RTX 5090 D", "CN", None, "2025-04-08", False),
    ("RTX 5090 D", "CN", None, "2025-04-09", True),
    ("RTX 5090 D V2", "CN", None, "2025-04-09", False),
    ("L20", "CN", None, "2025-04-09", False),  # 864 GB/s, under every reported line
    ("L2", "CN", None, "2025-04-09", False),
    ("RTX 4090 D", "CN", None, "2025-04-09", False),  # 1,008 GB/s
    # the diffusion rule (90 FR 4544) is not enforced from 2025-05-13 (BIS press release);
    # on the books before, it never by itself makes the answer "licence required"
    ("H100 SXM", "DE", None, "2025-05-12", False),
    ("H100 SXM", "DE", None, "2025-05-13", False),
    # 91 FR 1684 (us-2026-01), effective 2026-01-15: H200-class licences to the PRC/Macau
    # reviewed case by case; still a licence
    ("H200 SXM", "CN", None, "2026-01-14", True),
    ("H200 SXM", "CN", None, "2026-01-15", True),
    # 91 FR 43034 (FR Doc 2026-14132): the UAE leaves D:3/D:4 for A:5 on 2026-07-10
    ("H100 SXM", "AE", None, "2026-07-09", True),
    ("H100 SXM", "AE", None, "2026-07-10", False),
    ("H100 SXM", "AE", "CN", "2026-07-10", True),  # the D:5-HQ prong still applies
    ("RTX 4090", "AE", None, "2026-07-09", True),
    ("RTX 4090", "AE", None, "2026-07-10", False),
    ("H200 SXM", "AE", None, "2026-07-09", True),
    ("H200 SXM", "AE", None, "2026-07-10", False),
    ("H200 SXM", "AE", "CN", "2026-07-09", True),
    ("H200 SXM", "AE", "CN", "2026-07-10", True),
    # the BIS GP10 guidance (2025-05-13) is a measure, never a licence requirement: an
    # Ascend 910C exported from the US to Germany needs none by it
    ("Ascend 910C", "DE", None, "2025-05-13", False),
    ("H100 SXM", "CN", None, "2026-12-01", True),
    ("H100 SXM", "DE", None, "2026-12-01", False),
    ("H100 SXM", "DE", "CN", "2026-12-01", True),
]


@pytest.mark.parametrize(("chip", "to", "hq", "on", "expected"), CASES,
                         ids=[f"{c}-{t}-{h or 'nohq'}-{d}" for c, t, h, d, _ in CASES])
def test_licence_required(opened: chipdb.Database, chip: str, to: str, hq: str | None,
                          on: str, expected: bool | None) -> None:
    assert one(opened, chip, to, on, hq).license_required is expected


def test_before_the_data_starts_there_is_no_answer(opened: chipdb.Database) -> None:
    # chipdb's rules start on 2022-10-07 (the 2022-08 letters are not modelled)
    assert opened.check("H100", to="CN", as_of="2022-10-06").answers == ()


def test_exceptions_follow_the_2024_split(opened: chipdb.Database) -> None:
    # 89 FR 23876 (2024-04-04) split License Exception NAC into NAC (D:5/Macau, with notice)
    # and ACA (D:1/D:4 outside D:5/Macau); a 3A090.b datacenter part (TPU v4i) is eligible
    assert one(opened, "TPU v4i", "SA", "2024-04-03").exceptions == ("NAC",)
    assert one(opened, "TPU v4i", "SA", "2024-04-04").exceptions == ("ACA",)
    assert one(opened, "TPU v4i", "CN", "2024-04-04").exceptions == ("NAC",)
    # NAC for a 3A090.a part not designed for datacenters (RTX 4090; NVIDIA 8-K 2023-10-24)
    assert one(opened, "RTX 4090", "CN", "2023-11-17").exceptions == ("NAC",)
    # a datacenter 3A090.a part has none
    assert one(opened, "H100 SXM", "CN", "2024-06-01").exceptions == ()


def test_review_policy_from_2026_01_15(opened: chipdb.Database) -> None:
    # 91 FR 1684: exports from the US of H200-class chips to the PRC/Macau case by case;
    # D:5/Macau-HQ parties elsewhere keep the presumption of denial (Covington summary)
    assert one(opened, "H200 SXM", "CN", "2026-01-14").review_policy is None
    assert one(opened, "H200 SXM", "CN", "2026-01-15").review_policy == "case-by-case"
    assert one(opened, "H100 SXM", "DE", "2026-01-15", "CN").review_policy == \
        "presumption-of-denial"
    # no licence, no review policy
    assert one(opened, "H100 SXM", "DE", "2026-01-15").review_policy is None


def test_the_deciding_rule_and_clause(opened: chipdb.Database) -> None:
    a = one(opened, "A800 SXM4 80GB", "CN", "2024-06-01")
    assert [(b["rule"], b["clause"]) for b in a.basis] == [("us-2023-10", "3A090.a.1")]
    assert a.basis[0]["effective"] == "2023-11-17" and a.basis[0]["ended"] == "2024-12-01"
    h20 = one(opened, "H20 96GB", "CN", "2025-06-01")
    assert [(b["rule"], b["clause"]) for b in h20.basis] == [
        ("us-2025-04-h20", "named in the notices")]
    # the HQ prong is what decides for a PRC-HQ buyer in Germany
    de = one(opened, "H100 SXM", "DE", "2024-06-01", "CN")
    # ... carried both by the 2023 text and by the 2026-05-31 guidance that confirms it was
    # "first introduced on November 17, 2023" (us-2026-05-guidance)
    assert [b["scope"] for b in de.basis] == ["us-2023-10.hq", "us-2026-05-guidance.hq"]


def test_the_binding_margin_is_the_nearest_line(opened: chipdb.Database) -> None:
    # RTX 4090 D: TPP 4,707 against the 4,800 line of Note 2 (-1.9 %), nearer than any other
    b = one(opened, "RTX 4090 D", "CN", "2026-12-01").binding_margin
    assert (b["metric"], b["threshold"]) == ("tpp", 4800.0) and -2.5 < b["margin_pct"] < -1.5
    # RTX 5090 D: caught by memory bandwidth 1,792 >= 1,400 (+28 %), the line it must fall
    # under (the combined line is nearer, but the memory line alone keeps it caught)
    b = one(opened, "RTX 5090 D", "CN", "2026-12-01").binding_margin
    assert (b["metric"], b["threshold"]) == ("memory_bandwidth_gbps", 1400.0)
    # a chip named by family has no line that would change the answer
    assert one(opened, "H20 96GB", "CN", "2026-12-01").binding_margin is None


def test_confidence_names_unverified_parameters(opened: chipdb.Database) -> None:
    # the H20 letters' numbers are reported, not published (rules-update §3, item 4)
    c = one(opened, "RTX 5090 D", "CN", "2026-12-01").confidence
    assert any(u.startswith("us-2025-04-h20") for u in c["unverified"])
    assert c["tier"] in ("official", "measured", "secondary", "estimate")
    assert one(opened, "H100 SXM", "RU", "2024-06-01").confidence["unverified"] == []


def test_since_when_the_answer_has_held(opened: chipdb.Database) -> None:
    # measures are part of the answer: the last one to join the H20's answer for China is the
    # reported domestic-chip rule for state-funded data centres (Reuters, 2025-11-05)
    assert one(opened, "H20 96GB", "CN", "2026-12-01").since.isoformat() == "2025-11-05"
    assert one(opened, "H20 96GB", "CN", "2025-05-01").since.isoformat() == "2025-04-09"
    assert one(opened, "H20 96GB", "CN", "2025-04-08").since.isoformat() < "2025-04-08"
    assert one(opened, "H100 SXM", "AE", "2026-12-01").since.isoformat() == "2026-07-10"


def test_since_when_the_licence_answer_has_held(opened: chipdb.Database) -> None:
    # the licence answer alone ignores later measures: the H20 has needed a licence for China
    # since the USG notice of 2025-04-09 (NVIDIA 8-K, 2025-04-15), and did not the day before
    assert one(opened, "H20 96GB", "CN", "2026-12-01").license_required_since.isoformat() \
        == "2025-04-09"
    before = one(opened, "H20 96GB", "CN", "2025-04-08")
    assert before.license_required is False
    assert before.license_required_since.isoformat() < "2025-04-08"
    # the H100 since the first rule (87 FR 62186, in force 2022-10-07), whatever came later
    assert one(opened, "H100 SXM", "CN", "2026-12-01").license_required_since.isoformat() \
        == "2022-10-07"
    # the UAE: no licence since the 2026-07-10 change, a licence before it
    assert one(opened, "H100 SXM", "AE", "2026-12-01").license_required_since.isoformat() \
        == "2026-07-10"
    assert one(opened, "H100 SXM", "AE", "2026-07-09").license_required is True


def test_a_range_inside_3a090_needs_a_licence_whichever_clause(opened: chipdb.Database
                                                               ) -> None:
    # TPU v5e: TPP 3,152 on one die no larger than a reticle (858 mm2), so performance
    # density >= 3.67: 3A090.a.2 or 3A090.b.1 (crosscheck §4.5), a licence for China either way
    a = one(opened, "TPU v5e", "CN", "2026-12-01")
    assert a.license_required is True
    assert any(b["outcome"] == "3A090.a.2 or 3A090.b.1" for b in a.basis)
    # before the 2023 rule it was outside the 2022 one (I/O below 600 GB/s): no licence
    assert one(opened, "TPU v5e", "CN", "2023-11-16").license_required is False
    assert one(opened, "TPU v5e", "CN", "2023-11-17").license_required is True


def test_measures_never_decide(opened: chipdb.Database) -> None:
    # the diffusion rule's requirement shows as a measure with its status, the answer is no:
    # before its compliance date (2025-05-15), and after, since BIS does not enforce it from
    # 2025-05-13 (press release; not rescinded, GAO B-337935)
    # published 2025-01-15 (90 FR 4544), in force 2025-01-13, compliance 2025-05-15: pending
    # until BIS said on 2025-05-13 that it would not enforce it
    for day, status in (("2025-01-13", "pending"), ("2025-05-12", "pending"),
                        ("2025-05-13", "not-enforced"), ("2025-05-15", "not-enforced"),
                        ("2026-11-30", "not-enforced")):
        a = one(opened, "H100 SXM", "DE", day)
        assert a.license_required is False
        assert [(m["rule"], m["status"]) for m in a.measures] == [
            ("us-2025-01-diffusion", status)], day
    assert one(opened, "H100 SXM", "DE", "2025-01-12").measures == ()
    # the Section 232 duty is on imports into the US (Proclamation 11002)
    us = one(opened, "H200 SXM", "US", "2026-01-15")
    assert us.license_required is False
    assert [(m["rule"], m["outcome"], m["layer"]) for m in us.measures] == [
        ("us-2026-01-s232", "tariff-25", "other-measures")]


def test_without_to_one_answer_per_class(opened: chipdb.Database) -> None:
    answers = opened.check("H20", as_of="2026-12-01").answers
    by = {a.destination: a.license_required for a in answers}
    prc = next(k for k in by if "China" in k)
    assert by[prc] is True and by["everywhere else"] is False
    assert any(k.startswith("any destination, buyer HQ") and v for k, v in by.items())
    # every destination is in exactly one class
    codes = [c for a in answers if not a.destination.startswith("any destination")
             for c in a.destination_codes]
    assert len(codes) == len(set(codes)) > 240


def test_a_group_spans_its_classes(opened: chipdb.Database) -> None:
    # Cyprus was in D:5 and A:6 until 2024-05-29: D:5 then spans two classes
    answers = opened.check("A800", to="d:5", as_of="2024-01-01").answers
    assert {a.license_required for a in answers} == {True, False}
    assert all(a.destination.startswith("D:5: ") for a in answers)


def test_the_uae_rule_shows_as_measures_from_2026_07_10(opened: chipdb.Database) -> None:
    # 91 FR 43034: licence-free access for the UAE Government and approved entities (named
    # buyers: a measure), and the UAE out of D:4 (a destination change)
    assert not [m for m in one(opened, "H100 SXM", "AE", "2026-07-09").measures
                if m["rule"] == "us-2026-07-uae"]
    shown = {(m["rule"], m["outcome"]) for m in one(opened, "H100 SXM", "AE",
                                                       "2026-07-10").measures}
    assert {("us-2026-07-uae", "license-free-approved-entity"),
            ("us-2026-07-uae", "not-covered-destination")} <= shown


def test_the_gp10_guidance_flags_the_named_ascend_chips(opened: chipdb.Database) -> None:
    for chip in ("Ascend 910B", "Ascend 910C"):
        before = {m["rule"] for m in one(opened, chip, "DE", "2025-05-12").measures}
        after = {(m["rule"], m["outcome"]) for m in one(opened, chip, "DE",
                                                        "2025-05-13").measures}
        assert "us-2025-05-guidance" not in before
        assert ("us-2025-05-guidance", "named-prc-3a090") in after
