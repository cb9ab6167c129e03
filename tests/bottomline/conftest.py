"""One open Database per engine for the bottom-line tests (the answers are stored rows)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import chipdb
from chipdb.store.url import DatabaseUrl


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def opened(request: pytest.FixtureRequest) -> Iterator[chipdb.Database]:
    fixture = "sqlite_db" if request.param == "sqlite" else "postgres_db"
    db: DatabaseUrl = request.getfixturevalue(fixture)
    with chipdb.open(db.url) as database:
        yield database
