"""The views are the API: same rows on SQLite and PostgreSQL; README queries run."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from chipdb.store.read.connect import reading
from chipdb.store.sql_views import VIEW_NAMES

ROOT = Path(__file__).resolve().parents[2]


def _normal(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float):
        return round(value, 9)
    if value is not None and not isinstance(value, int | str):
        return str(value)  # dates
    return value


def _rows(db: object, sql: str) -> list[tuple[Any, ...]]:
    with reading(db) as conn:  # type: ignore[arg-type]
        _cols, rows = conn.raw(sql)
    return sorted((tuple(_normal(v) for v in r) for r in rows), key=repr)


@pytest.mark.parametrize("view", VIEW_NAMES)
def test_same_rows_on_both_engines(view: str, sqlite_db: object, postgres_db: object) -> None:
    sql = f"SELECT * FROM {view}"
    assert _rows(sqlite_db, sql) == _rows(postgres_db, sql)


def _readme_queries() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sql\n(.*?)```", text, re.S)
    out = []
    for block in blocks:
        lines = [ln for ln in block.splitlines() if not ln.strip().startswith("--")]
        out += [q.strip() for q in "\n".join(lines).split(";") if q.strip()]
    return out


@pytest.mark.parametrize("query", _readme_queries())
def test_readme_queries_run(query: str, db: object) -> None:
    with reading(db) as conn:  # type: ignore[arg-type]
        cols, _rows_found = conn.raw(query)
    assert cols


def test_h20_query_in_readme_finds_the_h20(sqlite_db: object) -> None:
    query = next(q for q in _readme_queries() if "us-2025-04-h20" in q)
    with reading(sqlite_db) as conn:  # type: ignore[arg-type]
        _, rows = conn.raw(query)
    assert "H20 96GB" in {r[0] for r in rows}


@pytest.mark.parametrize("view", VIEW_NAMES)
def test_libpq_reader_matches_psycopg(view: str, postgres_db: object) -> None:
    """The light read path over libpq returns exactly what psycopg returns."""
    from chipdb.store.read import libpq
    from chipdb.store.read.connect import PostgresReader, pg_connect

    if not libpq.available():
        pytest.skip("no libpq to load: reads go through psycopg")
    fast = libpq.LibpqReader(postgres_db.libpq_url, postgres_db.display)  # type: ignore
    slow = PostgresReader(pg_connect(postgres_db, read_only=True))  # type: ignore[arg-type]
    try:
        sql = f"SELECT * FROM {view}"
        assert fast.raw(sql) == slow.raw(sql)
        one = "SELECT * FROM chip_metrics WHERE chip = :chip AND tpp > :low"
        params = {"chip": "H20 96GB", "low": 1.5}
        assert fast.rows(one, params) == slow.rows(one, params)
    finally:
        fast.close()
        slow.close()
