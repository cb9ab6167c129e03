"""The map with hostile chip names: valid SVG, literal `$...$`, no raw control characters."""

from __future__ import annotations

import xml.dom.minidom
from pathlib import Path

import pytest

from tests.helpers import run
from tests.render.conftest import MATH_NAME, Hostile, assert_inert


@pytest.mark.parametrize("suffix", ["svg", "png"])
def test_plot_file_with_hostile_names(hostile: Hostile, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"map.{suffix}"
    result = run(hostile.db, "plot", "ansi5mblink", "math", "formula", "pipe", "H100",
                 "--out", str(out))
    assert result.code == 0, result.err
    assert_inert(result)
    assert "Glyph" not in result.err and "Warning" not in result.err
    if suffix == "svg":
        text = out.read_text(encoding="utf-8")
        xml.dom.minidom.parseString(text.encode("utf-8"))  # well-formed XML
        assert "\x1b" not in text
        assert MATH_NAME in text  # drawn literally, not as mathtext
        assert "Evil \\x1b[31mRED" in text


def test_the_whole_map_survives_one_bad_name(hostile: Hostile, tmp_path: Path) -> None:
    out = tmp_path / "all.svg"
    result = run(hostile.db, "plot", "--out", str(out))
    assert result.code == 0, result.err
    xml.dom.minidom.parse(str(out))


def test_terminal_map_and_metric_map(hostile: Hostile) -> None:
    for extra in ([], ["--metric", "tpp,memory_bandwidth_gbps"]):
        result = run(hostile.db, "plot", "ansi5mblink", "math", "pipe", *extra)
        assert result.code == 0, result.err
        assert_inert(result)
        assert MATH_NAME in result.out
        assert "Pipe | and\\nnewline" in result.out  # one line per legend entry
