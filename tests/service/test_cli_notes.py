"""The CLI prints the library's resolution notes itself, on stderr, never on stdout."""

from __future__ import annotations

import pytest

from chipdb.store.url import DatabaseUrl
from tests.helpers import run

NOTE = "chipdb: 'H100' is H100 SXM; other variants: H100 NVL, H100 PCIe\n"


@pytest.mark.parametrize("args", [
    ["compare", "H100", "-f", "json"], ["show", "H100", "-f", "json"],
    ["timeline", "H100", "-f", "json"], ["headroom", "H100", "-f", "csv"],
    ["what-if", "H100", "--set", "tpp=100", "-f", "json"],
])
def test_a_family_name_notes_its_variants_on_stderr(sqlite_db: DatabaseUrl,
                                                    args: list[str]) -> None:
    result = run(sqlite_db, *args)
    assert result.code == 0, result.err
    assert result.err == NOTE
    assert "other variants" not in result.out


def test_a_full_name_needs_no_note(sqlite_db: DatabaseUrl) -> None:
    result = run(sqlite_db, "compare", "h100-sxm", "-f", "json")
    assert result.code == 0 and result.err == ""


def test_an_unknown_name_is_one_line(sqlite_db: DatabaseUrl) -> None:
    result = run(sqlite_db, "what-if", "H2O", "--set", "tpp=1")
    assert result.code == 1 and result.out == ""
    assert result.err.count("\n") == 1 and "did you mean" in result.err


@pytest.mark.parametrize("args", [
    ["rules", "\udcff"], ["plot", "--rule", "\udcff"], ["list", "--rule", "\udcff"],
    ["compare", "\udcff"], ["timeline", "\udcff"], ["what-if", "\udcff"],
])
def test_unencodable_names_are_not_found_not_crashes(sqlite_db: DatabaseUrl,
                                                     args: list[str]) -> None:
    # a lone surrogate (from undecodable argv bytes) cannot be sent to SQLite: names and rule
    # ids are matched in Python first
    result = run(sqlite_db, *args)
    assert result.code == 1, result.err
    assert result.err.startswith("chipdb: error: unknown ") and result.err.count("\n") == 1
