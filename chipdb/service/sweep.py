"""Sweep: a grid of designs over ``--vary`` axes on top of a base, streamed, with filters.

Point ``i`` of the grid is ``i`` written in mixed radix over the axes (the last axis varies
fastest), so a chunk of points is built column-wise from ``arange`` without ever holding the
grid. Each chunk is classified and written exactly as a batch chunk (``service.batch``); the
echoed inputs are the varied keys. ``--where`` keeps the rows where a small expression over the
output columns holds: comparisons ``COLUMN OP VALUE`` (``>= <= == != > <``) joined by ``and``
/ ``or`` (``and`` binds first). A value is a number or a word; nothing is evaluated as Python.
``--only OUTCOME`` keeps rows where any rule in force (or ``RULE=OUTCOME``: that rule) gives it.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TextIO

import numpy as np

from chipdb.errors import UsageError
from chipdb.service.batch import CHUNK_ROWS, STREAMED, check_parquet, classify_chunks
from chipdb.service.chunks import Cells, Chunk

_OPS: dict[str, Callable[[Any, Any], Any]] = {
    ">=": operator.ge, "<=": operator.le, "==": operator.eq, "!=": operator.ne,
    ">": operator.gt, "<": operator.lt,
}
_TEST = re.compile(r"^\s*([A-Za-z0-9_.:\-]+?)\s*(>=|<=|==|!=|>|<|=)\s*(\S+)\s*$")


@dataclass(frozen=True)
class Test:
    column: str
    op: str
    value: float | str


def parse_where(text: str) -> list[list[Test]]:
    """``a>=1 and b==x or c<2`` as a disjunction of conjunctions; one line per mistake."""
    alternatives: list[list[Test]] = []
    for alternative in re.split(r"\s+or\s+", text.strip()):
        tests = []
        for part in re.split(r"\s+and\s+", alternative):
            m = _TEST.match(part)
            if not m:
                raise UsageError(f"--where: '{part}' is not COLUMN OP VALUE (ops: "
                                 f"{' '.join(_OPS)}), joined by and / or")
            column, op, raw = m.groups()
            op = "==" if op == "=" else op
            try:
                value: float | str = float(raw)
            except ValueError:
                value = raw
            if isinstance(value, str) and op not in ("==", "!="):
                raise UsageError(f"--where: '{part}': a word compares with == or != only")
            tests.append(Test(column, op, value))
        alternatives.append(tests)
    return alternatives


def _mask(chunk: list[Cells], where: list[list[Test]], only: str | None,
          rules: Sequence[str]) -> np.ndarray[Any, Any] | None:
    by_name = {c.header: c for c in chunk}
    n = _length(chunk[0]) if chunk else 0
    keep: np.ndarray[Any, Any] | None = None
    if where:
        keep = np.zeros(n, dtype=bool)
        for alternative in where:
            holds = np.ones(n, dtype=bool)
            for test in alternative:
                holds &= _holds(by_name, test, n)
            keep |= holds
    if only is not None:
        rule, sep, word = only.partition("=")
        chosen = [rule] if sep else list(rules)
        word = word if sep else only
        if sep and rule not in rules:
            raise UsageError(f"--only: '{rule}' is not a rule in force; use one of "
                             f"{', '.join(rules)}")
        hit = np.zeros(n, dtype=bool)
        for rid in chosen:
            hit |= _holds(by_name, Test(rid, "==", word), n)
        keep = hit if keep is None else keep & hit
    return keep


def _holds(by_name: Mapping[str, Cells], test: Test, n: int) -> np.ndarray[Any, Any]:
    cells = by_name.get(test.column)
    if cells is None:
        raise UsageError(f"--where: no column '{test.column}'; columns: "
                         f"{', '.join(by_name)}")
    compare = _OPS[test.op]
    numbers = cells.numbers if cells.numbers is not None else cells.values
    if isinstance(test.value, float):
        if numbers is None or numbers.dtype == object:
            raise UsageError(f"--where: {test.column} holds words, not numbers")
        with np.errstate(invalid="ignore"):
            result: np.ndarray[Any, Any] = compare(numbers, test.value) & ~np.isnan(numbers)
        return result
    if cells.codes is None:
        raise UsageError(f"--where: {test.column} holds numbers; compare it with a number")
    words = np.array([compare(w, test.value) for w in cells.vocab] + [False], dtype=bool)
    picked: np.ndarray[Any, Any] = words[cells.codes]
    return picked


def _length(cells: Cells) -> int:
    for arr in (cells.numbers, cells.codes, cells.values):
        if arr is not None:
            return len(arr)
    return len(cells.texts)


def _filter(chunk: list[Cells], keep: np.ndarray[Any, Any]) -> list[Cells]:
    out = []
    for c in chunk:
        texts = c.texts
        if texts is not None:
            texts = (texts.filter(keep) if hasattr(texts, "filter")
                     else [t for t, k in zip(texts, keep.tolist(), strict=True) if k])
        out.append(Cells(c.header, None if c.numbers is None else c.numbers[keep], texts,
                         None if c.values is None else c.values[keep],
                         None if c.codes is None else c.codes[keep], c.vocab, c.boolean,
                         c.safe))
    return out


def grid_chunks(base: Mapping[str, Any], axes: Sequence[tuple[str, list[float]]],
                chunk_rows: int = CHUNK_ROWS) -> Iterator[Chunk]:
    """The grid's points as batch chunks: base values broadcast, axes decoded from the index."""
    from chipdb.metricdefs import INPUT_KEYS
    from chipdb.render.csv import number_column

    sizes = [len(values) for _, values in axes]
    total = math.prod(sizes)
    axis_values = [np.asarray(values, dtype=np.float64) for _, values in axes]
    axis_cells = [number_column(values) for _, values in axes]
    fixed = {k: v for k, v in base.items() if k not in dict(axes)}
    for start in range(0, max(total, 1), chunk_rows):
        n = min(chunk_rows, total - start)
        index = np.arange(start, start + n, dtype=np.int64)
        inputs: dict[str, np.ndarray[Any, Any]] = {}
        factors: dict[str, tuple[list[str | None], np.ndarray[Any, Any]]] = {}
        for key, value in fixed.items():
            if INPUT_KEYS.get(key) == "text":
                inputs[key] = np.full(n, value, dtype=object)
                factors[key] = ([value], np.zeros(n, dtype=np.int64))
            else:
                number = math.nan if value is None else float(value)
                inputs[key] = np.full(n, number, dtype=np.float64)
        raw: dict[str, Any] = {}
        codes_by_key: dict[str, np.ndarray[Any, Any]] = {}
        for (key, _), size, values, cells in zip(reversed(axes), reversed(sizes),
                                                reversed(axis_values), reversed(axis_cells),
                                                strict=True):
            codes = index % size
            index = index // size
            inputs[key] = values[codes]
            codes_by_key[key] = codes
            raw[key] = (codes, cells)
        ordered = {key: raw[key] for key, _ in axes}
        yield Chunk(start, n, [], ordered, inputs, factors=factors)


def run_sweep(base: Mapping[str, Any], axes: Sequence[tuple[str, list[float]]],
              rules: Sequence[Any], as_of: date, fmt: str, out: TextIO,
              where: str | None = None, only: str | None = None,
              chunk_rows: int = CHUNK_ROWS, fast: bool | None = None, to: Any = None) -> int:
    """Classify every grid point and write those the filters keep; how many were written
    (``to``: ``batch_to.bottom_lines``, the bottom line per destination)."""
    from chipdb.render import write
    from chipdb.service.batch import render_document, write_stream
    from chipdb.service.batch_gate import shaped

    check_parquet(fmt, out)
    tests = parse_where(where) if where else []
    columns = classify_chunks(grid_chunks(base, axes, chunk_rows), rules, as_of,
                              with_names=False, to=to)
    in_force = [r.id for r in rules if r.in_force(as_of)]

    def filtered() -> Iterator[list[Cells]]:
        for chunk in columns:
            keep = _mask(chunk, tests, only, in_force)
            yield chunk if keep is None else _filter(chunk, keep)

    kept = shaped(filtered(), rules, fmt in STREAMED)  # --fail-on reads the rows written
    if fmt in STREAMED:
        written: list[int] = []
        write(lambda stream: written.append(write_stream(kept, fmt, stream, fast)), out)
        return written[0] if written else 0
    return render_document(kept, as_of, fmt, out, "grid points")
