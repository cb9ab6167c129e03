"""The first run's schema (models + views, stamped) equals Alembic's."""

from __future__ import annotations

from pathlib import Path

import pytest

from chipdb.store.package_data import SCHEMA_REVISION
from chipdb.store.ready import ensure_ready
from chipdb.store.state import database_state
from chipdb.store.url import parse_url
from chipdb.store.write import migrate as maintenance


def _full_schema(db: object) -> dict[str, object]:
    from sqlalchemy import create_engine, inspect

    engine = create_engine(db.url)  # type: ignore[attr-defined]
    try:
        insp = inspect(engine)
        tables = sorted(insp.get_table_names())
        return {
            "columns": {t: sorted((c["name"], str(c["type"]), c["nullable"])
                                  for c in insp.get_columns(t)) for t in tables},
            "views": {v: " ".join((insp.get_view_definition(v) or "").split())
                      for v in insp.get_view_names()},
            "indexes": {t: sorted((i["name"] or "", tuple(i["column_names"]), bool(i["unique"]))
                                  for i in insp.get_indexes(t)) for t in tables},
            "unique": {t: sorted((u["name"] or "", tuple(u["column_names"]))
                                 for u in insp.get_unique_constraints(t)) for t in tables},
            "foreign": {t: sorted((f["name"] or "", tuple(f["constrained_columns"]),
                                   f["referred_table"], tuple(f["referred_columns"]))
                                  for f in insp.get_foreign_keys(t)) for t in tables},
            "primary": {t: (insp.get_pk_constraint(t)["name"],
                            tuple(insp.get_pk_constraint(t)["constrained_columns"]))
                        for t in tables},
        }
    finally:
        engine.dispose()


@pytest.mark.parametrize("fresh_db", ["sqlite", "postgresql"], indirect=True)
def test_first_run_schema_is_the_migrated_schema(fresh_db: object, tmp_path: Path,
                                                 request: pytest.FixtureRequest) -> None:
    ensure_ready(fresh_db)  # type: ignore[arg-type]  # first run: create_fresh, no Alembic
    assert database_state(fresh_db).revision == SCHEMA_REVISION  # type: ignore[arg-type]
    first = _full_schema(fresh_db)
    if fresh_db.dialect == "sqlite":  # type: ignore[attr-defined]
        migrated_db = parse_url(f"sqlite:///{tmp_path / 'migrated.sqlite3'}")
        maintenance.upgrade(migrated_db)
        assert _full_schema(migrated_db) == first
    else:
        maintenance.downgrade(fresh_db, "base", drop_user_data=True)  # type: ignore[arg-type]
        maintenance.upgrade(fresh_db)  # type: ignore[arg-type]
        assert _full_schema(fresh_db) == first
