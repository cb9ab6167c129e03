"""PostgreSQL ``COMMENT ON`` for every documented view and its columns, from the column
dictionary (chipdb.store.dictionary), so ``\\d+`` in psql and ``obj_description`` /
``col_description`` explain them. Applied after every seeding: a view that was dropped and
created again would otherwise lose its comments. SQLite has no comments (Datasette reads
``chipdb db metadata`` instead)."""

from __future__ import annotations

from sqlalchemy import Connection, text

from chipdb.store.dictionary import VIEWS, column_description


def _literal(value: str) -> str:
    """A SQL string literal (COMMENT takes no bind parameters); the texts are chipdb's own."""
    return "'" + value.replace("'", "''") + "'"


def comment_views(conn: Connection) -> int:
    """Comment every view and column the dictionary knows; returns how many comments."""
    if conn.dialect.name != "postgresql":
        return 0
    found = conn.execute(text(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = ANY(:views) "
        "ORDER BY table_name, ordinal_position"), {"views": list(VIEWS)}).all()
    statements = [f'COMMENT ON VIEW "{view}" IS {_literal(what)}'
                  for view, what in VIEWS.items()
                  if any(v == view for v, _ in found)]
    for view, column in found:
        what = column_description(view, column)
        if what is not None:
            statements.append(f'COMMENT ON COLUMN "{view}"."{column}" IS {_literal(what)}')
    conn.execute(text(";\n".join(statements)))
    return len(statements)
