"""Make a database ready for reading: the one hand-off from the light side to the heavy one.

A command first calls ``ensure_ready``: a cheap comparison of the stored schema revision and
seed fingerprint with this package's. Only when they differ (first run, new package version,
changed seeds) does it import the write side (``store.write.migrate``) to migrate and reseed.
"""

from __future__ import annotations

from collections.abc import Callable

from chipdb.errors import DatabaseError
from chipdb.store.bundled import install_template
from chipdb.store.package_data import SCHEMA_REVISION, seed_fingerprint, seed_signature
from chipdb.store.state import check_revision, database_state
from chipdb.store.url import DatabaseUrl, make_default_folder


def _install(db: DatabaseUrl) -> bool:
    assert db.sqlite_path is not None
    try:
        return install_template(db.sqlite_path, seed_fingerprint, seed_signature)
    except OSError as exc:  # a read-only medium, a full disk
        raise DatabaseError(f"cannot create the database at {db.sqlite_path}: "
                            f"{exc.strerror or exc}; point --db at a writable folder") from None


def ensure_ready(db: DatabaseUrl, notify: Callable[[str], None] | None = None) -> None:
    """Create, migrate and (re)seed the database when needed; otherwise cost one query."""
    state = database_state(db)
    check_revision(db, state)
    if not state.exists and db.sqlite_path is not None:
        make_default_folder(db.sqlite_path)
    if not state.exists and db.sqlite_path is not None and _install(db):
        if notify is not None:
            notify(f"chipdb: created the database at {db.sqlite_path}")
        return
    if state.revision == SCHEMA_REVISION and state.fingerprint is not None and (
        # the seed files this installation last hashed into the database, untouched: no need
        # to read and hash them again
        state.signature == f"{seed_signature()}:{state.fingerprint}"
        or state.fingerprint == seed_fingerprint()
    ):
        return
    from chipdb.store.write.migrate import prepare

    prepare(db, state, notify or (lambda _msg: None))
