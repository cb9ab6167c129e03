"""The column dictionary describes every view and every column of every view, on both
engines; PostgreSQL carries it as COMMENT ON after seeding."""

from __future__ import annotations

import pytest

from chipdb.store.dictionary import VIEWS, column_description
from chipdb.store.read.connect import reading
from chipdb.store.read.queries import view_columns
from chipdb.store.sql_views import VIEW_NAMES
from chipdb.store.url import DatabaseUrl


def test_every_view_is_described() -> None:
    assert set(VIEWS) == set(VIEW_NAMES)


def test_every_column_of_every_view_is_described(db: DatabaseUrl) -> None:
    with reading(db) as conn:
        columns = view_columns(conn, VIEW_NAMES)
    missing = [f"{v}.{c}" for v, cols in columns.items() for c in cols
               if not column_description(v, c)]
    assert missing == []


def test_metric_columns_come_from_the_metric_registry() -> None:
    from chipdb.metricdefs import BY_NAME

    assert column_description("chip_metrics", "tpp") == BY_NAME["tpp"].meaning
    assert column_description("chip_metrics", "memory_bandwidth_gbps") == (
        f"{BY_NAME['memory_bandwidth_gbps'].meaning} (GB/s)")
    assert "range" in str(column_description("chip_metrics", "tpp_low"))
    assert "8-bit" in str(column_description("chip_specs", "fp8_dense_tops"))
    assert column_description("chip_metrics", "no_such_column") is None


def test_postgresql_views_and_columns_carry_the_dictionary(postgres_db: DatabaseUrl) -> None:
    pytest.importorskip("psycopg")
    with reading(postgres_db) as conn:
        views = conn.rows(
            "SELECT c.relname AS view, obj_description(c.oid, 'pg_class') AS what "
            "FROM pg_class c WHERE c.relkind = 'v' AND c.relnamespace = "
            "current_schema()::regnamespace")
        cols = conn.rows(
            "SELECT table_name AS view, column_name AS col, col_description("
            "(quote_ident(table_name))::regclass, ordinal_position) AS what "
            "FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = ANY(ARRAY['chip_metrics', 'chip_status'])")
    described = {r["view"]: r["what"] for r in views}
    assert all(described.get(v) == what for v, what in VIEWS.items())
    assert cols and all(r["what"] == column_description(r["view"], r["col"]) for r in cols)
