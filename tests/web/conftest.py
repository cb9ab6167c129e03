"""Fixtures for the web tests: a TestClient on the `db` fixture's database (both engines)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest

from chipdb.store.url import DatabaseUrl

pytest.importorskip("starlette")
pytest.importorskip("jinja2")

with warnings.catch_warnings():  # Starlette 1.x prefers httpx2; httpx works the same
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from chipdb.web import create_app


def client_for(db: DatabaseUrl, time_limit: float = 10.0) -> TestClient:
    return TestClient(create_app(db.url, time_limit))


@pytest.fixture
def client(db: DatabaseUrl) -> Iterator[TestClient]:
    with client_for(db) as c:
        yield c
