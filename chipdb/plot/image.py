"""The threshold map as PNG (1600 x 1000 px) or SVG with matplotlib, an optional extra.

matplotlib is imported only inside these functions, only when drawing to a file. Text is drawn
literally (``text.parse_math`` off): a ``$...$`` in a chip name is not mathtext.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from chipdb.errors import DataError, UsageError
from chipdb.plot.data import Box, Line, PlotData, Regions, axis_title, metric_label
from chipdb.plot.geometry import (
    boundaries,
    cell_bounds,
    colocated,
    group_label,
    rectangles,
    spread,
)
from chipdb.units import fmt_number

INSTALL_HINT = "plotting to a file needs matplotlib: pip install 'chipdb[plot]'"
_PX = (1600, 1000)
_DPI = 150


def _matplotlib() -> tuple[Any, Any]:
    """matplotlib and pyplot on the Agg backend, or how to install them."""
    try:
        import matplotlib
    except ImportError:
        raise DataError(INSTALL_HINT) from None
    mpl: Any = matplotlib
    mpl.use("Agg")
    import matplotlib.pyplot as plt

    return mpl, plt


def to_file(data: PlotData, out: Path) -> None:
    """Write the map as PNG (1600 x 1000 px) or SVG (text kept as text)."""
    suffix = Path(out).suffix.lower()
    if suffix not in (".png", ".svg"):
        raise UsageError(f"--out '{out}': the file must end in .png or .svg")
    mpl, plt = _matplotlib()
    # parse_math off: chip names, rule titles and notes are data, drawn as written ("$x$" too)
    rc = {"svg.fonttype": "none", "svg.hashsalt": "chipdb", "font.size": 9,
          "text.parse_math": False}
    with mpl.rc_context(rc):
        fig = _draw(plt, data)
        try:
            fig.savefig(out, format=suffix[1:], dpi=_DPI,
                        metadata={"Date": None} if suffix == ".svg" else None)
        except OSError as exc:
            raise DataError(f"cannot write {out}: {exc.strerror or exc}") from None
        finally:
            plt.close(fig)


def svg_text(data: PlotData) -> str:
    """The map as SVG markup to inline in a page: no XML prolog, no external reference."""
    import io

    mpl, plt = _matplotlib()
    rc = {"svg.fonttype": "none", "svg.hashsalt": "chipdb", "font.size": 9,
          "text.parse_math": False}
    buf = io.StringIO()
    with mpl.rc_context(rc):
        fig = _draw(plt, data)
        try:
            fig.savefig(buf, format="svg", metadata={"Date": None})
        finally:
            plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]


def _draw(plt: Any, data: PlotData) -> Any:
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, Rectangle
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    fig = plt.figure(figsize=(_PX[0] / _DPI, _PX[1] / _DPI), dpi=_DPI)
    ax = fig.add_axes((0.065, 0.27, 0.69, 0.65))
    ax.set_xscale("log")
    ax.set_yscale("log")
    xlim, ylim = data.limits("x"), data.limits("y")
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    fmt = FuncFormatter(lambda v, _pos: fmt_number(v))
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        axis.set_major_formatter(fmt)
        axis.set_minor_locator(LogLocator(base=10, subs=tuple(range(1, 10))))
        axis.set_minor_formatter(NullFormatter())
    ax.tick_params(labelsize=8, colors="#555555")
    ax.grid(True, which="major", color="#e5e5e5", lw=0.6, zorder=0)
    ax.set_xlabel(axis_title(data.x), fontsize=9.5)
    ax.set_ylabel(axis_title(data.y), fontsize=9.5)
    ax.set_title(data.heading, loc="left", fontsize=12, fontweight="bold", pad=22)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)

    renderer = fig.canvas.get_renderer()
    obstacles: list[Any] = []

    # regions: shaded cells, the boundaries between outcomes, one label each
    if data.regions is not None:
        reg = data.regions
        xb, yb = cell_bounds(reg.xs, *xlim), cell_bounds(reg.ys, *ylim)
        for i, (x0, x1) in enumerate(xb):
            for j, (y0, y1) in enumerate(yb):
                ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, lw=0, zorder=0.5,
                                       facecolor=data.colour(reg.outcome[i][j]), alpha=0.13))
        segs = [((a, b), (c, d)) for a, b, c, d in boundaries(reg.outcome, xb, yb)]
        ax.add_collection(LineCollection(segs, colors="#2c3e50", linewidths=1.4, zorder=1.5))
        _threshold_ticks(ax, data)
        _region_labels(ax, renderer, data, reg, xb, yb, obstacles)
    else:
        _metric_lines(ax, data)
    for b in data.boxes:
        colour = data.rule_colours.get(b.rule, "#7d6608")
        ax.add_patch(Rectangle((b.x0, b.y0), b.x1 - b.x0, b.y1 - b.y0, facecolor=colour,
                               alpha=0.3, edgecolor=colour, lw=1.2, zorder=1.2))

    # points: colour = verdict, shape = datacenter or not; chips at one spot with different
    # verdicts share a split marker (two) or sit side by side (more), so every verdict shows
    big = len(data.points) > 24
    size = 34 if big else 58
    groups = colocated(data.points)
    for group in groups:
        _draw_group(ax, fig, data, group, size)
    ax_box = ax.get_window_extent(renderer)
    for group in groups:
        cx, cy = ax.transData.transform((group[0].x, group[0].y))
        r = (5 if big else 6) + (4 * (len(group) - 1) if len(group) > 2 else 0)
        obstacles.append((cx - r, cy - r, cx + r, cy + r))
    if data.regions is None:
        _metric_line_labels(ax, renderer, data, obstacles)
        obstacles += _line_obstacles(ax, data, ax_box)
    unlabelled = _chip_labels(ax, renderer, data, groups, ax_box, obstacles,
                              7.2 if big else 8.5)
    for b in data.boxes:
        _box_label(ax, renderer, data, b, ax_box, obstacles)

    # legend: outcomes (colour) and kinds of chip (shape)
    handles: list[Any] = [Patch(facecolor=data.colour(o), edgecolor="#1b1b1b", lw=0.6,
                                label=o) for o in data.outcomes]
    kinds = {p.datacenter is not False for p in data.points}
    if True in kinds:
        handles.append(Line2D([], [], marker="o", ls="", color="#777777", mec="#1b1b1b",
                              label="datacenter chip"))
    if False in kinds:
        handles.append(Line2D([], [], marker="D", ls="", color="#777777", mec="#1b1b1b",
                              markersize=5.5, label="not for datacenters"))
    if data.overlay_rules:
        handles.append(Line2D([], [], marker="o", ls="", mfc="none", mec=_RING, mew=1.6,
                              markersize=9, label="licence required by\n"
                              f"{', '.join(data.overlay_rules)}\n(not a line on this map)"))
    if any(len({p.outcome for p in g}) > 1 for g in groups):
        handles.append(Line2D([], [], marker="o", ls="", color="#777777", fillstyle="left",
                              markerfacecoloralt="#ffffff", mec="#1b1b1b",
                              label="split: one point,\ntwo verdicts"))
    if data.regions is None and any(ln.partial for ln in data.lines):
        handles.append(Line2D([], [], ls=":", color="#555555",
                              label="line needs another metric too"))
    for b_rule in dict.fromkeys(b.rule for b in data.boxes):
        handles.append(Patch(facecolor=data.rule_colours.get(b_rule, "#7d6608"), alpha=0.35,
                             label=f"{b_rule} box"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8.5,
              title=f"verdict under {data.rule}\non {data.day.isoformat()}", title_fontsize=8.5,
              frameon=False, alignment="left")

    caption = [*data.lead, *data.caption()]  # the bottom line, when asked for, leads
    if unlabelled:
        caption.append(f"{unlabelled} crowded points unlabelled: name chips "
                       "(chipdb plot NAME ...) to label them.")
    fig.text(0.065, 0.155, caption[0], fontsize=9, fontweight="bold", va="top",
             color="#222222")
    fig.text(0.065, 0.155 - 0.024, "\n".join(caption[1:]), fontsize=8, va="top",
             color="#444444", linespacing=1.45)
    return fig


def _threshold_ticks(ax: Any, data: PlotData) -> None:
    """The line values on the top and right edges, where the lines meet them."""
    from matplotlib.ticker import NullLocator

    xs = sorted({ln.value for ln in data.lines if ln.axis == "x"})
    ys = sorted({ln.value for ln in data.lines if ln.axis == "y"})
    top = ax.secondary_xaxis("top")
    top.set_xticks(xs, labels=[fmt_number(v) for v in xs])
    top.xaxis.set_minor_locator(NullLocator())
    right = ax.secondary_yaxis("right")
    right.set_yticks(ys, labels=[fmt_number(v) for v in ys])
    right.yaxis.set_minor_locator(NullLocator())
    for sec in (top, right):
        sec.tick_params(labelsize=8.5, colors="#2c3e50", length=5, width=1.2)
        for lab in (sec.get_xticklabels() if sec is top else sec.get_yticklabels()):
            lab.set_fontweight("bold")
        sec.spines[:].set_visible(False)


def _region_labels(ax: Any, renderer: Any, data: PlotData, reg: Regions,
                   xb: Sequence[tuple[float, float]], yb: Sequence[tuple[float, float]],
                   obstacles: list[Any]) -> None:
    pts = [ax.transData.transform((p.x, p.y)) for p in data.points]
    for o, rects in rectangles(reg.outcome, xb, yb).items():
        colour = data.colour(o)
        text = ax.text(0, 0, reg.labels[o], ha="center", va="center", fontsize=12,
                       fontweight="bold", color=colour, alpha=0.9, zorder=2)
        # the block and direction where the label fits largest (upright before rotated)
        chosen: tuple[float, int, tuple[float, float, float, float]] | None = None
        for rotation in (0, 90):
            text.set_rotation(rotation)
            for i0, i1, j0, j1 in rects[:12]:
                x0, y0 = ax.transData.transform((xb[i0][0], yb[j0][0]))
                x1, y1 = ax.transData.transform((xb[i1][1], yb[j1][1]))
                for size in (12, 11, 10, 9, 8, 7, 0):
                    if not size:
                        break
                    text.set_fontsize(size)
                    bb = text.get_window_extent(renderer)
                    if bb.width <= (x1 - x0) - 8 and bb.height <= (y1 - y0) - 6:
                        break
                if chosen is None or size > chosen[0]:
                    chosen = (size, rotation, (x0, y0, x1, y1))
            if chosen is not None and chosen[0] >= 9:
                break
        assert chosen is not None
        text.set_fontsize(max(chosen[0], 7))
        text.set_rotation(chosen[1])
        x0, y0, x1, y1 = chosen[2]
        best, best_score = ((x0 + x1) / 2, (y0 + y1) / 2), -1e9
        bb = text.get_window_extent(renderer)
        half_w, half_h = bb.width / 2 + 4, bb.height / 2 + 3
        for fx in (0.5, 0.3, 0.7, 0.15, 0.85):
            for fy in (0.5, 0.75, 0.25, 0.88, 0.12):
                cx = min(max(x0 + (x1 - x0) * fx, x0 + half_w), x1 - half_w) \
                    if x1 - x0 > 2 * half_w else (x0 + x1) / 2
                cy = min(max(y0 + (y1 - y0) * fy, y0 + half_h), y1 - half_h) \
                    if y1 - y0 > 2 * half_h else (y0 + y1) / 2
                near = min((math.hypot(cx - px, cy - py) for px, py in pts), default=1e9)
                score = min(near, 80.0) - 4 * abs(fx - 0.5) - 4 * abs(fy - 0.5)
                if score > best_score:
                    best, best_score = (cx, cy), score
        text.set_position(ax.transData.inverted().transform(best))
        bb = text.get_window_extent(renderer)
        obstacles.append((bb.x0 - 2, bb.y0 - 2, bb.x1 + 2, bb.y1 + 2))


def _line_obstacles(ax: Any, data: PlotData, ax_box: Any) -> list[Any]:
    """Each threshold line as a thin strip a chip label should not sit across (it would hide
    where the line runs); a label still crosses one when there is no other room."""
    strips = []
    for ln in data.lines:
        if ln.axis == "x":
            cx = ax.transData.transform((ln.value, 1.0))[0]
            strips.append((cx - 2.5, ax_box.y0, cx + 2.5, ax_box.y1))
        else:
            cy = ax.transData.transform((1.0, ln.value))[1]
            strips.append((ax_box.x0, cy - 2.5, ax_box.x1, cy + 2.5))
    return strips


def _metric_lines(ax: Any, data: PlotData) -> None:
    for ln in data.lines:
        colour = data.rule_colours.get(ln.rules[0][0], "#34495e")
        style = ":" if ln.partial else "--"
        draw = ax.axvline if ln.axis == "x" else ax.axhline
        draw(ln.value, color=colour, ls=style, lw=1.3, zorder=1.5)


def _metric_line_labels(ax: Any, renderer: Any, data: PlotData, obstacles: list[Any]) -> None:
    """Each line's rule, clause and value along it, at whichever end crowds fewer points."""
    for ln in sorted(data.lines, key=lambda ln: ln.axis != "y"):  # the wide labels first
        colour = data.rule_colours.get(ln.rules[0][0], "#34495e")
        label = ln.label(data.x if ln.axis == "x" else data.y)
        spots: list[tuple[tuple[float, float], str, str, float]] = []
        for frac in (1.0, 0.0, 0.5, 0.75, 0.25):
            if ln.axis == "x":
                va, dy = ("top", -4) if frac == 1.0 else ("bottom", 4) if frac == 0.0 \
                    else ("center", 0)
                spots += [((3, dy), "left", va, frac), ((-3, dy), "right", va, frac)]
            else:
                ha, dx = ("left", 4) if frac == 0.0 else ("right", -4) if frac == 1.0 \
                    else ("center", 0)
                spots += [((dx, 2), ha, "bottom", frac), ((dx, -2), ha, "top", frac)]
        xy: tuple[float, float] = (ln.value, 1.0) if ln.axis == "x" else (0.0, ln.value)
        coords = ("data", "axes fraction") if ln.axis == "x" else ("axes fraction", "data")
        text = ax.annotate(label, xy, xycoords=coords, textcoords="offset points",
                           xytext=(0, 0), fontsize=7.5, color=colour, zorder=3,
                           rotation=90 if ln.axis == "x" else 0,
                           bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none",
                                     alpha=0.7))
        best: tuple[float, int] | None = None
        for k in range(len(spots)):
            _set_spot(text, ln, spots[k])
            bb = text.get_window_extent(renderer)
            bad = sum(_overlap((bb.x0, bb.y0, bb.x1, bb.y1), o) for o in obstacles)
            bad += 0.0 if spots[k][3] in (0.0, 1.0) else 30.0  # the ends read best
            if best is None or bad < best[0]:
                best = (bad, k)
        assert best is not None
        _set_spot(text, ln, spots[best[1]])
        bb = text.get_window_extent(renderer)
        obstacles.append((bb.x0, bb.y0, bb.x1, bb.y1))


def _set_spot(text: Any, ln: Line, spot: tuple[tuple[float, float], str, str, float]) -> None:
    (dx, dy), ha, va, frac = spot
    text.xy = (ln.value, frac) if ln.axis == "x" else (frac, ln.value)
    text.set_position((dx, dy))
    text.set_ha(ha)
    text.set_va(va)


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


_OFFSETS = [(1.0, 0.0, "left", "center"), (-1.0, 0.0, "right", "center"),
            (0.7, 0.7, "left", "bottom"), (0.7, -0.7, "left", "top"),
            (-0.7, 0.7, "right", "bottom"), (-0.7, -0.7, "right", "top"),
            (0.0, 1.0, "center", "bottom"), (0.0, -1.0, "center", "top")]


def _place(ax: Any, renderer: Any, xy: tuple[float, float], text: str, ax_box: Any,
           obstacles: list[Any], style: dict[str, Any], rings: Sequence[float],
           offsets: Sequence[tuple[float, float, str, str]] = _OFFSETS) -> tuple[Any, float]:
    """Try offsets around ``xy`` (points) until the text overlaps nothing; the least-bad else."""
    probe = ax.annotate(text, xy, xytext=(0, 0), textcoords="offset points", **style)
    best: tuple[float, tuple[float, float, str, str]] | None = None
    for ring in rings:
        for dx, dy, ha, va in offsets:
            cand = (dx * ring, dy * ring, ha, va)
            probe.set_position(cand[:2])
            probe.set_ha(ha)
            probe.set_va(va)
            bb = probe.get_window_extent(renderer)
            box = (bb.x0 - 1.5, bb.y0 - 1.5, bb.x1 + 1.5, bb.y1 + 1.5)
            outside = (max(ax_box.x0 - box[0], 0) + max(box[2] - ax_box.x1, 0)
                       + max(ax_box.y0 - box[1], 0) + max(box[3] - ax_box.y1, 0))
            bad = sum(_overlap(box, o) for o in obstacles) + outside * 1000
            if best is None or bad < best[0]:
                best = (bad, cand)
            if bad == 0:
                break
        if best is not None and best[0] == 0:
            break
    probe.remove()
    assert best is not None
    bad, (dx, dy, ha, va) = best
    leader = math.hypot(dx, dy) > rings[0] * 1.5
    arrow = dict(arrowstyle="-", color="#777777", lw=0.6, shrinkA=0, shrinkB=2) \
        if leader else None
    final = ax.annotate(text, xy, xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                        arrowprops=arrow, **style)
    bb = final.get_window_extent(renderer)
    obstacles.append((bb.x0, bb.y0, bb.x1, bb.y1))
    return final, bad


_RING = "#7b241c"  # the ring of a chip a licence notice reaches


def _draw_group(ax: Any, fig: Any, data: PlotData, group: Sequence[Any], size: float) -> None:
    """The markers of the chips at one spot, rings and highlights included."""
    from matplotlib.transforms import offset_copy

    split = len(group) == 2 and group[0].outcome != group[1].outcome
    offsets = [0.0, 0.0] if split else spread(len(group))
    for i, (p, dx) in enumerate(zip(group, offsets, strict=True)):
        marker = "o" if p.datacenter is not False else "D"
        where = offset_copy(ax.transData, fig=fig, x=dx, y=0, units="points")
        grow = 1.5 if p.highlighted else 1.0
        points = math.sqrt(size if marker == "o" else size * 0.8) * grow
        edge = {"mec": "#000000" if p.highlighted else "#1b1b1b",
                "mew": 1.8 if p.highlighted else 0.7}
        if split and i == 1:
            continue  # drawn as the right half of the first
        style: dict[str, Any] = {"marker": marker, "ls": "", "markersize": points,
                                 "mfc": data.colour(p.outcome), "zorder": 4, **edge}
        if split:
            style |= {"fillstyle": "left", "markerfacecoloralt": data.colour(group[1].outcome)}
        ax.plot([p.x], [p.y], transform=where, **style)
        if p.overlays:
            ax.plot([p.x], [p.y], transform=where, marker="o", ls="", mfc="none", mec=_RING,
                    mew=1.6, markersize=points + 6, zorder=3.9)


def _chip_labels(ax: Any, renderer: Any, data: PlotData, groups: Sequence[Sequence[Any]],
                 ax_box: Any, obstacles: list[Any], size: float) -> int:
    """Label every spot where there is room; returns how many could not be labelled."""
    unlabelled = 0
    order = sorted(groups, key=lambda g: -sum(len(p.chips) for p in g))
    for group in order:
        p = group[0]
        text = group_label(group)
        bold = any(q.highlighted for q in group)
        style = {"fontsize": size * (1.15 if bold else 1.0), "color": "#1b1b1b", "zorder": 5,
                 "fontweight": "bold" if bold else "normal",
                 "bbox": dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.75)}
        placed = _place(ax, renderer, (p.x, p.y), text, ax_box, obstacles, style,
                        (7, 16, 28, 42, 58))
        if placed[1] > 0 and not data.named and len(data.points) > 24:
            placed[0].remove()
            obstacles.pop()
            unlabelled += 1
    return unlabelled


def _box_label(ax: Any, renderer: Any, data: PlotData, b: Box, ax_box: Any,
               obstacles: list[Any]) -> None:
    colour = data.rule_colours.get(b.rule, "#7d6608")
    text = f"{b.rule} {b.clause}\n{metric_label(data.x)} {fmt_number(b.x0)}–" \
           f"{fmt_number(b.x1)}\n{metric_label(data.y)} {fmt_number(b.y0)}–{fmt_number(b.y1)}"
    style = {"fontsize": 7.5, "color": colour, "zorder": 5,
             "bbox": dict(boxstyle="round,pad=0.2", fc="white", ec=colour, lw=0.6, alpha=0.85)}
    above = [o for o in _OFFSETS if o[1] > 0] + [o for o in _OFFSETS if o[1] <= 0]
    _place(ax, renderer, (b.x0, b.y1), text, ax_box, obstacles, style, (14, 30, 50, 75),
           above)
