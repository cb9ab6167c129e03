"""Changing the database: imports, migrations and reseeds, each on a database made ready first.

The write side lives in ``chipdb.store.write``; this module only orders the steps, so the write
path never calls back into the readiness check that calls it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from chipdb.store.ready import ensure_ready
from chipdb.store.url import DatabaseUrl
from chipdb.store.write.rebuild import LoadReport


def import_file(db: DatabaseUrl, path: Path, replace: bool = False,
                override: bool = False) -> LoadReport:
    """Validate a user file, store it verbatim and rebuild; nothing is written if invalid.
    ``override`` lets it take a bundled chip's name, alias or family on purpose."""
    from chipdb.store.write import imports

    content = imports.read_import(path)
    ensure_ready(db)
    return imports.store_import(db, path, content, replace, override)


def remove_import(db: DatabaseUrl, name: str) -> LoadReport:
    from chipdb.store.write import imports

    ensure_ready(db)
    return imports.remove_import(db, name)


def user_imports(db: DatabaseUrl) -> list[tuple[str, str, str]]:
    """(name, imported at, verbatim text) of every stored import, oldest first."""
    from chipdb.store.read import queries
    from chipdb.store.read.connect import reading

    ensure_ready(db)
    with reading(db) as conn:  # a read: it works on a read-only file or medium too
        return [(r["name"], r["imported_at"], r["content"]) for r in queries.user_imports(conn)]


def upgrade(db: DatabaseUrl, revision: str = "head") -> None:
    from chipdb.store.write import migrate

    migrate.upgrade(db, revision)


def downgrade(db: DatabaseUrl, revision: str, drop_user_data: bool = False) -> None:
    from chipdb.store.write import migrate

    migrate.downgrade(db, revision, drop_user_data)


def current(db: DatabaseUrl) -> str | None:
    from chipdb.store.state import database_state

    return database_state(db).revision


def seed(db: DatabaseUrl, warn: Callable[[str], None] | None = None) -> LoadReport:
    """Migrate to head, recreate every view, then rebuild every row from the seeds and the
    stored imports (an edited view or derived row is replaced)."""
    from chipdb.store.write import migrate

    migrate.upgrade(db)
    migrate.recreate_views(db)
    return migrate.reseed(db, warn)


def verify(db: DatabaseUrl) -> tuple[list[Any], int]:
    """(views that drifted from what the code and seeds give, rows compared)."""
    from chipdb.store.write import verify as check

    ensure_ready(db)
    return check.verify(db)
