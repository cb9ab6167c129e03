"""SQLAlchemy engines for writing, and database errors as one line a user can act on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, OperationalError

from chipdb.errors import DatabaseError
from chipdb.store.url import DatabaseUrl


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
def engine_scope(db: DatabaseUrl) -> Iterator[Engine]:
    engine = make_engine(db)
    try:
        yield engine
    except OperationalError as exc:
        raise DatabaseError(f"database error on {db.display}: {first_line(exc)}") from None
    finally:
        engine.dispose()


def first_line(exc: BaseException) -> str:
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        exc = exc.orig
    message = str(exc).strip()
    return message.splitlines()[0] if message else type(exc).__name__
