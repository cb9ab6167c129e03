"""A session: one ready, read-only database, and the names people type resolved on it."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from chipdb.errors import UsageError
from chipdb.names import NameIndex
from chipdb.service.readcache import ReadCache
from chipdb.service.results import Resolution
from chipdb.store.package_data import SCHEMA_REVISION
from chipdb.store.read import queries
from chipdb.store.read.connect import ReadConnection, connect_readonly
from chipdb.store.ready import ensure_ready
from chipdb.store.url import DatabaseUrl


@dataclass
class Session:
    """An open, ready, read-only view of one database. A long-running reader passes a
    ``cache`` (and the ``stamp`` it took before connecting): the name index is then read once
    per catalogue fingerprint instead of once per session."""

    db: DatabaseUrl
    conn: ReadConnection
    _names: NameIndex | None = None
    cache: ReadCache | None = None
    stamp: str = ""
    _fingerprint: tuple[str, str | None] | None = field(default=None, repr=False)

    @property
    def fingerprint(self) -> str | None:
        """What this session's snapshot was read from (readcache); None when unknown (a
        database from before the rebuild token), which caches nothing."""
        if self._fingerprint is None:
            self._fingerprint = (self.stamp, queries.catalogue_built(self.conn))
        stamp, token = self._fingerprint
        return None if token is None else f"{self.db.url}|{stamp}|{token}"

    @property
    def names(self) -> NameIndex:
        if self._names is None:
            fingerprint = self.fingerprint if self.cache is not None else None
            if self.cache is None or fingerprint is None:
                self._names = self._read_names()
            else:
                self._names = self.cache.get_or_make(("names", fingerprint), self._read_names)
        return self._names

    def _read_names(self) -> NameIndex:
        rows = queries.name_index(self.conn)
        fam_rows = queries.families(self.conn)
        by_family: dict[str, list[str]] = {}
        for r in fam_rows:
            by_family.setdefault(r["family"], []).append(r["chip"])
        families = {}
        for r in fam_rows:
            if r["family_default"]:
                families[r["chip"]] = [c for c in by_family[r["family"]] if c != r["chip"]]
        return NameIndex(rows, families)

    def resolve_one(self, typed: str) -> Resolution:
        """A name, alias or family as typed (any case or spacing); NotFoundError otherwise."""
        if not isinstance(typed, str):
            raise UsageError(f"a chip name is text, not {type(typed).__name__}")
        hit = self.names.resolve(typed)
        others = self.names.families.get(hit.chip, []) if hit.via == "family" else []
        return Resolution(hit.typed, hit.chip, hit.via, tuple(others))

    def resolve(self, typed: str | Sequence[str]) -> list[Resolution]:
        """Every name resolved, in order (one string is one name, not its letters)."""
        return [self.resolve_one(t) for t in ([typed] if isinstance(typed, str) else typed)]


def chips_of(resolved: Sequence[Resolution]) -> list[str]:
    """The catalogue names, each once, in the order first typed."""
    return list(dict.fromkeys(r.chip for r in resolved))


@contextmanager
def open_session(db: DatabaseUrl, notify: Callable[[str], None] | None = None
                 ) -> Iterator[Session]:
    """Prepare the database if needed, then read from it (one snapshot)."""
    conn = None
    for _attempt in range(3):
        ensure_ready(db, notify)
        conn = connect_readonly(db)
        # the snapshot starts here: if a downgrade or a first run elsewhere changed the schema
        # since ensure_ready looked, look again rather than read a half-made database
        if queries.schema_revision(conn) == SCHEMA_REVISION:
            break
        conn.close()
        conn = None
    if conn is None:
        conn = connect_readonly(db)  # still changing: read anyway, errors are one line
    try:
        yield Session(db, conn)
    finally:
        conn.close()


@contextmanager
def open_session_if_ready(db: DatabaseUrl) -> Iterator[Session | None]:
    """A session only on a database that is already there at this chipdb's schema revision,
    else None: never creates, migrates or seeds (shell completion answers at once or not at
    all; the first real command prepares the database)."""
    from chipdb.store.state import database_state

    state = database_state(db)
    if not state.exists or state.revision != SCHEMA_REVISION:
        yield None
        return
    conn = connect_readonly(db)
    try:
        yield Session(db, conn)
    finally:
        conn.close()
