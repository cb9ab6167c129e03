"""Read-only SQLite connections kept open between snapshots, for a long-running reader.

A new SQLite connection parses the whole schema (every view's definition) on its first
statement: about 1.2 ms, a third of a web request's work. ``ReaderPool`` keeps a few
connections open and starts each request's snapshot on one of them with a new ``BEGIN``
(SQLite re-reads the schema by itself when a migration changed it). A connection whose file
was replaced since it was opened (a new inode: a reseed from the bundled template, a restored
copy) is closed, never reused. PostgreSQL connections are not pooled: each holds the shared
schema lock for its lifetime, which would keep a migration waiting.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from chipdb.errors import DatabaseError
from chipdb.store.read.connect import SqliteReader, sqlite_uri


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino


class ReaderPool:
    """At most ``size`` idle read-only connections to one SQLite file."""

    def __init__(self, path: Path, size: int = 4) -> None:
        self.path = path
        self.size = size
        self._idle: list[SqliteReader] = []
        self._lock = threading.Lock()
        self.opened = 0  # connections opened so far (the tests count reuse with it)

    def take(self) -> SqliteReader:
        """A reader inside a new read transaction (its snapshot starts at its first read)."""
        now = _identity(self.path)
        while True:
            with self._lock:
                if not self._idle:
                    break
                reader = self._idle.pop()
            if reader.identity is not None and reader.identity == now:
                try:
                    reader.conn.execute("BEGIN")
                    return reader
                except sqlite3.Error:
                    pass
            reader.close()
        try:
            # used by one request at a time, though not always in the thread that opened it
            conn = sqlite3.connect(sqlite_uri(self.path), uri=True, isolation_level=None,
                                   check_same_thread=False)
            conn.execute("BEGIN")
        except sqlite3.Error as exc:
            raise DatabaseError(f"cannot open {self.path}: {exc}") from None
        self.opened += 1
        return SqliteReader(conn, identity=now)

    def give(self, reader: SqliteReader) -> None:
        """The request is done: end its snapshot and keep the connection, or close it."""
        try:
            reader.conn.execute("ROLLBACK")
        except sqlite3.Error:
            reader.close()
            return
        with self._lock:
            if len(self._idle) < self.size:
                self._idle.append(reader)
                return
        reader.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for reader in idle:
            reader.close()
