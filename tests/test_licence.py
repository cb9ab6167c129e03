"""The licence files agree with each other and with the package: MIT code, CC BY 4.0 data,
a CITATION.cff of this version; the catalogue's updated date is where people look."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from chipdb import __version__
from chipdb.store.url import DatabaseUrl
from tests.helpers import run

ROOT = Path(__file__).resolve().parents[1]


def test_the_code_licence_is_the_one_pyproject_names() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License\n")


def test_the_data_licence_names_cc_by_and_how_to_attribute() -> None:
    text = (ROOT / "DATA-LICENSE").read_text(encoding="utf-8")
    assert "CC BY 4.0" in text and "https://creativecommons.org/licenses/by/4.0/" in text
    for rule in ("fingerprint", "accessed", "tier", "as_of", "not legal advice"):
        assert rule in text


def test_citation_cff_cites_this_version() -> None:
    text = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert re.search(r"^cff-version: 1\.2\.0$", text, re.M)
    assert re.search(rf"^version: {re.escape(__version__)}$", text, re.M)
    assert re.search(r"^license: MIT$", text, re.M) and "title:" in text


def test_the_catalogue_date_is_in_stats_and_path(db: DatabaseUrl) -> None:
    stats = run(db, "db", "stats", "-f", "json").json()
    assert re.fullmatch(r"20\d\d-\d\d-\d\d", stats["catalogue_updated"])
    assert "catalogue_updated" in run(db, "db", "stats").out
    if db.sqlite_path is not None:
        result = run(db, "db", "path")
        assert result.out.strip() == str(db.sqlite_path)  # stdout stays the bare path
        assert f"catalogue updated {stats['catalogue_updated']}" in result.err
