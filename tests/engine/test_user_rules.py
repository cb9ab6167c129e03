"""Users add draft rules and override thresholds with their own rule files."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import run

OVERRIDE = """
[[rule]]
extends = "us-2025-04-h20"
[rule.parameters]
memory_bandwidth_trigger_gbps = { value = 1900 }
combined_trigger_gbps = { value = 2000 }
"""

DRAFT = """
[[rule]]
id = "draft-2027-tpp-3000"
title = "A hypothetical tighter line"
citation = "draft, not law"
url = "https://example.org/draft"
effective = 2027-01-01
status = "draft"
default_outcome = "not-covered"

[[rule.clause]]
outcome = "license-required"
when = { all = [ { metric = "tpp", op = ">=", value = 3000 },
                 { metric = "datacenter", op = "==", value = true } ] }
"""


def _outcome(db: object, chip: str, rule: str, day: str, *flags: str) -> str:
    data = run(db, "compare", chip, "--as-of", day, *flags, "-f", "json").json()  # type: ignore
    return next(v["outcome"] for v in data["chips"][0]["verdicts"] if v["rule"] == rule)


def _rules_shown(db: object, chip: str, day: str, *flags: str) -> set[str]:
    data = run(db, "compare", chip, "--as-of", day, *flags, "-f", "json").json()  # type: ignore
    return {v["rule"] for v in data["chips"][0]["verdicts"]}


def test_override_a_parameter_and_add_a_draft(tmp_path: Path, seeded_sqlite: object) -> None:
    db = seeded_sqlite
    # RTX 5090 D: 1,792 GB/s, caught by the reported 1,400 trigger
    assert _outcome(db, "RTX 5090 D", "us-2025-04-h20", "2025-06-01") == "license-required"
    (tmp_path / "override.toml").write_text(OVERRIDE, encoding="utf-8")
    assert run(db, "import", str(tmp_path / "override.toml")).code == 0
    assert _outcome(db, "RTX 5090 D", "us-2025-04-h20", "2025-06-01") == "not-covered"
    (tmp_path / "draft.toml").write_text(DRAFT, encoding="utf-8")
    assert run(db, "import", str(tmp_path / "draft.toml")).code == 0
    # a draft is evaluated only when asked for
    assert "draft-2027-tpp-3000" not in _rules_shown(db, "MI300X", "2027-06-01")
    draft = "--include-draft"
    assert _outcome(db, "L20", "draft-2027-tpp-3000", "2027-06-01", draft) == "not-covered"
    assert _outcome(db, "H20", "draft-2027-tpp-3000", "2027-06-01", draft) == "not-covered"
    assert _outcome(db, "MI300X", "draft-2027-tpp-3000", "2027-06-01", draft) == \
        "license-required"
    # the overrides survive a reseed
    assert run(db, "db", "seed").code == 0
    assert _outcome(db, "RTX 5090 D", "us-2025-04-h20", "2025-06-01") == "not-covered"
    rules = run(db, "rules", "us-2025-04-h20", "-f", "json").json()
    assert rules["origin"] == "user"
    # the what-if engine reads the same (user) rules
    what = run(db, "what-if", "blank", "--set", "memory_bandwidth_gbps=1800",
               "--set", "vendor=NVIDIA", "--set", "bidirectional_io_gbps=64",
               "--as-of", "2025-06-01", "-f", "json").json()
    assert {v["rule"]: v["outcome"] for v in what["chips"][0]["verdicts"]}[
        "us-2025-04-h20"] == "not-covered"
