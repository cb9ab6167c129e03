"""Reliability: `chipdb db verify` finds edited rows and views, and a reseed repairs them
(split from test_reliability_data, and the tampered view into test_reliability_verify_view,
so the slowest run beside each other)."""

from __future__ import annotations

from pathlib import Path

import pytest

from chipdb.store.url import DatabaseUrl
from tests.helpers import run
from tests.store.reliability_helpers import chip_file, one_error


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
