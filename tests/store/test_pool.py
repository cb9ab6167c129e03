"""The read pool of `chipdb serve`: one connection serves snapshot after snapshot, sees each
commit, is dropped when its SQLite file is replaced, and on PostgreSQL holds the schema lock
only while a request reads."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from chipdb.store.read.params import SCHEMA_LOCK_KEY
from chipdb.store.read.pool import ReaderPool
from chipdb.store.url import DatabaseUrl, parse_url


def make(path: Path, value: str) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS t (v TEXT)")
        conn.execute("DELETE FROM t")
        conn.execute("INSERT INTO t VALUES (?)", (value,))
    conn.close()


def pool_on(path: Path, size: int = 4) -> ReaderPool:
    return ReaderPool(parse_url(f"sqlite:///{path}"), size)


def read(pool: ReaderPool) -> str:
    reader = pool.take()
    try:
        return str(reader.rows("SELECT v FROM t")[0]["v"])
    finally:
        pool.give(reader)


def test_one_connection_reads_each_new_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    make(path, "one")
    pool = pool_on(path)
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
    pool = pool_on(path)
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
    pool = pool_on(path)
    assert read(pool) == "old"
    shutil.copy(other, tmp_path / "c.sqlite3")
    (tmp_path / "c.sqlite3").replace(path)  # as installing the bundled template does
    assert read(pool) == "new"
    assert pool.opened == 2


def test_at_most_size_connections_stay_open(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    make(path, "x")
    pool = pool_on(path, size=1)
    first, second = pool.take(), pool.take()
    pool.give(first)
    pool.give(second)  # one too many: closed
    assert len(pool._idle) == 1
    pool.close()
    assert pool._idle == []


def test_on_postgresql_the_lock_is_held_only_while_a_request_reads(
        postgres_db: DatabaseUrl) -> None:
    import psycopg

    from chipdb.store.read import libpq

    if not libpq.available():
        pytest.skip("libpq cannot be loaded directly: connections are not pooled")
    pool = ReaderPool(postgres_db)

    def migration_could_start() -> bool:  # a writer takes the lock exclusively
        with psycopg.connect(postgres_db.libpq_url, autocommit=True) as other:
            row = other.execute(f"SELECT pg_try_advisory_lock({SCHEMA_LOCK_KEY})").fetchone()
            assert row is not None
            if row[0]:
                other.execute(f"SELECT pg_advisory_unlock({SCHEMA_LOCK_KEY})")
            return bool(row[0])

    reader = pool.take()
    assert reader.rows("SELECT count(*) AS n FROM chip_names")[0]["n"] > 0
    assert not migration_could_start()
    pool.give(reader)
    assert migration_could_start()  # the idle connection holds nothing
    again = pool.take()
    assert again is reader and pool.opened == 1
    assert again.rows("SELECT 1 AS one")[0]["one"] == 1
    pool.give(again)
    pool.close()
