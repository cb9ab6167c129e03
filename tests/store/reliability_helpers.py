"""Helpers shared by the reliability tests (split so the slow ones run on every worker)."""

from __future__ import annotations

from pathlib import Path

from chipdb.store.read.connect import reading
from chipdb.store.url import DatabaseUrl
from tests.helpers import chip_toml, source_toml

OK_CHIP = (source_toml("rel-src", "https://example.com/rel", "Reliability test source", "QA")
           + chip_toml("RelChip X1", "RelCo", "RelChip", "rel-src"))


def chip_file(folder: Path, name: str, family: str = "RelChip", source: str = "rel-src",
              extra: str = "", file: str | None = None) -> Path:
    text = (OK_CHIP.replace('name = "RelChip X1"', f'name = "{name}"{extra}')
            .replace('family = "RelChip"', f'family = "{family}"')
            .replace('"rel-src"', f'"{source}"'))
    path = folder / (file or f"{abs(hash((name, family, source)))}.toml")
    path.write_text(text, encoding="utf-8")
    return path


def one_error(result: object) -> str:
    lines = str(result.err).strip().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1 and lines[0].startswith("chipdb: error: "), lines
    return lines[0]


def in_every_view(db: DatabaseUrl, chip: str) -> bool:
    with reading(db) as conn:
        return all(conn.rows(f"SELECT chip FROM {view} WHERE chip = :c", {"c": chip})
                   for view in ("chip_specs", "chip_metrics", "chip_verdict", "chip_names"))


# --- A1.1 / A1.2: bundled chips cannot be hijacked ---------------------------------------
