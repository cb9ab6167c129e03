"""Every seed chip × every destination class × both sides of every date that changes an
answer, on both engines: the licence answer chipdb stores against the one the published
rules give. The expectation is written from the rules (the facts below, each with its
source; ../shared/reference/rules.md §1-2 and §5), not read back from chipdb.

Destination classes: the PRC (CN, and HK treated as CN under the EAR since 2020-12-23),
Macau (MO), other D:5 (RU), D:1/D:4 outside D:5/A:5/A:6 (SA), D:4 but also A:6 (IL: the
2023 text's carve-out keeps it out, rules.md §2.2), everywhere else (DE, A:1), and
any destination with a buyer headquartered in the PRC (DE with --party-hq CN). The UAE's
move to A:5 on 2026-07-10 is covered in test_dates_and_classes.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

import chipdb

Truth = bool | None  # None: chipdb cannot tell from the published figures (undetermined)


@dataclass(frozen=True)
class Facts:
    """What the published record says about one chip."""

    chip: str
    in_3a090_2022: Truth  # 87 FR 62186: I/O >= 600 GB/s AND TPP >= 4800
    in_3a090_2023: Truth  # 88 FR 73458 (kept by 89 FR 96790): 3A090.a or .b
    letters: bool  # reached by the USG notices of 2025-04-09 (named, or the reported trigger)
    why: str


FACTS = [
    Facts("A800 SXM4 80GB", False, True, True,
          "NVLink cut to 400 GB/s to pass the 2022 I/O test; 3A090.a.1 from 2023 (TPP 4,992; "
          "NVIDIA 8-K 2023-10-24); 2,039 GB/s memory >= 1,400 reported trigger"),
    Facts("H800 SXM", False, True, True,
          "NVLink 400 GB/s (2022: not controlled); 3A090.a.1 from 2023 (TPP 15,832; NVIDIA "
          "8-K 2023-10-17)"),
    Facts("H20 96GB", False, False, True,
          "TPP 2,368 < 2,400 and PD 2.91 < 3.2 (rules.md §5); named in NVIDIA's 8-K of "
          "2025-04-15"),
    Facts("H20 141GB", False, False, True, "same die and TPP as the H20 96GB; named family"),
    Facts("H100 SXM", True, True, True,
          "TPP 15,832 and 900 GB/s NVLink: 3A090 in 2022 and 3A090.a.1 since (rules.md §5)"),
    Facts("H200 SXM", True, True, True,
          "the H100's compute (TPP 15,832) and NVLink 900 GB/s; 91 FR 1684 names it"),
    Facts("RTX 4090", False, True, False,
          "PCIe 64 GB/s fails the 2022 I/O test; 3A090.a.1 from 2023 (TPP 5,286, NVIDIA 8-K "
          "2023-10-17); 1,008 GB/s memory is under every reported 2025 trigger"),
    Facts("RTX 4090 D", False, False, False,
          "not for datacenters and TPP 4,707 < 4,800: Note 2 to 3A090 (tomshw.it)"),
    Facts("RTX 5090 D", False, False, True,
          "not for datacenters and TPP 4,750 < 4,800 (Note 2); 1,792 GB/s memory >= 1,400: "
          "shipments halted after the April 2025 notices (Tom's Hardware)"),
    Facts("RTX 5090 D V2", False, False, False,
          "bus cut to 384 bit, 1,344 GB/s 'to comply with U.S. export restrictions' (Tom's "
          "Hardware); TPP 4,750, not for datacenters (Note 2)"),
    Facts("L20", False, False, False, "TPP 1,912 < 2,400 and PD 3.14 < 3.2 (Tom's Hardware)"),
    Facts("L2", False, False, False, "TPP 1,544 < 1,600 (Tom's Hardware)"),
    Facts("MI308X", None, None, True,
          "AMD publishes no throughput, die area or bandwidth: 3A090 cannot be decided; named "
          "in AMD's 8-K of 2025-04-16"),
]

# (destination, buyer HQ): the classes above
PRC = ("CN", "HK")
PLACES: list[tuple[str, str | None]] = [("CN", None), ("HK", None), ("MO", None),
                                        ("RU", None), ("SA", None), ("IL", None), ("DE", None),
                                        ("DE", "CN")]

DAY_2022 = date(2022, 10, 7)  # 87 FR 62186: 3A090 to the PRC
MACAU = date(2023, 1, 18)  # 88 FR 2821: Macau added
DAY_2023 = date(2023, 11, 17)  # 88 FR 73458: TPP/PD; D:1/D:4/D:5 + MO; D:5/MO-HQ buyers
SPLIT = date(2024, 4, 4)  # 89 FR 23876: NAC split into NAC and ACA (no licence answer moves)
LETTERS = date(2025, 4, 9)  # USG notices: PRC incl. HK and MO, D:5, and parties HQ'd there
DIFFUSION_OFF = date(2025, 5, 13)  # 90 FR 4544 not enforced (it never decided an answer)
REVIEW = date(2026, 1, 15)  # 91 FR 1684: review policy only, the licence answer stays
CHANGES = (DAY_2022, MACAU, DAY_2023, SPLIT, LETTERS, DIFFUSION_OFF, REVIEW)
# Not asserted: the day before 2022-10-07 (chipdb's rules start then: no answer) and
# 2023-01-17, on which the sources disagree (two law-firm summaries give it as the Macau
# rule's effective date, rules.md the publication date 2023-01-18); the day before both is.
UNSETTLED = {DAY_2022 - timedelta(days=1), MACAU - timedelta(days=1)}
DAYS = sorted({d + timedelta(days=k) for d in CHANGES for k in (-1, 0)} - UNSETTLED
              | {MACAU - timedelta(days=2)})


def _or(a: Truth, b: Truth) -> Truth:
    if a is True or b is True:
        return True
    return None if a is None or b is None else False


def expected(f: Facts, to: str, hq: str | None, day: date) -> Truth:
    """The licence answer the published rules give, exports from the US."""
    if day < DAY_2023:
        # 2022 text: the PRC, Macau from 2023-01-18; no headquarters prong yet
        reached = to in PRC or (to == "MO" and day >= MACAU)
        return f.in_3a090_2022 if reached else False
    # 2023 text: D:1/D:4/D:5 not A:5/A:6, plus Macau; any destination for a buyer
    # headquartered in D:5/Macau (§744.23(a)(3); BIS guidance of 2026-05-31)
    by_class = f.in_3a090_2023 if (to in (*PRC, "MO", "RU", "SA") or hq == "CN") else False
    # the 2025-04-09 notices: the PRC incl. HK and Macau, D:5, and parties headquartered there
    by_letters = f.letters and day >= LETTERS and (to in (*PRC, "MO", "RU") or hq == "CN")
    return _or(by_class, by_letters)


# The 2023-10-23 USG notice made the 2023 requirement effective at once for datacenter
# parts with TPP >= 4,800 (NVIDIA 8-K 2023-10-24): chipdb models the 2023 text from
# 2023-11-17 only, so for those parts 2023-11-16 is asserted only where no text reached
# (Germany, a buyer not headquartered in D:5/Macau).
TPP_4800_DATACENTER = ("A800 SXM4 80GB", "H800 SXM", "H100 SXM", "H200 SXM")


def _asserted(f: Facts, to: str, hq: str | None, day: date) -> bool:
    notice_window = f.chip in TPP_4800_DATACENTER and day == DAY_2023 - timedelta(days=1)
    return not notice_window or (to, hq) == ("DE", None)


CASES = [(f, to, hq, day) for f in FACTS for to, hq in PLACES for day in DAYS
         if _asserted(f, to, hq, day)]


@pytest.mark.parametrize("facts", FACTS, ids=[f.chip for f in FACTS])
def test_licence_answer_on_both_sides_of_every_date(opened: chipdb.Database,
                                                    facts: Facts) -> None:
    wrong = []
    mine = [c for c in CASES if c[0] is facts]
    for _, to, hq, day in mine:
        answers = opened.check(facts.chip, to=to, party_hq=hq, as_of=day.isoformat()).answers
        assert len(answers) == 1, (to, hq, day, answers)
        got, want = answers[0].license_required, expected(facts, to, hq, day)
        if got is not want:
            wrong.append(f"{to}{'+hq ' + hq if hq else ''} {day}: chipdb {got}, rules {want}")
    assert not wrong, f"{facts.chip} ({facts.why}):\n" + "\n".join(wrong)
    assert len(mine) >= len(PLACES) * (len(DAYS) - 1)


def test_every_date_is_a_change_for_some_case() -> None:
    """The table is not vacuous: each listed date moves at least one expected answer or is
    one the issue names for another part of the answer (exceptions, measures, review)."""
    moving = {d for d in CHANGES for f in FACTS for to, hq in PLACES
              if d != DAY_2022 and expected(f, to, hq, d - timedelta(days=1))
              != expected(f, to, hq, d)}
    assert moving == {MACAU, DAY_2023, LETTERS}
    assert expected(FACTS[4], "CN", None, DAY_2022) is True  # H100 to the PRC from day one


# the parts of the answer that the other dates move (both sides of each)
def _one(db: chipdb.Database, chip: str, to: str, day: date, hq: str | None = None
         ) -> chipdb.BottomLine:
    answers = db.check(chip, to=to, party_hq=hq, as_of=day.isoformat()).answers
    assert len(answers) == 1
    return answers[0]


def test_the_split_of_nac_on_2024_04_04(opened: chipdb.Database) -> None:
    # 89 FR 23876: License Exception NAC (D:5/Macau, with notice) and ACA (D:1/D:4, no
    # notice); the RTX 4090 is a 3A090.a part not for datacenters with TPP >= 4,800
    before, on = SPLIT - timedelta(days=1), SPLIT
    assert _one(opened, "RTX 4090", "CN", before).exceptions == ("NAC",)
    assert _one(opened, "RTX 4090", "CN", on).exceptions == ("NAC",)
    assert _one(opened, "RTX 4090", "SA", before).exceptions == ("NAC",)
    assert _one(opened, "RTX 4090", "SA", on).exceptions == ("ACA",)
    # datacenter 3A090.a parts have neither, on both sides
    assert _one(opened, "H100 SXM", "SA", before).exceptions == ()
    assert _one(opened, "H100 SXM", "SA", on).exceptions == ()


def test_the_diffusion_rule_stops_being_a_measure_on_2025_05_13(
        opened: chipdb.Database) -> None:
    # 90 FR 4544 is still on the books (GAO B-337935: not rescinded); BIS does not enforce
    # it from 2025-05-13 and its compliance date (2025-05-15) came after: a measure, never
    # the deciding rule, pending (in force, not yet binding) the day before, not-enforced on
    before = _one(opened, "H200 SXM", "DE", DIFFUSION_OFF - timedelta(days=1))
    on = _one(opened, "H200 SXM", "DE", DIFFUSION_OFF)
    for a, status in ((before, "pending"), (on, "not-enforced")):
        assert [m["status"] for m in a.measures if m["rule"] == "us-2025-01-diffusion"] == [
            status]
    assert before.license_required is False and on.license_required is False


@pytest.mark.parametrize("chip", ["H200 SXM", "H100 SXM", "A800 SXM4 80GB", "H800 SXM"])
def test_the_review_policy_of_2026_01_15(opened: chipdb.Database, chip: str) -> None:
    # 91 FR 1684: licences for exports from the US to China or Macau of parts with TPP <
    # 21,000 and DRAM bandwidth < 6,500 GB/s are reviewed case by case from 2026-01-15
    # (before: a presumption of denial, which chipdb does not model as a rule); other D:5
    # destinations and D:5-HQ buyers elsewhere are not covered
    before, on = REVIEW - timedelta(days=1), REVIEW
    for to in ("CN", "MO"):
        assert _one(opened, chip, to, before).review_policy in (None, "presumption-of-denial")
        assert _one(opened, chip, to, on).review_policy == "case-by-case"
    assert _one(opened, chip, "RU", on).review_policy != "case-by-case"
    assert _one(opened, chip, "DE", on, "CN").review_policy == "presumption-of-denial"
