"""Reliability: `chipdb db verify` finds a tampered view and a reseed repairs it (its own file,
so that xdist's per-file scheduling can run it beside the edited-rows test)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from chipdb.store.url import DatabaseUrl
from tests.helpers import run
from tests.store.reliability_helpers import one_error


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
