"""Shared test data for the engine tests: the bundled rules, and rows built from keywords."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chipdb.catalogue import build_catalogue, load_paths, seed_files
from chipdb.engine import MetricTable, RuleDefinition, rule_from_mapping

ROOT = Path(__file__).resolve().parents[2]
RULES: dict[str, RuleDefinition] = {
    r.id: r for r in build_catalogue(load_paths(seed_files(ROOT / "seeds" / "rules"))).rules
}
HEAD: dict[str, Any] = {"id": "x", "title": "t", "citation": "c", "url": "https://e.org",
                        "effective": "2027-01-01", "default_outcome": "no"}


def rule(*clauses: dict[str, Any], **extra: Any) -> RuleDefinition:
    """A small rule: ``clauses`` are (outcome, when) tables; ``extra`` adds or replaces keys."""
    return rule_from_mapping({**HEAD, "clause": list(clauses), **extra})


def table(*rows: dict[str, Any]) -> MetricTable:
    return MetricTable.from_rows(list(rows))
