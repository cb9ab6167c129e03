"""Reliability: `chipdb db verify` finds tampered views and edited rows, and a reseed repairs them
(split from test_reliability_data so the slowest run beside it)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from chipdb.store.url import DatabaseUrl
from tests.helpers import run
from tests.store.reliability_helpers import chip_file, one_error


def _tamper_verdict_view(path: Path) -> None:
    conn = sqlite3.connect(path)
    body = conn.execute("SELECT sql FROM sqlite_master WHERE name='chip_verdict'").fetchone()[0]
    conn.execute("DROP VIEW chip_verdict")
    conn.execute(body.replace("vd.outcome,", "CASE WHEN c.name LIKE 'H100%' THEN "
                              "'not-controlled' ELSE vd.outcome END AS outcome,", 1))
    conn.commit()
    conn.close()


def test_verify_finds_a_tampered_view_and_seed_repairs_it(fresh_sqlite: DatabaseUrl) -> None:
    db = fresh_sqlite
    assert run(db, "db", "verify").code == 0
    assert db.sqlite_path is not None
    _tamper_verdict_view(db.sqlite_path)
    drift = run(db, "db", "verify")
    assert drift.code == 1 and "chip_verdict" in one_error(drift) and "db seed" in drift.err
    assert run(db, "db", "seed").code == 0
    assert run(db, "db", "verify").code == 0
    row = run(db, "sql", "SELECT outcome FROM chip_verdict WHERE chip = 'H100 SXM' AND "
              "rule = 'us-2024-12'", "-f", "csv").out.splitlines()
    assert row[1] == "3A090.a.1"


@pytest.mark.parametrize("fresh_db", ["sqlite", "postgresql"], indirect=True)
def test_verify_finds_edited_rows_and_views(fresh_db: DatabaseUrl, tmp_path: Path) -> None:
    from sqlalchemy import text

    from chipdb.store.sql_views import VIEWS
    from chipdb.store.write.engine import engine_scope

    db = fresh_db
    assert run(db, "import", str(chip_file(tmp_path, "RelChip X1"))).code == 0
    assert run(db, "db", "verify").code == 0  # imports are part of the reference
    body = VIEWS["chip_metrics"].replace("cm.tpp,", "cm.tpp / 10 AS tpp,", 1)
    assert body != VIEWS["chip_metrics"]
    with engine_scope(db) as engine, engine.begin() as conn:
        conn.execute(text("UPDATE verdict SET outcome = 'not-controlled'"))
        if db.dialect == "postgresql":
            conn.execute(text(f"CREATE OR REPLACE VIEW chip_metrics AS {body}"))
    err = one_error(run(db, "db", "verify"))
    assert "chip_verdict" in err
    assert db.dialect == "sqlite" or "chip_metrics" in err
    assert run(db, "db", "seed").code == 0
    assert run(db, "db", "verify").code == 0
