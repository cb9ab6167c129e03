"""`chipdb plot`: the threshold map as PNG, SVG and text, read from the views."""

from __future__ import annotations

import bisect
import struct
import sys
from pathlib import Path

import pytest

from chipdb.errors import DataError
from chipdb.plot import data as plot_data
from chipdb.plot.image import to_file
from chipdb.service import session as api
from chipdb.service.plot import plot_inputs
from chipdb.store.url import DatabaseUrl
from tests.helpers import run

MISSION = ["H20", "H20 141GB", "A800", "H800", "H100", "H200", "L20", "L2", "RTX 4090",
           "RTX 4090 D"]
AS_OF = "2026-06-01"


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    assert head[12:16] == b"IHDR"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def _svg_text(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    return text


def test_png_written_with_its_dimensions(sqlite_db: DatabaseUrl, tmp_path: Path) -> None:
    out = tmp_path / "map.png"
    result = run(sqlite_db, "plot", *MISSION, "--as-of", AS_OF, "--out", str(out))
    assert result.code == 0, result.err
    assert f"wrote {out}" in result.err
    assert out.stat().st_size > 30_000
    assert _png_size(out) == (1600, 1000)


def test_svg_keeps_thresholds_names_and_citation_as_text(sqlite_db: DatabaseUrl,
                                                          tmp_path: Path) -> None:
    out = tmp_path / "map.svg"
    result = run(sqlite_db, "plot", *MISSION, "--as-of", AS_OF, "--out", str(out))
    assert result.code == 0, result.err
    svg = _svg_text(out)
    assert out.stat().st_size > 10_000
    assert "4,800" in svg or "4800" in svg
    for text in ("5.92", "3.2", "1.6", "1,600", "2,400"):
        assert text in svg
    for name in ("H20 96GB", "H20 141GB", "H100 SXM", "H800 SXM", "H200 SXM", "A800 SXM4 80GB",
                 "L20", "L2", "RTX 4090 D"):
        assert name in svg
    for region in ("3A090.a.1", "3A090.a.2", "3A090.b.1", "3A090.b.2", "outside 3A090"):
        assert region in svg
    assert "89 FR 96790" in svg and "us-2024-12" in svg and f"as of {AS_OF}" in svg


def test_metric_map_draws_lines_and_boxes_of_rules_in_force(sqlite_db: DatabaseUrl,
                                                            tmp_path: Path) -> None:
    out = tmp_path / "bw.svg"
    result = run(sqlite_db, "plot", *MISSION, "--metric", "tpp,memory_bandwidth_gbps",
                 "--as-of", AS_OF, "--out", str(out))
    assert result.code == 0, result.err
    svg = _svg_text(out)
    assert "21,000" in svg or "21000" in svg
    assert "6,500" in svg or "6500" in svg
    assert "us-2026-01-s232" in svg  # the duty bands, as boxes
    assert "14,000–17,500" in svg and "20,800–21,100" in svg
    assert "4,500–5,000" in svg and "5,800–6,200" in svg
    assert "H200 SXM" in svg


def test_metric_map_before_the_2026_rules_has_no_2026_lines(sqlite_db: DatabaseUrl) -> None:
    result = run(sqlite_db, "plot", "H200", "--metric", "tpp,memory_bandwidth_gbps",
                 "--as-of", "2025-06-01")
    assert result.code == 0, result.err
    assert "us-2025-04-h20" in result.out
    assert "21,000" not in result.out and "us-2026-01" not in result.out


def test_terminal_map(sqlite_db: DatabaseUrl) -> None:
    result = run(sqlite_db, "plot", *MISSION, "--as-of", AS_OF)
    assert result.code == 0, result.err
    out = result.out
    assert "\x1b[" not in out
    for name in ("H20 96GB", "H20 141GB", "H100 SXM", "A800 SXM4 80GB", "L20", "L2",
                 "RTX 4090 D"):
        assert name in out
    for text in ("3A090.a.1", "3A090.a.2", "3A090.b.1", "outside 3A090", "4,800", "5.92",
                 "89 FR 96790", "│", "─"):
        assert text in out
    assert max(len(line) for line in out.splitlines()) <= 100


def test_terminal_all_chips_and_metric_map(sqlite_db: DatabaseUrl) -> None:
    result = run(sqlite_db, "plot", "--as-of", AS_OF)
    assert result.code == 0, result.err
    assert "H100 SXM" in result.out and "not plotted" in result.err
    result = run(sqlite_db, "plot", "--metric", "tpp,memory_bandwidth_gbps", "--as-of", AS_OF)
    assert result.code == 0, result.err
    assert "21,000" in result.out and "6,500" in result.out and "[1]" in result.out


def test_chips_without_the_metrics_are_skipped_with_a_note(sqlite_db: DatabaseUrl) -> None:
    result = run(sqlite_db, "plot", "H100", "HBM3 (SK hynix)", "--as-of", AS_OF)
    assert result.code == 0, result.err
    assert "not plotted" in result.err and "HBM3 (SK hynix)" in result.err
    assert "H100 SXM" in result.out


def test_unknown_rule_exits_1(sqlite_db: DatabaseUrl, tmp_path: Path) -> None:
    result = run(sqlite_db, "plot", "H20", "--rule", "us-1999-01", "--out",
                 str(tmp_path / "x.png"))
    assert result.code == 1
    assert "unknown rule 'us-1999-01'" in result.err and "chipdb rules" in result.err
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize("metric", ["tpp,bogus", "tpp", "tpp,tpp", "vendor,tpp"])
def test_bad_metric_exits_2(sqlite_db: DatabaseUrl, metric: str) -> None:
    result = run(sqlite_db, "plot", "H20 96GB", "--metric", metric)
    assert result.code == 2
    assert result.err.startswith("chipdb: error:") and len(result.err.splitlines()) == 1


def test_bad_extension_exits_2(sqlite_db: DatabaseUrl, tmp_path: Path) -> None:
    result = run(sqlite_db, "plot", "H20", "--out", str(tmp_path / "map.jpg"))
    assert result.code == 2 and ".png or .svg" in result.err


def test_regions_come_from_the_rule_and_agree_with_the_verdicts(sqlite_db: DatabaseUrl) -> None:
    from datetime import date

    with api.open_session(sqlite_db) as s:
        data = plot_data.build(**plot_inputs(s, None, "us-2024-12", None, date(2026, 6, 1)))
        lines = s.conn.rows("SELECT metric, threshold FROM rule_thresholds "
                            "WHERE rule = 'us-2024-12'")
    assert data.regions is not None
    assert set(data.regions.xs) == {t["threshold"] for t in lines if t["metric"] == "tpp"}
    assert set(data.regions.ys) == {t["threshold"] for t in lines
                                    if t["metric"] == "performance_density"}
    checked = 0
    for p in data.points:
        if p.datacenter is not True or p.x in data.regions.xs or p.y in data.regions.ys:
            continue
        i = bisect.bisect_right(data.regions.xs, p.x)
        j = bisect.bisect_right(data.regions.ys, p.y)
        assert data.regions.outcome[i][j] == p.outcome, p.chips
        checked += 1
    assert checked >= 10


def test_without_matplotlib_says_how_to_install(sqlite_db: DatabaseUrl, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import date

    with api.open_session(sqlite_db) as s:
        data = plot_data.build(**plot_inputs(s, ["H20 96GB"], "us-2024-12", None,
                                             date(2026, 6, 1)))
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(DataError, match=r"pip install 'chipdb\[plot\]'"):
        to_file(data, tmp_path / "map.png")
    result = run(sqlite_db, "plot", "H20 96GB", "--out", str(tmp_path / "map.png"))
    assert result.code == 1
    assert result.err.strip().splitlines() == [
        "chipdb: error: plotting to a file needs matplotlib: pip install 'chipdb[plot]'"]
    # the terminal map needs no matplotlib
    assert run(sqlite_db, "plot", "H20 96GB").code == 0


def test_matplotlib_is_imported_only_inside_the_drawing_functions() -> None:
    """`import chipdb.cli` and the terminal map stay free of matplotlib (see also above)."""
    import ast

    import chipdb.cli
    import chipdb.plot

    for module in (chipdb.cli, chipdb.plot):
        tree = ast.parse(Path(str(module.__file__)).read_text(encoding="utf-8"))
        for node in tree.body:  # module level only
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("matplotlib") for a in node.names)
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").startswith("matplotlib")
                assert not any(a.name == "plotting" for a in node.names)
