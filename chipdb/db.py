"""Where the database is, and whether it is ready: the light part, on every command's path.

This module imports no SQLAlchemy, Alembic or pydantic. A command first calls
``ensure_ready``: a cheap comparison of the stored schema revision and seed fingerprint with
this package's. Only when they differ (first run, new package version, changed seeds) does it
import the heavy machinery in ``chipdb.maintenance`` to migrate and reseed.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from chipdb import ENGINE_VERSION
from chipdb.errors import DatabaseError, UsageError

# The Alembic head this code expects; tests assert it equals the newest migration.
SCHEMA_REVISION = "0001"
KNOWN_REVISIONS = ("0001",)
ENV_URL = "CHIPDB_DATABASE_URL"

_PACKAGE_DIR = Path(__file__).resolve().parent


def data_root() -> Path:
    """Seeds and migrations: inside the wheel (chipdb/_data) or in the source checkout."""
    bundled = _PACKAGE_DIR / "_data"
    if (bundled / "seeds").is_dir():
        return bundled
    return _PACKAGE_DIR.parent


def seeds_dir() -> Path:
    return data_root() / "seeds"


def alembic_dir() -> Path:
    return data_root() / "alembic"


def default_sqlite_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("chipdb", appauthor=False) / "chipdb.sqlite3"


@dataclass(frozen=True)
class DatabaseUrl:
    url: str  # an SQLAlchemy URL
    dialect: str  # "sqlite" | "postgresql"
    sqlite_path: Path | None = None

    @property
    def display(self) -> str:
        """The URL without a password, for messages."""
        parts = urlsplit(self.url)
        if parts.password:
            netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
            return self.url.replace(parts.netloc, netloc)
        return self.url

    @property
    def libpq_url(self) -> str:
        """The URL psycopg and psql understand (no +driver)."""
        _scheme, _, rest = self.url.partition("://")
        return f"postgresql://{rest}"


def parse_url(url: str) -> DatabaseUrl:
    if not url.strip():
        raise UsageError("the database URL is empty: give sqlite:///PATH or "
                         "postgresql+psycopg://USER@HOST/DB")
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme in ("sqlite", "sqlite+pysqlite"):
        raw = url.split("://", 1)[1]
        if not raw.startswith("/") or raw == "/":
            raise UsageError(f"{url}: an SQLite URL needs a file path, e.g. sqlite:////tmp/c.db")
        path = Path(unquote(raw[1:].split("?", 1)[0]))
        if str(path) in ("", ":memory:"):
            raise UsageError("an in-memory SQLite database cannot be shared between commands: "
                             "give a file path")
        return DatabaseUrl(f"sqlite:///{path}", "sqlite", path.expanduser().resolve())
    if scheme in ("postgresql", "postgres", "postgresql+psycopg", "postgresql+psycopg2"):
        rest = url.split("://", 1)[1]
        return DatabaseUrl(f"postgresql+psycopg://{rest}", "postgresql")
    raise UsageError(
        f"unsupported database URL '{url.split('://', 1)[0]}': use sqlite:///PATH or "
        "postgresql+psycopg://USER@HOST:PORT/DB"
    )


def resolve_url(explicit: str | None = None) -> DatabaseUrl:
    """--db, then CHIPDB_DATABASE_URL, then the SQLite file in the user's data directory."""
    url = explicit or os.environ.get(ENV_URL)
    if url:
        return parse_url(url)
    path = default_sqlite_path()
    return DatabaseUrl(f"sqlite:///{path}", "sqlite", path)


def seed_fingerprint() -> str:
    """A digest of the bundled seeds, the engine and the schema: changes mean 'reseed'."""
    digest = hashlib.sha256(f"{ENGINE_VERSION}|{SCHEMA_REVISION}".encode())
    root = seeds_dir()
    for path in sorted(root.rglob("*.toml")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def seed_signature(root: Path | None = None) -> str:
    """The seed files' paths, sizes and mtimes, none of them read: on the installation that
    last seeded a database, an equal signature stands for an equal seed_fingerprint()."""
    entries = [f"{ENGINE_VERSION}|{SCHEMA_REVISION}"]
    folders = [str(root or seeds_dir())]
    while folders:
        try:
            with os.scandir(folders.pop()) as found:
                for entry in found:
                    if entry.is_dir():
                        folders.append(entry.path)
                    elif entry.name.endswith(".toml"):
                        st = entry.stat()
                        entries.append(f"{entry.path}|{st.st_size}|{st.st_mtime_ns}")
        except FileNotFoundError:
            continue
    return hashlib.sha256("\n".join(sorted(entries)).encode()).hexdigest()


@dataclass(frozen=True)
class DatabaseState:
    exists: bool
    revision: str | None = None
    fingerprint: str | None = None
    signature: str | None = None  # "seed_signature():seed_fingerprint()" of the last seeding


def _sqlite_state(db: DatabaseUrl) -> DatabaseState:
    assert db.sqlite_path is not None
    path = db.sqlite_path
    if not path.exists():
        return DatabaseState(exists=False)
    if path.is_dir():
        raise DatabaseError(f"{path} is a directory, not a database file: point --db at a file")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise DatabaseError(f"cannot open {path}: {exc}: check the path and permissions") from None
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        return _state_from(tables, conn.execute, str(path))
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(
            f"{path} is not a usable chipdb database ({exc}); nothing was changed: "
            "move it away or point --db elsewhere"
        ) from None
    finally:
        conn.close()


def _state_from(tables: set[str], execute: Callable[..., object], where: str) -> DatabaseState:
    if not tables or tables <= {"user_import"}:
        return DatabaseState(exists=True)
    if "alembic_version" not in tables:
        raise DatabaseError(
            f"{where} holds tables that are not chipdb's; nothing was changed: "
            "point --db at an empty or chipdb database"
        )
    rows = list(execute("SELECT version_num FROM alembic_version"))  # type: ignore[call-overload]
    revision = rows[0][0] if rows else None
    found: dict[str, str] = {}
    if "meta" in tables:
        found = dict(execute(  # type: ignore[call-overload]
            "SELECT key, value FROM meta WHERE key IN ('seed_fingerprint', 'seed_signature')"))
    return DatabaseState(exists=True, revision=revision,
                         fingerprint=found.get("seed_fingerprint"),
                         signature=found.get("seed_signature"))


def _postgres_state(db: DatabaseUrl) -> DatabaseState:
    from chipdb.query import connect_readonly

    conn = connect_readonly(db)
    try:
        tables = {r["table_name"] for r in conn.rows(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema()")}

        def run(sql: str) -> list[tuple[object, ...]]:
            return [tuple(r.values()) for r in conn.rows(sql)]

        return _state_from(tables, run, db.display)
    finally:
        conn.close()


def database_state(db: DatabaseUrl) -> DatabaseState:
    return _sqlite_state(db) if db.dialect == "sqlite" else _postgres_state(db)


def check_revision(db: DatabaseUrl, state: DatabaseState) -> None:
    if state.revision is not None and state.revision not in KNOWN_REVISIONS:
        raise DatabaseError(
            f"{db.display} is at schema revision {state.revision}, newer than this chipdb "
            f"knows ({SCHEMA_REVISION}); nothing was changed: upgrade chipdb"
        )


def ensure_ready(db: DatabaseUrl, notify: Callable[[str], None] | None = None) -> None:
    """Create, migrate and (re)seed the database when needed; otherwise cost one query."""
    state = database_state(db)
    check_revision(db, state)
    if not state.exists and db.sqlite_path is not None:
        from chipdb.template import install_template

        if install_template(db.sqlite_path, seed_fingerprint, seed_signature):
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
    from chipdb import maintenance

    maintenance.prepare(db, state, notify or (lambda _msg: None))
