"""Batch CSV through pyarrow (the ``fast`` extra): the same chunks and cells, parsed and written
in C++ instead of row by row in Python.

Only imported when pyarrow is installed (``service.batch.fast_io``). Cells are read as text and
parsed here with the same rules as the standard-library path: a plain number is cast in bulk;
anything else (a unit, a typo) goes through ``units.parse_value`` one cell at a time, so the
values and the error lines are the same. Line numbers in errors count one line per design
after the header (pyarrow does not report physical lines; blank lines are skipped).
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO, TextIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from chipdb.errors import DataError
from chipdb.metricdefs import INPUT_KEYS
from chipdb.service.arrow_rows import RowAssembler, line_bytes, string_bytes, string_offsets
from chipdb.service.chunks import (
    Behind,
    Cells,
    Chunk,
    cell_value,
    check_header,
    check_texts,
    header_line,
    point_of,
    with_ranges,
)
from chipdb.units import TEXT_LIMIT, limit

_PLAIN = r"^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"
_BOOL_WORDS = pa.array(["true", "yes", "1", "y", "false", "no", "0", "n", ""])
_BOOL_VALUES = np.array([1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, np.nan])


def lean_pool() -> None:
    """Arrow's buffers from jemalloc (the system allocator where a build has none) instead of
    its default mimalloc, which keeps the pages of freed chunks: a million designs peak
    ~50 MiB lower for the same CPU (bench/run.py). Idempotent; this process only; a pool
    named in ARROW_DEFAULT_MEMORY_POOL is left as chosen."""
    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL") or \
            pa.default_memory_pool().backend_name != "mimalloc":
        return
    if "jemalloc" in pa.supported_memory_backends():
        pa.set_memory_pool(pa.jemalloc_memory_pool())
    else:
        pa.set_memory_pool(pa.system_memory_pool())


def read_arrow(source: Path | None, where: str, chunk_rows: int) -> Iterator[Chunk]:
    lean_pool()
    try:
        handle: BinaryIO = sys.stdin.buffer if source is None else source.open("rb")
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        raise DataError(f"{where}: cannot be read: {reason}") from None
    try:
        yield from _read(handle, where, chunk_rows)
    finally:
        if source is not None:
            handle.close()


def _read(handle: BinaryIO, where: str, chunk_rows: int) -> Iterator[Chunk]:
    raw_header = header_line(handle, where)
    header = check_header(where, raw_header)
    bad: list[Any] = []

    def invalid(row: Any) -> str:
        bad.append(row)
        return "error"

    try:
        reader = pcsv.open_csv(
            handle,
            # the streaming reader holds many blocks ahead: at 1 MB blocks that is ~70 MB,
            # at 128 kB ~15 MB (and ~0.05 s more per million designs)
            read_options=pcsv.ReadOptions(column_names=header, block_size=1 << 17,
                                          use_threads=False),  # row numbers in errors
            parse_options=pcsv.ParseOptions(invalid_row_handler=invalid),
            convert_options=pcsv.ConvertOptions(
                column_types={h: pa.string() for h in header}, strings_can_be_null=False),
        )
    except pa.ArrowInvalid as exc:
        if "Empty CSV" in str(exc):  # a header and nothing else
            yield _chunk(header, pa.table({h: pa.array([], pa.string()) for h in header}),
                         0, where)
            return
        raise _error(where, exc, bad, header) from None
    start = 0
    done_any = False
    pending: list[pa.Table] = []
    held = 0
    finished = False
    while not finished:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            finished = True
        except pa.ArrowInvalid as exc:
            raise _error(where, exc, bad, header) from None
        else:
            pending.append(pa.Table.from_batches([batch]))
            held += batch.num_rows
        # small blocks keep the reader's memory low; chunks are cut from what they gather,
        # and trimmed once per chunk (not per block)
        while held >= chunk_rows or (finished and held):
            table = pa.concat_tables(pending) if len(pending) > 1 else pending[0]
            size = min(chunk_rows, held)
            kept = _kept(table.slice(0, size), header)
            if kept.num_rows:
                yield _chunk(header, kept, start, where)
                done_any = True
                start += kept.num_rows
            rest = table.slice(size)
            pending, held = ([rest] if rest.num_rows else []), rest.num_rows
    if not done_any:
        yield _chunk(header, pa.table({h: pa.array([], pa.string()) for h in header}), 0, where)


def _kept(rows: pa.Table, header: Sequence[str]) -> pa.Table:
    """A chunk's cells trimmed once, less the lines of empty cells (the standard library
    skips those too)."""
    columns = [_trimmed(_single(rows.column(h))) for h in header]
    # a blank line has every cell empty: only the rows whose first cell is empty can be one
    blank = np.flatnonzero(_lengths(columns[0]) == 0) if columns else np.zeros(0, np.int64)
    for column in columns[1:]:
        if not len(blank):
            break
        blank = blank[_lengths(column)[blank] == 0]
    table = pa.table(dict(zip(header, columns, strict=True)))
    if len(blank):
        keep = np.ones(table.num_rows, dtype=bool)
        keep[blank] = False
        table = table.filter(pa.array(keep))
    return table


def _single(column: pa.ChunkedArray) -> pa.Array:
    """A column as one array (``combine_chunks`` copies even a column of one chunk)."""
    return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()


def _lengths(array: pa.Array) -> np.ndarray[Any, Any]:
    return np.diff(string_offsets(array))


def _trimmed(array: pa.Array) -> pa.Array:
    """The cells less the white space around them. Trimming copies every cell, so a column
    whose cells neither start nor end with a space, a control character or a non-ASCII
    character (perhaps Unicode white space) is kept as it is: their first and last bytes
    are looked at, in numpy."""
    if not len(array):
        return array
    offsets = string_offsets(array)
    data = string_bytes(array)
    used = data[offsets[0]:offsets[-1]]
    if not ((used <= 0x20) | (used >= 0x80)).any():  # a column of numbers: one pass, no gather
        return array
    starts, ends = offsets[:-1], offsets[1:]
    filled = ends > starts
    edges = np.concatenate([data[starts[filled]], data[ends[filled] - 1]])
    if ((edges <= 0x20) | (edges >= 0x80)).any():
        return pc.utf8_trim_whitespace(array)
    return array


def _error(where: str, exc: Exception, bad: Sequence[Any], header: Sequence[str]) -> DataError:
    if bad:
        row = bad[0]
        at = "a line" if row.number is None else f"line {row.number + 1}"
        return DataError(f"{where}: {at} has {row.actual_columns} fields, the header has "
                         f"{row.expected_columns}")
    message = str(exc)
    if "UTF8" in message:
        return DataError(f"{where}: is not UTF-8 text")
    return DataError(f"{where}: broken CSV: {message.splitlines()[0][:200]}")


def _chunk(header: Sequence[str], table: pa.Table, start: int, where: str) -> Chunk:
    n = table.num_rows
    raw: dict[str, Any] = {}
    inputs: dict[str, np.ndarray[Any, Any]] = {}
    safe: set[str] = set()
    factors: dict[str, tuple[list[str | None], np.ndarray[Any, Any]]] = {}
    names: Any = None
    for key in header:
        trimmed = _single(table[key]) if n else pa.array([], pa.string())
        if key == "name":
            names = trimmed
            continue
        raw[key] = trimmed  # echoed as given, less the spaces around it
        kind = INPUT_KEYS[key]
        if kind == "text":
            encoded = pc.dictionary_encode(trimmed)
            words = [w or None for w in encoded.dictionary.to_pylist()]  # empty: unknown
            index = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
            if (pc.max(pc.utf8_length(encoded.dictionary)).as_py() or 0) > TEXT_LIMIT:
                check_texts(key, [words[i] for i in index.tolist()],
                            range(start + 2, start + 2 + n), where)
            vocab = np.empty(len(words), dtype=object)
            vocab[:] = words
            inputs[key] = vocab[index]
            factors[key] = (words, index)
        elif kind == "bool":
            inputs[key] = _bools(key, trimmed, start, where)
            safe.add(key)  # every cell is one of the yes/no words
        else:
            ranges: dict[int, tuple[float, float]] = {}
            inputs[key], plain = _numbers(key, trimmed, start, where, ranges)
            with_ranges(inputs, key, n, ranges)
            if plain:
                safe.add(key)
    if names is None:
        names = pa.array([f"design {start + i + 1}" for i in range(n)], pa.string())
    return Chunk(start, n, names, raw, inputs, safe, factors)


def _numbers(key: str, cells: pa.Array, start: int, where: str,
             ranges: dict[int, tuple[float, float]]) -> tuple[np.ndarray[Any, Any], bool]:
    """The column's values, and whether every cell was a plain unsigned number (or empty)."""
    offsets = string_offsets(cells)
    empty = offsets[1:] == offsets[:-1]
    if empty.all():
        return np.full(len(cells), np.nan), True
    # the empty cells as nulls over the same bytes (a validity bitmap, no copy): the cast
    # skips them and they come out NaN, unknown
    data = cells.buffers()[2]
    known = pa.StringArray.from_buffers(len(cells), pa.py_buffer(offsets), data,
                                        pa.py_buffer(np.packbits(~empty, bitorder="little")))
    try:  # the common case: every cell a number, cast in one pass
        values: np.ndarray[Any, Any] = np.array(
            pc.cast(known, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)
        odd = (np.isnan(values) & ~empty) | ~(values < np.inf) & ~np.isnan(values)
        odd |= (values < 0) | (values > limit(key))
        first = string_bytes(cells)[offsets[:-1][~empty]]
        plain = not (first == ord("+")).any()
    except pa.ArrowInvalid:  # a unit or a typo somewhere: the plain cells in bulk, the rest alone
        matched = pc.match_substring_regex(cells, _PLAIN)
        values = pc.cast(pc.if_else(matched, cells, "nan"), pa.float64()).to_numpy().copy()
        odd = ~(matched.to_numpy(zero_copy_only=False) | empty) | np.isinf(values)
        plain = False
    for i in np.flatnonzero(odd).tolist():
        values[i] = point_of(cell_value(key, cells[i].as_py(), f"{where}: line {start + i + 2}"),
                             i, ranges)
        plain = False
    return values, plain


def _bools(key: str, cells: pa.Array, start: int, where: str) -> np.ndarray[Any, Any]:
    found = pc.index_in(pc.utf8_lower(cells), value_set=_BOOL_WORDS)
    index = found.to_numpy(zero_copy_only=False)
    index = np.where(np.isnan(index.astype(np.float64)), -1, index).astype(np.int64)
    values: np.ndarray[Any, Any] = _BOOL_VALUES[np.maximum(index, 0)]
    for i in np.flatnonzero(index < 0).tolist():
        values[i] = point_of(cell_value(key, cells[i].as_py(), f"{where}: line {start + i + 2}"),
                             i, None)
    return values


def write_arrow(columns: Iterator[list[Cells]], out: TextIO) -> int:
    """Every chunk as CSV: its lines assembled in a thread of their own (pyarrow's kernels let
    go of the GIL), so a chunk is assembled while the next is read and classified, and
    joined and written to ``out`` in another, so the kernel's copy of the last lines (a
    file's pages cost as much as assembling them) overlaps assembling the next."""
    from chipdb.render.csv import write_columns

    lean_pool()
    buffer = getattr(out, "buffer", None)
    rows = RowAssembler()

    def emit(item: str | Iterator[pa.Array]) -> None:
        if isinstance(item, str):  # the header, as text
            out.write(item)
            out.flush()
            return
        for lines in item:
            data = line_bytes(lines)
            if buffer is not None:
                buffer.write(data)
            else:
                out.write(bytes(data).decode("utf-8"))

    emitter = Behind(emit)

    def assemble(item: tuple[int, list[Cells]]) -> None:
        i, chunk = item
        if i == 0:  # the header as the standard-library path writes it
            header = io.StringIO()
            write_columns(header, [c.header for c in chunk], [])
            emitter.put(header.getvalue())
        # the lines' last step, one join per slice of rows, is taken by the writing thread
        emitter.put(rows.lines(chunk, _rows(chunk)))

    total = 0
    writer = Behind(assemble)
    try:
        for i, chunk in enumerate(columns):
            writer.put((i, chunk))
            total += _rows(chunk)
    finally:
        try:
            writer.close()  # the chunks before an error are written, as without the threads
        finally:
            emitter.close()
    return total


def _rows(chunk: list[Cells]) -> int:
    first = chunk[0] if chunk else None
    if first is None:
        return 0
    for arr in (first.numbers, first.codes, first.values):
        if arr is not None:
            return len(arr)
    return len(first.texts)


def write_parquet(columns: Iterator[list[Cells]], out: TextIO) -> int:
    """Every chunk as one row group of a Parquet file on ``out``'s binary stream: numbers as
    doubles (unknown is null), licence required as a boolean, every other cell as text (inputs
    as typed, as the CSV echoes them). Written in a thread of its own, as CSV is."""
    import pyarrow.parquet as pq

    lean_pool()
    buffer = getattr(out, "buffer", None)
    if buffer is None:
        raise DataError("Parquet is binary: this output takes text; write it to a file")
    holder: list[Any] = []

    def write(chunk: list[Cells]) -> None:
        table = pa.table({c.header: _typed(c) for c in chunk})
        if not holder:
            out.flush()
            holder.append(pq.ParquetWriter(buffer, table.schema, compression="zstd"))
        holder[0].write_table(table)

    total = 0
    writer = Behind(write)
    try:
        for chunk in columns:
            writer.put(chunk)
            total += _rows(chunk)
    finally:
        writer.close()
        if holder:
            holder[0].close()
    return total


def _typed(cells: Cells) -> pa.Array:
    if cells.numbers is not None:
        return pa.array(cells.numbers, pa.float64(), from_pandas=True)
    if cells.codes is not None and cells.boolean and cells.values is not None:
        values = cells.values.astype(np.float64)
        return pa.array(values == 1.0, pa.bool_(), mask=np.isnan(values))
    if cells.codes is not None:
        words = pa.array(list(cells.vocab) or [""], pa.string())
        blank = np.array([not w for w in cells.vocab] + [True], dtype=bool)
        return pc.take(words, pa.array(cells.codes, pa.int64(), mask=blank[cells.codes]))
    texts = cells.texts
    array = texts if isinstance(texts, pa.Array) else pa.array(list(texts), pa.string())
    return pc.if_else(pc.equal(array, ""), pa.scalar(None, pa.string()), array)  # unknown
