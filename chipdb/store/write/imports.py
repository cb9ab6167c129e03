"""User imports: store, replace, remove and list them (on a database that is ready)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete, insert, select

from chipdb.catalogue import Catalogue, check_import
from chipdb.errors import ChipdbError, DataError, SeedError
from chipdb.files import read_bounded
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
    raw = read_bounded(path, "import file")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SeedError(str(path), "file", "-", "is not UTF-8 text") from None


def check_names(catalogue: Catalogue, seeds: Catalogue, others: list[Catalogue],
                override: bool) -> None:
    """catalogue.check_import, where ``override`` lets a bundled name, alias or family be
    taken on purpose (another import's never)."""
    check_import(catalogue, Catalogue(seeds.sources, (), seeds.rules), others)
    if override:
        return
    try:
        check_import(catalogue, seeds)
    except SeedError as exc:
        raise SeedError(exc.file, exc.record, exc.field,
                        f"{exc.problem}; `chipdb import --override` replaces it on purpose"
                        ) from None


def store_import(db: DatabaseUrl, path: Path, content: str, replace: bool = False,
                 override: bool = False) -> LoadReport:
    """Validate a user file's text, store it verbatim and rebuild; nothing is written if invalid."""
    try:
        return _store_import(db, path, content, replace, override)
    except RecursionError:
        raise SeedError(str(path), "file", "-", "nests too deeply: flatten it") from None
    except ValueError as exc:  # a rule depending on itself or on an unknown rule
        if isinstance(exc, ChipdbError):
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"{path}: {first}") from None


def _store_import(db: DatabaseUrl, path: Path, content: str, replace: bool,
                  override: bool) -> LoadReport:
    name = path.name
    seeds = read_seed_catalogue(seeds_dir())
    with engine_scope(db) as engine, engine.begin() as conn:  # holds the writer lock
        existing = conn.execute(
            select(m.UserImport.name, m.UserImport.content).order_by(m.UserImport.id)
        ).all()
        others = parse_user_imports([(n, c) for n, c in existing if n != name], seeds,
                                    on_invalid=lambda _name, _message: None)
        catalogue = parse_user_import(str(path), content, seeds, others)
        if not (catalogue.chips or catalogue.rules or catalogue.sources
                or catalogue.conventions):
            raise SeedError(str(path), "file", "-",
                            "holds no [[chip]], [[rule]], [[source]] or [conventions]")
        # one name rule (names.normalize_name) for names, aliases and family defaults alike:
        # 'H100-SXM' is 'H100 SXM', so it is refused rather than replacing the bundled chip;
        # and another import's rule id is refused rather than stored twice
        check_names(catalogue, seeds, others, override)
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
    # undecodable command-line bytes (lone surrogates) cannot be sent: they name no import
    sendable = name.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    with engine_scope(db) as engine, engine.begin() as conn:
        gone = conn.execute(delete(m.UserImport).where(m.UserImport.name == sendable))
        if gone.rowcount == 0:
            raise DataError(f"no import named {name}: `chipdb export --list` shows them")
        return rebuild(conn, seeds_dir(), seed_fingerprint())
