"""`chipdb db verify`: do the views and derived rows equal what this code and these seeds give?

The reference is rebuilt from scratch: a temporary SQLite database created from the models and
view definitions, holding the same stored imports, seeded and evaluated by the one engine. Each
view is then compared row for row (as a multiset, values normalised across engines), so an
edited view, an edited verdict or metric row, or a stale reseed all show as drift.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from chipdb.store.package_data import seed_fingerprint, seeds_dir
from chipdb.store.read.connect import reading
from chipdb.store.sql_views import VIEW_NAMES
from chipdb.store.url import DatabaseUrl, parse_url


@dataclass(frozen=True)
class Drift:
    view: str
    missing: int  # rows the code gives that the database lacks
    extra: int  # rows the database has that the code does not give
    example: str


def _value(v: Any) -> Any:
    if isinstance(v, bool | int | float | Decimal):
        # SQLite keeps booleans as 0/1 and a whole REAL may come back as an integer
        return f"{float(v):.9g}"
    if isinstance(v, date | datetime):
        return v.isoformat()
    return v


def _rows(db: DatabaseUrl) -> tuple[dict[str, Counter[tuple[Any, ...]]], list[tuple[str, str]]]:
    out: dict[str, Counter[tuple[Any, ...]]] = {}
    with reading(db) as conn:  # one snapshot for every view
        imports = [(r["name"], r["content"]) for r in
                   conn.rows("SELECT name, content FROM user_import ORDER BY id")]
        for view in VIEW_NAMES:
            out[view] = Counter(
                tuple(sorted((k, _value(v)) for k, v in row.items()))
                for row in conn.rows(f"SELECT * FROM {view}"))
    return out, imports


def _reference(imports: list[tuple[str, str]], folder: Path) -> DatabaseUrl:
    from sqlalchemy import insert

    from chipdb.store import models as m
    from chipdb.store.write.engine import engine_scope
    from chipdb.store.write.migrate import create_fresh
    from chipdb.store.write.rebuild import rebuild

    scratch = parse_url(f"sqlite:///{folder / 'reference.sqlite3'}")
    create_fresh(scratch)
    with engine_scope(scratch) as engine, engine.begin() as conn:
        if imports:
            conn.execute(insert(m.UserImport), [
                {"name": n, "content": c, "imported_at": "-"} for n, c in imports])
        rebuild(conn, seeds_dir(), seed_fingerprint(), warn=lambda _msg: None)
    return scratch


def verify(db: DatabaseUrl) -> tuple[list[Drift], int]:
    """Every view that differs from the reference, and how many rows were compared."""
    stored, imports = _rows(db)
    with tempfile.TemporaryDirectory(prefix="chipdb-verify-") as folder:
        expected, _ = _rows(_reference(imports, Path(folder)))
    drift = []
    for view in VIEW_NAMES:
        missing = expected[view] - stored[view]
        extra = stored[view] - expected[view]
        if missing or extra:
            sample = next(iter(extra or missing))
            label = dict(sample).get("chip") or dict(sample).get("rule") or "?"
            drift.append(Drift(view, sum(missing.values()), sum(extra.values()), str(label)))
    return drift, sum(sum(c.values()) for c in expected.values())
