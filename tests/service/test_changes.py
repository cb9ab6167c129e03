"""`chipdb changes` and the policy events, on both engines, around the dates they encode."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

from chipdb.store.url import DatabaseUrl
from tests.helpers import run

ROOT = Path(__file__).resolve().parents[2]
EVENTS = tomllib.loads((ROOT / "seeds" / "events" / "events.toml").read_text("utf-8"))["event"]


def test_changes_since_2025_lists_each_event(db: DatabaseUrl) -> None:
    data = run(db, "changes", "--since", "2025-01-01", "-f", "json").json()
    wanted = sorted(e["id"] for e in EVENTS if e["date"] >= date(2025, 1, 1))
    assert sorted(e["event"] for e in data["events"]) == wanted
    assert len(wanted) > 50
    # and every rule that entered force since, with the diffusion rule's non-enforcement
    rules = {(r["rule"], r["change"], r["day"]) for r in data["rules"]}
    assert ("us-2025-01-diffusion", "not enforced from", "2025-05-13") in rules
    assert ("us-2025-01-diffusion", "compliance date", "2025-05-15") in rules
    assert ("us-2026-07-uae", "enters force", "2026-07-10") in rules
    assert ("us-2025-05-guidance", "enters force", "2025-05-13") in rules
    # drafts only when asked for
    assert not any(r["rule"].startswith("us-bill-") for r in data["rules"])
    drafts = run(db, "changes", "--since", "2025-01-01", "--include-draft", "-f", "json").json()
    assert ("us-bill-safe-chips", "enters force", "2025-12-04") in {
        (r["rule"], r["change"], r["day"]) for r in drafts["rules"]}


def test_the_uae_window(db: DatabaseUrl) -> None:
    # 91 FR 43034 (FR Doc 2026-14132): UAE out of D:3/D:4 and into A:5 on 2026-07-10
    data = run(db, "changes", "--since", "2026-07-10", "--until", "2026-07-10", "--to", "AE",
               "-f", "json").json()
    assert {(g["group"], g["change"]) for g in data["groups"]} == {
        ("A:5", "joins"), ("D:3", "leaves"), ("D:4", "leaves")}
    h100 = [b for b in data["bottom_lines"] if b["chip"] == "H100 SXM"]
    assert [(b["license_before"], b["license_after"]) for b in h100] == [(True, False)]
    # a PRC-headquartered buyer in the UAE still needs one (us-2026-05-guidance): no change
    hq = run(db, "changes", "--since", "2026-07-10", "--until", "2026-07-10", "--to", "AE",
             "--party-hq", "CN", "-f", "json").json()
    assert not [b for b in hq["bottom_lines"] if b["chip"] == "H100 SXM"]
    # the day before changes nothing for the UAE
    before = run(db, "changes", "--since", "2026-07-09", "--until", "2026-07-09", "--to", "AE",
                 "-f", "json").json()
    assert before["bottom_lines"] == [] and before["groups"] == []


def test_verdict_changes_name_the_rule(db: DatabaseUrl) -> None:
    # 91 FR 1684, effective 2026-01-15: the H200 (released 2024-11-18) case by case
    data = run(db, "changes", "--since", "2026-01-15", "--until", "2026-01-15", "-f",
               "json").json()
    assert {"day": "2026-01-15", "chip": "H200 SXM", "rule": "us-2026-01",
            "before": "not in force", "after": "case-by-case"} in data["verdicts"]
    # a rule arriving without reaching the chip is not a change
    assert not [v for v in data["verdicts"] if v["after"] == "not-covered"
                and v["before"] == "not in force"]


def test_changes_refuses_a_window_that_ends_before_it_starts(db: DatabaseUrl) -> None:
    r = run(db, "changes", "--since", "2026-02-01", "--until", "2026-01-01")
    assert r.code == 2 and "before --since" in r.err and r.out == ""


def test_timeline_shows_policy_events(db: DatabaseUrl) -> None:
    data = run(db, "timeline", "H20 96GB", "-f", "json").json()
    ids = {e["event"] for e in data["events"]}
    assert {"cn-2025-07-cac-h20-summons", "cn-2025-10-customs-checks"} <= ids
    assert all(e["day"] <= "2026-12-31" for e in data["events"])
    # the diffusion rule's status is on its rows
    assert {r["status"] for r in data["timeline"] if r["rule"] == "us-2025-01-diffusion"} == {
        "not-enforced"}
