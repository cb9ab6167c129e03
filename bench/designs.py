"""Candidate designs for `chipdb what-if --batch`: a deterministic CSV of N rows.

    python bench/designs.py 100000 > designs.csv

The rows look like a designer's sweep: datacenter and consumer parts, throughput given either
as TPP or as dense FP8/BF16 rates, die areas from small to reticle-sized, a few unknown cells
(left empty) and a few values written with units ("1.2TB/s"), so the batch path exercises its
number parsing as well as the engine. The same ``seed`` always gives the same file.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from pathlib import Path
from typing import TextIO

COLUMNS = (
    "name", "tpp", "fp8_dense_tops", "bf16_dense_tops", "die_area_mm2", "datacenter",
    "memory_bandwidth_gbps", "memory_capacity_gb", "bidirectional_io_gbps",
    "transistors_billion", "logic_node_nm", "non_planar", "vendor",
)
VENDORS = ("Acme", "Blue Silicon", "Cobalt AI", "Dune Labs", "Ember")


def _maybe(rng: random.Random, value: str, blank: float = 0.03) -> str:
    """A cell left empty (unknown) now and then."""
    return "" if rng.random() < blank else value


def design_row(rng: random.Random, i: int) -> list[str]:
    area = rng.uniform(80.0, 850.0)
    datacenter = rng.random() < 0.7
    # Dense FP8 rate from a plausible performance density (TPP per mm²) on that die.
    density = rng.uniform(0.5, 9.0)
    tpp = density * area
    fp8 = tpp / 8.0  # TPP = 2 x MacTOPS x bit length: dense TOPS x 8 for FP8
    style = rng.random()
    tpp_cell = f"{tpp:.1f}" if style < 0.4 else ""
    fp8_cell = f"{fp8:.1f}" if style >= 0.4 else ""
    bf16_cell = f"{tpp / 16.0:.1f}" if style >= 0.7 else ""
    bandwidth = rng.uniform(200.0, 8000.0)
    bw_cell = f"{bandwidth / 1000:.2f}TB/s" if rng.random() < 0.01 else f"{bandwidth:.0f}"
    io = rng.choice((0.0, 64.0, 400.0, 600.0, 900.0, 1800.0))
    return [
        f"design-{i:06d}",
        tpp_cell,
        fp8_cell,
        bf16_cell,
        _maybe(rng, f"{area:.1f}"),
        _maybe(rng, "true" if datacenter else "false"),
        _maybe(rng, bw_cell),
        f"{rng.choice((16, 24, 48, 80, 96, 141, 192, 288))}",
        _maybe(rng, f"{io:.0f}"),
        f"{rng.uniform(10.0, 210.0):.1f}",
        f"{rng.choice((3, 4, 5, 6, 7, 12, 16))}",
        _maybe(rng, "true" if rng.random() < 0.95 else "false"),
        rng.choice(VENDORS),
    ]


def write_designs(out: TextIO, rows: int, seed: int = 8) -> None:
    rng = random.Random(seed)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for i in range(rows):
        writer.writerow(design_row(rng, i))


def write_file(path: Path, rows: int, seed: int = 8) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        write_designs(handle, rows, seed)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int, help="how many designs")
    parser.add_argument("--seed", type=int, default=8, help="random seed (default 8)")
    parser.add_argument("-o", "--out", type=Path, help="file to write (default: stdout)")
    args = parser.parse_args(argv)
    if args.out is None:
        write_designs(sys.stdout, args.rows, args.seed)
    else:
        write_file(args.out, args.rows, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
