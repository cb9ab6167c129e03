"""Where the database is: URLs from --db, the environment or the user's data directory."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from chipdb.errors import DatabaseError, UsageError

ENV_URL = "CHIPDB_DATABASE_URL"
# The SELECT-only PostgreSQL role that `chipdb sql` connects as (created by migration 0002).
READER_ROLE = "chipdb_reader"


def default_sqlite_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("chipdb", appauthor=False) / "chipdb.sqlite3"


def make_default_folder(path: Path) -> None:
    """Create the data directory when ``path`` is the default database; any other folder
    must already exist (a mistyped --db is an error, not a new tree)."""
    if path.parent.is_dir() or path != default_sqlite_path():
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseError(
            f"cannot create the data directory {path.parent}: {exc.strerror}; set "
            f"{ENV_URL} or --db to a database in a writable folder") from None


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

    @property
    def reader_libpq_url(self) -> str:
        """The same server and database as the read-only role (no password: libpq takes it
        from ~/.pgpass or PGPASSFILE, or the server trusts the role)."""
        parts = urlsplit(self.libpq_url)
        host = parts.netloc.rsplit("@", 1)[-1]
        return parts._replace(netloc=f"{READER_ROLE}@{host}").geturl()


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
        resolved = path.expanduser().resolve()
        if not resolved.parent.is_dir():
            raise UsageError(f"{url}: the folder {resolved.parent} does not exist: check the "
                             "path (chipdb creates the database file, not its folder)")
        return DatabaseUrl(f"sqlite:///{path}", "sqlite", resolved)
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
