"""The read pool of `chipdb serve`: one connection serves snapshot after snapshot, sees each
commit, and is dropped when its file is replaced."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from chipdb.store.read.pool import ReaderPool


def make(path: Path, value: str) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS t (v TEXT)")
        conn.execute("DELETE FROM t")
        conn.execute("INSERT INTO t VALUES (?)", (value,))
    conn.close()


def read(pool: ReaderPool) -> str:
    reader = pool.take()
    try:
        return str(reader.rows("SELECT v FROM t")[0]["v"])
    finally:
        pool.give(reader)


def test_one_connection_reads_each_new_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    make(path, "one")
    pool = ReaderPool(path)
    assert read(pool) == "one"
    make(path, "two")  # committed while the pooled connection sat idle
    assert read(pool) == "two"
    assert pool.opened == 1
    pool.close()


def test_a_snapshot_does_not_move_while_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    make(path, "one")
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
    pool = ReaderPool(path)
    reader = pool.take()
    assert reader.rows("SELECT v FROM t")[0]["v"] == "one"
    make(path, "two")
    assert reader.rows("SELECT v FROM t")[0]["v"] == "one"  # the same snapshot
    pool.give(reader)
    assert read(pool) == "two"
    pool.close()


def test_a_replaced_file_gets_a_new_connection(tmp_path: Path) -> None:
    path, other = tmp_path / "a.sqlite3", tmp_path / "b.sqlite3"
    make(path, "old")
    make(other, "new")
    pool = ReaderPool(path)
    assert read(pool) == "old"
    shutil.copy(other, tmp_path / "c.sqlite3")
    (tmp_path / "c.sqlite3").replace(path)  # as installing the bundled template does
    assert read(pool) == "new"
    assert pool.opened == 2


def test_at_most_size_connections_stay_open(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    make(path, "x")
    pool = ReaderPool(path, size=1)
    first, second = pool.take(), pool.take()
    pool.give(first)
    pool.give(second)  # one too many: closed
    assert len(pool._idle) == 1
    pool.close()
    assert pool._idle == []
