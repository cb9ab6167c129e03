"""Install the pre-seeded database a wheel carries, when it matches this package's seeds.

A first run that had to import SQLAlchemy, validate the seeds and compute every verdict costs
1.5-2 s; copying a database that the same code built from the same seeds costs a few
milliseconds. The copy is used only when its seed fingerprint equals this package's, so it is
never stale; a source checkout (no template) seeds as before. sqlite3 only.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path

from chipdb.store.package_data import template_path


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
    from chipdb.store.url import make_default_folder

    make_default_folder(target)
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
