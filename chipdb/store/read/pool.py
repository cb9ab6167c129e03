"""Read-only connections kept open between snapshots, for a long-running reader.

A new SQLite connection parses the whole schema (every view's definition) on its first
statement, about 1.2 ms, a third of a web request's work; a new PostgreSQL connection starts
a server process. ``ReaderPool`` keeps a few connections open and gives each request a new
snapshot on one of them: SQLite a new ``BEGIN`` (it re-reads the schema by itself when a
migration changed it), PostgreSQL the shared schema lock and a new ``REPEATABLE READ READ
ONLY`` transaction, both released when the request gives it back, so a migration waits for
running requests only, never for idle connections. An SQLite connection whose file was
replaced since it was opened (a new inode: a reseed from the bundled template, a restored
copy) is closed, never reused.
"""

from __future__ import annotations

import sqlite3
import threading
from typing import Protocol

from chipdb.errors import DatabaseError
from chipdb.store.read.connect import ReadConnection, SqliteReader, sqlite_uri
from chipdb.store.url import DatabaseUrl


class Kept(ReadConnection, Protocol):
    """A ReadConnection that can end its snapshot and start another."""

    def begin(self) -> None: ...

    def finish(self) -> None: ...


def pool_for(db: DatabaseUrl, size: int = 4) -> ReaderPool | None:
    """A pool for ``db``; None where connections cannot be kept (PostgreSQL through psycopg,
    when libpq cannot be loaded directly)."""
    if db.sqlite_path is None:
        from chipdb.store.read import libpq

        if not libpq.available():
            return None
    return ReaderPool(db, size)


class ReaderPool:
    """At most ``size`` idle read-only connections to one database."""

    def __init__(self, db: DatabaseUrl, size: int = 4) -> None:
        self.db = db
        self.size = size
        self._idle: list[tuple[tuple[int, int] | None, Kept]] = []
        self._out: dict[int, tuple[int, int] | None] = {}  # id of a reader taken -> its file
        self._lock = threading.Lock()
        self.opened = 0  # connections opened so far (the tests count reuse with it)

    def _identity(self) -> tuple[int, int] | None:
        """(device, inode) of the SQLite file; None on PostgreSQL or when it is missing."""
        if self.db.sqlite_path is None:
            return None
        try:
            st = self.db.sqlite_path.stat()
        except OSError:
            return None
        return st.st_dev, st.st_ino

    def _open(self) -> Kept:
        if self.db.sqlite_path is None:
            from chipdb.store.read.libpq import LibpqReader

            return LibpqReader(self.db.libpq_url, self.db.display)  # locked, in a snapshot
        try:
            # used by one request at a time, though not always in the thread that opened it
            conn = sqlite3.connect(sqlite_uri(self.db.sqlite_path), uri=True,
                                   isolation_level=None, check_same_thread=False)
            conn.execute("BEGIN")
        except sqlite3.Error as exc:
            raise DatabaseError(f"cannot open {self.db.sqlite_path}: {exc}") from None
        return SqliteReader(conn)

    def take(self) -> Kept:
        """A reader inside a new read-only snapshot."""
        now = self._identity()
        while True:
            with self._lock:
                if not self._idle:
                    break
                identity, reader = self._idle.pop()
            if identity == now:
                try:
                    reader.begin()
                except Exception:  # a broken connection is not kept, whatever broke it
                    reader.close()
                    continue
                return self._lend(reader, identity)
            reader.close()
        reader = self._open()
        self.opened += 1
        return self._lend(reader, now)

    def _lend(self, reader: Kept, identity: tuple[int, int] | None) -> Kept:
        with self._lock:
            self._out[id(reader)] = identity
        return reader

    def give(self, reader: Kept) -> None:
        """The request is done: end its snapshot and keep the connection, or close it."""
        with self._lock:
            identity = self._out.pop(id(reader), None)
        try:
            reader.finish()
        except Exception:  # a broken connection is not kept, whatever broke it
            reader.close()
            return
        with self._lock:
            if len(self._idle) < self.size:
                self._idle.append((identity, reader))
                return
        reader.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for _identity, reader in idle:
            reader.close()
