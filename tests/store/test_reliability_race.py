"""Reliability under concurrency: importers and a reseed racing readers, on both engines (its
own file, so that xdist's per-file scheduling can run it beside the other slow store tests)."""

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
