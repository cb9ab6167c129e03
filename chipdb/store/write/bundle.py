"""Build the pre-seeded database a wheel carries (hatch_build.py calls this at build time)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from chipdb.store.url import parse_url
from chipdb.store.write.migrate import create_fresh, reseed


def build_template(target: Path) -> Path:
    """Create, seed and compute verdicts into ``target`` (heavy: used at build time)."""
    target.unlink(missing_ok=True)
    db = parse_url(f"sqlite:///{target}")
    create_fresh(db)
    reseed(db)
    conn = sqlite3.connect(target)
    try:
        # one self-contained file: no -wal/-shm beside it, no free pages
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("VACUUM")
    finally:
        conn.close()
    return target
