"""`chipdb sql`: the views from a SQL shell, read-only on both engines.

Writes are refused by the connection itself (SQLite opened with mode=ro, PostgreSQL sessions
set READ ONLY), not by inspecting the statement.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
from collections.abc import Callable
from typing import Any

from chipdb.errors import DatabaseError, UsageError
from chipdb.store.read.connect import connect_readonly
from chipdb.store.ready import ensure_ready
from chipdb.store.url import DatabaseUrl


def run_query(db: DatabaseUrl, statement: str, fmt: str, notify: Callable[[str], None]) -> None:
    from chipdb.render import Document, Section, render

    if not statement.strip():
        raise UsageError("the query is empty: chipdb sql \"SELECT * FROM chip_metrics\"")
    ensure_ready(db, notify)
    conn = connect_readonly(db)
    try:
        columns, rows = conn.raw(statement)
    except Exception as exc:
        raise DatabaseError(_query_error(exc)) from None
    finally:
        conn.close()
    records: list[dict[str, Any]] = [dict(zip(columns, r, strict=True)) for r in rows]
    render(Document([Section("", columns, records)]), fmt)


def _query_error(exc: Exception) -> str:
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    low = message.casefold()
    if "readonly" in low or "read-only" in low or "read only" in low:
        return f"the database is opened read-only: chipdb sql cannot change data ({message})"
    if isinstance(exc, sqlite3.Warning) and "one statement" in low:
        return "give one statement at a time"
    return f"query failed: {message}"


def open_shell(db: DatabaseUrl, notify: Callable[[str], None]) -> None:
    ensure_ready(db, notify)
    if db.dialect == "sqlite":
        assert db.sqlite_path is not None
        for tool, args in (("litecli", ["--readonly"]), ("sqlite3", ["-readonly"])):
            exe = shutil.which(tool)
            if exe:
                _exec(exe, [tool, *args, str(db.sqlite_path)], dict(os.environ))
        raise DatabaseError("neither sqlite3 nor litecli is installed: install one (apt install "
                            f"sqlite3) or query with chipdb sql \"SELECT ...\"; file: "
                            f"{db.sqlite_path}")
    env = dict(os.environ)
    env["PGOPTIONS"] = f"{env.get('PGOPTIONS', '')} -c default_transaction_read_only=on".strip()
    for tool in ("pgcli", "psql"):
        exe = shutil.which(tool)
        if exe:
            _exec(exe, [tool, db.libpq_url], env)
    raise DatabaseError(f"neither psql nor pgcli is installed; URL: {db.libpq_url}")


def _exec(exe: str, argv: list[str], env: dict[str, str]) -> None:  # pragma: no cover
    """Replace this process by the shell."""
    sys.stdout.flush()
    os.execve(exe, argv, env)
