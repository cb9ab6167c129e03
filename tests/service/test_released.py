"""The release date as a metric: `what-if --set released=...` against us-2026-01 (91 FR 1684:
case by case only for chips commercially available in the US at publication, 2026-01-15)."""

from __future__ import annotations

import pytest

from chipdb.store.url import DatabaseUrl
from tests.helpers import run


def _us_2026_01(db: DatabaseUrl, *args: str) -> str:
    data = run(db, "what-if", *args, "--as-of", "2026-06-01", "-f", "json").json()
    return next(v["outcome"] for v in data["chips"][0]["verdicts"] if v["rule"] == "us-2026-01")


@pytest.mark.parametrize(("released", "expected"), [
    ("2026-01-15", "case-by-case"), ("2026-01-16", "presumption-of-denial"),
    ("2026-06-01", "presumption-of-denial"),
    ("2025-12-01..2026-02-01", "case-by-case or presumption-of-denial"),
])
def test_a_later_release_keeps_the_presumption_of_denial(db: DatabaseUrl, released: str,
                                                          expected: str) -> None:
    assert _us_2026_01(db, "H200 SXM", "--set", f"released={released}") == expected


def test_the_catalogue_h200_is_case_by_case_and_an_undated_design_is_open(
        db: DatabaseUrl) -> None:
    assert _us_2026_01(db, "H200 SXM") == "case-by-case"  # released 2024-11-18 (Epoch AI)
    design = ("blank", "--set", "tpp=15000", "--set", "die_area_mm2=800", "--set",
              "memory_bandwidth_gbps=4000", "--set", "datacenter=true")
    assert _us_2026_01(db, *design) == "case-by-case or presumption-of-denial"
    assert _us_2026_01(db, *design, "--set", "released=2026-03-01") == "presumption-of-denial"


def test_a_bad_release_date_is_one_line(db: DatabaseUrl) -> None:
    r = run(db, "what-if", "H200 SXM", "--set", "released=2026-13-01")
    assert r.code == 2 and r.out == "" and len(r.err.strip().splitlines()) == 1
    assert "YYYY-MM-DD" in r.err
