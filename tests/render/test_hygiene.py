"""Hostile data in every output: control characters, CSV formulas, markdown pipes, Rich markup.

Each case of the reliability report's A1.3/A1.4 (terminal and CSV injection), on SQLite and
PostgreSQL, through the real CLI.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.helpers import run
from tests.render.conftest import (
    ESC_NAME,
    FILE_NAME,
    FORMULA_NAME,
    PIPE_NAME,
    Hostile,
    assert_inert,
)

READS = [
    ["list"],
    ["list", "--vendor", "relco"],
    ["list", "--vendor", "relco", "--rule", "us-2024-12"],
    ["compare", "ansi5mblink", "formula", "pipe"],
    ["compare", "ansi5mblink", "--sources"],
    ["show", "ansi5mblink"],
    ["timeline", "ansi5mblink"],
    ["headroom", "ansi5mblink"],
    ["what-if", "ansi5mblink", "--set", "tpp=5000"],
]


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv"])
@pytest.mark.parametrize("args", READS, ids=lambda a: " ".join(a[:2]))
def test_no_raw_control_character_reaches_the_terminal(hostile: Hostile, args: list[str],
                                                        fmt: str) -> None:
    result = run(hostile.db, *args, "-f", fmt)
    assert result.code == 0, result.err
    assert_inert(result)
    if args[0] in ("list", "compare", "show"):
        assert "\\x1b" in result.out  # shown, escaped, not dropped


def test_json_keeps_the_exact_name(hostile: Hostile) -> None:
    result = run(hostile.db, "list", "--vendor", "relco", "-f", "json")
    assert result.code == 0
    assert_inert(result)  # ESC as \u001b, and C1 CSI and the bidi override escaped too
    assert "\\u009b" in result.out and "\\u202e" in result.out
    assert ESC_NAME in {r["chip"] for r in result.json()}


def test_file_name_of_an_import_is_escaped_on_stderr_and_in_the_list(hostile: Hostile) -> None:
    assert_inert(hostile.imported)
    assert "\\x1b[2J" in hostile.imported.err
    listed = run(hostile.db, "export", "--list")
    assert listed.code == 0
    assert_inert(listed)
    assert "evil.toml" in listed.out


def test_rich_markup_in_data_is_text_not_style(hostile: Hostile) -> None:
    result = run(hostile.db, "show", "ansi5mblink")
    assert "QA [bold]" in result.out  # Rich would have eaten "[bold]" as markup


def test_terminal_plot_escapes_names(hostile: Hostile) -> None:
    result = run(hostile.db, "plot", "ansi5mblink", "formula")
    assert result.code == 0, result.err
    assert_inert(result)
    assert "Evil \\x1b[31mRED" in result.out


def test_csv_formula_cells_are_neutralised_and_numbers_are_not(hostile: Hostile) -> None:
    for args in (["list", "--vendor", "relco"], ["compare", "formula", "ansi5mblink"]):
        result = run(hostile.db, *args, "-f", "csv")
        assert result.code == 0, result.err
        rows = list(csv.reader(io.StringIO(result.out)))
        names = [r[0] for r in rows[1:]]
        assert "'" + FORMULA_NAME in names
        assert not any(cell.startswith(("=", "+", "@")) for r in rows for cell in r)
    # a negative number in a numeric column stays a number
    result = run(hostile.db, "headroom", "H20", "--as-of", "2026-06-01", "-f", "csv")
    cells = [c for r in csv.reader(io.StringIO(result.out)) for c in r]
    assert "-50" in cells and not any(c.startswith("'") for c in cells)


def test_markdown_pipes_and_newlines_stay_inside_their_cell(hostile: Hostile) -> None:
    result = run(hostile.db, "compare", "pipe", "formula", "-f", "markdown")
    assert result.code == 0, result.err
    table = result.out.split("\n\n", 1)[0].splitlines()
    assert "Pipe \\| and newline" in table[0]

    def columns(line: str) -> int:
        return line.replace("\\|", "").count("|")

    assert len({columns(line) for line in table}) == 1, table
    assert PIPE_NAME not in result.out


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv"])
def test_typed_values_are_escaped(db: object, fmt: str) -> None:
    result = run(db, "what-if", "blank", "--set", "tpp=5000", "--set",  # type: ignore[arg-type]
                 "vendor=\x1b[31mEvil", "--name", "\x1b]0;pwned\x07\x1b[2J", "-f", fmt)
    assert result.code == 0, result.err
    assert_inert(result)
    assert "\\x1b]0;pwned\\x07" in result.out


def test_sql_results_are_escaped(db: object) -> None:
    from chipdb.store.url import DatabaseUrl

    assert isinstance(db, DatabaseUrl)
    esc = "char(27)" if db.dialect == "sqlite" else "chr(27)"
    for fmt in ("table", "markdown", "csv"):
        result = run(db, "sql", f"SELECT {esc} || '[2J' || '=1+1' AS x", "-f", fmt)
        assert result.code == 0, result.err
        assert_inert(result)
        assert "\\x1b[2J" in result.out


def test_batch_names_are_escaped_and_formulas_neutralised(db: object, tmp_path: Path) -> None:
    path = tmp_path / "formula.csv"
    path.write_text('name,tpp\n"=cmd|\' /C calc\'!A0",5000\n@SUM(1+1),1\n+1+1,1\n-2+3,1\n'
                    "\x1b[31mred,1\n", encoding="utf-8")
    result = run(db, "what-if", "--batch", str(path), "-f", "csv")  # type: ignore[arg-type]
    assert result.code == 0, result.err
    assert_inert(result)
    rows = list(csv.reader(io.StringIO(result.out)))
    assert [r[0] for r in rows[1:]] == ["'=cmd|' /C calc'!A0", "'@SUM(1+1)", "'+1+1", "'-2+3",
                                        "\\x1b[31mred"]
    assert [r[1] for r in rows[1:]] == ["5000", "1", "1", "1", "1"]
    for fmt in ("table", "markdown"):
        shown = run(db, "what-if", "--batch", str(path), "-f", fmt)  # type: ignore[arg-type]
        assert shown.code == 0, shown.err
        assert_inert(shown)
    data = run(db, "what-if", "--batch", str(path), "-f", "json")  # type: ignore[arg-type]
    assert data.json()["designs"][4]["name"] == "\x1b[31mred"  # JSON carries it exactly


def test_resolution_notes_on_stderr_are_escaped(hostile: Hostile) -> None:
    # "'<typed>' is <chip>; other variants: ..." goes to stderr with data in it
    result = run(hostile.db, "compare", "H100\x1b\x07")
    assert result.code == 0, result.err
    assert_inert(result)
    assert "'H100\\x1b\\x07' is H100 SXM; other variants" in result.err


def test_json_round_trips_every_hostile_name(hostile: Hostile) -> None:
    result = run(hostile.db, "compare", "ansi5mblink", "formula", "pipe", "math", "-f", "json")
    assert result.code == 0, result.err
    names = {c["name"] for c in json.loads(result.out)["data"]["chips"]}
    assert {ESC_NAME, FORMULA_NAME, PIPE_NAME} <= names
    assert FILE_NAME not in result.out


@pytest.mark.parametrize("fmt", ["json", "csv", "table", "markdown"])
def test_sql_blobs_are_shown_as_hex(db: object, fmt: str) -> None:
    from chipdb.store.url import DatabaseUrl

    assert isinstance(db, DatabaseUrl)
    blob = "x'1b5b324a'" if db.dialect == "sqlite" else "'\\x1b5b324a'::bytea"
    result = run(db, "sql", f"SELECT {blob} AS b", "-f", fmt)
    assert result.code == 0, result.err
    assert_inert(result)
    assert "1b5b324a" in result.out
    if fmt == "json":
        assert result.json()[0]["b"] in ("x'1b5b324a'", "\\x1b5b324a")
