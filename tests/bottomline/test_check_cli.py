"""`chipdb check`: the JSON contract, every format, the view, names people type, hostile input."""

from __future__ import annotations

import csv
import io
import sqlite3
from datetime import date

import pytest

from chipdb.store.url import DatabaseUrl
from tests.helpers import run

CONTRACT = {"chip", "destination", "party_hq", "as_of", "license_required", "exceptions",
            "review_policy", "measures", "basis", "binding_margin", "confidence", "since",
            "license_required_since"}


def test_json_contract(db: DatabaseUrl) -> None:
    r = run(db, "check", "H20", "--to", "CN", "--as-of", "2026-06-01", "-f", "json")
    assert r.code == 0, r.err
    data = r.json()
    assert isinstance(data, list) and len(data) == 1
    a = data[0]
    assert set(a) >= CONTRACT
    assert a["chip"] == "H20 96GB" and a["destination"] == "China" and a["party_hq"] is None
    assert a["as_of"] == "2026-06-01" and a["license_required"] is True
    assert all({"rule", "outcome", "layer"} <= set(m) for m in a["measures"])
    assert all({"rule", "clause", "outcome", "citation", "effective", "ended"} <= set(b)
               for b in a["basis"])
    assert a["binding_margin"] is None or {"metric", "value", "threshold", "margin_pct"} <= \
        set(a["binding_margin"])
    date.fromisoformat(a["since"])


def test_buyer_headquartered_in_china(db: DatabaseUrl) -> None:
    # a German subsidiary of a Chinese company: the D:5/Macau-HQ prong (BIS guidance of
    # 2026-05-31, from 2023-11-17) requires a licence; without the HQ, none is needed
    hq = run(db, "check", "H100", "--to", "DE", "--party-hq", "CN", "-f", "json").json()
    plain = run(db, "check", "H100", "--to", "Germany", "-f", "json").json()
    assert hq[0]["license_required"] is True and hq[0]["party_hq"] == "China"
    assert plain[0]["license_required"] is False
    assert any(b["scope"].endswith(".hq") for b in hq[0]["basis"])


def test_several_chips_and_no_destination(db: DatabaseUrl) -> None:
    data = run(db, "check", "H20", "L2", "-f", "json").json()
    assert {a["chip"] for a in data} == {"H20 96GB", "L2"}
    assert sum(a["destination"] == "everywhere else" for a in data) == 2


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv"])
def test_every_format_says_the_answer(db: DatabaseUrl, fmt: str) -> None:
    r = run(db, "check", "H20", "--to", "hong kong", "-f", fmt)
    assert r.code == 0, r.err
    assert "YES" in r.out and "us-2025-04-h20" in r.out
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(r.out)))
        assert rows[0]["chip"] == "H20 96GB" and rows[0]["license_required"] == "YES"


@pytest.mark.parametrize("typed", ["CN", "cn", "CHN", "China", "PRC", "people's republic of china",
                                   "Hong Kong", "HK"])
def test_names_people_type(db: DatabaseUrl, typed: str) -> None:
    r = run(db, "check", "H20", "--to", typed, "-f", "json")
    assert r.code == 0, r.err
    assert r.json()[0]["license_required"] is True


@pytest.mark.parametrize(("typed", "code", "words"), [
    ("Chnia", 1, "did you mean China"),
    ("Narnia\x1b[31m", 1, "unknown destination"),
    ("", 2, "give a destination"),
])
def test_unknown_destination_is_one_line(db: DatabaseUrl, typed: str, code: int,
                                         words: str) -> None:
    r = run(db, "check", "H20", "--to", typed)
    assert r.code == code and r.out == ""
    assert words in r.err and len(r.err.strip().splitlines()) == 1
    assert "\x1b" not in r.err  # nothing from what was typed reaches the terminal raw


def test_before_the_rules_is_one_line(db: DatabaseUrl) -> None:
    r = run(db, "check", "H100", "--as-of", "2020-01-01")
    assert r.code == 2 and "2022-10-07" in r.err and r.out == ""


def test_the_view_gives_the_same_answer(sqlite_db: DatabaseUrl) -> None:
    cli = run(sqlite_db, "check", "RTX 5090 D", "--to", "CN", "--as-of", "2026-06-01",
              "-f", "json").json()[0]
    path = sqlite_db.url.split("sqlite:///", 1)[1]
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT s.license_required, s.review_policy, s.since FROM chip_status s "
            "JOIN destination_classes d ON d.class_id = s.destination_class_id "
            "JOIN destination_classes b ON b.class_id = s.buyer_class_id "
            "WHERE s.chip = 'RTX 5090 D' AND d.code = 'CN' AND b.code = 'US' "
            "AND s.valid_from <= '2026-06-01' AND (s.valid_to IS NULL OR "
            "s.valid_to >= '2026-06-01')").fetchall()
    assert rows == [(1, cli["review_policy"], rows[0][2])]
    assert cli["license_required"] is True


def test_rules_outcomes_lists_every_word_and_layer(db: DatabaseUrl) -> None:
    data = run(db, "rules", "--outcomes", "-f", "json").json()
    assert [la["layer"] for la in data["layers"]] == [
        "classification", "licence-requirement", "licence-exception", "review-policy",
        "other-measures"]
    words = {w["outcome"] for w in data["outcomes"]}
    assert {"not-covered", "not-applicable", "rebutted", "presumption-of-denial",
            "license-required-d5-hq", "nac-eligible"} <= words
    assert all(w["severity"] != "unknown" for w in data["outcomes"])
    with open("docs/outcomes.md", encoding="utf-8") as f:
        doc = f.read()
    missing = sorted(w for w in words if f"| {w} |" not in doc)
    assert not missing, f"docs/outcomes.md lacks {missing}: paste `rules --outcomes -f markdown`"


def test_list_license_required_to_china(db: DatabaseUrl) -> None:
    # the H20 letters (2025-04-09) and 3A090.a/.b: H20 and H100 need a licence to the PRC;
    # the RTX 5090 D V2 (1,344 GB/s, TPP 4,750, not datacenter) and the L2 do not
    yes = {r["chip"] for r in run(db, "list", "--license-required", "--to", "CN",
                                  "-f", "json").json()}
    no = {r["chip"] for r in run(db, "list", "--no-license-required", "--to", "CN",
                                 "-f", "json").json()}
    assert {"H20 96GB", "H100 SXM", "RTX 5090 D"} <= yes
    assert {"RTX 5090 D V2", "L2", "L20"} <= no and not yes & no
    assert run(db, "list", "--license-required").code == 2


def test_compare_and_timeline_lead_with_the_bottom_line(db: DatabaseUrl) -> None:
    data = run(db, "compare", "H20", "H100", "--to", "DE", "--party-hq", "CN",
               "-f", "json").json()
    assert [a["license_required"] for a in data["bottom_line"]] == [True, True]
    assert "chips" in data
    table = run(db, "compare", "H20", "--to", "CN").out
    assert table.index("the bottom line") < table.index("us-2024-12")
    periods = run(db, "timeline", "H20", "--to", "CN", "-f", "json").json()["bottom_line"]
    # the licence is required from the letters of 2025-04-09 on; later periods start where
    # another measure (China's import-side measures, from 2025-07-31) joins the answer
    required = [(p["from"], p["license_required"]) for p in periods if p["from"] >= "2025-04-09"]
    assert required[0] == ("2025-04-09", True) and all(r for _, r in required)
    assert len(required) > 1
    assert all(p["license_required"] is False for p in periods if p["from"] < "2025-04-09")
    assert run(db, "timeline", "H20", "--to", "D:5").code == 2  # a group: use check
