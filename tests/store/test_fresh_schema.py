"""Alembic's upgrade to head builds exactly the schema create_fresh builds, on both engines.

create_fresh (the fast first run) reads the head DDL from chipdb.store.models and
chipdb.store.sql_views; the migrations carry their own frozen DDL. These tests are what stop the
two drifting apart: a view edited, or added, in sql_views without a migration makes them fail
(test_a_view_changed_without_a_migration_is_caught proves they can).
"""

from __future__ import annotations

import ast
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from chipdb.store import sql_views
from chipdb.store.package_data import KNOWN_REVISIONS, SCHEMA_REVISION, alembic_dir
from chipdb.store.state import database_state
from chipdb.store.url import DatabaseUrl, parse_url
from chipdb.store.write import migrate
from tests.conftest import PG_OK, drop_pg_database, make_pg_database

Schema = dict[str, dict[str, object]]


def _schema(db: DatabaseUrl) -> Schema:
    """Everything a migration can create: tables, columns, keys, indexes and the views' SQL."""
    from sqlalchemy import create_engine, inspect

    engine = create_engine(db.url)
    try:
        insp = inspect(engine)
        tables = sorted(insp.get_table_names())
        return {
            "columns": {t: sorted((c["name"], str(c["type"]), c["nullable"])
                                  for c in insp.get_columns(t)) for t in tables},
            # SQLite keeps the statement as written, PostgreSQL its own rendering of it: equal
            # text (modulo whitespace) on SQLite, an equal rendering on PostgreSQL
            "views": {v: " ".join((insp.get_view_definition(v) or "").split())
                      for v in insp.get_view_names()},
            "indexes": {t: sorted((i["name"] or "", tuple(i["column_names"]), bool(i["unique"]))
                                  for i in insp.get_indexes(t)) for t in tables},
            "unique": {t: sorted((u["name"] or "", tuple(u["column_names"]))
                                 for u in insp.get_unique_constraints(t)) for t in tables},
            "foreign": {t: sorted((f["name"] or "", tuple(f["constrained_columns"]),
                                   f["referred_table"], tuple(f["referred_columns"]),
                                   str(f.get("options", {}).get("ondelete")))
                                  for f in insp.get_foreign_keys(t)) for t in tables},
            "primary": {t: (insp.get_pk_constraint(t)["name"],
                            tuple(insp.get_pk_constraint(t)["constrained_columns"]))
                        for t in tables},
        }
    finally:
        engine.dispose()


def _differences(direct: Schema, migrated: Schema) -> list[str]:
    """'section.object' for every table or view whose definition differs (or exists once)."""
    found = []
    for section in sorted(direct.keys() | migrated.keys()):
        one, other = direct.get(section, {}), migrated.get(section, {})
        found += [f"{section}.{name}" for name in sorted(one.keys() | other.keys())
                  if one.get(name) != other.get(name)]
    return found


@pytest.fixture(params=["sqlite", "postgresql"])
def two_empty(request: pytest.FixtureRequest,
              tmp_path: Path) -> Iterator[tuple[DatabaseUrl, DatabaseUrl]]:
    """Two empty databases on one engine: one for create_fresh, one for alembic upgrade."""
    if request.param == "sqlite":
        yield (parse_url(f"sqlite:///{tmp_path / 'direct.sqlite3'}"),
               parse_url(f"sqlite:///{tmp_path / 'migrated.sqlite3'}"))
        return
    if not PG_OK:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not reachable on CI")
        pytest.skip("PostgreSQL not reachable")
    made = [make_pg_database(), make_pg_database()]
    try:
        yield parse_url(made[0][1]), parse_url(made[1][1])
    finally:
        for name, _url in made:
            drop_pg_database(name)


def _build_both(direct: DatabaseUrl, migrated: DatabaseUrl) -> tuple[Schema, Schema]:
    migrate.create_fresh(direct)
    migrate.upgrade(migrated)
    assert database_state(direct).revision == SCHEMA_REVISION
    assert database_state(migrated).revision == SCHEMA_REVISION
    return _schema(direct), _schema(migrated)


def test_upgrade_to_head_equals_create_fresh(two_empty: tuple[DatabaseUrl, DatabaseUrl]) -> None:
    direct, migrated = _build_both(*two_empty)
    assert _differences(direct, migrated) == []
    assert set(direct["views"]) == set(sql_views.VIEW_NAMES)
    assert all(direct["views"].values())  # a definition was read, not two empty strings


def test_downgrade_to_base_and_upgrade_again(two_empty: tuple[DatabaseUrl, DatabaseUrl]) -> None:
    _, migrated = two_empty
    migrate.upgrade(migrated)
    before = _schema(migrated)
    migrate.downgrade(migrated, "base", drop_user_data=True)
    emptied = _schema(migrated)
    assert set(emptied["columns"]) == {"alembic_version"} and emptied["views"] == {}
    migrate.upgrade(migrated)
    assert _differences(before, _schema(migrated)) == []


CHANGED_MARGIN = sql_views.VIEWS["chip_margin"].replace(
    "mg.position", "mg.position, mg.id AS margin_id")
SIMULATED_CHANGES = {
    "edited": {"chip_margin": CHANGED_MARGIN},
    "added": {"rule_parameters": "\nSELECT r.id AS rule, rt.parameter FROM rule_threshold rt "
                                 "JOIN rule r ON r.id = rt.rule_id\n"},
}


@pytest.mark.parametrize("change", sorted(SIMULATED_CHANGES))
def test_a_view_changed_without_a_migration_is_caught(
        change: str, two_empty: tuple[DatabaseUrl, DatabaseUrl],
        monkeypatch: pytest.MonkeyPatch) -> None:
    # sql_views edited the way a contributor would, but no migration added: the equality the
    # test above asserts must break, and name exactly the view
    assert sql_views.VIEWS["chip_margin"] != CHANGED_MARGIN
    for name, body in SIMULATED_CHANGES[change].items():
        monkeypatch.setitem(sql_views.VIEWS, name, body)
    direct, migrated = _build_both(*two_empty)
    assert _differences(direct, migrated) == [
        f"views.{name}" for name in sorted(SIMULATED_CHANGES[change])]


RECIPE_MIGRATION = '''"""chip_margin gains margin_id (the "add or change a view" recipe)."""
from alembic import op

revision = "{rev}"
down_revision = "{down}"
branch_labels = None
depends_on = None

NEW = """{new}"""
OLD = """{old}"""


def upgrade() -> None:
    op.execute("DROP VIEW chip_margin")
    op.execute(NEW)


def downgrade() -> None:
    op.execute("DROP VIEW chip_margin")
    op.execute(OLD)
'''


def test_the_documented_recipe_keeps_them_equal(two_empty: tuple[DatabaseUrl, DatabaseUrl],
                                                tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # the same view change as above, plus a migration carrying its own text: equal again,
    # and downgrading that migration gives back the head's schema
    direct, migrated = two_empty
    nxt = f"{int(SCHEMA_REVISION) + 1:04d}"
    migrate.upgrade(migrated)
    at_head = _schema(migrated)
    scripts = tmp_path / "alembic"
    shutil.copytree(alembic_dir(), scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / f"{nxt}_chip_margin_id.py").write_text(RECIPE_MIGRATION.format(
        rev=nxt, down=SCHEMA_REVISION, new=f"CREATE VIEW chip_margin AS {CHANGED_MARGIN.strip()}",
        old=f"CREATE VIEW chip_margin AS {sql_views.VIEWS['chip_margin'].strip()}"))
    monkeypatch.setattr(migrate, "alembic_dir", lambda: scripts)
    monkeypatch.setattr(migrate, "SCHEMA_REVISION", nxt)
    monkeypatch.setitem(sql_views.VIEWS, "chip_margin", CHANGED_MARGIN)
    migrate.create_fresh(direct)
    migrate.upgrade(migrated)
    assert migrate.current(migrated) == migrate.current(direct) == nxt
    assert _differences(_schema(direct), _schema(migrated)) == []
    monkeypatch.setattr("chipdb.store.state.KNOWN_REVISIONS", (*KNOWN_REVISIONS, nxt))
    migrate.downgrade(migrated, SCHEMA_REVISION)
    assert _differences(at_head, _schema(migrated)) == []


def test_migrations_import_nothing_from_chipdb() -> None:
    # a migration that imports chipdb changes meaning whenever chipdb does (issue 12)
    versions = sorted((alembic_dir() / "versions").glob("*.py"))
    assert versions
    for path in versions:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not [n for n in names if n.split(".")[0] == "chipdb"], path.name
