"""What a batch chunk is, in and out, and the cell parsing both CSV readers share.

A ``Chunk`` is designs as read (cells as typed, canonical values); ``Cells`` is one output
column of a chunk (numbers, text cells, or codes into a vocabulary), what every writer takes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import numpy as np

from chipdb.errors import DataError, UsageError
from chipdb.metricdefs import INPUT_KEYS
from chipdb.units import TEXT_LIMIT, limit, parse_value

_BOOL_CELLS = {"true": 1.0, "yes": 1.0, "1": 1.0, "y": 1.0,
               "false": 0.0, "no": 0.0, "0": 0.0, "n": 0.0}


@dataclass
class Chunk:
    """Designs ``start`` .. ``start + n - 1``: their cells as given and as canonical values."""

    start: int
    n: int
    names: Sequence[str]
    raw: dict[str, Any]  # key -> the cells as typed (list of str, or a pyarrow array)
    inputs: dict[str, np.ndarray[Any, Any]]  # key -> canonical values (NaN/None unknown)
    safe: set[str] = field(default_factory=set)  # keys whose cells need no making inert


@dataclass
class Cells:
    """One output column of a chunk: numbers, ready text, or codes into a vocabulary."""

    header: str
    numbers: np.ndarray[Any, Any] | None = None
    texts: Any = None  # cells as typed: list of str, or a pyarrow array
    values: np.ndarray[Any, Any] | None = None  # what JSON carries for ``texts``
    codes: np.ndarray[Any, Any] | None = None
    vocab: Sequence[str] = field(default_factory=list)
    boolean: bool = False  # ``values`` are 1.0/0.0: JSON says true/false
    safe: bool = False  # ``texts`` are known inert (plain numbers, yes/no words)


HEADER_LIMIT = 1 << 20  # bytes: a header of design keys is a few hundred


def header_line(handle: BinaryIO, where: str) -> list[str]:
    """The header's fields, read with a bound (an endless device is one error, not a hang)."""
    import csv

    first = handle.readline(HEADER_LIMIT)
    if len(first) >= HEADER_LIMIT and not first.endswith(b"\n"):
        raise DataError(f"{where}: its first line is longer than 1 MB: not a CSV of designs")
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError(f"{where}: is not UTF-8 text") from None
    if not text.strip():
        raise DataError(f"{where}: is empty; expected a header of design keys")
    if "\x00" in text:
        raise DataError(f"{where}: holds NUL bytes: not a CSV of designs")
    return next(csv.reader([text]))


def check_header(where: str, header: Sequence[str]) -> list[str]:
    header = [h.strip() for h in header]
    unknown = [h for h in header if h != "name" and h not in INPUT_KEYS]
    if unknown:
        raise DataError(f"{where}: unknown column '{unknown[0]}'; columns are 'name' and the "
                        "keys of `chipdb what-if --set`")
    if len(set(header)) != len(header):
        raise DataError(f"{where}: a column appears twice in the header")
    return header


def numbers(key: str, kind: str, column: Sequence[str], lines: Sequence[int],
            where: str) -> list[float]:
    """One CSV column in canonical units: plain numbers fast, the rest through parse_value."""
    out: list[float] = []
    append = out.append
    bools = _BOOL_CELLS if kind == "bool" else None
    most = limit(key)
    for i, raw in enumerate(column):
        cell = raw.strip()
        if not cell:
            append(math.nan)
            continue
        if bools is not None:
            hit = bools.get(cell.casefold())
            if hit is not None:
                append(hit)
                continue
            append(cell_value(key, cell, f"{where}: line {lines[i]}"))  # one clear error
            continue
        try:
            v = float(cell)
        except ValueError:
            v = -1.0  # not a plain number: parse_value decides (a unit, or a clear error)
        if not 0.0 <= v <= most:  # NaN, infinities, negatives and implausible sizes too
            append(cell_value(key, cell, f"{where}: line {lines[i]}"))
            continue
        append(v)
    return out


def check_texts(key: str, column: Sequence[str | None], lines: Sequence[int], where: str) -> None:
    """Text cells as ``--set`` takes them (1 to TEXT_LIMIT characters): one error line else."""
    for i, cell in enumerate(column):
        if cell is not None and len(cell) > TEXT_LIMIT:
            cell_value(key, cell, f"{where}: line {lines[i]}")


def cell_value(key: str, cell: str, where: str) -> float:
    """A cell that is not a plain number: a unit, or one clear error line."""
    try:
        return float(parse_value(key, cell, where))
    except UsageError as exc:
        raise DataError(exc.message) from None
