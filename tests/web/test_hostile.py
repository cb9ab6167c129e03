"""A chip imported with a hostile name, vendor, note and source URL reaches every page escaped,
on both engines, in a fresh database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from chipdb.store.url import DatabaseUrl
from tests.helpers import run
from tests.web.conftest import client_for

NAME = "<script>alert(1)</script>"
VENDOR = '"><img src=x onerror=alert(2)>'
HOSTILE = f"""
[[source]]
key = "evil-src"
url = 'https://example.org/"><script>alert(3)</script>'
title = "<b>t</b>"
publisher = "<i>pub</i>"
tier = "official"

[[chip]]
name = "{NAME}"
vendor = '{VENDOR}'
family = "Evil"
default = true
source = "evil-src"
datacenter = true
tdp_w = 300

[chip.throughput]
fp8 = {{ dense = 600 }}

[[chip.die]]
name = "<svg onload=alert(4)>"
area_mm2 = 600
"""


# a fresh database per engine (tests/conftest.py's fresh_db)
pytestmark = pytest.mark.parametrize("fresh_db", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def hostile(fresh_db: DatabaseUrl, tmp_path: Path) -> Iterator[TestClient]:
    db = fresh_db
    path = tmp_path / "evil.toml"
    path.write_text(HOSTILE, encoding="utf-8")
    result = run(db, "import", str(path))
    assert result.code == 0, result.err
    with client_for(db) as c:
        yield c


def assert_escaped(html: str) -> None:
    assert NAME not in html and "<img src=x" not in html and "<svg onload" not in html
    assert "<i>pub</i>" not in html and "<script>alert(3)" not in html


def test_a_hostile_chip_is_escaped_everywhere(hostile: TestClient) -> None:
    part = quote(NAME, safe="")
    pages = ["/", "/?q=script", f"/chip/{part}", f"/compare?chips={part},H20",
             f"/check?chip={part}", f"/what-if?base={part}&set=tpp%3D5000", "/rule/us-2024-12",
             f"/chip/{part}xyz", f"/map?chips={part}"]
    for path in pages:
        r = hostile.get(path)
        assert r.status_code in (200, 404), (path, r.status_code)
        assert_escaped(r.text)
    page = hostile.get(f"/chip/{part}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="https://example.org/&#34;&gt;&lt;script&gt;alert(3)' in page  # one attribute
    index = hostile.get("/").text
    assert f'href="/chip/{part}"' in index  # the link is one quoted path segment


def test_the_api_keeps_the_data_as_data(hostile: TestClient) -> None:
    part = quote(NAME, safe="")
    data = hostile.get(f"/api/show?chip={part}").json()["data"]
    assert data["name"] == NAME and data["vendor"] == VENDOR
    r = hostile.get(f"/api/compare?chips={part}")
    assert r.headers["content-type"].startswith("application/json")
    assert r.headers["x-content-type-options"] == "nosniff"


def test_the_map_escapes_the_hover_titles(hostile: TestClient) -> None:
    svg = hostile.get(f"/map.svg?chips={quote(NAME, safe='')}").text
    assert NAME not in svg and "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
