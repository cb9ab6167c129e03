"""A read-only probe of a database: does it exist, at which revision, seeded from what."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from chipdb.errors import DatabaseError
from chipdb.store.package_data import KNOWN_REVISIONS, SCHEMA_REVISION
from chipdb.store.read.connect import connect_readonly, sqlite_uri
from chipdb.store.url import DatabaseUrl


@dataclass(frozen=True)
class DatabaseState:
    exists: bool
    revision: str | None = None
    fingerprint: str | None = None
    signature: str | None = None  # "seed_signature():seed_fingerprint()" of the last seeding


def _sqlite_state(db: DatabaseUrl) -> DatabaseState:
    assert db.sqlite_path is not None
    path = db.sqlite_path
    if not path.exists():
        return DatabaseState(exists=False)
    if path.is_dir():
        raise DatabaseError(f"{path} is a directory, not a database file: point --db at a file")
    try:
        conn = sqlite3.connect(sqlite_uri(path), uri=True)
    except sqlite3.Error as exc:
        raise DatabaseError(f"cannot open {path}: {exc}: check the path and permissions") from None
    try:
        # one read transaction for every probe query: a migration running beside us must
        # not drop `meta` between the table list and the read of it (reliability A3.4)
        conn.isolation_level = None
        conn.execute("BEGIN")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        return _state_from(tables, conn.execute, str(path))
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(
            f"{path} is not a usable chipdb database ({exc}); nothing was changed: "
            "move it away or point --db elsewhere"
        ) from None
    finally:
        conn.close()


def _state_from(tables: set[str], execute: Callable[..., object], where: str) -> DatabaseState:
    if not tables or tables <= {"user_import"}:
        return DatabaseState(exists=True)
    if "alembic_version" not in tables:
        raise DatabaseError(
            f"{where} holds tables that are not chipdb's; nothing was changed: "
            "point --db at an empty or chipdb database"
        )
    rows = list(execute("SELECT version_num FROM alembic_version"))  # type: ignore[call-overload]
    revision = rows[0][0] if rows else None
    found: dict[str, str] = {}
    if "meta" in tables:
        found = dict(execute(  # type: ignore[call-overload]
            "SELECT key, value FROM meta WHERE key IN ('seed_fingerprint', 'seed_signature')"))
    return DatabaseState(exists=True, revision=revision,
                         fingerprint=found.get("seed_fingerprint"),
                         signature=found.get("seed_signature"))


def _postgres_state(db: DatabaseUrl) -> DatabaseState:
    conn = connect_readonly(db)
    try:
        tables = {r["table_name"] for r in conn.rows(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema()")}

        def run(sql: str) -> list[tuple[object, ...]]:
            return [tuple(r.values()) for r in conn.rows(sql)]

        return _state_from(tables, run, db.display)
    finally:
        conn.close()


def database_state(db: DatabaseUrl) -> DatabaseState:
    return _sqlite_state(db) if db.dialect == "sqlite" else _postgres_state(db)


def check_revision(db: DatabaseUrl, state: DatabaseState) -> None:
    if state.revision is not None and state.revision not in KNOWN_REVISIONS:
        raise DatabaseError(
            f"{db.display} is at schema revision {state.revision}, newer than this chipdb "
            f"knows ({SCHEMA_REVISION}); nothing was changed: upgrade chipdb"
        )
