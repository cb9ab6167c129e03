"""Schema migrations, (re)seeding and imports: the heavy write path (SQLAlchemy, Alembic).

Imported only when the database must change, never on a plain read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, delete, event, insert, select, text
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

from chipdb import db as dbmod
from chipdb import models as m
from chipdb.db import DatabaseState, DatabaseUrl
from chipdb.errors import DatabaseError, DataError, SeedError
from chipdb.loader import (
    LoadReport,
    parse_user_import,
    parse_user_imports,
    read_seed_catalogue,
    rebuild,
)


def make_engine(db: DatabaseUrl) -> Engine:
    if db.dialect == "sqlite":
        assert db.sqlite_path is not None
        db.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(db.url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys = ON")
            # WAL: readers keep seeing the previous snapshot while a reseed writes.
            cur.execute("PRAGMA journal_mode = WAL")
            cur.close()

        return engine
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise DatabaseError(
            "PostgreSQL support is not installed: pip install 'chipdb[postgres]'"
        ) from None
    return create_engine(db.url, connect_args={"connect_timeout": 5})


@contextmanager
def _engine(db: DatabaseUrl) -> Iterator[Engine]:
    engine = make_engine(db)
    try:
        yield engine
    except OperationalError as exc:
        raise DatabaseError(f"database error on {db.display}: {_first_line(exc)}") from None
    finally:
        engine.dispose()


def _first_line(exc: BaseException) -> str:
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        exc = exc.orig
    message = str(exc).strip()
    return message.splitlines()[0] if message else type(exc).__name__


def _alembic_config(connection: Any, **flags: bool) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(dbmod.alembic_dir()))
    config.attributes["connection"] = connection
    for key, value in flags.items():
        config.attributes[key] = value
    return config


def upgrade(db: DatabaseUrl, revision: str = "head") -> None:
    from alembic import command

    with _engine(db) as engine, engine.begin() as conn:
        command.upgrade(_alembic_config(conn), revision)


def downgrade(db: DatabaseUrl, revision: str, drop_user_data: bool = False) -> None:
    from alembic import command

    state = dbmod.database_state(db)
    dbmod.check_revision(db, state)
    with _engine(db) as engine, engine.begin() as conn:
        command.downgrade(_alembic_config(conn, drop_user_data=drop_user_data), revision)


def current(db: DatabaseUrl) -> str | None:
    return dbmod.database_state(db).revision


def reseed(db: DatabaseUrl, warn: Callable[[str], None] | None = None) -> LoadReport:
    """Rebuild all rows from the bundled seeds and the stored user imports, atomically."""
    kwargs = {"warn": warn} if warn else {}
    with _engine(db) as engine, engine.begin() as conn:
        if db.dialect == "sqlite":
            conn.execute(text("SELECT 1"))
        return rebuild(conn, dbmod.seeds_dir(), dbmod.seed_fingerprint(), **kwargs)


def create_fresh(db: DatabaseUrl) -> None:
    """A database without chipdb's tables: the head schema straight from the models and the
    views, stamped at head. Alembic's upgrade from base builds the same schema (a test keeps
    them equal); skipping it spares the first run importing and running Alembic."""
    from sqlalchemy import inspect

    from chipdb import views

    with _engine(db) as engine, engine.begin() as conn:
        m.Base.metadata.create_all(conn)  # checkfirst: user_import may survive a downgrade
        for statement in views.create_statements():
            conn.execute(text(statement))
        if not inspect(conn).has_table("alembic_version"):
            conn.execute(text(
                "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
                "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"))
        conn.execute(text("DELETE FROM alembic_version"))
        conn.execute(text("INSERT INTO alembic_version (version_num) VALUES (:head)"),
                     {"head": dbmod.SCHEMA_REVISION})


def prepare(db: DatabaseUrl, state: DatabaseState, notify: Callable[[str], None]) -> None:
    """First run or new package: migrate to head, then reseed (user rows are kept)."""
    if not state.exists or state.revision is None:
        where = db.sqlite_path if db.sqlite_path else db.display
        notify(f"chipdb: creating the database at {where}")
    elif state.revision != dbmod.SCHEMA_REVISION:
        notify(f"chipdb: migrating the database to revision {dbmod.SCHEMA_REVISION}")
    else:
        notify("chipdb: the bundled catalogue changed; refreshing it (your imports are kept)")
    try:
        if state.revision is None:  # nothing of chipdb's yet (user_import at most)
            create_fresh(db)
        else:
            upgrade(db)
        reseed(db)
    except SQLAlchemyError as exc:
        raise DatabaseError(f"cannot prepare {db.display}: {_first_line(exc)}") from None


def import_file(db: DatabaseUrl, path: Path, replace: bool = False) -> LoadReport:
    """Validate a user file, store it verbatim and rebuild; nothing is written if invalid."""
    try:
        raw = path.read_bytes()
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        raise DataError(f"{path}: cannot be read: {reason}") from None
    try:
        content = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SeedError(str(path), "file", "-", "is not UTF-8 text") from None
    name = path.name
    seeds = read_seed_catalogue(dbmod.seeds_dir())
    dbmod.ensure_ready(db)
    with _engine(db) as engine, engine.begin() as conn:
        existing = conn.execute(
            select(m.UserImport.name, m.UserImport.content).order_by(m.UserImport.id)
        ).all()
        others = parse_user_imports([(n, c) for n, c in existing if n != name], seeds)
        catalogue = parse_user_import(str(path), content, seeds, others)
        if not (catalogue.chips or catalogue.rules or catalogue.sources):
            raise SeedError(str(path), "file", "-", "holds no [[chip]], [[rule]] or [[source]]")
        seed_names = {c.spec.name.casefold() for c in seeds.chips}
        taken = {c.spec.name.casefold() for o in others for c in o.chips}
        for chip in catalogue.chips:
            if chip.spec.name.casefold() in taken:
                raise SeedError(str(path), f"chip '{chip.spec.name}'", "name",
                                "is already defined by another import")
            if chip.spec.name.casefold() in seed_names:
                raise SeedError(str(path), f"chip '{chip.spec.name}'", "name",
                                "is a bundled chip: choose another name (or `chipdb what-if`)")
        previous = {n for n, _ in existing}
        if name in previous and not replace:
            raise DataError(f"an import named {name} exists: use --replace to update it")
        if name in previous:
            conn.execute(delete(m.UserImport).where(m.UserImport.name == name))
        conn.execute(insert(m.UserImport), [{
            "name": name, "content": content,
            "imported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }])
        return rebuild(conn, dbmod.seeds_dir(), dbmod.seed_fingerprint())


def remove_import(db: DatabaseUrl, name: str) -> LoadReport:
    dbmod.ensure_ready(db)
    with _engine(db) as engine, engine.begin() as conn:
        gone = conn.execute(delete(m.UserImport).where(m.UserImport.name == name))
        if gone.rowcount == 0:
            raise DataError(f"no import named {name}: `chipdb export --list` shows them")
        return rebuild(conn, dbmod.seeds_dir(), dbmod.seed_fingerprint())


def user_imports(db: DatabaseUrl) -> list[tuple[str, str, str]]:
    dbmod.ensure_ready(db)
    with _engine(db) as engine, engine.connect() as conn:
        rows = conn.execute(select(m.UserImport.name, m.UserImport.imported_at,
                                   m.UserImport.content).order_by(m.UserImport.id)).all()
        return [(r[0], r[1], r[2]) for r in rows]
