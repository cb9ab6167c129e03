"""Reliability under concurrency: concurrent first runs, readers across a downgrade and
upgrade (split from test_reliability_data, and the importers-and-readers race from this
file into test_reliability_race, so the slowest run beside each other)."""

from __future__ import annotations

import threading
import time

import pytest

from chipdb.service import catalogue as api
from chipdb.service import manage
from chipdb.service.session import open_session
from chipdb.store.ready import ensure_ready
from chipdb.store.url import DatabaseUrl


@pytest.mark.parametrize("fresh_db", ["sqlite", "postgresql"], indirect=True)
def test_concurrent_first_runs_all_succeed(fresh_db: DatabaseUrl) -> None:
    errors: list[str] = []

    def first_run() -> None:
        try:
            with open_session(fresh_db) as s:
                assert s.resolve(["H20"])[0].chip == "H20 96GB"
        except Exception as exc:  # the test counts every failure
            errors.append(repr(exc))

    threads = [threading.Thread(target=first_run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []


@pytest.mark.parametrize("fresh_db", ["sqlite", "postgresql"], indirect=True)
def test_readers_during_downgrade_and_upgrade(fresh_db: DatabaseUrl) -> None:
    """A3.4: a reader sees the schema before or after a migration, never half of it."""
    db = fresh_db
    ensure_ready(db)
    errors: list[str] = []
    reads = [0]
    done = threading.Event()

    def reader() -> None:
        while not done.is_set():
            try:
                with open_session(db) as s:
                    api.compare(s, ["H20"], None)
                reads[0] += 1
            except Exception as exc:  # the test counts every failure
                errors.append(repr(exc))

    readers = [threading.Thread(target=reader) for _ in range(2)]
    for t in readers:
        t.start()
    try:
        for _ in range(2):
            manage.downgrade(db, "base")
            time.sleep(0.2)
            manage.upgrade(db)
            time.sleep(0.2)
    finally:
        done.set()
        for t in readers:
            t.join(timeout=60)
    assert errors == [] and reads[0] > 0


# --- A4.1: foreign databases; a failed migration leaves nothing --------------------------
