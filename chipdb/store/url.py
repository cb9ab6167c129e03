"""Where the database is: URLs from --db, the environment or the user's data directory."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from chipdb.errors import UsageError

ENV_URL = "CHIPDB_DATABASE_URL"


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
