"""A catalogue holding hostile imports, once per engine, for the output-hygiene tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from chipdb.store.ready import ensure_ready
from chipdb.store.url import DatabaseUrl, parse_url
from tests.conftest import PG_OK, drop_pg_database, make_pg_database
from tests.helpers import Result, chip_toml, run, source_toml

ESC_NAME = "Evil \x1b[31mRED\x1b]0;pwned\x07 \x1b[2J\x9b1m\u202eX"
FORMULA_NAME = '=HYPERLINK("http://evil","x")'
MATH_NAME = "Math $\\undefinedcmd{x}$ chip"
PIPE_NAME = "Pipe | and\nnewline"
# an import file whose own name clears the screen and sets the window title
FILE_NAME = "\x1b[2J\x1b]0;pwned\x07evil.toml"
# what must never reach a terminal raw: ESC, BEL, C1 CSI, a bidi override
RAW = ("\x1b", "\x07", "\x9b", "\u202e")


def _chip_block(name: str, vendor: str, family: str, tops: int) -> str:
    return chip_toml(name, vendor, family, "rel-src", throughput=f"fp8 = {{ dense = {tops} }}")


PUBLISHER = "QA [bold]\x1b[31m"
HOSTILE = source_toml("rel-src", "https://example.com/rel", "Reliability test source",
                      PUBLISHER) + "".join([
    _chip_block(ESC_NAME, "RelCo", "Ansi\x1b[5mBlink", 700),
    _chip_block(FORMULA_NAME, "RelCo", "Formula", 500),
    _chip_block(MATH_NAME, "RelCo", "Math", 300),
    _chip_block(PIPE_NAME, "RelCo", "Pipe", 200),
    _chip_block("Vendor Chip", "Evil\x1b[5mCo", "VendorChip", 100),
])


@dataclass
class Hostile:
    db: DatabaseUrl
    imported: Result


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def hostile(request: pytest.FixtureRequest,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hostile]:
    folder = tmp_path_factory.mktemp("hostile")
    pg_name = None
    if request.param == "sqlite":
        db = parse_url(f"sqlite:///{folder / 'hostile.sqlite3'}")
    else:
        if not PG_OK:
            if os.environ.get("CI"):
                pytest.fail("PostgreSQL is not reachable on CI")
            pytest.skip("PostgreSQL not reachable")
        pg_name, url = make_pg_database()
        db = parse_url(url)
    try:
        ensure_ready(db)
        path = Path(folder) / FILE_NAME
        path.write_text(HOSTILE, encoding="utf-8")
        imported = run(db, "import", str(path))
        assert imported.code == 0, imported.err
        yield Hostile(db, imported)
    finally:
        if pg_name is not None:
            drop_pg_database(pg_name)


def assert_inert(result: Result) -> None:
    """Nothing from data reached stdout or stderr as a raw control character."""
    for stream in (result.out, result.err):
        for ch in RAW:
            assert ch not in stream, (repr(ch), stream[:400])
