"""The bundled catalogue database: built once when the wheel is built, copied on first run.

A first run that had to import SQLAlchemy, validate the seeds and compute every verdict costs
1.5-2 s; copying a database that the same code built from the same seeds costs a few
milliseconds. The copy is used only when its seed fingerprint equals this package's, so it is
never stale; a source checkout (no template) seeds as before.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path

TEMPLATE_NAME = "template.sqlite3"


def template_path() -> Path:
    return Path(__file__).resolve().parent / "_data" / TEMPLATE_NAME


def build_template(target: Path) -> Path:
    """Create, seed and compute verdicts into ``target`` (heavy: used at build time)."""
    from chipdb import maintenance
    from chipdb.db import parse_url

    target.unlink(missing_ok=True)
    db = parse_url(f"sqlite:///{target}")
    maintenance.create_fresh(db)
    maintenance.reseed(db)
    conn = sqlite3.connect(target)
    try:
        # one self-contained file: no -wal/-shm beside it, no free pages
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("VACUUM")
    finally:
        conn.close()
    return target


def _meta(path: Path, key: str) -> str | None:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def install_template(
    target: Path, fingerprint: Callable[[], str], signature: Callable[[], str],
    template: Path | None = None,
) -> bool:
    """Copy the bundled database to ``target`` if it matches these seeds; atomic."""
    source = template or template_path()
    if not source.is_file():
        return False
    stored = _meta(source, "seed_fingerprint")
    if stored is None or stored != fingerprint():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=".chipdb-", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out, source.open("rb") as src:
            while chunk := src.read(1 << 20):
                out.write(chunk)
        conn = sqlite3.connect(temp)
        try:
            # the signature names this installation's seed files, so later runs skip hashing
            conn.execute("UPDATE meta SET value = ? WHERE key = 'seed_signature'",
                         (f"{signature()}:{stored}",))
            conn.commit()
            conn.execute("PRAGMA journal_mode = WAL")  # outside a transaction, as SQLite asks
        finally:
            conn.close()
        if target.exists():  # another process got there first: keep theirs
            return True
        os.replace(temp, target)
        temp = ""
        return True
    finally:
        if temp:
            Path(temp).unlink(missing_ok=True)
