"""Batch CSV lines assembled by ``arrow_rows.RowAssembler``: byte for byte what the
standard-library path writes for the same cells, whatever they hold.

The reference is that path (``batch.stdlib_cells`` through ``csv.writer``, as
``render.csv.write_columns`` writes a later chunk): numbers spelled by ``number_column``, words
and echoed text made inert by ``text_cell``, a cell quoted only where it holds a comma, a quote
or a line break. So a batch's output does not depend on whether pyarrow is installed.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pytest

from chipdb.service.chunks import Cells

pa = pytest.importorskip("pyarrow")
pc = pytest.importorskip("pyarrow.compute")
arrow_rows = pytest.importorskip("chipdb.service.arrow_rows")

WORDS = ["not-controlled", "3A090.a", "", 'say "yes"', "=SUM(A1)", "-dash", "tab\there",
         "naïve", "line\nbreak", "a,b", "@home", "+plus"]
TEXTS = ["x", "", " padded ", '"quoted"', "=1+1", "-3", "@x", "\tlead", "ünï", "a,b",
         "new\nline", "\x07bell", "plain", "1.5", "Blue Silicon"]


def _reference(chunk: list[Cells]) -> bytes:
    from chipdb.render.csv import write_columns
    from chipdb.service.batch import stdlib_cells

    sink = io.StringIO()
    write_columns(sink, None, stdlib_cells(chunk))
    return sink.getvalue().encode()


def _assembled(chunk: list[Cells], n: int) -> bytes:
    lines = list(arrow_rows.RowAssembler().lines(chunk, n))
    written = b"".join(bytes(arrow_rows.line_bytes(piece)) for piece in lines)
    assert written == b"".join(s.encode() for piece in lines for s in piece.to_pylist())
    return written


def _chunk(rng: np.random.Generator, n: int) -> list[Cells]:
    out: list[Cells] = []
    for k in range(int(rng.integers(1, 14))):
        kind = rng.integers(0, 6)
        if kind == 0:  # numbers: known, unknown, odd
            pool = np.array([np.nan, 0.0, -0.0, 1.5, -4399.2, 1e-7, 123456789012.5, np.inf,
                             315.3333, 1e300, 409.6, 2.0, -np.inf, 1e16, 3e17, 1e-4, 9.99e-5,
                             1e10, 9999999999.5, 12345678901.5, -0.00012, 5e-324])
            numbers = pool[rng.integers(0, len(pool), n)]
            if rng.random() < 0.3:
                numbers = np.full(n, np.nan)
            out.append(Cells(f"n{k}", numbers=numbers))
        elif kind in (1, 2):  # words: few, some constant, some unknown
            vocab = [str(w) for w in rng.choice(WORDS, int(rng.integers(0, 5)), replace=False)]
            high = max(len(vocab), 1)
            codes = rng.integers(-1, high if rng.random() < 0.7 else 0, n).astype(np.int64)
            codes[codes >= len(vocab)] = -1
            out.append(Cells(f"w{k}", codes=codes, vocab=tuple(vocab)))
        elif kind == 3:  # a large vocabulary (a sweep axis)
            vocab = [str(v) for v in range(300)]
            out.append(Cells(f"a{k}", codes=rng.integers(0, 300, n).astype(np.int64),
                             vocab=vocab))
        elif kind == 4:  # echoed text, as read (an Arrow array, nulls possible) or a list
            texts: list[Any] = [str(t) for t in rng.choice(TEXTS, n)]
            if rng.random() < 0.3:
                texts = [t if rng.random() < 0.8 else None for t in texts]
            array = pa.array(texts, pa.string())
            out.append(Cells(f"t{k}", texts=array if rng.random() < 0.7 else
                             [t or "" for t in texts]))
        else:  # cells known to be plain numbers
            out.append(Cells(f"s{k}", texts=pa.array([f"{v:.1f}" for v in rng.random(n)]),
                             safe=True))
    return out


@pytest.mark.parametrize("seed", range(60))
def test_assembled_lines_are_the_standard_librarys_bytes(seed: int, monkeypatch: pytest.MonkeyPatch
                                               ) -> None:
    monkeypatch.setattr(arrow_rows, "_JOIN_ROWS", 64)  # lines joined a slice at a time
    rng = np.random.default_rng(seed)
    n = int(rng.choice([0, 1, 2, 7, 200]))
    chunk = _chunk(rng, n)
    assert _assembled(chunk, n) == (_reference(chunk) if n else b"")


def test_many_combinations_cut_a_run_of_words() -> None:
    rng = np.random.default_rng(1)
    n = 5000
    vocab = tuple(f"w{i}" for i in range(40))
    chunk = [Cells(f"c{k}", codes=rng.integers(0, 40, n).astype(np.int64), vocab=vocab)
             for k in range(6)]  # 40^6 combinations possible, thousands present
    assert _assembled(chunk, n) == _reference(chunk)


def test_every_cell_the_same() -> None:
    chunk = [Cells("a", codes=np.zeros(3, dtype=np.int64), vocab=("x",)),
             Cells("b", numbers=np.full(3, np.nan))]
    assert _assembled(chunk, 3) == _reference(chunk) == b"x,\n" * 3


def test_a_large_chunk_is_joined_in_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(arrow_rows, "_JOIN_BYTES", 100)  # string offsets are 32-bit
    rng = np.random.default_rng(2)
    chunk = [*_chunk(rng, 200), Cells("name", texts=pa.array([f"design {i}" for i in range(200)]))]
    assert len(list(arrow_rows.RowAssembler().lines(chunk, 200))) > 1
    assert _assembled(chunk, 200) == _reference(chunk)


def test_numbers_are_spelled_as_number_column_at_every_magnitude() -> None:
    from chipdb.render.csv import number_column

    rng = np.random.default_rng(5)
    values = np.concatenate([
        rng.normal(0, 1, 20000) * 10.0 ** rng.integers(-12, 25, 20000),
        np.round(rng.normal(0, 1000, 5000), 4),  # margins, as batch rounds them
        np.trunc(rng.normal(0, 1, 2000) * 10.0 ** rng.integers(0, 22, 2000)),  # integers
        [1e-4, np.nextafter(1e-4, 0), 1e10, np.nextafter(1e10, 0), -0.0, np.nan, np.inf]])
    spelled = arrow_rows.number_texts(values).to_pylist()
    assert [s or "" for s in spelled] == number_column(values.tolist())


def test_a_row_of_one_empty_cell_is_written_as_csv_writer_writes_it() -> None:
    for chunk in ([Cells("a", numbers=np.full(2, np.nan))],
                  [Cells("a", numbers=np.array([np.nan, 1.0]))]):
        assert _assembled(chunk, 2) == _reference(chunk)
    assert _reference([Cells("a", numbers=np.full(1, np.nan))]) == b'""\n'
