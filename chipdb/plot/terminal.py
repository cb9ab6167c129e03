"""The threshold map as text: box-drawing lines, region labels, points as letters, a legend."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import TextIO

from chipdb.plot.data import PlotData, metric_label
from chipdb.plot.geometry import boundaries, cell_bounds, letters, rectangles, ticks
from chipdb.units import fmt_number

_JUNCTIONS = {
    (True, True, True, True): "┼", (True, True, False, True): "├",
    (True, True, True, False): "┤", (False, True, True, True): "┬",
    (True, False, True, True): "┴", (False, True, False, True): "┌",
    (False, True, True, False): "┐", (True, False, False, True): "└",
    (True, False, True, False): "┘", (True, True, False, False): "│",
    (False, False, True, True): "─", (True, False, False, False): "│",
    (False, True, False, False): "│", (False, False, True, False): "─",
    (False, False, False, True): "─",
}


class _Canvas:
    def __init__(self, width: int, height: int, xlim: tuple[float, float],
                 ylim: tuple[float, float]) -> None:
        self.w, self.h = width, height
        self.xlim, self.ylim = xlim, ylim
        self.chars = [[" "] * width for _ in range(height)]
        self.vert = [[False] * width for _ in range(height)]
        self.horiz = [[False] * width for _ in range(height)]

    def col(self, v: float) -> int:
        lo, hi = self.xlim
        f = (math.log(v) - math.log(lo)) / (math.log(hi) - math.log(lo))
        return min(max(round(f * (self.w - 1)), 0), self.w - 1)

    def row(self, v: float) -> int:
        lo, hi = self.ylim
        f = (math.log(v) - math.log(lo)) / (math.log(hi) - math.log(lo))
        return min(max(self.h - 1 - round(f * (self.h - 1)), 0), self.h - 1)

    def vline(self, x: float, y0: float, y1: float) -> None:
        c = self.col(x)
        r0, r1 = sorted((self.row(y0), self.row(y1)))
        for r in range(r0, r1 + 1):
            self.vert[r][c] = True

    def hline(self, y: float, x0: float, x1: float) -> None:
        r = self.row(y)
        c0, c1 = sorted((self.col(x0), self.col(x1)))
        for c in range(c0, c1 + 1):
            self.horiz[r][c] = True

    def strokes(self) -> None:
        for r in range(self.h):
            for c in range(self.w):
                if not (self.vert[r][c] or self.horiz[r][c]):
                    continue
                up = r > 0 and self.vert[r - 1][c] and self.vert[r][c]
                down = r < self.h - 1 and self.vert[r + 1][c] and self.vert[r][c]
                left = c > 0 and self.horiz[r][c - 1] and self.horiz[r][c]
                right = c < self.w - 1 and self.horiz[r][c + 1] and self.horiz[r][c]
                if self.vert[r][c] and not (up or down):
                    up = down = True
                if self.horiz[r][c] and not (left or right):
                    left = right = True
                self.chars[r][c] = _JUNCTIONS.get((up, down, left, right), "┼")

    def free(self, r: int, c: int, text: str) -> bool:
        return (0 <= r < self.h and c >= 0 and c + len(text) <= self.w
                and all(self.chars[r][c + k] == " " for k in range(len(text))))

    def put(self, r: int, c: int, text: str) -> None:
        for k, ch in enumerate(text):
            if 0 <= c + k < self.w:
                self.chars[r][c + k] = ch



def terminal(data: PlotData, out: TextIO, width: int = 100, height: int = 30) -> None:
    """The map as text: box-drawing lines, region labels, points as letters and a legend."""
    gutter = 9
    w, h = width - gutter - 1, height - 4
    xlim, ylim = data.limits("x"), data.limits("y")
    cv = _Canvas(w, h, xlim, ylim)

    if data.regions is not None:
        xb = cell_bounds(data.regions.xs, *xlim)
        yb = cell_bounds(data.regions.ys, *ylim)
        for x0, y0, x1, y1 in boundaries(data.regions.outcome, xb, yb):
            if x0 == x1:
                cv.vline(x0, y0, y1)
            else:
                cv.hline(y0, x0, x1)
    else:
        for ln in data.lines:
            if ln.axis == "x":
                cv.vline(ln.value, *ylim)
            else:
                cv.hline(ln.value, *xlim)
    for b in data.boxes:
        cv.vline(b.x0, b.y0, b.y1)
        cv.vline(b.x1, b.y0, b.y1)
        cv.hline(b.y0, b.x0, b.x1)
        cv.hline(b.y1, b.x0, b.x1)
    cv.strokes()

    # points first (they must show), then region labels in the space left
    labels = letters()
    legend = []
    taken: dict[tuple[int, int], str] = {}
    xedges = [ln.value for ln in data.lines if ln.axis == "x"]
    yedges = [ln.value for ln in data.lines if ln.axis == "y"]
    for b in data.boxes:
        xedges += [b.x0, b.x1]
        yedges += [b.y0, b.y1]
    for p in sorted(data.points, key=lambda p: (-p.y, p.x)):
        letter = next(labels)
        r, c = cv.row(p.y), cv.col(p.x)
        # a point on the row or column of a line goes to the side of the line it is on
        for v in yedges:
            if cv.row(v) == r and p.y != v:
                r = min(max(r + (1 if p.y < v else -1), 0), h - 1)
        for v in xedges:
            if cv.col(v) == c and p.x != v:
                c = min(max(c + (-1 if p.x < v else 1), 0), w - 1)
        for dc in (0, 1, -1, 2, -2):
            if (r, c + dc) not in taken and 0 <= c + dc < w:
                c += dc
                break
        taken[(r, c)] = letter
        cv.put(r, c, letter)
        legend.append((letter, p))
    unlabelled: list[str] = []
    if data.regions is not None:
        xb = cell_bounds(data.regions.xs, *xlim)
        yb = cell_bounds(data.regions.ys, *ylim)
        for o, rects in rectangles(data.regions.outcome, xb, yb).items():
            text = data.regions.labels[o]
            for i0, i1, j0, j1 in rects[:12]:
                c0, c1 = cv.col(xb[i0][0]) + 1, cv.col(xb[i1][1]) - 1
                r0, r1 = cv.row(yb[j1][1]) + 1, cv.row(yb[j0][0]) - 1
                spots = [((r0 + r1) // 2 + dr, (c0 + c1 - len(text)) // 2)
                         for dr in (0, -1, 1, -2, 2, -3, 3)]
                spots += [(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)]
                spot = next(((r, c) for r, c in spots
                             if r0 <= r <= r1 and c >= c0 and c + len(text) - 1 <= c1
                             and cv.free(r, c, text)), None)
                if spot is not None:
                    cv.put(*spot, text)
                    break
            else:
                unlabelled.append(text)
    for i, b in enumerate(data.boxes, 1):
        tag = f"[{i}]"
        r, c = cv.row(b.y1) - 1, cv.col(b.x0)
        for rr, cc in ((r, c), (r, c - len(tag)), (r + 2, cv.col(b.x1) + 1), (r - 1, c)):
            if cv.free(rr, cc, tag):
                cv.put(rr, cc, tag)
                break

    out.write(data.heading + "\n")
    for line in data.lead:
        out.write(_fill(line, width) + "\n")
    for line in data.caption()[:2]:
        out.write(_fill(line, width) + "\n")
    out.write(f"{'↑ ' + metric_label(data.y):<{gutter}}\n")

    ylabels: dict[int, str] = {}
    for v in ticks(*ylim, [ln.value for ln in data.lines if ln.axis == "y"]):
        r = cv.row(v)
        if r not in ylabels and all(abs(r - k) > 0 for k in ylabels):
            ylabels[r] = fmt_number(v)
    line_rows = {cv.row(ln.value) for ln in data.lines if ln.axis == "y"}
    for r in range(h):
        tick = "┤" if r in ylabels else "│"
        label = ylabels.get(r, "")
        if r in line_rows:
            label = "▸" + label if len(label) < gutter - 1 else label
        out.write(f"{label:>{gutter - 1}} {tick}" + "".join(cv.chars[r]).rstrip() + "\n")

    axis = ["─"] * w
    xlabel_row = [" "] * w
    occupied: list[tuple[int, int]] = []
    for v in ticks(*xlim, [ln.value for ln in data.lines if ln.axis == "x"]):
        c = cv.col(v)
        text = fmt_number(v)
        start = max(min(c - len(text) // 2, w - len(text)), 0)
        if any(start <= b + 1 and a <= start + len(text) for a, b in occupied):
            continue
        axis[c] = "┬"
        occupied.append((start, start + len(text) - 1))
        for k, ch in enumerate(text):
            xlabel_row[start + k] = ch
    out.write(" " * (gutter - 1) + " └" + "".join(axis) + "\n")
    out.write(" " * (gutter + 1) + "".join(xlabel_row).rstrip() + "\n")
    title = metric_label(data.x) + " →"
    out.write(" " * (gutter + 1 + max((w - len(title)) // 2, 0)) + title + "\n")

    out.write("\n")
    for letter, p in legend:
        kind = "" if p.datacenter is not False else ", not datacenter"
        kind += "".join(f"; licence required by {r}" for r in p.overlays)
        kind += " [highlighted]" if p.highlighted else ""
        words = [f"{c}," for c in p.chips[:-1]] + [f"{p.chips[-1]}: {p.outcome}{kind}",
                                                   f"({metric_label(data.x)}",
                                                   f"{fmt_number(p.x)},",
                                                   metric_label(data.y),
                                                   f"{fmt_number(p.y)})"]
        out.write(_wrap(f"  {letter}  ", words, width) + "\n")
    if data.regions is None:
        for ln in data.lines:
            metric = data.x if ln.axis == "x" else data.y
            mark = "│" if ln.axis == "x" else "─"
            extra = " (decides only with another metric)" if ln.partial else ""
            out.write(f"  {mark}  {ln.label(metric)}{extra}\n")
    for i, b in enumerate(data.boxes, 1):
        out.write(f"  [{i}] {b.label(data.x, data.y)}\n")
    if unlabelled:
        out.write(f"  Regions too small to label here: {', '.join(unlabelled)}.\n")
    for note in data.caption()[2:]:
        out.write(_fill(note, width) + "\n")


def _fill(text: str, width: int) -> str:
    return textwrap.fill(text, width, subsequent_indent="  ", break_on_hyphens=False)


def _wrap(head: str, words: Sequence[str], width: int) -> str:
    """Words (chip names kept whole) after ``head``, wrapped under it at ``width``."""
    lines = [head]
    for word in words:
        if len(lines[-1]) > len(head) and len(lines[-1]) + 1 + len(word) > width:
            lines.append(" " * len(head) + word)
        else:
            lines[-1] += ("" if len(lines[-1]) == len(head) else " ") + word
    return "\n".join(lines)

