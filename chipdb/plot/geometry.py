"""Geometry both renderers share: the cells the lines cut, blocks of one outcome, boundaries,
tick values, point labels and letters."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from typing import Any

Grid = Sequence[Sequence[str]]  # outcome[i][j] for x-cell i, y-cell j (Regions.outcome)

def cell_points(edges: Sequence[float]) -> list[float]:
    """A representative value inside each cell the edges cut the axis into."""
    if not edges:
        return [1.0]
    pts = [edges[0] / 2]
    pts += [math.sqrt(a * b) for a, b in itertools.pairwise(edges)]
    pts.append(edges[-1] * 2)
    return pts


def cell_bounds(edges: Sequence[float], lo: float, hi: float) -> list[tuple[float, float]]:
    bounds = [lo, *edges, hi]
    return [(max(a, lo), min(b, hi)) for a, b in itertools.pairwise(bounds)]


def rectangles(grid: Grid, xb: Sequence[tuple[float, float]],
               yb: Sequence[tuple[float, float]]) -> dict[str, list[tuple[int, int, int, int]]]:
    """For each outcome, the blocks of cells that hold only it, largest (log area) first."""
    nx, ny = len(xb), len(yb)

    def size(b: tuple[float, float]) -> float:
        return max(math.log(b[1]) - math.log(b[0]), 0.0)

    found: dict[str, list[tuple[float, tuple[int, int, int, int]]]] = {}
    for i0 in range(nx):
        for i1 in range(i0, nx):
            for j0 in range(ny):
                for j1 in range(j0, ny):
                    o = grid[i0][j0]
                    if any(grid[i][j] != o
                           for i in range(i0, i1 + 1) for j in range(j0, j1 + 1)):
                        continue
                    area = (sum(size(xb[i]) for i in range(i0, i1 + 1))
                            * sum(size(yb[j]) for j in range(j0, j1 + 1)))
                    if area > 0:
                        found.setdefault(o, []).append((area, (i0, i1, j0, j1)))
    return {o: [rect for _, rect in sorted(items, key=lambda t: -t[0])]
            for o, items in found.items()}


def boundaries(grid: Grid, xb: Sequence[tuple[float, float]],
               yb: Sequence[tuple[float, float]]) -> list[tuple[float, float, float, float]]:
    """Segments (x0, y0, x1, y1) where neighbouring cells differ in outcome."""
    segs = []
    for i in range(len(xb) - 1):
        for j in range(len(yb)):
            if grid[i][j] != grid[i + 1][j]:
                segs.append((xb[i][1], yb[j][0], xb[i][1], yb[j][1]))
    for i in range(len(xb)):
        for j in range(len(yb) - 1):
            if grid[i][j] != grid[i][j + 1]:
                segs.append((xb[i][0], yb[j][1], xb[i][1], yb[j][1]))
    return segs


def point_label(chips: Sequence[str], width: int = 34) -> str:
    """Chip names packed into lines of about ``width`` characters, never split."""
    lines: list[str] = []
    for name in chips:
        if lines and len(lines[-1]) + 3 + len(name) <= width:
            lines[-1] += f" / {name}"
        else:
            lines.append(name)
    return "\n".join(lines)


def letters() -> Iterator[str]:
    yield from "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    yield from "abcdefghijklmnopqrstuvwxyz"
    yield from "0123456789"
    while True:
        yield "*"


def ticks(lo: float, hi: float, lines: Sequence[float]) -> list[float]:
    """The lines first, then decades and 2/5 steps inside the range."""
    out = [v for v in lines if lo <= v <= hi]
    e = math.floor(math.log10(lo))
    while 10 ** e <= hi:
        for m in (1, 2, 5):
            v = m * 10.0 ** e
            if lo <= v <= hi:
                out.append(v)
        e += 1
    return out



def colocated(points: Sequence[Any]) -> list[list[Any]]:
    """Points grouped by position, in first-seen order: chips with the same two values but
    different verdicts (A800 and A100 on the 2022 map) are one group, drawn so that every
    verdict shows."""
    groups: dict[tuple[float, float], list[Any]] = {}
    for p in points:
        groups.setdefault((round(math.log10(p.x), 6), round(math.log10(p.y), 6)), []).append(p)
    return list(groups.values())


def group_label(group: Sequence[Any]) -> str:
    """One label for a group: the names, and each verdict when they differ (so the reader
    can tell which half of a split marker is whose)."""
    if len(group) == 1:
        return point_label(group[0].chips)
    return "\n".join(f"{point_label(p.chips)}: {p.outcome}" for p in group)


def spread(count: int, step: float = 7.0) -> list[float]:
    """Horizontal offsets (points) for ``count`` markers at one spot, centred on it."""
    return [(i - (count - 1) / 2) * step for i in range(count)]
