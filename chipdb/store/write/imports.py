"""User imports: store, replace, remove and list them (on a database that is ready)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete, insert, select

from chipdb.catalogue import check_import
from chipdb.errors import DataError, SeedError
from chipdb.store import models as m
from chipdb.store.package_data import seed_fingerprint, seeds_dir
from chipdb.store.url import DatabaseUrl
from chipdb.store.write.engine import engine_scope
from chipdb.store.write.rebuild import (
    LoadReport,
    parse_user_import,
    parse_user_imports,
    read_seed_catalogue,
    rebuild,
)


def read_import(path: Path) -> str:
    """The text of a user file, or a one-line error when it cannot be read as UTF-8."""
    try:
        raw = path.read_bytes()
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        raise DataError(f"{path}: cannot be read: {reason}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SeedError(str(path), "file", "-", "is not UTF-8 text") from None


def store_import(db: DatabaseUrl, path: Path, content: str, replace: bool = False) -> LoadReport:
    """Validate a user file's text, store it verbatim and rebuild; nothing is written if invalid."""
    name = path.name
    seeds = read_seed_catalogue(seeds_dir())
    with engine_scope(db) as engine, engine.begin() as conn:
        existing = conn.execute(
            select(m.UserImport.name, m.UserImport.content).order_by(m.UserImport.id)
        ).all()
        others = parse_user_imports([(n, c) for n, c in existing if n != name], seeds)
        catalogue = parse_user_import(str(path), content, seeds, others)
        if not (catalogue.chips or catalogue.rules or catalogue.sources):
            raise SeedError(str(path), "file", "-", "holds no [[chip]], [[rule]] or [[source]]")
        # one name rule (names.normalize_name) for names, aliases and family defaults alike:
        # 'H100-SXM' is 'H100 SXM', so it is refused rather than replacing the bundled chip;
        # and another import's rule id is refused rather than stored twice
        check_import(catalogue, seeds, others)
        previous = {n for n, _ in existing}
        if name in previous and not replace:
            raise DataError(f"an import named {name} exists: use --replace to update it")
        if name in previous:
            conn.execute(delete(m.UserImport).where(m.UserImport.name == name))
        conn.execute(insert(m.UserImport), [{
            "name": name, "content": content,
            "imported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }])
        return rebuild(conn, seeds_dir(), seed_fingerprint())


def remove_import(db: DatabaseUrl, name: str) -> LoadReport:
    with engine_scope(db) as engine, engine.begin() as conn:
        gone = conn.execute(delete(m.UserImport).where(m.UserImport.name == name))
        if gone.rowcount == 0:
            raise DataError(f"no import named {name}: `chipdb export --list` shows them")
        return rebuild(conn, seeds_dir(), seed_fingerprint())


def user_imports(db: DatabaseUrl) -> list[tuple[str, str, str]]:
    with engine_scope(db) as engine, engine.connect() as conn:
        rows = conn.execute(select(m.UserImport.name, m.UserImport.imported_at,
                                   m.UserImport.content).order_by(m.UserImport.id)).all()
        return [(r[0], r[1], r[2]) for r in rows]
