"""Batch what-if, streamed: designs read, classified and written chunk by chunk, memory flat in N.

A chunk (``CHUNK_ROWS`` designs) is parsed into canonical input columns, turned into metrics
(``metrics_from_inputs``), classified (``service.classify``) and written before the next is
read, so a million designs take the memory of one chunk. Each row is pure (a design's answer
never depends on its neighbours), so the output is the same for any chunk size.

Output columns, in order (``COLUMN_GROUPS``, one function per group; a new group, such as the
bottom line per destination, is one more function there):

* ``name``, then every input column echoed as given (a value with a unit stays as typed);
* the derived metrics a rule reads that the input did not give (``tpp``, ``tpp_precision``,
  ``performance_density``, ``bidirectional_io_gbps``, ``memory_bandwidth_gbps``);
* per rule in force: ``RULE`` (the outcome), ``RULE:clause`` (the clause or exclusion that
  decided; empty for the default), ``RULE:line`` (the binding line), ``RULE:margin`` and
  ``RULE:margin_pct`` (value - threshold of that line, absolute to 1e-6 and in % to 1e-4).

Reading and writing CSV use pyarrow when it is installed (``pip install 'chipdb[fast]'``), the
standard library otherwise: the same cells (pyarrow quotes every text cell and writes a float
in its own shortest form, so the bytes differ, not the values). JSON lines are written one
design per line; the document formats (table, json, markdown) collect every row first.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO, TextIO

import numpy as np

from chipdb.errors import DataError, UsageError
from chipdb.metricdefs import HIGH, INPUT_KEYS, LOW
from chipdb.service.chunks import (
    Cells,
    Chunk,
    ahead,
    check_header,
    check_texts,
    factorize,
    header_line,
    numbers,
    with_ranges,
)
from chipdb.service.classify import Classifier, RuleColumns
from chipdb.service.leaves import Factor

# rows per chunk: larger chunks spend less per row on the per-chunk work (a million designs
# 15 % faster than at 16 384), at ~1.5 kB a row of memory in flight (bench/run.py: peak RSS)
CHUNK_ROWS = 32_768
STREAMED = ("csv", "jsonl", "parquet")  # parquet: with pyarrow (the fast extra)
DERIVED = ("tpp", "tpp_precision", "performance_density", "bidirectional_io_gbps",
           "memory_bandwidth_gbps")
TEXT_DERIVED = frozenset({"tpp_precision"})


@dataclass
class Context:
    """What a column group reads for one chunk."""

    chunk: Chunk
    metrics: dict[str, np.ndarray[Any, Any]]
    classifier: Classifier
    ruled: dict[str, RuleColumns]
    with_names: bool = True
    to: Any = None  # batch_to.BottomLines with --to: the bottom line per destination


def echo_group(ctx: Context) -> list[Cells]:
    chunk = ctx.chunk
    out = [Cells("name", texts=chunk.names)] if ctx.with_names else []
    for key, cells in chunk.raw.items():
        boolean = INPUT_KEYS[key] == "bool"
        if isinstance(cells, tuple):  # a sweep axis: codes into its values' cells
            out.append(Cells(key, codes=cells[0], vocab=cells[1], values=chunk.inputs[key]))
        else:
            out.append(Cells(key, texts=cells, values=_json_values(chunk, key),
                             boolean=boolean, safe=key in chunk.safe))
    return out


def _json_values(chunk: Chunk, key: str) -> np.ndarray[Any, Any]:
    """What JSON carries for an input: the value, or [low, high] for a range."""
    values = chunk.inputs[key]
    low, high = chunk.inputs.get(key + LOW), chunk.inputs.get(key + HIGH)
    if low is None or high is None:
        return values
    out = values.astype(object)
    for i in np.flatnonzero(~np.isnan(low)).tolist():
        out[i] = [float(low[i]), float(high[i])]
    return out


def metric_group(ctx: Context) -> list[Cells]:
    out = []
    for key in DERIVED:
        if key in ctx.chunk.raw:
            continue  # a key set in the inputs wins: the echo already shows it
        col = ctx.metrics[key]
        if key in TEXT_DERIVED:
            vocab, codes = _factorize(col)
            out.append(Cells(key, codes=codes, vocab=vocab))
        else:
            out.append(Cells(key, numbers=col))
    return out


def rule_group(ctx: Context) -> list[Cells]:
    out = []
    for rule in ctx.classifier.in_force:
        lookup, got = ctx.classifier.lookups[rule.id], ctx.ruled[rule.id]
        # a margin is known only on a row with a binding line: with none (most rules, most
        # chunks) there is nothing to round
        bound = bool(len(got.line)) and int(got.line.max()) >= 0
        # the vocabularies as they are now: a writer thread reads them while the next chunk
        # may add words
        out += [Cells(rule.id, codes=got.outcome, vocab=tuple(lookup.outcomes)),
                Cells(f"{rule.id}:clause", codes=got.clause, vocab=tuple(lookup.clauses)),
                Cells(f"{rule.id}:line", codes=got.line, vocab=tuple(lookup.line_names)),
                # rounded past any figure a line is given to: the float noise of a
                # subtraction (409.5999999999999) goes, and the cells write faster
                Cells(f"{rule.id}:margin",
                      numbers=np.round(got.margin, 6) if bound else got.margin),
                Cells(f"{rule.id}:margin_pct",
                      numbers=np.round(got.margin_pct, 4) if bound else got.margin_pct)]
    return out


def bottom_line_group(ctx: Context) -> list[Cells]:
    if ctx.to is None:
        return []
    from chipdb.service.batch_to import to_group

    return to_group(ctx)


# The output's columns, group by group; a group is a function of one chunk's context.
COLUMN_GROUPS: list[Callable[[Context], list[Cells]]] = [echo_group, metric_group, rule_group,
                                                         bottom_line_group]


def _factorize(col: np.ndarray[Any, Any]) -> tuple[list[str], np.ndarray[Any, Any]]:
    """A column of a few words (None: unknown, code -1) as codes, in one pass."""
    words, codes = factorize(col)
    if None not in words:
        return [str(w) for w in words], codes
    gone = words.index(None)
    codes = np.where(codes == gone, -1, codes - (codes > gone))
    return [str(w) for w in words if w is not None], codes


def classify_chunks(chunks: Iterator[Chunk], rules: Sequence[Any], as_of: date,
                    with_names: bool = True, to: Any = None) -> Iterator[list[Cells]]:
    """Each chunk's output columns, in order (a sweep's points have no name column)."""
    classifier = Classifier(rules, as_of)
    for chunk in chunks:
        metrics, factors = prepared(chunk)
        ctx = Context(chunk, metrics, classifier,
                      classifier.classify(metrics, chunk.n, factors), with_names, to)
        columns = [cells for group in COLUMN_GROUPS for cells in group(ctx)]
        # what the columns do not hold (the metrics, the unrounded margins) goes now, not
        # when the next chunk has been classified beside it
        del ctx, metrics, factors, chunk
        yield columns
        del columns


def prepared(chunk: Chunk) -> tuple[dict[str, np.ndarray[Any, Any]], dict[str, Factor]]:
    """The chunk's metrics (``metrics_from_inputs``) and its text metrics as codes into a few
    words, each word's metric by the one definition of it; worked out once, and kept on the
    chunk, so the reading thread can do it while the previous chunk is classified."""
    if chunk.metrics is None or chunk.metric_factors is None:
        from chipdb.metrics import metrics_from_inputs

        metrics = metrics_from_inputs(chunk.inputs, chunk.n)
        factors: dict[str, Factor] = {}
        for key, (words, index) in chunk.factors.items():
            if key in metrics:
                vocab = np.empty(len(words), dtype=object)
                vocab[:] = words
                worded = metrics_from_inputs({key: vocab}, len(words))[key]
                factors[key] = (worded.tolist(), index)
        chunk.metrics, chunk.metric_factors = metrics, factors
    return chunk.metrics, chunk.metric_factors


def _with_metrics(chunks: Iterator[Chunk]) -> Iterator[Chunk]:
    for chunk in chunks:
        prepared(chunk)
        yield chunk


# --- reading ---------------------------------------------------------------------------------


def fast_io() -> bool:
    """Whether pyarrow is there to read and write CSV (CHIPDB_BATCH_IO=stdlib turns it off)."""
    if os.environ.get("CHIPDB_BATCH_IO") == "stdlib":
        return False
    try:
        import pyarrow.csv  # noqa: F401
    except ImportError:
        return False
    return True


def read_chunks(source: Path | None, chunk_rows: int = CHUNK_ROWS,
                fast: bool | None = None) -> Iterator[Chunk]:
    """Designs from a CSV file (None: standard input), ``chunk_rows`` at a time."""
    where = "-" if source is None else str(source)
    if fast if fast is not None else fast_io():
        from chipdb.service.batch_arrow import read_arrow

        # parsing, and working out the metrics, overlap classifying the chunk before
        yield from ahead(_with_metrics(read_arrow(source, where, chunk_rows)))
        return
    try:
        binary: BinaryIO = sys.stdin.buffer if source is None else source.open("rb")
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        raise DataError(f"{where}: cannot be read: {reason}") from None
    first = header_line(binary, where)  # bounded: /dev/zero is refused, not read forever
    handle = io.TextIOWrapper(binary, encoding="utf-8", newline="")
    with handle if source is not None else contextlib.nullcontext(handle):
        try:
            yield from _read_stdlib(first, handle, where, chunk_rows)
        except UnicodeDecodeError:
            raise DataError(f"{where}: is not UTF-8 text") from None
        except csv.Error as exc:
            raise DataError(f"{where}: broken CSV: {exc}") from None


def _read_stdlib(first: list[str], handle: TextIO, where: str, chunk_rows: int
                 ) -> Iterator[Chunk]:
    reader = csv.reader(handle)
    header = check_header(where, first)
    rows: list[tuple[int, list[str]]] = []
    start = 0
    for line_no, fields in enumerate(reader, start=2):
        if not fields or all(not c.strip() for c in fields):
            continue
        if len(fields) != len(header):
            raise DataError(f"{where}: line {line_no} has {len(fields)} fields, the header "
                            f"has {len(header)}")
        rows.append((line_no, fields))
        if len(rows) == chunk_rows:
            yield _stdlib_chunk(header, rows, start, where)
            start += len(rows)
            rows = []
    if rows or not start:  # a header alone still gives the header
        yield _stdlib_chunk(header, rows, start, where)


def _stdlib_chunk(header: list[str], rows: list[tuple[int, list[str]]], start: int,
                  where: str) -> Chunk:
    n = len(rows)
    cells = list(zip(*(f for _, f in rows), strict=True)) if rows else [()] * len(header)
    lines = [line for line, _ in rows]
    raw: dict[str, Any] = {}
    inputs: dict[str, np.ndarray[Any, Any]] = {}
    factors: dict[str, tuple[list[str | None], np.ndarray[Any, Any]]] = {}
    names: Sequence[str] = [f"design {start + i + 1}" for i in range(n)]
    for j, key in enumerate(header):
        column = list(cells[j])
        if key == "name":
            names = [c.strip() for c in column]
            continue
        raw[key] = column
        kind = INPUT_KEYS[key]
        if kind == "text":
            texts = [c.strip() or None for c in column]
            check_texts(key, texts, lines, where)
            inputs[key] = np.array(texts, dtype=object)
            factors[key] = factorize(texts)
        else:
            ranges: dict[int, tuple[float, float]] = {}
            inputs[key] = np.array(numbers(key, kind, column, lines, where, ranges),
                                   dtype=np.float64)
            with_ranges(inputs, key, n, ranges)
    return Chunk(start, n, names, raw, inputs, factors=factors)


# --- writing ---------------------------------------------------------------------------------


def write_stream(columns: Iterator[list[Cells]], fmt: str, out: TextIO,
                 fast: bool | None = None) -> int:
    """Write every chunk's columns as CSV or JSON lines; the number of designs written."""
    if fmt == "jsonl":
        return _write_jsonl(columns, out)
    if fmt == "parquet":
        from chipdb.service.batch_arrow import write_parquet

        return write_parquet(columns, out)
    if fast if fast is not None else fast_io():
        from chipdb.service.batch_arrow import write_arrow

        return write_arrow(columns, out)
    from chipdb.render.csv import write_columns

    total = 0
    for i, chunk in enumerate(columns):
        cells = stdlib_cells(chunk)
        write_columns(out, [c.header for c in chunk] if i == 0 else None, cells)
        total += len(cells[0]) if cells else 0
    return total


def stdlib_cells(chunk: Sequence[Cells]) -> list[list[str]]:
    """A chunk's columns as the CSV cells ``render.csv.write_columns`` writes: the reference
    the pyarrow path (``arrow_rows.RowAssembler``) matches byte for byte."""
    from chipdb.render.csv import number_column, text_cell, text_column

    cells: list[list[str]] = []
    for c in chunk:
        if c.numbers is not None:
            cells.append(number_column(c.numbers.tolist()))
        elif c.codes is not None:
            words = [text_cell(w) for w in c.vocab] + [""]  # code -1: the empty cell
            cells.append([words[k] for k in c.codes.tolist()])
        else:  # an Arrow array (the pyarrow reader's) or a list
            cells.append(text_column(c.texts.to_pylist() if hasattr(c.texts, "to_pylist")
                                     else c.texts))
    return cells


def json_rows(chunk: list[Cells]) -> Iterator[dict[str, Any]]:
    """One chunk's rows as JSON-ready records (numbers as numbers, unknown as null)."""
    lists: list[list[Any]] = []
    for c in chunk:
        if c.numbers is not None:
            lists.append([None if math.isnan(v) else v for v in c.numbers.tolist()])
        elif c.values is not None:
            lists.append([None if isinstance(v, float) and math.isnan(v) else
                          (v == 1.0 if c.boolean else v) for v in c.values.tolist()])
        elif c.codes is not None:
            words: list[Any] = [*(w or None for w in c.vocab), None]
            lists.append([words[k] for k in c.codes.tolist()])
        else:
            texts = c.texts.to_pylist() if hasattr(c.texts, "to_pylist") else list(c.texts)
            lists.append(texts)
    headers = [c.header for c in chunk]
    for row in zip(*lists, strict=True):
        yield dict(zip(headers, row, strict=True))


def _write_jsonl(columns: Iterator[list[Cells]], out: TextIO) -> int:
    from chipdb.safetext import json_safe

    total = 0
    for chunk in columns:
        lines = [json.dumps(r, ensure_ascii=False, allow_nan=False) for r in json_rows(chunk)]
        if lines:
            out.write(json_safe("\n".join(lines)) + "\n")
        total += len(lines)
    return total


def run_batch(source: Path | None, rules: Sequence[Any], as_of: date, fmt: str, out: TextIO,
              chunk_rows: int = CHUNK_ROWS, fast: bool | None = None, to: Any = None) -> int:
    """Classify one design per CSV row (``source`` None: standard input); write one row per
    design. CSV and JSON lines stream; the other formats collect the rows first. ``to``
    (``batch_to.bottom_lines``) adds the bottom line per destination."""
    from chipdb.render import FORMATS, write

    if fmt not in (*FORMATS, *STREAMED):
        raise UsageError(f"unknown format '{fmt}': use one of "
                         f"{', '.join(dict.fromkeys([*FORMATS, *STREAMED]))}")
    from chipdb.service.batch_gate import shaped

    check_parquet(fmt, out)
    chunks = read_chunks(source, chunk_rows, fast)
    columns = shaped(classify_chunks(chunks, rules, as_of, to=to), rules, fmt in STREAMED)
    if fmt in STREAMED:
        written: list[int] = []
        write(lambda stream: written.append(write_stream(columns, fmt, stream, fast)), out)
        return written[0] if written else 0
    return render_document(columns, as_of, fmt, out, "designs")


def check_parquet(fmt: str, out: TextIO) -> None:
    """Parquet needs pyarrow, and a file or a pipe (it is binary): one line otherwise."""
    if fmt != "parquet":
        return
    try:
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise UsageError("-f parquet needs pyarrow: pip install 'chipdb[fast]'") from None
    if out.isatty():
        raise UsageError("Parquet is binary: redirect it to a file (> designs.parquet)")


def render_document(columns: Iterator[list[Cells]], as_of: date, fmt: str, out: TextIO,
                    what: str) -> int:
    """Table, JSON or Markdown: every row collected, then one document."""
    from chipdb.render import Document, Section, render
    from chipdb.render.output import current, running

    rows: list[dict[str, Any]] = []
    headers: list[str] = []
    for chunk in columns:
        headers = [c.header for c in chunk]
        rows.extend(json_rows(chunk))
    # a terminal or a page shows the outcomes (and, with --to, whether a licence is needed);
    # the clause, line and margins are in csv and json
    shown = headers if fmt == "json" else [h for h in headers if ":" not in h
                                           or h.endswith(":license_required")]
    doc = Document([Section(f"{len(rows)} {what} as of {as_of}", shown, rows)],
                   payload={"as_of": as_of.isoformat(), "designs": rows})
    run = current()
    # the columns were gated on the way in (service.batch_gate), as a stream is: the record
    # walk of render would read every rule's column, a measure not enforced too
    with running(replace(run, fail_on=None)) if run is not None else contextlib.nullcontext():
        render(doc, fmt, out)
    return len(rows)
