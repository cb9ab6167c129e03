"""A minimal read-only PostgreSQL reader over libpq (ctypes), for the cold read path.

``import psycopg`` costs more than the whole rest of a cold ``chipdb compare`` (it loads its
type system, asyncio, ssl, logging, ...). Reading the views needs none of that: connect, run a
query with text parameters, turn a few type OIDs into Python values. libpq does the work;
loading it through ctypes costs a few milliseconds. The libpq is the one psycopg[binary]
bundles, else the system's; when neither loads, chipdb reads through psycopg as before.
Writes (migrations, seeding, imports) always go through SQLAlchemy and psycopg.
"""

from __future__ import annotations

import ctypes
import json
import re
from collections.abc import Mapping
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from chipdb.errors import DatabaseError
from chipdb.store.read.params import NAMED_PARAMETER, READ_TIMEOUT_S, SCHEMA_LOCK_KEY

_OK = (1, 2)  # PGRES_COMMAND_OK, PGRES_TUPLES_OK
_MESSAGE_PRIMARY = ord("M")


def _bool(v: str) -> bool:
    return v == "t"


def _numeric(v: str) -> Any:
    from decimal import Decimal

    return Decimal(v)


_LOADERS: dict[int, Any] = {
    16: _bool, 20: int, 21: int, 23: int, 26: int, 700: float, 701: float, 1700: _numeric,
    1082: date.fromisoformat, 1083: time.fromisoformat, 1114: datetime.fromisoformat,
    1184: datetime.fromisoformat, 114: json.loads, 3802: json.loads,
}


class QueryError(DatabaseError):
    """A statement the server refused (message as the server wrote it)."""


def _candidates() -> list[str]:
    from importlib.util import find_spec

    found: list[str] = []
    try:
        spec = find_spec("psycopg_binary")  # locates the package without importing it
    except (ImportError, ValueError):
        spec = None
    for location in (spec.submodule_search_locations or []) if spec else []:
        package = Path(location)
        for folder, pattern in ((package.parent / "psycopg_binary.libs", "libpq*.so*"),
                                (package / ".dylibs", "libpq*.dylib")):
            found += sorted(str(p) for p in folder.glob(pattern))
    return [*found, "libpq.so.5", "libpq.5.dylib", "libpq.dylib"]


_LIB: Any = None


def _lib() -> Any:
    global _LIB
    if _LIB is None:
        _LIB = False
        for name in _candidates():
            try:
                lib = ctypes.CDLL(name)
            except OSError:
                continue
            p, s, i = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
            for fn, res, args in (
                ("PQconnectdbParams", p, [ctypes.POINTER(s), ctypes.POINTER(s), i]),
                ("PQstatus", i, [p]), ("PQerrorMessage", s, [p]), ("PQfinish", None, [p]),
                ("PQexecParams", p, [p, s, i, p, ctypes.POINTER(s), p, p, i]),
                ("PQresultStatus", i, [p]), ("PQresultErrorField", s, [p, i]),
                ("PQresultErrorMessage", s, [p]), ("PQntuples", i, [p]), ("PQnfields", i, [p]),
                ("PQfname", s, [p, i]), ("PQftype", ctypes.c_uint, [p, i]),
                ("PQgetvalue", s, [p, i, i]), ("PQgetisnull", i, [p, i, i]),
                ("PQclear", None, [p]),
            ):
                func = getattr(lib, fn)
                func.restype = res
                func.argtypes = args
            _LIB = lib
            break
    return _LIB or None


def available() -> bool:
    return _lib() is not None


def _strings(values: list[str | None]) -> Any:
    array = (ctypes.c_char_p * (len(values) + 1))()
    for k, v in enumerate(values):
        array[k] = None if v is None else v.encode()
    return array


def _param(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date | datetime):
        return value.isoformat()
    # undecodable command-line bytes arrive as lone surrogates: U+FFFD matches no name
    return str(value).encode("utf-8", "surrogatepass").decode("utf-8", "replace")


class LibpqReader:
    """The ReadConnection of chipdb.store.read.connect over one libpq connection in a READ ONLY
    transaction (like psycopg with ``read_only = True``)."""

    def __init__(self, url: str, display: str) -> None:
        lib = _lib()
        keys = ["dbname", "connect_timeout", "client_encoding", "options"]
        vals = [url, "5", "UTF8", "-c default_transaction_read_only=on "
                f"-c statement_timeout={READ_TIMEOUT_S * 1000}"]
        self._lib = lib
        self._conn = lib.PQconnectdbParams(_strings(list(keys)), _strings(list(vals)), 1)
        if lib.PQstatus(self._conn) != 0:
            message = (lib.PQerrorMessage(self._conn) or b"").decode("utf-8", "replace")
            lib.PQfinish(self._conn)
            self._conn = None
            first = message.strip().splitlines()[0] if message.strip() else "connection failed"
            raise DatabaseError(
                f"cannot reach PostgreSQL at {display}: {first}; check the URL and the server"
            )
        # one snapshot for all of a command's queries (an import racing a compare is seen
        # wholly or not at all)
        # before the snapshot is taken (a lock awaited inside the transaction would leave it
        # with a snapshot older than the schema it then reads); released when it closes
        self._execute(f"SELECT pg_advisory_lock_shared({SCHEMA_LOCK_KEY})", [])
        self._execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", [])

    def _execute(self, sql: str, params: list[str | None]) -> tuple[list[str], list[Any]]:
        lib = self._lib
        res = lib.PQexecParams(self._conn, sql.encode(), len(params), None, _strings(params),
                               None, None, 0)
        try:
            if lib.PQresultStatus(res) not in _OK:
                primary = lib.PQresultErrorField(res, _MESSAGE_PRIMARY)
                message = primary or lib.PQresultErrorMessage(res) or \
                    lib.PQerrorMessage(self._conn) or b"query failed"
                raise QueryError(message.decode("utf-8", "replace").strip())
            nf, nt = lib.PQnfields(res), lib.PQntuples(res)
            names = [lib.PQfname(res, j).decode() for j in range(nf)]
            loaders = [_LOADERS.get(lib.PQftype(res, j)) for j in range(nf)]
            getvalue, isnull = lib.PQgetvalue, lib.PQgetisnull
            rows = []
            for i in range(nt):
                row: list[Any] = []
                for j, load in enumerate(loaders):
                    if isnull(res, i, j):
                        row.append(None)
                        continue
                    text = getvalue(res, i, j).decode()
                    row.append(load(text) if load is not None else text)
                rows.append(tuple(row))
            return names, rows
        finally:
            lib.PQclear(res)

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        order: list[str] = []

        def number(m: re.Match[str]) -> str:
            if m.group(1) not in order:
                order.append(m.group(1))
            return f"${order.index(m.group(1)) + 1}"

        text = NAMED_PARAMETER.sub(number, sql)
        values = dict(params or {})
        names, rows = self._execute(text, [_param(values[k]) for k in order])
        return [dict(zip(names, r, strict=True)) for r in rows]

    def raw(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        return self._execute(sql, [])

    def finish(self) -> None:
        """End the snapshot and release the schema lock, keeping the connection (a pool's)."""
        self._execute("ROLLBACK", [])
        self._execute(f"SELECT pg_advisory_unlock_shared({SCHEMA_LOCK_KEY})", [])

    def begin(self) -> None:
        """A new snapshot on a kept connection: the schema lock first, as at connect."""
        self._execute(f"SELECT pg_advisory_lock_shared({SCHEMA_LOCK_KEY})", [])
        self._execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", [])

    def close(self) -> None:
        if self._conn is not None:
            self._lib.PQfinish(self._conn)
            self._conn = None
