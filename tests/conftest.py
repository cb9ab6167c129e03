"""Shared fixtures: a seeded SQLite database, and the same on PostgreSQL when reachable.

Every test that takes ``db`` runs once per engine. On CI (CI=true) an unreachable PostgreSQL
is a failure, not a skip: .ci/run starts the server.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from chipdb.store.ready import ensure_ready
from chipdb.store.url import DatabaseUrl, parse_url

# CI replays a fixed set of generated examples, so a run is repeatable; locally every run
# explores new ones (and hypothesis keeps any failure it finds in .hypothesis/).
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

PG_ADMIN = os.environ.get("CHIPDB_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def _pg_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return True
    except Exception:
        return False


PG_OK = _pg_available()


def make_pg_database() -> tuple[str, str]:
    import psycopg

    name = f"chipdb_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN.rsplit("/", 1)[0]
    return name, f"postgresql+psycopg://{base.split('://', 1)[1]}/{name}"


def drop_pg_database(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_db(tmp_path_factory: pytest.TempPathFactory) -> DatabaseUrl:
    path = tmp_path_factory.mktemp("db") / "chipdb.sqlite3"
    db = parse_url(f"sqlite:///{path}")
    ensure_ready(db)
    return db


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database seeded once per session (per xdist worker), never handed to a test:
    ``seeded_sqlite`` copies it. Seeding costs seconds, a copy milliseconds."""
    folder = tmp_path_factory.mktemp("template")
    built = parse_url(f"sqlite:///{folder / 'built.sqlite3'}")
    ensure_ready(built)
    path = folder / "seeded.sqlite3"
    source = sqlite3.connect(f"file:{built.sqlite_path}?mode=ro", uri=True)
    target = sqlite3.connect(path)
    try:
        source.backup(target)  # one consistent file, whatever the WAL still holds
        target.execute("PRAGMA journal_mode = WAL")  # as ensure_ready leaves a database
    finally:
        source.close()
        target.close()
    return path


@pytest.fixture
def seeded_sqlite(seeded_template: Path, tmp_path: Path) -> DatabaseUrl:
    """A seeded SQLite database of the test's own, to change: what ``ensure_ready`` makes
    on an empty path, copied from ``seeded_template``. Tests of creation itself use
    ``fresh_sqlite``."""
    target = tmp_path / "seeded.sqlite3"
    shutil.copyfile(seeded_template, target)
    return parse_url(f"sqlite:///{target}")


@pytest.fixture(scope="session")
def postgres_db() -> Iterator[DatabaseUrl]:
    if not PG_OK:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not reachable on CI: .ci/run should have started it")
        pytest.skip("PostgreSQL not reachable at 127.0.0.1:5432")
    name, url = make_pg_database()
    db = parse_url(url)
    ensure_ready(db)
    yield db
    drop_pg_database(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest) -> DatabaseUrl:
    fixture = "sqlite_db" if request.param == "sqlite" else "postgres_db"
    value: DatabaseUrl = request.getfixturevalue(fixture)
    return value


@pytest.fixture
def fresh_sqlite(tmp_path: Path) -> DatabaseUrl:
    """An empty location: the first command creates it."""
    return parse_url(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")


@pytest.fixture
def fresh_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DatabaseUrl]:
    """Like fresh_sqlite, parametrized over both engines by tests that ask for it."""
    engine = getattr(request, "param", "sqlite")
    if engine == "sqlite":
        yield parse_url(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
        return
    if not PG_OK:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not reachable on CI")
        pytest.skip("PostgreSQL not reachable")
    name, url = make_pg_database()
    try:
        yield parse_url(url)
    finally:
        drop_pg_database(name)


@pytest.fixture(autouse=True)
def _no_runner_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Piped tables follow $COLUMNS; the runner's own (pytest-xdist workers set one) must not
    change what a test sees, so every test starts without it (a test sets it to test it)."""
    monkeypatch.delenv("COLUMNS", raising=False)
