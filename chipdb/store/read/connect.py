"""Read-only connections: SQLite opened mode=ro, PostgreSQL READ ONLY (libpq or psycopg).

No SQLAlchemy here: a cold ``chipdb compare`` must stay fast.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

from chipdb.errors import DatabaseError
from chipdb.store.read.params import NAMED_PARAMETER, READ_TIMEOUT_S, SCHEMA_LOCK_KEY
from chipdb.store.url import DatabaseUrl


def sqlite_uri(path: Path) -> str:
    """A read-only URI for the file; immutable when nobody can write it here (a read-only
    file, folder or medium), since SQLite then cannot create the WAL's shared-memory file."""
    writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
    return f"file:{quote(str(path))}?mode=ro" + ("" if writable else "&immutable=1")


def _text_safe(value: Any) -> Any:
    """Undecodable bytes on the command line arrive as lone surrogates, which no driver can
    encode; they become U+FFFD, which no name contains, so the lookup simply finds nothing."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return value


def safe_params(params: Mapping[str, Any] | None) -> dict[str, Any]:
    return {k: _text_safe(v) for k, v in (params or {}).items()}


class ReadConnection(Protocol):
    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        ...

    def raw(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        ...

    def close(self) -> None:
        ...


def damaged(exc: BaseException) -> DatabaseError:
    """A read the schema should always answer failed: the database was changed by hand."""
    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    return DatabaseError(f"the database cannot answer a read ({first}); it may have been "
                         "edited: `chipdb db verify` checks it, `chipdb db seed` rebuilds it")


@dataclass
class SqliteReader:
    conn: sqlite3.Connection
    deadline: float = 0.0  # of the statement running (each gets READ_TIMEOUT_S)

    def __post_init__(self) -> None:
        self.conn.set_progress_handler(lambda: int(time.monotonic() > self.deadline), 100_000)

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        self.deadline = time.monotonic() + READ_TIMEOUT_S
        try:
            cur = self.conn.execute(sql, safe_params(params))
            names = [d[0] for d in cur.description or ()]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        except sqlite3.Error as exc:
            raise damaged(exc) from None

    def raw(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        self.deadline = time.monotonic() + READ_TIMEOUT_S
        cur = self.conn.execute(sql)
        names = [d[0] for d in cur.description or ()]
        return names, [tuple(r) for r in cur.fetchall()]

    def finish(self) -> None:
        """End the snapshot, keeping the connection (a pool's)."""
        self.conn.execute("ROLLBACK")

    def begin(self) -> None:
        """A new snapshot on a kept connection (it starts at the first read)."""
        self.conn.execute("BEGIN")

    def close(self) -> None:
        self.conn.close()


@dataclass
class PostgresReader:
    conn: Any  # psycopg.Connection

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        import psycopg

        try:
            with self.conn.cursor() as cur:
                cur.execute(NAMED_PARAMETER.sub(r"%(\1)s", sql.replace("%", "%%")),
                            safe_params(params))
                names = [d.name for d in cur.description or ()]
                return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        except psycopg.Error as exc:
            raise damaged(exc) from None

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
        conn = psycopg.connect(db.libpq_url, connect_timeout=5, autocommit=False,
                               options=f"-c statement_timeout={READ_TIMEOUT_S * 1000}"
                               if read_only else None)
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DatabaseError(
            f"cannot reach PostgreSQL at {db.display}: {first}; check the URL and the server"
        ) from None
    if read_only:
        # the schema lock before the snapshot (see libpq.LibpqReader); released at close
        conn.autocommit = True
        conn.execute(f"SELECT pg_advisory_lock_shared({SCHEMA_LOCK_KEY})")
        conn.autocommit = False
        conn.read_only = True
        # one snapshot for all of a command's queries: an import racing a compare is seen
        # wholly or not at all
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    return conn


def change_stamp(db: DatabaseUrl) -> str:
    """What changes whenever anyone writes an SQLite database, chipdb or not: the identity, size
    and modification time of the file and of its write-ahead log ("" on PostgreSQL, where the
    rebuild's ``catalogue_built`` token alone says it). Taken before the snapshot, so a write
    racing it leaves a stamp that no later reader sees again."""
    if db.dialect != "sqlite" or db.sqlite_path is None:
        return ""
    parts = []
    for path in (db.sqlite_path, db.sqlite_path.with_name(db.sqlite_path.name + "-wal")):
        try:
            st = path.stat()
        except OSError:
            parts.append("-")
            continue
        parts.append(f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}")
    return "/".join(parts)


def connect_readonly(db: DatabaseUrl) -> ReadConnection:
    """A connection that cannot write and reads one snapshot: SQLite opened mode=ro inside one
    read transaction, PostgreSQL REPEATABLE READ READ ONLY."""
    if db.dialect == "sqlite":
        assert db.sqlite_path is not None
        try:
            conn = sqlite3.connect(sqlite_uri(db.sqlite_path), uri=True, isolation_level=None)
            conn.execute("BEGIN")  # the snapshot starts at the first read, ends at close
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
