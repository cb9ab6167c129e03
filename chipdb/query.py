"""The read path: plain DB-API queries over the documented views, read-only.

The CLI reads only through these functions, so what it shows is what a SQL user gets from the
same views. No SQLAlchemy here: a cold ``chipdb compare`` must stay fast.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from chipdb.db import DatabaseUrl
from chipdb.errors import DatabaseError

# ":name" placeholders (not "::" casts); each driver rewrites them to its own style
NAMED_PARAMETER = re.compile(r"(?<!:):([a-z_][a-z0-9_]*)")


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
    from chipdb import libpq

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


# --- queries the CLI needs, all over the views --------------------------------------------------


def name_index(conn: ReadConnection) -> list[dict[str, Any]]:
    return conn.rows("SELECT name_key, chip, kind FROM chip_names")


def chip_metrics(conn: ReadConnection, chips: Sequence[str] | None = None) -> list[dict[str, Any]]:
    if chips is None:
        return conn.rows("SELECT * FROM chip_metrics ORDER BY vendor, chip")
    return _in(conn, "SELECT * FROM chip_metrics WHERE chip IN ({names})", chips)


def chip_specs(conn: ReadConnection, chips: Sequence[str] | None = None) -> list[dict[str, Any]]:
    if chips is None:
        return conn.rows("SELECT * FROM chip_specs ORDER BY vendor, chip")
    return _in(conn, "SELECT * FROM chip_specs WHERE chip IN ({names})", chips)


def verdicts(
    conn: ReadConnection, chips: Sequence[str] | None, as_of: date | None
) -> list[dict[str, Any]]:
    """Verdicts in force on ``as_of`` (all periods when None), in rule order."""
    where = ["1 = 1"]
    params: dict[str, Any] = {}
    if as_of is not None:
        where.append("valid_from <= :as_of AND (valid_to IS NULL OR valid_to >= :as_of)")
        params["as_of"] = as_of.isoformat()
    sql = ("SELECT * FROM chip_verdict WHERE " + " AND ".join(where)
           + " {chips} ORDER BY effective, rule, chip, valid_from")
    if chips is None:
        return conn.rows(sql.format(chips=""), params)
    return _in(conn, sql.format(chips="AND chip IN ({names})"), chips, params)


def margins(
    conn: ReadConnection, chips: Sequence[str], as_of: date | None
) -> list[dict[str, Any]]:
    params: dict[str, Any] = {}
    cond = ""
    if as_of is not None:
        cond = "AND valid_from <= :as_of AND (valid_to IS NULL OR valid_to >= :as_of)"
        params["as_of"] = as_of.isoformat()
    return _in(
        conn,
        f"SELECT * FROM chip_margin WHERE chip IN ({{names}}) {cond} "
        "ORDER BY chip, rule, valid_from, position",
        chips,
        params,
    )


def sources(conn: ReadConnection, chips: Sequence[str]) -> list[dict[str, Any]]:
    return _in(conn, "SELECT * FROM chip_sources WHERE chip IN ({names}) ORDER BY chip, field, "
                     "preferred DESC", chips)


def rules(conn: ReadConnection, rule_id: str | None = None) -> list[dict[str, Any]]:
    sql = ("SELECT id AS rule, title, short_title, citation, url, published, effective, ended, "
           "status, layer, unverified, summary, wording, notes, origin FROM rule")
    if rule_id is None:
        return conn.rows(sql + " ORDER BY effective, id")
    return conn.rows(sql + " WHERE id = :rule", {"rule": rule_id})


def rule_thresholds(conn: ReadConnection, rule_id: str | None = None) -> list[dict[str, Any]]:
    if rule_id is None:
        return conn.rows("SELECT * FROM rule_thresholds ORDER BY effective, rule, position")
    return conn.rows("SELECT * FROM rule_thresholds WHERE rule = :rule ORDER BY position",
                     {"rule": rule_id})


def rule_definitions(conn: ReadConnection) -> list[dict[str, Any]]:
    return conn.rows("SELECT id, definition, origin FROM rule ORDER BY effective, id")


def _in(
    conn: ReadConnection, sql: str, values: Sequence[str], params: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """``IN (...)`` with one bound parameter per value: names never reach the SQL text."""
    bound = {f"n{i}": v for i, v in enumerate(values)}
    names = ", ".join(f":{k}" for k in bound) or "NULL"
    return conn.rows(sql.format(names=names), {**(params or {}), **bound})
