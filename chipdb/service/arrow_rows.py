"""Batch CSV rows assembled with pyarrow's string kernels: the bytes pyarrow's CSV writer would
write for a chunk's cells (quoting "needed"), at a fraction of its cost (service.batch_arrow
writes them; tests/service/test_batch_rows.py holds the two equal byte for byte).
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


def string_offsets(array: pa.Array) -> np.ndarray[Any, Any]:
    """A string array's offsets into its data buffer (``len + 1`` of them)."""
    return np.frombuffer(array.buffers()[1], dtype=np.int32, count=len(array) + 1,
                         offset=array.offset * 4)


def string_bytes(array: pa.Array) -> np.ndarray[Any, Any]:
    """A string array's data buffer as bytes (none: an array of empty cells has no buffer)."""
    data = array.buffers()[2]
    return np.zeros(0, np.uint8) if data is None else np.frombuffer(data, dtype=np.uint8)


def _texts(cells: Any, safe: bool) -> pa.Array:
    """Text cells made inert as ``render.csv.text_column`` makes them (checked in C++);
    ``safe``: cells already known to be plain numbers or yes/no words."""
    from chipdb.render.csv import text_column

    array = cells if isinstance(cells, pa.Array) else pa.array(list(cells), pa.string())
    if safe:
        return array
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
# The bytes are the writer's own: a string quoted with its quotes doubled, an empty or unknown
# word and an unknown number empty, a number as pyarrow casts it to text (what the writer calls).

_RUN_COMBOS = 1024  # distinct combinations past which a run of word cells is cut in two
_RUN_WORDS = 256  # a vocabulary past this (a sweep axis) is taken on its own, never merged
_JOIN_BYTES = 1 << 30  # bytes of one joined array (string offsets are 32-bit: 2 GiB at most)
# lines joined at a time (~700 kB), written and freed before the next: the allocator hands the
# same memory back, where a chunk's 10 MB came fresh from the kernel each time, and writing
# them to a file cost ~0.6 s more of system time at 1 M designs (4096 lines: ~0.4 s more)
_JOIN_ROWS = 1024


def _quoted(word: str) -> str:
    """A word as pyarrow's writer writes a string (quoting "needed": every one is quoted)."""
    return '"' + word.replace('"', '""') + '"'


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

    def array(self) -> pa.Array | str:
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
        return pc.take(pa.array(texts, pa.string()), pa.array(self.key))


class RowAssembler:
    """Chunks of cells as CSV lines, byte for byte what ``pcsv.write_csv`` (quoting "needed",
    no header) writes for the cells as pyarrow arrays (numbers as doubles, NaN null; a code
    -1 or an empty word null; text made inert by ``_texts``), as tests/service/
    test_batch_rows.py checks; the quoted words of a vocabulary are kept across chunks."""

    def __init__(self) -> None:
        self._words: dict[tuple[tuple[str, ...], str], tuple[list[str], pa.Array]] = {}

    def words(self, vocab: Sequence[str], sep: str) -> tuple[list[str], pa.Array]:
        """Each word as its cell and ``sep``, then the empty cell (code -1) and ``sep``."""
        key = (tuple(vocab), sep)
        got = self._words.get(key)
        if got is None:
            from chipdb.render.csv import text_cell

            cells = [(_quoted(text_cell(w)) if w else "") + sep for w in vocab] + [sep]
            got = self._words[key] = (cells, pa.array(cells, pa.string()))
        return got

    def lines(self, chunk: Sequence[Cells], n: int) -> Iterator[pa.Array]:
        """The chunk's lines, each ending in a newline, as string arrays of up to
        ``_JOIN_ROWS`` lines, each joined when the one before has been taken."""
        args: list[pa.Array | str] = []
        run = _Run(n)
        texts: list[pa.Array] = []  # consecutive echoed text columns, none with a null
        texts_sep = ","

        def cut() -> None:
            nonlocal run
            if run.parts:
                args.append(run.array())
            run = _Run(n)

        def cut_texts() -> None:
            # joined with '","' between them first: one argument, not two per column, in the
            # join of the row (whose cost is per argument and row)
            if texts:
                run.add_text('"')
                cut()
                args.append(texts[0] if len(texts) == 1 else
                            pc.binary_join_element_wise(*texts, '","'))
                run.add_text('"' + texts_sep)
                texts.clear()

        for j, cells in enumerate(chunk):
            sep = "\n" if j == len(chunk) - 1 else ","
            if cells.numbers is None and cells.codes is None:
                echoed = _quotable(cells.texts, cells.safe)
                if not echoed.null_count:
                    texts.append(echoed)
                    texts_sep = sep
                    continue
                cut_texts()  # quotes around a known cell only: null writes the empty cell
                cut()
                args.append(pc.binary_join_element_wise('"', echoed, '"', "",
                                                        null_handling="emit_null"))
                run.add_text(sep)
                continue
            cut_texts()
            if cells.numbers is not None:
                # an all-unknown column (most margins: no line binds) is empty cells, fixed
                # text; checked in numpy, a third of what making the Arrow array costs
                if n and not np.isnan(cells.numbers).all():
                    cut()
                    args.append(pc.cast(pa.array(cells.numbers, pa.float64(), from_pandas=True),
                                        pa.string()))
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
            return iter([pa.array(["".join(a for a in args if isinstance(a, str))] * n,
                                  pa.string())])
        size = sum(a.nbytes for a in arrays) + n * sum(len(a) for a in args if isinstance(a, str))
        pieces = max(1, math.ceil(size / _JOIN_BYTES))
        step = min(math.ceil(n / pieces), _JOIN_ROWS)  # rows per joined array
        return (pc.binary_join_element_wise(
            *(a if isinstance(a, str) else a.slice(start, step) for a in args), "",
            null_handling="replace", null_replacement="") for start in range(0, n, step))


def line_bytes(lines: pa.Array) -> memoryview:
    """The bytes of a string array's cells one after the other (the CSV text, no copy)."""
    offsets = string_offsets(lines)
    return memoryview(lines.buffers()[2])[int(offsets[0]):int(offsets[-1])]


def _quotable(cells: Any, safe: bool) -> pa.Array:
    """Echoed text cells (``_texts``), their quotes doubled: what goes between the quotes; an
    unknown cell (null) stays null, which writes the empty cell, unquoted, as the writer does."""
    array = cells if isinstance(cells, pa.Array) else pa.array(list(cells), pa.string())
    if array.type != pa.string():  # an empty list's array is of type null
        array = array.cast(pa.string())
    if safe or _plain(array):
        return array
    return pc.replace_substring(_texts(array, False), '"', '""')


def _plain(array: pa.Array) -> bool:
    """Whether no cell of a string array needs making inert (``_NEEDS_CARE``) or holds a quote:
    its bytes checked at once (a fifth of the cost of the regular expression)."""
    if not len(array):
        return True
    offsets = string_offsets(array)
    begin, end = int(offsets[0]), int(offsets[-1])
    if end == begin:
        return True
    data = string_bytes(array)[begin:end]
    # not printable ASCII (a control character, or any byte of a non-ASCII one), or a quote
    if ((data < 0x20) | (data > 0x7E) | (data == 0x22)).any():
        return False
    first = data[np.minimum(offsets[:-1] - begin, end - begin - 1)][offsets[1:] > offsets[:-1]]
    return not np.isin(first, _FORMULA_BYTES).any()  # a tab or return is caught above


_FORMULA_BYTES = np.frombuffer(b"=+-@", dtype=np.uint8)
