"""`chipdb sql`'s one query: read-only by a fence, bounded in time and rows, cancellable.

The fence is the engine's own, not a look at the statement text:
- SQLite: the file opened ``mode=ro`` and an authorizer that allows only reading (SELECT, table
  reads, recursive CTEs, harmless functions and argument-less informational pragmas): ATTACH,
  DETACH, VACUUM INTO, temp objects, transactions, pragma writes and ``load_extension`` are
  refused before they run. A progress handler enforces the time limit and Ctrl-C.
- PostgreSQL: a connection as the SELECT-only role ``chipdb_reader`` (migration 0002: SELECT on
  the views only, no server-file or server-program rights), in a READ ONLY transaction with a
  ``statement_timeout``. Ctrl-C sends a cancel request (psycopg), so no backend is left running.
"""

from __future__ import annotations

import signal
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from chipdb.errors import DatabaseError
from chipdb.store.read.connect import sqlite_uri
from chipdb.store.url import READER_ROLE, DatabaseUrl

MAX_VALUE_BYTES = 64 * 1024 * 1024  # one string or BLOB; a larger one is refused, not built

# Functions that reach outside the database (files, extensions, tokenizer pointers).
_SQLITE_FORBIDDEN_FUNCTIONS = frozenset({
    "load_extension", "fts3_tokenizer", "readfile", "writefile", "edit", "sqlite_dbpage",
})
# Pragmas that only report: these take a table or index name ...
_SQLITE_PRAGMAS_ON = frozenset({
    "table_info", "table_xinfo", "index_list", "index_info", "index_xinfo", "foreign_key_list",
})
# ... and these are allowed without an argument only (with one, most of them write).
_SQLITE_PRAGMAS = _SQLITE_PRAGMAS_ON | frozenset({
    "table_list", "collation_list", "function_list", "pragma_list", "module_list",
    "compile_options", "user_version", "schema_version", "encoding", "page_size",
    "page_count", "freelist_count", "database_list",
})


class QueryTimeout(DatabaseError):
    """The statement ran past --timeout."""


class NotReadOnly(DatabaseError):
    """The statement would change something: refused before it ran."""


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    truncated: bool  # more rows existed than max_rows


def _sqlite_authorizer(action: int, arg1: str | None, arg2: str | None,
                       _db: str | None, _trigger: str | None) -> int:
    if action in (sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_RECURSIVE):
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_FUNCTION:
        name = (arg2 or "").casefold()
        return sqlite3.SQLITE_DENY if name in _SQLITE_FORBIDDEN_FUNCTIONS else sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA:
        pragma = (arg1 or "").casefold()
        if pragma in (_SQLITE_PRAGMAS if arg2 is None else _SQLITE_PRAGMAS_ON):
            return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


@contextmanager
def _sigint_calls(callback: Any) -> Iterator[None]:
    """While inside, Ctrl-C calls ``callback`` (then the caller raises KeyboardInterrupt)."""
    try:
        previous = signal.getsignal(signal.SIGINT)
        signal.signal(signal.SIGINT, lambda _s, _f: callback())
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _sqlite_query(db: DatabaseUrl, statement: str, timeout: float,
                  max_rows: int) -> QueryResult:
    assert db.sqlite_path is not None
    try:
        conn = sqlite3.connect(sqlite_uri(db.sqlite_path), uri=True, isolation_level=None)
    except sqlite3.Error as exc:
        raise DatabaseError(f"cannot open {db.sqlite_path}: {exc}") from None
    interrupted: list[bool] = []
    deadline = time.monotonic() + timeout

    def on_sigint() -> None:
        interrupted.append(True)
        conn.interrupt()

    def progress() -> int:
        return 1 if interrupted or time.monotonic() > deadline else 0

    try:
        conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
        conn.execute("BEGIN")  # one snapshot for the statement and its fetches
        conn.set_authorizer(_sqlite_authorizer)
        conn.set_progress_handler(progress, 1000)
        with _sigint_calls(on_sigint):
            try:
                cur = conn.execute(statement)
                columns = [d[0] for d in cur.description or ()]
                rows = [tuple(r) for r in cur.fetchmany(max_rows + 1)]
            except sqlite3.Error as exc:
                if interrupted:
                    raise KeyboardInterrupt from None
                if "interrupted" in str(exc) and time.monotonic() > deadline:
                    raise QueryTimeout(_timeout_message(timeout)) from None
                raise _sqlite_error(exc) from None
        if interrupted:
            raise KeyboardInterrupt
        return QueryResult(columns, rows[:max_rows], len(rows) > max_rows)
    finally:
        conn.close()


def _sqlite_error(exc: sqlite3.Error) -> DatabaseError:
    message = _first_line(exc)
    if isinstance(exc, sqlite3.DatabaseError) and "not authorized" in message:
        return NotReadOnly(f"chipdb sql is read-only: this statement is refused ({message})")
    if "readonly" in message or "read-only" in message or "cannot VACUUM" in message:
        return NotReadOnly(f"chipdb sql is read-only: this statement is refused ({message})")
    if isinstance(exc, sqlite3.ProgrammingError) and "one statement" in message:
        return DatabaseError("give one statement at a time")
    return DatabaseError(f"query failed: {message}")


def _timeout_message(timeout: float) -> str:
    return (f"the query ran longer than {timeout:g} s and was stopped: narrow it, or give "
            "--timeout SECONDS")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _postgres_query(db: DatabaseUrl, statement: str, timeout: float,
                    max_rows: int) -> QueryResult:
    try:
        import psycopg
        from psycopg import errors as pg_errors
    except ImportError:
        raise DatabaseError(
            "PostgreSQL support is not installed: pip install 'chipdb[postgres]'") from None
    try:
        conn = psycopg.connect(db.reader_libpq_url, connect_timeout=5, autocommit=False)
    except psycopg.Error as exc:
        raise DatabaseError(
            f"cannot connect to {db.display} as the read-only role {READER_ROLE} "
            f"({_first_line(exc)}): run `chipdb db upgrade` as a role that may CREATE ROLE, "
            f"and give {READER_ROLE} a password in ~/.pgpass if the server asks for one"
        ) from None
    try:
        conn.read_only = True
        with conn.cursor() as cur:
            cur.execute("SELECT set_config('statement_timeout', %s, true)",
                        [str(max(1, int(timeout * 1000)))])
            rows: list[tuple[Any, ...]] = []
            columns: list[str] = []
            try:
                for row in cur.stream(statement):
                    if not columns:
                        columns = [d.name for d in cur.description or ()]
                    rows.append(tuple(row))
                    if len(rows) > max_rows:
                        break
                if not columns and cur.description:
                    columns = [d.name for d in cur.description]
            except psycopg.ProgrammingError as exc:
                if "didn't produce a result" not in str(exc):
                    raise _postgres_error(exc) from None
                return QueryResult([], [], False)  # a statement without rows (SET, SHOW...)
            except pg_errors.QueryCanceled as exc:
                if "statement timeout" in str(exc):
                    raise QueryTimeout(_timeout_message(timeout)) from None
                raise KeyboardInterrupt from None
            except psycopg.Error as exc:
                raise _postgres_error(exc) from None
        return QueryResult(columns, rows[:max_rows], len(rows) > max_rows)
    finally:
        conn.close()  # a stream stopped early was cancelled on the server by psycopg


def _postgres_error(exc: Exception) -> DatabaseError:
    from psycopg import errors as pg_errors

    message = _first_line(exc)
    if isinstance(exc, pg_errors.InsufficientPrivilege | pg_errors.ReadOnlySqlTransaction):
        return NotReadOnly(f"chipdb sql is read-only: this statement is refused ({message})")
    if "multiple commands" in message:
        return DatabaseError("give one statement at a time")
    return DatabaseError(f"query failed: {message}")


def run_fenced(db: DatabaseUrl, statement: str, timeout: float, max_rows: int) -> QueryResult:
    """Run one statement that cannot write, within ``timeout`` seconds, keeping at most
    ``max_rows`` rows. Ctrl-C stops it and raises KeyboardInterrupt."""
    if db.dialect == "sqlite":
        return _sqlite_query(db, statement, timeout, max_rows)
    return _postgres_query(db, statement, timeout, max_rows)
