"""gh-style conventions: did-you-mean for closed vocabularies, list --region, help that shows
metavars, examples and every --set key, COLUMNS when piped, wide compares transposed, and
chipdb sql on litecli."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from chipdb.store.url import DatabaseUrl
from tests.helpers import run


@pytest.mark.parametrize(("argv", "says"), [
    (["list", "--vendor", "nvidai"], "did you mean NVIDIA"),
    (["list", "--market", "datacentr"], "did you mean datacenter"),
    (["list", "--region", "chna"], "did you mean china"),
    (["list", "--rule", "us-2024-1"], "did you mean us-2024-12"),
    (["check", "H20", "--to", "chna"], "did you mean China"),
    (["compare", "H20", "-f", "jsn"], "did you mean json"),
])
def test_a_typo_in_a_closed_vocabulary_is_told_the_nearest(db: DatabaseUrl, argv: list[str],
                                                           says: str) -> None:
    result = run(db, *argv)
    assert result.code in (1, 2) and says in result.err
    assert result.out == "" and len(result.err.splitlines()) == 1


def test_list_by_region_and_vendor_in_any_case(db: DatabaseUrl) -> None:
    china = run(db, "list", "--region", "China", "--vendor", "nvidia", "-f", "json").json()
    names = {r["chip"] for r in china}
    assert {"H20 96GB", "A800 SXM4 80GB", "H800 SXM"} <= names
    assert "H100 SXM" not in names
    glob = {r["chip"] for r in run(db, "list", "--region", "global", "-f", "json").json()}
    assert "H100 SXM" in glob and not glob & names


@pytest.mark.parametrize("command", ["compare", "check", "show", "list", "rules", "what-if",
                                     "headroom", "timeline", "plot", "report"])
def test_help_shows_metavars_and_examples(command: str) -> None:
    result = run(None, command, "--help")
    assert result.code == 0
    assert "Examples:" in result.out and f"chipdb {command}" in result.out
    assert "<str>" not in result.out.casefold() and "TEXT" not in result.out
    if command not in ("rules", "show", "timeline"):  # timeline spans every date
        assert "<DATE>" in result.out
    if command in ("compare", "check", "report"):
        assert "<CHIP>..." in result.out


def test_what_if_help_lists_every_set_key() -> None:
    from chipdb.metricdefs import INPUT_KEYS

    text = " ".join(run(None, "what-if", "--help").out.split())
    plain = [k for k in INPUT_KEYS if not k.endswith(("_dense_tops", "_sparse_tops"))]
    assert plain and all(k in text for k in plain)
    assert "PRECISION_dense_tops" in text and "int4" in text


def _widest(text: str) -> int:
    return max(len(line) for line in text.splitlines())


def test_columns_sets_the_width_of_a_piped_table(db: DatabaseUrl,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    narrow = run(db, "list", "--vendor", "nvidia").out
    monkeypatch.setenv("COLUMNS", "160")
    wide = run(db, "list", "--vendor", "nvidia").out
    assert _widest(narrow) <= 60 < _widest(wide) <= 160
    monkeypatch.delenv("COLUMNS")
    assert _widest(run(db, "list", "--vendor", "nvidia").out) <= 100


def test_compare_of_more_than_four_chips_is_one_row_per_chip(db: DatabaseUrl) -> None:
    chips = ["H20", "H100", "A100", "A800", "H800"]
    out = run(db, "compare", *chips, "--as-of", "2026-06-01").out
    first = out.split("\n\n")[0]
    assert "chip" in first.splitlines()[1] and "vendor" in first.splitlines()[1]
    for name in ("H20 96GB", "H100 SXM", "A100 SXM4 80GB", "A800 SXM4 80GB", "H800 SXM"):
        assert name in first
    assert _widest(out) <= 100
    four = run(db, "compare", *chips[:4], "--as-of", "2026-06-01").out
    header = four.split("┡")[0]  # four chips: still side by side, one column each
    assert "H20" in header and "A800" in header


def test_sql_opens_litecli_read_only_without_flags_it_lacks(sqlite_db: DatabaseUrl,
                                                            tmp_path: Path) -> None:
    """Only litecli on PATH: chipdb runs it on a read-only URI, with no --readonly."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    seen = tmp_path / "argv"
    fake = bin_dir / "litecli"
    fake.write_text(f'#!/bin/sh\nfor a in "$@"; do echo "$a"; done > {seen}\n',
                    encoding="utf-8")
    fake.chmod(0o755)
    env = {**os.environ, "PATH": str(bin_dir)}
    done = subprocess.run([sys.executable, "-m", "chipdb", "--db", sqlite_db.url, "sql"],
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    argv = seen.read_text(encoding="utf-8").splitlines()
    assert argv and argv[0].startswith("file:") and "mode=ro" in argv[0]
    assert not any(a.startswith("-") for a in argv)
