"""Stored verdicts: every period reaches the CSV; reasons quote the evaluation year, 2026."""

from __future__ import annotations

import csv
import io

import pytest

from tests.helpers import run

FOUNDRY = "us-2025-01-foundry"


def test_all_rules_csv_keeps_every_period(db: object) -> None:
    data = run(db, "compare", "L2", "L4", "--all-rules", "-f", "json").json()  # type: ignore[arg-type]
    rows = list(csv.DictReader(io.StringIO(
        run(db, "compare", "L2", "L4", "--all-rules", "-f", "csv").out)))  # type: ignore[arg-type]
    by_name = {r["name"]: r for r in rows}
    for chip in data["chips"]:
        for rule in dict.fromkeys(v["rule"] for v in chip["verdicts"]):
            steps: list[str] = []
            for v in chip["verdicts"]:
                if v["rule"] == rule and (not steps or steps[-1] != v["outcome"]):
                    steps.append(v["outcome"])
            assert by_name[chip["name"]][rule] == " → ".join(steps)
    assert by_name["L2"][FOUNDRY] == "presumed-3A090.a → rebutted"


@pytest.mark.parametrize("day", ["2025-06-01", "2026-01-20", "2026-12-01", "2027-06-01",
                                 "2028-06-01", "2029-06-01", "2030-06-01"])
def test_stored_reasons_quote_the_evaluation_year(db: object, day: str) -> None:
    stored = run(db, "compare", "L2", "L4", "--as-of", day, "-f", "json").json()  # type: ignore[arg-type]
    year = day[:4]
    for chip in stored["chips"]:
        reason = next(v["reason"] for v in chip["verdicts"] if v["rule"] == FOUNDRY)
        assert f"export year {year} " in reason, reason
        assert "2,0" not in reason  # no thousands separator in a year
        live = run(db, "what-if", chip["name"], "--as-of", day, "-f", "json").json()  # type: ignore[arg-type]
        assert next(v["reason"] for v in live["chips"][0]["verdicts"]
                    if v["rule"] == FOUNDRY) == reason
