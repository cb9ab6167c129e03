"""Read-only connections: SQLite opened mode=ro, PostgreSQL READ ONLY (libpq or psycopg).

No SQLAlchemy here: a cold ``chipdb compare`` must stay fast.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from chipdb.errors import DatabaseError
from chipdb.store.read.params import NAMED_PARAMETER
from chipdb.store.url import DatabaseUrl


class ReadConnection(Protocol):
    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        ...

    def raw(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        ...

    def close(self) -> None:
        ...


@dataclass
class SqliteReader:
    conn: sqlite3.Connection

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        cur = self.conn.execute(sql, dict(params or {}))
        names = [d[0] for d in cur.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def raw(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        cur = self.conn.execute(sql)
        names = [d[0] for d in cur.description or ()]
        return names, [tuple(r) for r in cur.fetchall()]

    def close(self) -> None:
        self.conn.close()


@dataclass
class PostgresReader:
    conn: Any  # psycopg.Connection

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        with self.conn.cursor() as cur:
            cur.execute(NAMED_PARAMETER.sub(r"%(\1)s", sql.replace("%", "%%")), dict(params or {}))
            names = [d.name for d in cur.description or ()]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def raw(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        with self.conn.cursor() as cur:
            cur.execute(sql)
            if cur.description is None:
                return [], []
            return [d.name for d in cur.description], [tuple(r) for r in cur.fetchall()]

    def close(self) -> None:
        self.conn.close()


def pg_connect(db: DatabaseUrl, read_only: bool = False) -> Any:
    try:
        import psycopg
    except ImportError:
        raise DatabaseError(
            "PostgreSQL support is not installed: pip install 'chipdb[postgres]'"
        ) from None
    try:
        conn = psycopg.connect(db.libpq_url, connect_timeout=5, autocommit=False)
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DatabaseError(
            f"cannot reach PostgreSQL at {db.display}: {first}; check the URL and the server"
        ) from None
    if read_only:
        conn.read_only = True
    return conn


def connect_readonly(db: DatabaseUrl) -> ReadConnection:
    """A connection that cannot write: SQLite opened mode=ro, PostgreSQL READ ONLY sessions."""
    if db.dialect == "sqlite":
        assert db.sqlite_path is not None
        try:
            conn = sqlite3.connect(f"file:{db.sqlite_path}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise DatabaseError(f"cannot open {db.sqlite_path}: {exc}") from None
        return SqliteReader(conn)
    from chipdb.store.read import libpq

    if libpq.available():  # importing psycopg costs more than the rest of a cold read
        return libpq.LibpqReader(db.libpq_url, db.display)
    return PostgresReader(pg_connect(db, read_only=True))


@contextmanager
def reading(db: DatabaseUrl) -> Iterator[ReadConnection]:
    conn = connect_readonly(db)
    try:
        yield conn
    finally:
        conn.close()
