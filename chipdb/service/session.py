"""A session: one ready, read-only database, and the names people type resolved on it."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from chipdb.names import NameIndex, Resolved
from chipdb.store.read import queries
from chipdb.store.read.connect import ReadConnection, reading
from chipdb.store.ready import ensure_ready
from chipdb.store.url import DatabaseUrl


@dataclass
class Session:
    """An open, ready, read-only view of one database."""

    db: DatabaseUrl
    conn: ReadConnection
    _names: NameIndex | None = None

    @property
    def names(self) -> NameIndex:
        if self._names is None:
            rows = queries.name_index(self.conn)
            fam_rows = queries.families(self.conn)
            by_family: dict[str, list[str]] = {}
            for r in fam_rows:
                by_family.setdefault(r["family"], []).append(r["chip"])
            families = {}
            for r in fam_rows:
                if r["family_default"]:
                    families[r["chip"]] = [c for c in by_family[r["family"]] if c != r["chip"]]
            self._names = NameIndex(rows, families)
        return self._names

    def resolve(self, typed: Sequence[str]) -> list[Resolved]:
        return [self.names.resolve(t) for t in typed]

    def other_variants(self, resolved: Resolved) -> list[str]:
        return self.names.families.get(resolved.chip, []) if resolved.via == "family" else []


@contextmanager
def open_session(db: DatabaseUrl, notify: Callable[[str], None] | None = None
                 ) -> Iterator[Session]:
    """Prepare the database if needed, then read from it."""
    ensure_ready(db, notify)
    with reading(db) as conn:
        yield Session(db, conn)
