"""Schema migrations and (re)seeding: upgrade, downgrade, create the head schema, prepare."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from chipdb.errors import DatabaseError, UsageError
from chipdb.store import models as m
from chipdb.store.package_data import SCHEMA_REVISION, alembic_dir, seed_fingerprint, seeds_dir
from chipdb.store.state import DatabaseState, check_revision, database_state
from chipdb.store.url import DatabaseUrl
from chipdb.store.write.engine import engine_scope, first_line, lock_schema
from chipdb.store.write.reader import grant_reader
from chipdb.store.write.rebuild import LoadReport, rebuild


def _alembic_config(connection: Any, **flags: bool) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(alembic_dir()))
    config.attributes["connection"] = connection
    for key, value in flags.items():
        config.attributes[key] = value
    return config


def _alembic(step: Callable[[], None], revision: str) -> None:
    """Run an Alembic command; a revision it cannot use is a usage error, not a crash."""
    from alembic.util import CommandError

    if not revision.strip():
        raise UsageError("the revision is empty: give head, base or a revision such as 0001")
    try:
        step()
    except (CommandError, AssertionError, KeyError) as exc:
        raise UsageError(f"cannot migrate to revision '{revision}' "
                         f"({first_line(exc) or 'unknown'}): give head, base or a revision "
                         "such as 0001 (`chipdb db current` shows this database's)") from None


def upgrade(db: DatabaseUrl, revision: str = "head") -> None:
    from alembic import command

    check_revision(db, database_state(db))  # refuses another application's database, too
    with engine_scope(db) as engine, engine.begin() as conn:
        lock_schema(conn)
        _alembic(lambda: command.upgrade(_alembic_config(conn), revision), revision)


def downgrade(db: DatabaseUrl, revision: str, drop_user_data: bool = False) -> None:
    from alembic import command

    state = database_state(db)
    check_revision(db, state)
    with engine_scope(db) as engine, engine.begin() as conn:
        lock_schema(conn)
        config = _alembic_config(conn, drop_user_data=drop_user_data)
        _alembic(lambda: command.downgrade(config, revision), revision)


def current(db: DatabaseUrl) -> str | None:
    return database_state(db).revision


def reseed(db: DatabaseUrl, warn: Callable[[str], None] | None = None) -> LoadReport:
    """Rebuild all rows from the bundled seeds and the stored user imports, atomically."""
    kwargs = {"warn": warn} if warn else {}
    with engine_scope(db) as engine, engine.begin() as conn:  # holds the writer lock
        return rebuild(conn, seeds_dir(), seed_fingerprint(), **kwargs)


def _views_differ(conn: Any, dialect: str) -> bool:
    """Does any stored view differ from its definition in code? (Asked first, so a normal
    reseed takes no view locks: readers in the middle of a command are never blocked.)"""
    from chipdb.store import sql_views as views

    if dialect == "sqlite":
        stored = dict(conn.execute(text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'view'")).all())
        return any(stored.get(name) != statement for name, statement in
                   zip(views.VIEWS, views.create_statements(), strict=True))
    differ = False
    for name, body in views.VIEWS.items():
        # the server's own rendering of the code's definition, next to the stored one's
        conn.execute(text(f"CREATE TEMP VIEW chipdb_expected_{name} AS {body.strip()}"))
        same = conn.execute(text(
            f"SELECT pg_get_viewdef('chipdb_expected_{name}'::regclass) = "
            f"pg_get_viewdef(to_regclass('{name}'))")).scalar()
        conn.execute(text(f"DROP VIEW chipdb_expected_{name}"))
        differ = differ or not same
    return differ


def recreate_views(db: DatabaseUrl) -> bool:
    """Every view that was edited is created from its definition in code again (True)."""
    from chipdb.store import sql_views as views

    with engine_scope(db) as engine, engine.begin() as conn:
        if not _views_differ(conn, db.dialect):
            return False
        lock_schema(conn)
        if db.dialect == "postgresql":
            try:  # in place where the columns allow it: other views keep depending on it
                with conn.begin_nested():
                    for name, body in views.VIEWS.items():
                        conn.execute(text(f"CREATE OR REPLACE VIEW {name} AS {body.strip()}"))
                grant_reader(conn)
                return True
            except SQLAlchemyError:
                pass  # an edit changed a view's columns: drop and create below
        for statement in views.drop_statements() + views.create_statements():
            conn.execute(text(statement))
        grant_reader(conn)
        return True


def create_fresh(db: DatabaseUrl) -> None:
    """A database without chipdb's tables: the head schema straight from the models and
    sql_views, stamped at head. Alembic's upgrade from base builds the same schema from the
    migrations' own frozen DDL (tests/store/test_fresh_schema.py keeps them equal); skipping it
    spares the first run importing and running Alembic."""
    from sqlalchemy import inspect

    from chipdb.store import sql_views as views

    with engine_scope(db) as engine, engine.begin() as conn:  # holds the writer lock
        lock_schema(conn)
        if inspect(conn).has_table("alembic_version") and conn.execute(
                text("SELECT COUNT(*) FROM alembic_version")).scalar():
            return  # a concurrent first run built it while this one waited for the lock
        m.Base.metadata.create_all(conn)  # checkfirst: user_import may survive a downgrade
        for statement in views.create_statements():
            conn.execute(text(statement))
        if not inspect(conn).has_table("alembic_version"):
            conn.execute(text(
                "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
                "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"))
        conn.execute(text("DELETE FROM alembic_version"))
        conn.execute(text("INSERT INTO alembic_version (version_num) VALUES (:head)"),
                     {"head": SCHEMA_REVISION})
        grant_reader(conn)


def prepare(db: DatabaseUrl, state: DatabaseState, notify: Callable[[str], None]) -> None:
    """First run or new package: migrate to head, then reseed (user rows are kept)."""
    if not state.exists or state.revision is None:
        where = db.sqlite_path if db.sqlite_path else db.display
        notify(f"chipdb: creating the database at {where}")
    elif state.revision != SCHEMA_REVISION:
        notify(f"chipdb: migrating the database to revision {SCHEMA_REVISION}")
    else:
        notify("chipdb: the bundled catalogue changed; refreshing it (your imports are kept)")
    try:
        if state.revision is None:  # nothing of chipdb's yet (user_import at most)
            create_fresh(db)
        else:
            upgrade(db)
        reseed(db)
    except SQLAlchemyError as exc:
        raise DatabaseError(f"cannot prepare {db.display}: {first_line(exc)}") from None
