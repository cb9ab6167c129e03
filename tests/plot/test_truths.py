"""The map tells the truth at a glance: chips at one point with different verdicts all show,
each rule is drawn on the axes it tests, licence notices that are not lines are marked, and
--title / --highlight do what they say."""

from __future__ import annotations

from pathlib import Path

import pytest

from chipdb.plot.data import build
from chipdb.plot.geometry import colocated, group_label, spread
from chipdb.service.plot import plot_inputs
from chipdb.service.session import open_session
from chipdb.store.url import DatabaseUrl
from tests.helpers import run

CHIPS_2022 = ["A800 SXM4 80GB", "H800 SXM", "A100 SXM4 80GB", "H100 SXM", "H20 96GB"]


def _map(db: DatabaseUrl, chips: list[str], rule: str | None, metric: str | None,
         day: str, **extra: object) -> object:
    from datetime import date

    with open_session(db) as s:
        inputs = plot_inputs(s, chips, rule, metric, date.fromisoformat(day))
    return build(**inputs, **extra)  # type: ignore[arg-type]


def test_the_2022_rule_is_drawn_on_tpp_and_io(db: DatabaseUrl) -> None:
    data = _map(db, CHIPS_2022, "us-2022-10", None, "2023-01-01")
    assert (data.x, data.y) == ("tpp", "bidirectional_io_gbps")  # type: ignore[attr-defined]
    outcome = {c: p.outcome for p in data.points for c in p.chips}  # type: ignore[attr-defined]
    assert outcome["A800 SXM4 80GB"] == outcome["H800 SXM"] == "not-controlled"
    assert outcome["A100 SXM4 80GB"] == outcome["H100 SXM"] == "3A090"
    assert data.regions is not None  # type: ignore[attr-defined]  # exact on its own axes
    # and on TPP x I/O they no longer share a point
    assert all(len(g) == 1 for g in colocated(data.points))  # type: ignore[attr-defined]


def test_same_point_different_verdicts_are_all_visible(db: DatabaseUrl,
                                                       tmp_path: Path) -> None:
    data = _map(db, CHIPS_2022, "us-2022-10", "tpp,performance_density", "2023-01-01")
    shared = [g for g in colocated(data.points) if len(g) > 1]  # type: ignore[attr-defined]
    assert len(shared) == 2  # A800 with A100, H800 with H100
    for group in shared:
        assert len({p.outcome for p in group}) == 2
    labels = [group_label(g) for g in shared]
    assert any("A800 SXM4 80GB: not-controlled" in t and "A100 SXM4 80GB: 3A090" in t
               for t in labels)
    svg = tmp_path / "map.svg"
    result = run(db, "plot", *CHIPS_2022, "--rule", "us-2022-10", "--metric",
                 "tpp,performance_density", "--as-of", "2023-01-01", "--out", str(svg))
    assert result.code == 0, result.err
    text = svg.read_text(encoding="utf-8")
    assert "A800 SXM4 80GB: not-controlled" in text and "H800 SXM: not-controlled" in text
    assert "two verdicts" in text  # the split marker's legend entry


def test_markers_at_one_spot_spread_around_it() -> None:
    assert spread(1) == [0.0]
    assert spread(3) == [-7.0, 0.0, 7.0]


def test_a_licence_notice_that_is_no_line_is_marked(db: DatabaseUrl) -> None:
    data = _map(db, ["H20 96GB", "H100 SXM", "L20"], None, None, "2026-06-01")
    marks = {c: p.overlays for p in data.points for c in p.chips}  # type: ignore[attr-defined]
    assert marks["H20 96GB"] == ("us-2025-04-h20",)  # green on the map, caught by the letters
    assert marks["H100 SXM"] == ()  # controlled on the map already: no mark needed
    assert marks["L20"] == ()  # not reached by the letters
    before = _map(db, ["H20 96GB"], None, None, "2025-01-01")
    assert before.points[0].overlays == ()  # type: ignore[attr-defined]  # before the letters
    out = run(db, "plot", "H20", "H100", "--as-of", "2026-06-01").out
    assert "H20 96GB: not-controlled; licence required by us-2025-04-h20" in out


def test_title_and_highlight(db: DatabaseUrl, tmp_path: Path) -> None:
    out = run(db, "plot", "H100", "--highlight", "H20", "--title", "Just under the line",
              "--as-of", "2026-06-01").out
    assert out.splitlines()[0] == "Just under the line"
    assert "H20 96GB: not-controlled" in out and "[highlighted]" in out  # added to the map
    svg = tmp_path / "map.svg"
    result = run(db, "plot", "H100", "H20", "--highlight", "H20", "--title", "<Mine> & co",
                 "--out", str(svg))
    assert result.code == 0, result.err
    text = svg.read_text(encoding="utf-8")
    assert "&lt;Mine&gt; &amp; co" in text and "font-weight: 700" in text


@pytest.mark.parametrize("typo", ["H2O", "nope"])
def test_an_unknown_highlight_is_one_line(db: DatabaseUrl, typo: str) -> None:
    result = run(db, "plot", "H100", "--highlight", typo)
    assert result.code == 1
    errors = [line for line in result.err.splitlines() if line.startswith("chipdb: error")]
    assert len(errors) == 1 and f"unknown chip '{typo}'" in errors[0]


def _label_crossings(db: DatabaseUrl, metric: str, chips: list[str] | None,
                     monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    """(chip labels, how many of them sit across a threshold line) on a drawn map."""
    import chipdb.plot.image as image

    placed: list[object] = []
    place = image._place

    def spy(*args: object, **kwargs: object) -> tuple[object, float]:
        out = place(*args, **kwargs)  # type: ignore[arg-type]
        if args[6].get("bbox", {}).get("ec") == "none":  # type: ignore[attr-defined]
            placed.append(out[0])
        return out

    monkeypatch.setattr(image, "_place", spy)
    data = _map(db, chips, None, metric, "2026-06-01")  # type: ignore[arg-type]
    mpl, plt = image._matplotlib()
    with mpl.rc_context({"font.size": 9, "text.parse_math": False}):
        fig = image._draw(plt, data)
        renderer = fig.canvas.get_renderer()
        shown = [t for t in placed if t.axes is not None]  # type: ignore[attr-defined]
        crossings = 0
        for t in shown:
            bb = t.get_window_extent(renderer)  # type: ignore[attr-defined]
            for ln in data.lines:  # type: ignore[attr-defined]
                point = (ln.value, 1.0) if ln.axis == "x" else (1.0, ln.value)
                at = t.axes.transData.transform(point)  # type: ignore[attr-defined]
                crossings += (bb.x0 < at[0] < bb.x1) if ln.axis == "x" else (
                    bb.y0 < at[1] < bb.y1)
        plt.close(fig)
    return len(shown), crossings


def test_a_chip_label_keeps_off_a_line_when_there_is_room(
        sqlite_db: DatabaseUrl, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("matplotlib")
    labels, crossings = _label_crossings(
        sqlite_db, "memory_bandwidth_gbps,bidirectional_io_gbps",
        ["RTX 5090 D V2", "RTX 5090 D", "H20 96GB", "L20"], monkeypatch)
    assert labels == 4 and crossings == 0
