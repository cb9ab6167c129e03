"""`chipdb sql`: the views from a SQL shell, read-only on both engines, bounded and cancellable.

Writes are refused by the engine itself, not by inspecting the statement: on SQLite an
authorizer that allows only reading (chipdb.store.read.fenced), on PostgreSQL the SELECT-only
role chipdb_reader. The interactive shells get the same fences: ``sqlite3 -safe -readonly``
(no .open, .shell, ATTACH or writefile), litecli on an immutable read-only URI, psql and pgcli
connected as chipdb_reader.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from typing import Any

from chipdb.errors import DatabaseError, UsageError
from chipdb.store.ready import ensure_ready
from chipdb.store.url import DatabaseUrl

DEFAULT_TIMEOUT_S = 5.0
DEFAULT_MAX_ROWS = 10_000


def run_query(db: DatabaseUrl, statement: str, fmt: str, notify: Callable[[str], None],
              timeout: float = DEFAULT_TIMEOUT_S, max_rows: int = DEFAULT_MAX_ROWS) -> None:
    from chipdb.render import Document, Section, render
    from chipdb.store.read.fenced import run_fenced

    if not statement.strip():
        raise UsageError("the query is empty: chipdb sql \"SELECT * FROM chip_metrics\"")
    if not timeout > 0:
        raise UsageError("--timeout must be a positive number of seconds")
    if max_rows < 1:
        raise UsageError("--max-rows must be at least 1")
    ensure_ready(db, notify)
    result = run_fenced(db, statement, timeout, max_rows)
    records: list[dict[str, Any]] = [
        dict(zip(result.columns, (_cell(v) for v in r), strict=True)) for r in result.rows]
    render(Document([Section("", result.columns, records)]), fmt)
    if result.truncated:
        notify(f"chipdb: showing the first {max_rows} rows only; --max-rows N shows more")


def _cell(value: Any) -> Any:
    """Values every format can carry: BLOBs as hex text, PostgreSQL numerics as numbers,
    dates as ISO text, anything else the server sends (intervals, arrays, UUIDs) as text."""
    from datetime import date, datetime, time
    from decimal import Decimal

    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return "x'" + bytes(value).hex() + "'"
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date | datetime | time):
        return value.isoformat()
    return str(value)


def open_shell(db: DatabaseUrl, notify: Callable[[str], None]) -> None:
    from chipdb.store.read.connect import sqlite_uri

    ensure_ready(db, notify)
    if db.dialect == "sqlite":
        assert db.sqlite_path is not None
        exe = shutil.which("sqlite3")
        if exe:
            _exec(exe, ["sqlite3", "-safe", "-readonly", str(db.sqlite_path)], dict(os.environ))
        exe = shutil.which("litecli")
        if exe:  # litecli has no read-only flag: an immutable read-only URI is the fence
            uri = sqlite_uri(db.sqlite_path)
            if "immutable=1" not in uri:
                uri += "&immutable=1"
            _exec(exe, ["litecli", uri], dict(os.environ))
        raise DatabaseError("neither sqlite3 nor litecli is installed: install one (apt install "
                            f"sqlite3) or query with chipdb sql \"SELECT ...\"; file: "
                            f"{db.sqlite_path}")
    env = dict(os.environ)
    env.pop("PGPASSWORD", None)  # the writer's password is not the reader's
    env["PGOPTIONS"] = f"{env.get('PGOPTIONS', '')} -c default_transaction_read_only=on".strip()
    for tool in ("psql", "pgcli"):
        exe = shutil.which(tool)
        if exe:
            _exec(exe, [tool, db.reader_libpq_url], env)
    raise DatabaseError(f"neither psql nor pgcli is installed; URL: {db.reader_libpq_url}")


def _exec(exe: str, argv: list[str], env: dict[str, str]) -> None:  # pragma: no cover
    """Replace this process by the shell."""
    sys.stdout.flush()
    os.execve(exe, argv, env)
