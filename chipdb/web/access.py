"""Per request: the query parameters checked, one read-only database opened, a time limit.

Each request reads its own snapshot on a read-only connection (SQLite ``mode=ro``, PostgreSQL
``READ ONLY``) taken from a small pool of open ones, runs in a worker thread under the time
limit, and ends the snapshot. What is kept between
requests is only what was read, keyed on the catalogue's fingerprint (``service.readcache``):
the name index, and the answer to the same URL on the same day; a write to the database
changes the key. Library errors become HTTP statuses here: unknown chip or rule 404, a value that
cannot be used 400, an unreachable database 503, over the time limit 503.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

import anyio.to_thread
from starlette.requests import Request

from chipdb.errors import DatabaseError, DataError, NotFoundError, UsageError
from chipdb.service.database import Database
from chipdb.service.readcache import ReadCache
from chipdb.service.session import Session
from chipdb.store.read.connect import (
    PostgresReader,
    ReadConnection,
    SqliteReader,
    change_stamp,
    connect_readonly,
)
from chipdb.store.read.pool import ReaderPool
from chipdb.store.url import DatabaseUrl
from chipdb.web.respond import HttpError

T = TypeVar("T")
MAX_VALUE = 500  # characters of one parameter value: longer is not a name or a number


@dataclass(frozen=True)
class Settings:
    """What the server was started with: where the database is, how long a request may take;
    and what it read, by fingerprint (``cache``)."""

    db: DatabaseUrl
    time_limit: float
    cache: ReadCache = field(default_factory=ReadCache, compare=False)
    # worker threads doing database work at once: more only make them queue for the GIL
    # (the CPU-bound part of a request), which stretches every request's latency
    threads: anyio.CapacityLimiter = field(
        default_factory=lambda: anyio.CapacityLimiter(4), compare=False)
    # connections kept open between requests (store.read.pool); None: one per request
    pool: ReaderPool | None = field(default=None, compare=False)


class Params:
    """The query string of one request, checked: unknown names and bad values are a 400."""

    def __init__(self, request: Request, allowed: tuple[str, ...]) -> None:
        self.query = request.query_params
        unknown = [k for k in self.query if k not in allowed]
        if unknown:
            raise HttpError(400, f"unknown parameter '{unknown[0]}': this page takes "
                                 f"{', '.join(allowed) or 'none'}")
        for key, value in self.query.multi_items():
            if len(value) > MAX_VALUE or "\x00" in value:
                raise HttpError(400, f"parameter '{key}' is too long or holds a NUL character")

    def text(self, name: str) -> str | None:
        """The last value given, stripped; empty means not given."""
        values = self.query.getlist(name)
        value = values[-1].strip() if values else ""
        return value or None

    def many(self, name: str, sep: str | None = ",") -> list[str]:
        """Every value, repeated (``a=1&a=2``) or separated (``a=1,2``; lines always split)."""
        out: list[str] = []
        for value in self.query.getlist(name):
            for line in value.splitlines():
                parts = line.split(sep) if sep else [line]
                out += [p.strip() for p in parts if p.strip()]
        return out

    def choice(self, name: str, choices: tuple[str, ...], default: str) -> str:
        value = self.text(name) or default
        if value not in choices:
            raise HttpError(400, f"{name} '{value}' is not one of {', '.join(choices)}")
        return value

    def day(self, name: str) -> date | None:
        """A YYYY-MM-DD day; empty is None."""
        value = self.text(name)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise HttpError(400, f"{name} '{value}' is not a date: use YYYY-MM-DD") from None

    def flag(self, name: str) -> bool | None:
        """yes/no (true/false, 1/0); empty or ``any`` is None."""
        value = (self.text(name) or "any").casefold()
        if value in ("yes", "true", "1", "on"):
            return True
        if value in ("no", "false", "0", "off"):
            return False
        if value == "any":
            return None
        raise HttpError(400, f"{name} '{value}' is not yes, no or any")


def status_of(exc: Exception) -> int:
    """The HTTP status of a library error."""
    if isinstance(exc, HttpError):
        return exc.status
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, UsageError):
        return 400
    if isinstance(exc, DatabaseError):
        return 503
    if isinstance(exc, DataError):
        return 500
    return 500


def open_database(settings: Settings, deadline: float) -> Database:
    """A read-only Database whose queries stop at ``deadline`` (``time.monotonic``)."""
    stamp = change_stamp(settings.db)  # before the snapshot: see change_stamp
    conn: ReadConnection = (settings.pool.take() if settings.pool is not None
                            else connect_readonly(settings.db))
    if isinstance(conn, SqliteReader):
        # the reader's own per-statement limit still holds; the request's may come first
        reader = conn
        conn.conn.set_progress_handler(
            lambda: int(time.monotonic() > min(deadline, reader.deadline)), 2000)
    else:  # PostgreSQL: the server cancels a statement over the limit
        ms = max(int((deadline - time.monotonic()) * 1000), 1)
        if isinstance(conn, PostgresReader):
            conn.conn.execute(f"SET statement_timeout = {ms}")
        else:
            conn.raw(f"SET statement_timeout = {ms}")
    return Database(Session(settings.db, conn, cache=settings.cache, stamp=stamp))


async def run(settings: Settings, work: Callable[[Database], T], cache_key: str | None = None,
              keep: Callable[[T], bool] = lambda _result: True) -> T:
    """``work`` on a fresh read-only database in a worker thread, within the time limit.

    With ``cache_key`` (the request's URL), a result that ``keep`` accepts is kept for the
    same key, catalogue fingerprint and day (``as_of`` defaults to today) and reused."""
    deadline = time.monotonic() + settings.time_limit

    def job() -> T:
        db = open_database(settings, deadline)
        try:
            fingerprint = db.session.fingerprint if cache_key is not None else None
            if fingerprint is None:
                return work(db)
            key = ("answer", fingerprint, date.today().isoformat(), cache_key)
            found = settings.cache.get(key)
            if found is not None:
                return found  # type: ignore[no-any-return]
            result = work(db)
            if keep(result):
                settings.cache.put(key, result)
            return result
        except (sqlite3.OperationalError, DatabaseError) as exc:
            if time.monotonic() >= deadline or "statement timeout" in str(exc):
                raise over_limit(settings) from None
            raise
        finally:
            if settings.pool is not None:
                # the snapshot (and on PostgreSQL the schema lock) ends, the connection stays
                settings.pool.give(db.session.conn)  # type: ignore[arg-type]
            else:
                db.close()

    try:
        with anyio.fail_after(settings.time_limit + 0.5):
            return await anyio.to_thread.run_sync(job, abandon_on_cancel=True,
                                                  limiter=settings.threads)
    except TimeoutError:
        raise over_limit(settings) from None


def over_limit(settings: Settings) -> HttpError:
    return HttpError(503, f"the request took longer than {settings.time_limit:g} s and was "
                          "stopped: ask for fewer chips, or start the server with a larger "
                          "--time-limit")
