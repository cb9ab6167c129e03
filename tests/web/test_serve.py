"""`chipdb serve`: binds 127.0.0.1:8001 unless told otherwise, takes --db, and says what to
install when the web extra is missing."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from chipdb.store.url import DatabaseUrl
from tests.helpers import run


def fake_uvicorn(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    import uvicorn

    seen: dict[str, Any] = {}

    def fake_run(app: Any, **kw: Any) -> None:
        seen.update(kw, app=app)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    return seen


def test_serve_binds_loopback_by_default(sqlite_db: DatabaseUrl,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    seen = fake_uvicorn(monkeypatch)
    result = run(None, "serve", "--db", sqlite_db.url)
    assert result.code == 0, result.err
    assert (seen["host"], seen["port"]) == ("127.0.0.1", 8001)
    assert "read-only at http://127.0.0.1:8001/" in result.err
    assert seen["app"].state.settings.db == sqlite_db


def test_serve_warns_when_it_opens_to_the_network(sqlite_db: DatabaseUrl,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    seen = fake_uvicorn(monkeypatch)
    result = run(sqlite_db, "serve", "--host", "0.0.0.0", "--port", "9000",
                 "--time-limit", "2.5")
    assert result.code == 0, result.err
    assert (seen["host"], seen["port"]) == ("0.0.0.0", 9000)
    assert seen["app"].state.settings.time_limit == 2.5
    assert "anyone who can reach it can read the database" in result.err


def test_serve_without_the_web_extra_says_what_to_install(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "starlette", None)
    result = run(None, "serve")
    assert result.code == 2
    assert result.err == "chipdb: error: the web server needs the web extra: " \
                         "pip install 'chipdb[web]'\n"


def test_serve_refuses_a_bad_time_limit(sqlite_db: DatabaseUrl,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    fake_uvicorn(monkeypatch)
    result = run(sqlite_db, "serve", "--time-limit", "0")
    assert result.code == 2 and "--time-limit must be more than 0" in result.err


def test_the_readme_shows_the_compare_page_and_the_one_command_to_start() -> None:
    import struct
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    web = (root / "README.md").read_text(encoding="utf-8").split("## On the web", 1)[1]
    web = web.split("\n## ", 1)[0]
    assert "```console\nchipdb serve    # http://127.0.0.1:8001/" in web
    assert "![The compare page: H20 and H100 side by side](docs/web-compare.png)" in web
    # written by tests/web/test_browser.py with CHIPDB_DOCS_SCREENSHOT=1 (1280 x 1000)
    png = (root / "docs" / "web-compare.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    assert struct.unpack(">II", png[16:24]) == (1280, 1000)
