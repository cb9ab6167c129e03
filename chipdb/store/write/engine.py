"""SQLAlchemy engines for writing, and database errors as one line a user can act on.

Every write transaction is serialised with every other chipdb writer on the same database, so
an import and a reseed (or two imports) never build from a stale list of imports: SQLite takes
the write lock at BEGIN (BEGIN IMMEDIATE, which also makes SQLite's DDL transactional: a failed
migration leaves nothing behind), PostgreSQL takes a transaction-scoped advisory lock first.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError

from chipdb.errors import DatabaseError
from chipdb.store.read.params import SCHEMA_LOCK_KEY
from chipdb.store.url import DatabaseUrl, make_default_folder

# pg_advisory_xact_lock key shared by every chipdb writer (an arbitrary constant: "chipdb")
WRITER_LOCK_KEY = 0x63686970_6462
LOCK_WAIT_S = 120  # how long a writer waits for another (a reseed takes seconds), both engines


def make_engine(db: DatabaseUrl) -> Engine:
    if db.dialect == "sqlite":
        assert db.sqlite_path is not None
        make_default_folder(db.sqlite_path)
        engine = create_engine(db.url, connect_args={"timeout": LOCK_WAIT_S})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            # pysqlite's own transaction handling would BEGIN only at the first INSERT (after
            # the reads a rebuild starts from) and commit before DDL: chipdb begins itself
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys = ON")
            # WAL: readers keep seeing the previous snapshot while a reseed writes.
            cur.execute("PRAGMA journal_mode = WAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin_immediate(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise DatabaseError(
            "PostgreSQL support is not installed: pip install 'chipdb[postgres]'"
        ) from None
    engine = create_engine(db.url, connect_args={"connect_timeout": 5})

    @event.listens_for(engine, "begin")
    def _writer_lock(conn: Any) -> None:
        # another writer holds it for seconds; far longer means something is stuck: say so
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_WAIT_S}s'")
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITER_LOCK_KEY})")

    return engine


def lock_schema(conn: Any) -> None:
    """PostgreSQL: wait for the readers in flight, and hold new ones, until this transaction
    (a migration) ends. SQLite needs nothing: a reader's snapshot includes the schema."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK_KEY})")


@contextmanager
def engine_scope(db: DatabaseUrl) -> Iterator[Engine]:
    engine = make_engine(db)
    try:
        yield engine
    except DBAPIError as exc:  # locked, full, read-only, malformed, a constraint: one line
        path = db.sqlite_path
        if path is not None and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
            raise DatabaseError(
                f"{path} is read-only here (its file, folder or medium): chipdb reads it but "
                f"cannot change it ({first_line(exc)}); copy it somewhere writable to change it"
            ) from None
        raise DatabaseError(f"database error on {db.display}: {first_line(exc)}") from None
    finally:
        engine.dispose()


def first_line(exc: BaseException) -> str:
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        exc = exc.orig
    message = str(exc).strip()
    return message.splitlines()[0] if message else type(exc).__name__
