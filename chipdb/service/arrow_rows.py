"""Batch CSV rows assembled with pyarrow's string kernels: the bytes the standard-library path
writes for a chunk's cells (``service.batch.stdlib_cells`` through ``csv.writer``: a cell quoted
only when it holds a comma, a quote or a line break), at a fraction of its cost
(service.batch_arrow writes them; tests/service/test_batch_rows.py holds the two equal byte
for byte), so a batch's output is the same with pyarrow installed or not.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from chipdb.service.chunks import Cells

# a cell the standard library's text_column would change: a formula start, or not plain ASCII
_NEEDS_CARE = r"^[=+\-@\t\r]|[^ -~]"
# a cell csv.writer quotes (QUOTE_MINIMAL) holds one of these: the delimiter, the quote or a
# line break; as a regular expression for Arrow and as byte flags for numpy
_QUOTED_CHARS = ',"\r\n'
_NEEDS_QUOTES = "[" + _QUOTED_CHARS + "]"
_QUOTED_BYTES = np.zeros(256, dtype=bool)
_QUOTED_BYTES[np.frombuffer(_QUOTED_CHARS.encode(), dtype=np.uint8)] = True
# the magnitudes at which pyarrow's float-to-text cast and number_column (Python's repr, a whole
# number as an integer) spell a number alike (whole numbers included); outside them one says
# 1e-05 or 12345678901.5 where the other says 0.00001 or 1.23456789015e+10, so those few cells
# are spelled by number_column
_CAST_LOW, _CAST_HIGH = 1e-4, 1e10


def string_offsets(array: pa.Array) -> np.ndarray[Any, Any]:
    """A string array's offsets into its data buffer (``len + 1`` of them)."""
    return np.frombuffer(array.buffers()[1], dtype=np.int32, count=len(array) + 1,
                         offset=array.offset * 4)


def string_bytes(array: pa.Array) -> np.ndarray[Any, Any]:
    """A string array's data buffer as bytes (none: an array of empty cells has no buffer)."""
    data = array.buffers()[2]
    return np.zeros(0, np.uint8) if data is None else np.frombuffer(data, dtype=np.uint8)


def _inert(array: pa.Array) -> pa.Array:
    """Text cells made inert as ``render.csv.text_column`` makes them (checked in C++)."""
    from chipdb.render.csv import text_column

    if len(array) and pc.any(pc.match_substring_regex(array, _NEEDS_CARE)).as_py():
        return pa.array(text_column(array.to_pylist()), pa.string())
    return array


# --- CSV rows, assembled -----------------------------------------------------------------------
#
# pyarrow's CSV writer costs ~40 ns a cell here (a cast or take per column, then quoting and
# copying every cell), and a batch row is ~100 cells, most of them words of a small vocabulary
# (a rule's outcome, clause and line) or empty (a margin no line gives). So rows are assembled
# instead: a run of cells that are words (and empty cells) is one *compound* column, whose few
# distinct combinations in the chunk are joined once in Python; every row is then one
# ``binary_join_element_wise`` over ~30 arguments (compounds, echoed texts, numbers) in C++.
# The bytes are csv.writer's (the standard-library path's): a cell quoted, its quotes doubled,
# only where it holds a comma, a quote or a line break; an empty or unknown word and an unknown
# number empty; a number as number_column spells it (``number_texts``).

_RUN_COMBOS = 1024  # distinct combinations past which a run of word cells is cut in two
_RUN_WORDS = 256  # a vocabulary past this (a sweep axis) is taken on its own, never merged
_JOIN_BYTES = 1 << 30  # bytes of one joined array (string offsets are 32-bit: 2 GiB at most)
# lines joined at a time (~700 kB), written and freed before the next: the allocator hands the
# same memory back, where a chunk's 10 MB came fresh from the kernel each time, and writing
# them to a file cost ~0.6 s more of system time at 1 M designs (4096 lines: ~0.4 s more)
_JOIN_ROWS = 1024


def _field(word: str) -> str:
    """A word as csv.writer writes it: quoted, its quotes doubled, only when it needs to be."""
    if any(ch in word for ch in _QUOTED_CHARS):
        return '"' + word.replace('"', '""') + '"'
    return word


def number_texts(values: np.ndarray[Any, Any]) -> pa.Array:
    """A float column as ``render.csv.number_column`` spells it (NaN: null, the empty cell),
    cast in C++ where the cast spells it alike and by number_column for the rest."""
    values = np.where(values == 0, 0.0, values)  # -0.0 is written 0, as int(-0.0) is
    texts = pc.cast(pa.array(values, pa.float64(), from_pandas=True), pa.string())
    size = np.abs(values)
    with np.errstate(invalid="ignore"):
        odd = ~((size >= _CAST_LOW) & (size < _CAST_HIGH)) & (values != 0) & ~np.isnan(values)
    if not odd.any():
        return texts
    from chipdb.render.csv import number_column

    return pc.replace_with_mask(texts, pa.array(odd),
                                pa.array(number_column(values[odd].tolist()), pa.string()))


class _Run:
    """Consecutive cells drawn from few words, as one compound column: each row's key into
    the distinct combinations of the chunk so far (``combos``: their codes, a column per
    varying cell), with the separators and fixed words between as text."""

    def __init__(self, n: int) -> None:
        self.key = np.zeros(n, dtype=np.int64)
        self.combos = np.zeros((1, 0), dtype=np.int64)
        self.parts: list[str | list[str]] = []  # fixed text, or a varying cell's words

    def add_text(self, text: str) -> None:
        if self.parts and isinstance(self.parts[-1], str):
            self.parts[-1] += text
        else:
            self.parts.append(text)

    def merged(self, codes: np.ndarray[Any, Any], words: list[str]) -> _Run | None:
        """This run with one more varying cell, or None past ``_RUN_COMBOS`` combinations."""
        size = len(words)
        key = self.key * size + codes
        # only the combinations that occur are kept, so the key space stays small
        present = np.zeros(len(self.combos) * size, dtype=bool)
        present[key] = True
        ids = np.flatnonzero(present)
        if len(ids) > _RUN_COMBOS and self.combos.shape[1]:
            return None
        run = _Run(0)
        run.key = (np.cumsum(present) - 1)[key]
        run.combos = np.column_stack([self.combos[ids // size], ids % size])
        run.parts = [*self.parts, words]
        return run

    def varying(self) -> bool:
        return self.combos.shape[1] > 0

    def array(self) -> _Taken | str:
        """Each row's text of the run (the run's text when no cell varies)."""
        if not self.varying():
            return "".join(p for p in self.parts if isinstance(p, str))
        texts = np.full(len(self.combos), "", dtype=object)
        column = 0
        for part in self.parts:
            if isinstance(part, str):
                texts = texts + part  # elementwise, in C
            else:
                words = np.array(part, dtype=object)
                texts = texts + words[self.combos[:, column]]
                column += 1
        return _Taken(pa.array(texts, pa.string()), pa.array(self.key))


class _Taken:
    """A run's texts, one per combination, and each row's combination: taken a slice of rows
    at a time as the lines are joined, so a chunk's run texts (most of its bytes) are never
    all there at once."""

    def __init__(self, texts: pa.Array, key: pa.Array) -> None:
        self.texts, self.key = texts, key
        # at most the longest text on every row: the bound the join's 32-bit offsets are sized by
        self.nbytes = int(np.diff(string_offsets(texts)).max()) * len(key) if len(texts) else 0

    def slice(self, start: int, length: int) -> pa.Array:
        return pc.take(self.texts, self.key.slice(start, length))


class RowAssembler:
    """Chunks of cells as CSV lines, byte for byte what the standard-library path writes
    (``service.batch.stdlib_cells`` and ``csv.writer``, no header), as tests/service/
    test_batch_rows.py checks; the written words of a vocabulary are kept across chunks."""

    def __init__(self) -> None:
        self._words: dict[tuple[tuple[str, ...], str], tuple[list[str], pa.Array]] = {}

    def words(self, vocab: Sequence[str], sep: str) -> tuple[list[str], pa.Array]:
        """Each word as its cell and ``sep``, then the empty cell (code -1) and ``sep``."""
        key = (tuple(vocab), sep)
        got = self._words.get(key)
        if got is None:
            from chipdb.render.csv import text_cell

            cells = [_field(text_cell(w)) + sep for w in vocab] + [sep]
            got = self._words[key] = (cells, pa.array(cells, pa.string()))
        return got

    def lines(self, chunk: Sequence[Cells], n: int) -> Iterator[pa.Array]:
        """The chunk's lines, each ending in a newline, as string arrays of up to
        ``_JOIN_ROWS`` lines, each joined when the one before has been taken."""
        args: list[pa.Array | _Taken | str] = []
        run = _Run(n)
        texts: list[pa.Array] = []  # consecutive echoed text columns (null: the empty cell)
        texts_sep = ","

        def cut() -> None:
            nonlocal run
            if run.parts:
                args.append(run.array())
            run = _Run(n)

        def cut_texts() -> None:
            # joined with ',' between them first: one argument, not one per column, in the
            # join of the row (whose cost is per argument and row)
            if texts:
                cut()
                args.append(texts[0] if len(texts) == 1 else pc.binary_join_element_wise(
                    *texts, ",", null_handling="replace", null_replacement=""))
                run.add_text(texts_sep)
                texts.clear()

        for j, cells in enumerate(chunk):
            sep = "\n" if j == len(chunk) - 1 else ","
            if cells.numbers is None and cells.codes is None:
                texts.append(_fields(cells.texts, cells.safe))
                texts_sep = sep
                continue
            cut_texts()
            if cells.numbers is not None:
                # an all-unknown column (most margins: no line binds) is empty cells, fixed
                # text; checked in numpy, a third of what making the Arrow array costs
                if n and not np.isnan(cells.numbers).all():
                    cut()
                    args.append(number_texts(cells.numbers))
                run.add_text(sep)
            elif cells.codes is not None:
                words, array = self.words(cells.vocab, sep)
                low, high = (int(cells.codes.min()), int(cells.codes.max())) if n else (-1, -1)
                if low == high:  # the same word on every row: fixed text
                    run.add_text(words[low] if n else "")
                    continue
                codes = np.where(cells.codes < 0, len(words) - 1, cells.codes) if low < 0 \
                    else cells.codes
                if len(words) > _RUN_WORDS:
                    cut()
                    args.append(pc.take(array, pa.array(codes)))
                else:
                    merged = run.merged(codes, words)
                    if merged is None:
                        cut()
                        merged = run.merged(codes, words)
                    assert merged is not None
                    run = merged
        cut_texts()
        cut()
        if not n:
            return iter(())
        arrays = [a for a in args if not isinstance(a, str)]
        if not arrays:  # every cell the same on every row
            line = "".join(a for a in args if isinstance(a, str))
            if len(chunk) == 1 and line == "\n":  # csv.writer's one empty field
                line = '""\n'
            return iter([pa.array([line] * n, pa.string())])
        size = sum(a.nbytes for a in arrays) + n * sum(len(a) for a in args if isinstance(a, str))
        pieces = max(1, math.ceil(size / _JOIN_BYTES))
        step = min(math.ceil(n / pieces), _JOIN_ROWS)  # rows per joined array
        joined = (pc.binary_join_element_wise(
            *(a if isinstance(a, str) else a.slice(start, step) for a in args), "",
            null_handling="replace", null_replacement="") for start in range(0, n, step))
        if len(chunk) == 1:  # csv.writer writes a row of one empty field as "" (not a blank)
            return (pc.if_else(pc.equal(lines, "\n"), '""\n', lines) for lines in joined)
        return joined


def line_bytes(lines: pa.Array) -> memoryview:
    """The bytes of a string array's cells one after the other (the CSV text, no copy)."""
    offsets = string_offsets(lines)
    return memoryview(lines.buffers()[2])[int(offsets[0]):int(offsets[-1])]


def _fields(cells: Any, safe: bool) -> pa.Array:
    """Echoed text cells as csv.writer writes them: made inert (``_inert``), and quoted, their
    quotes doubled, where they hold a comma, a quote or a line break; an unknown cell (null)
    stays null, which writes the empty cell."""
    array = cells if isinstance(cells, pa.Array) else pa.array(list(cells), pa.string())
    if array.type != pa.string():  # an empty list's array is of type null
        array = array.cast(pa.string())
    if not safe and not _plain(array):
        array = _inert(array)
    if safe or not _any_byte(array, _QUOTED_BYTES):
        return array
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(array, '"', '""'), '"', "")
    return pc.if_else(pc.match_substring_regex(array, _NEEDS_QUOTES), quoted, array)


def _any_byte(array: pa.Array, wanted: np.ndarray[Any, Any]) -> bool:
    """Whether any cell of a string array holds a byte ``wanted`` (256 flags) marks."""
    offsets = string_offsets(array)
    if not len(array) or offsets[-1] == offsets[0]:
        return False
    return bool(wanted[string_bytes(array)[int(offsets[0]):int(offsets[-1])]].any())


def _plain(array: pa.Array) -> bool:
    """Whether no cell of a string array needs making inert (``_NEEDS_CARE``): its bytes
    checked at once (a fifth of the cost of the regular expression)."""
    if not len(array):
        return True
    offsets = string_offsets(array)
    begin, end = int(offsets[0]), int(offsets[-1])
    if end == begin:
        return True
    data = string_bytes(array)[begin:end]
    # not printable ASCII (a control character, or any byte of a non-ASCII one)
    if ((data < 0x20) | (data > 0x7E)).any():
        return False
    first = data[np.minimum(offsets[:-1] - begin, end - begin - 1)][offsets[1:] > offsets[:-1]]
    return not np.isin(first, _FORMULA_BYTES).any()  # a tab or return is caught above


_FORMULA_BYTES = np.frombuffer(b"=+-@", dtype=np.uint8)
