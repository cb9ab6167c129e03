"""Reliability under concurrency: writers racing readers, concurrent first runs, readers across a
downgrade and upgrade (split from test_reliability_data so the slowest run beside it)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from chipdb.service import catalogue as api
from chipdb.service import manage
from chipdb.service.session import open_session
from chipdb.store.ready import ensure_ready
from chipdb.store.url import DatabaseUrl
from tests.store.reliability_helpers import chip_file, in_every_view


@pytest.mark.parametrize("fresh_db", ["sqlite", "postgresql"], indirect=True)
def test_writers_and_readers_race_without_loss_or_error(fresh_db: DatabaseUrl,
                                                        tmp_path: Path) -> None:
    """3 importers and a reseed at once, 2 readers comparing all the while."""
    db = fresh_db
    ensure_ready(db)
    files = [chip_file(tmp_path, f"Race Chip {i}", f"RaceFam{i}", f"race-src-{i}",
                       file=f"race{i}.toml") for i in range(3)]
    errors: list[str] = []
    reads = [0]
    done = threading.Event()

    def writer(path: Path) -> None:
        try:
            manage.import_file(db, path)
        except Exception as exc:  # the test counts every failure
            errors.append(f"writer {path.name}: {exc!r}")

    def seeder() -> None:
        try:
            manage.seed(db, lambda _m: None)
        except Exception as exc:  # the test counts every failure
            errors.append(f"seed: {exc!r}")

    def reader() -> None:
        while not done.is_set():
            try:
                with open_session(db) as s:
                    chips = [c for c in s.names.chips if c.startswith("Race Chip")]
                    data = api.compare(s, [*chips, "H20 96GB"], None)
                    assert len(data.chips) == len(chips) + 1
                    assert all(c.verdicts for c in data.chips)
                reads[0] += 1
            except Exception as exc:  # the test counts every failure
                errors.append(f"reader: {exc!r}")

    readers = [threading.Thread(target=reader) for _ in range(2)]
    writers = [threading.Thread(target=writer, args=(p,)) for p in files]
    writers.append(threading.Thread(target=seeder))
    for t in readers + writers:
        t.start()
    for t in writers:
        t.join(timeout=120)
    time.sleep(0.2)
    done.set()
    for t in readers:
        t.join(timeout=30)
    assert errors == []
    assert reads[0] > 0
    for i in range(3):  # every acknowledged import is in every view
        assert in_every_view(db, f"Race Chip {i}")
    assert sorted(n for n, _w, _c in manage.user_imports(db)) == [p.name for p in files]


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
