"""What this installation ships: seeds, migrations, the schema revision and seed digests."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from chipdb import ENGINE_VERSION

# The Alembic head this code expects; tests assert it equals the newest migration.
SCHEMA_REVISION = "0006"


KNOWN_REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006")

_PACKAGE_DIR = Path(__file__).resolve().parent.parent
TEMPLATE_NAME = "template.sqlite3"


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


def template_path() -> Path:
    """The pre-seeded database a wheel carries (absent in a source checkout)."""
    return _PACKAGE_DIR / "_data" / TEMPLATE_NAME


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
