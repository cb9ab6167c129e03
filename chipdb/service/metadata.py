"""``chipdb db metadata``: Datasette's metadata.json for the database, from the column
dictionary: title, licence, source, a description of every view and column, the internal
tables hidden, and canned queries for the questions people ask first.

The format is Datasette's documented one (docs.datasette.io, "Metadata"): top-level title,
description, license, license_url, source; ``databases.NAME.tables.TABLE`` with description,
columns (name -> description) and hidden; ``databases.NAME.queries`` with title, description
and sql (``:name`` parameters become a form).
"""

from __future__ import annotations

from typing import Any

from chipdb.service.session import Session
from chipdb.store.dictionary import INTERNAL_HINT, VIEWS, column_description
from chipdb.store.read import queries

LETTERS_RULE = "us-2025-04-h20"  # the April 2025 licence letters
BEFORE_LETTERS = "us-2023-10"  # the classification in force when they came


def canned_queries(rules: list[str]) -> dict[str, dict[str, str]]:
    """The questions of the user tests as SQL on the views (SQLite's dialect)."""
    latest = ",\n  ".join(
        f"(SELECT v.outcome FROM chip_verdict v WHERE v.chip = m.chip AND v.rule = '{r}' "
        f'ORDER BY v.valid_from DESC LIMIT 1) AS "{r}"' for r in rules)
    return {
        "caught_by_the_h20_letters": {
            "title": "Caught by the H20 letters",
            "description": f"Chips outside 3A090 under {BEFORE_LETTERS} (not controlled, or "
                           f"undetermined for want of a figure) that the licence letters "
                           f"({LETTERS_RULE}) reach: the ones the letters newly caught.",
            "sql": "SELECT DISTINCT l.chip, l.vendor, c.outcome AS before_letters, "
                   "l.outcome AS letters, l.reason\nFROM chip_verdict l\n"
                   "JOIN chip_verdict c ON c.chip = l.chip AND c.rule = "
                   f"'{BEFORE_LETTERS}'\nWHERE l.rule = '{LETTERS_RULE}' AND l.outcome = "
                   "'license-required'\n  AND c.outcome NOT LIKE '3A090%'\nORDER BY l.chip",
        },
        "china_skus_by_rule": {
            "title": "China SKUs × rules",
            "description": "Every chip made for the China market, with its outcome under each "
                           "rule (the latest period of each rule).",
            "sql": f"SELECT m.chip, m.vendor,\n  {latest}\nFROM chip_metrics m\n"
                   "WHERE m.region = 'china'\nORDER BY m.vendor, m.chip",
        },
        "near_a_line": {
            "title": "Near a line",
            "description": "Chips within a given percentage of a threshold of a rule in force "
                           "(open-ended periods), nearest first.",
            "sql": "SELECT chip, rule, clause, metric, value, threshold, margin_pct, outcome\n"
                   "FROM chip_margin\nWHERE valid_to IS NULL AND margin_pct IS NOT NULL\n"
                   "  AND abs(margin_pct) <= CAST(:within_pct AS REAL)\n"
                   "ORDER BY abs(margin_pct), chip",
        },
    }


def internal_tables() -> list[str]:
    """Every table of chipdb's own (the views read them), for Datasette to hide."""
    from chipdb.store import models

    return sorted([*models.Base.metadata.tables, "alembic_version"])


def datasette_metadata(s: Session, database: str) -> dict[str, Any]:
    """metadata.json for a Datasette serving this database under the name ``database``."""
    from chipdb import __version__

    facts = queries.catalogue_facts(s.conn)
    columns = queries.view_columns(s.conn, list(VIEWS))
    tables: dict[str, Any] = {
        view: {"description": what,
               "columns": {c: d for c in columns.get(view, [])
                           if (d := column_description(view, c)) is not None}}
        for view, what in VIEWS.items()}
    for table in internal_tables():
        tables[table] = {"hidden": True, "description": INTERNAL_HINT}
    rules = [r["rule"] for r in queries.rules(s.conn)]
    return {
        "title": "chipdb: AI-accelerator specs and US export-control verdicts",
        "description": f"chipdb {__version__}, catalogue {str(facts['fingerprint'])[:12]}, "
                       f"sources checked up to {facts['updated']}. Every value has a source "
                       "(chip_sources: URL, publisher, tier, access date); every verdict a "
                       "rule, clause, period and reason. A research tool, not legal advice.",
        "license": "Catalogue CC BY 4.0 (DATA-LICENSE); code MIT (LICENSE)",
        "license_url": "https://creativecommons.org/licenses/by/4.0/",
        "source": "Vendor datasheets, government documents, filings and the press: one source "
                  "per value, in the chip_sources view",
        "databases": {database: {"tables": tables, "queries": canned_queries(rules)}},
    }
