"""What the server keeps between requests never outlives the database it was read from: an
import, a removal or (on SQLite) a hand edit changes the key, and the next answer is new."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from chipdb.service.readcache import ReadCache
from chipdb.store.url import DatabaseUrl
from tests.helpers import chip_toml, run, source_toml
from tests.web.conftest import client_for

CHIP = "Cache Chip Z9"


@pytest.mark.parametrize("fresh_db", ["sqlite", "postgresql"], indirect=True)
def test_an_import_and_its_removal_are_seen_by_the_next_request(fresh_db: DatabaseUrl,
                                                                tmp_path: Path) -> None:
    db = fresh_db
    assert run(db, "list").code == 0  # creates the database
    path = tmp_path / "cache.toml"
    path.write_text(source_toml("cache-src", "https://example.com/cache", "Cache test", "QA")
                    + chip_toml(CHIP, "CacheCo", "CacheFam", "cache-src"), encoding="utf-8")
    with client_for(db) as client:
        settings = client.app.state.settings  # type: ignore[attr-defined]
        url = f"/api/compare?chips={CHIP}"
        listed = len(client.get("/api/list").json()["data"])
        assert client.get(url).status_code == 404
        assert len(client.get("/api/list").json()["data"]) == listed
        assert settings.cache.hits >= 1  # the second listing was the kept one

        assert run(db, "import", str(path)).code == 0
        answer = client.get(url)
        assert answer.status_code == 200, answer.text
        assert answer.json()["data"]["chips"][0]["name"] == CHIP
        assert len(client.get("/api/list").json()["data"]) == listed + 1
        assert CHIP in client.get("/").text

        assert run(db, "export", "--remove", "cache.toml").code == 0
        assert client.get(url).status_code == 404
        assert len(client.get("/api/list").json()["data"]) == listed


def test_a_hand_edit_of_an_sqlite_file_is_seen_too(seeded_sqlite: DatabaseUrl) -> None:
    db = seeded_sqlite
    assert run(db, "list").code == 0
    with client_for(db) as client:
        assert client.get("/api/show?chip=H20").json()["data"]["specs"]["variant"] != "Edited"
        client.get("/api/show?chip=H20")  # kept
        assert db.sqlite_path is not None
        with sqlite3.connect(db.sqlite_path) as conn:  # behind chipdb's back: no new token
            conn.execute("UPDATE chip SET variant = 'Edited' WHERE name = 'H20 96GB'")
        assert client.get("/api/show?chip=H20").json()["data"]["specs"]["variant"] == "Edited"


def test_the_cache_keeps_the_most_recent_entries_only() -> None:
    cache = ReadCache(size=2)
    for key in ("a", "b", "c"):
        cache.put(key, key.upper())
    assert cache.get("a") is None and cache.get("b") == "B"
    cache.put("d", "D")  # "b" was used after "c": "c" goes
    assert cache.get("c") is None and cache.get("b") == "B" and cache.get("d") == "D"
    assert cache.get_or_make("e", lambda: "E") == "E" and cache.get("e") == "E"


def test_requests_share_kept_connections_closed_with_the_server(db: DatabaseUrl) -> None:
    with client_for(db) as client:
        pool = client.app.state.settings.pool  # type: ignore[attr-defined]
        if pool is None:
            pytest.skip("PostgreSQL through psycopg: one connection per request")
        for day in ("2024-01-01", "2024-06-01", "2025-01-01"):  # three answers computed
            assert client.get(f"/api/compare?chips=H20&as_of={day}").status_code == 200
        assert pool.opened == 1
        assert pool._idle
    assert not pool._idle  # the server stopped: its connections are closed
