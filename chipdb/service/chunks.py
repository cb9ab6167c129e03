"""What a batch chunk is, in and out, and the cell parsing both CSV readers share.

A ``Chunk`` is designs as read (cells as typed, canonical values); ``Cells`` is one output
column of a chunk (numbers, text cells, or codes into a vocabulary), what every writer takes.
``ahead`` runs a producer of chunks in a thread of its own, so that reading (pyarrow's parser,
which lets go of the GIL) overlaps classifying and writing.
"""

from __future__ import annotations

import contextlib
import math
import queue
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar

import numpy as np

from chipdb.errors import DataError, UsageError
from chipdb.metricdefs import INPUT_KEYS
from chipdb.units import TEXT_LIMIT, limit, parse_value

if TYPE_CHECKING:
    from chipdb.service.leaves import Factor

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
    # text keys as (distinct values, each row's index into them): a few words, not n strings
    factors: dict[str, tuple[list[str | None], np.ndarray[Any, Any]]] = field(
        default_factory=dict)
    # the engine's metrics of the rows and their text metrics as codes (service.batch.prepared),
    # worked out where the chunk is read when that is in a thread of its own
    metrics: dict[str, np.ndarray[Any, Any]] | None = None
    metric_factors: dict[str, Factor] | None = None


_PEELED = 32  # distinct words found by whole-column comparisons before a per-row pass


def factorize(values: Sequence[str | None] | np.ndarray[Any, Any]
              ) -> tuple[list[str | None], np.ndarray[Any, Any]]:
    """A text column as its distinct values (first seen first) and each row's index.

    A batch column holds a few words (a precision, a vendor): each is found with one
    comparison over the whole column, in C, rather than one dictionary step per row; past
    ``_PEELED`` distinct words the rows left are indexed one by one."""
    column = values if isinstance(values, np.ndarray) else np.array(values, dtype=object)
    n = len(column)
    codes = np.full(n, -1, dtype=np.int64)
    words: list[str | None] = []
    left = np.arange(n)
    while len(left) and len(words) < _PEELED:
        word = column[left[0]]
        same = column[left] == word  # elementwise on an object array, None too
        codes[left[same]] = len(words)
        words.append(word)
        left = left[~same]
    if len(left):
        index = {w: i for i, w in enumerate(words)}
        codes[left] = np.fromiter((index.setdefault(v, len(index)) for v in column[left]),
                                  dtype=np.int64, count=len(left))
        words = list(index)
    return words, codes


T = TypeVar("T")
_DONE = object()


def ahead(items: Iterator[T], depth: int = 1) -> Iterator[T]:
    """``items``, produced up to ``depth`` ahead in a thread; an error the producer raises is
    raised here, after the items before it, as it would be without the thread."""
    slots: queue.Queue[Any] = queue.Queue(depth)
    taken = threading.Semaphore(0)  # released by the consumer for every item it takes
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        slots.put((item, None), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                # the next item is made only once this one is taken: the consumer's item
                # and one ready, never a third (a chunk is megabytes)
                del item
                while not stop.is_set() and not taken.acquire(timeout=0.1):
                    pass
                if stop.is_set():
                    return
            slots.put((_DONE, None))
        except BaseException as exc:  # handed over to the consumer, raised there
            slots.put((_DONE, exc))

    worker = threading.Thread(target=produce, name="chipdb-read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            item, error = slots.get()
            if item is _DONE:
                if error is not None:
                    raise error
                return
            taken.release()
            yield item
            del item  # the consumer's reference only: not one more chunk held here
    finally:
        # the producer sees the stop at its next item (a full queue frees it within 0.1 s);
        # it is not waited for: it may be blocked reading a terminal, and it is a daemon
        stop.set()
        with contextlib.suppress(queue.Empty):
            while True:
                slots.get_nowait()


class Behind:
    """``work(item)`` for every item ``put``, in order, in a thread of its own (writing a chunk
    while the next is classified). ``close`` waits for the last; an error ``work`` raised is
    raised by the next ``put`` or by ``close``."""

    def __init__(self, work: Any, depth: int = 1) -> None:
        self._work = work
        self._slots: queue.Queue[Any] = queue.Queue(depth)
        self._error: BaseException | None = None
        self._taken = threading.Semaphore(0)
        self._worker = threading.Thread(target=self._run, name="chipdb-write-behind",
                                        daemon=True)
        self._worker.start()

    def _run(self) -> None:
        while True:
            item = self._slots.get()
            self._taken.release()
            if item is _DONE:
                return
            if self._error is None:  # after an error, drain: a put never waits for ever
                try:
                    self._work(item)
                except BaseException as exc:
                    self._error = exc
            del item  # not held while the next is awaited

    def put(self, item: Any) -> None:
        """Hand ``item`` over; back once the worker has taken it (so the caller's next item
        and the one being worked on are all there is, never one more waiting between)."""
        if self._error is not None:
            raise self._error
        self._slots.put(item)
        self._taken.acquire()

    def close(self) -> None:
        self._slots.put(_DONE)
        self._worker.join()
        if self._error is not None:
            raise self._error


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
            where: str, ranges: dict[int, tuple[float, float]] | None = None) -> list[float]:
    """One CSV column in canonical units: plain numbers fast, the rest through parse_value;
    a range ``low..high`` is unknown as a point, and its ends go to ``ranges`` (row -> ends)."""
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
            append(point_of(cell_value(key, cell, f"{where}: line {lines[i]}"), i, None))
            continue
        try:
            v = float(cell)
        except ValueError:
            v = -1.0  # not a plain number: parse_value decides (a unit, or a clear error)
        if not 0.0 <= v <= most:  # NaN, infinities, negatives and implausible sizes too
            append(point_of(cell_value(key, cell, f"{where}: line {lines[i]}"), i, ranges))
            continue
        append(v)
    return out


def point_of(value: float | tuple[float, float], row: int,
             ranges: dict[int, tuple[float, float]] | None) -> float:
    """A parsed cell as a point; a range's ends are kept in ``ranges`` and its point is NaN."""
    if not isinstance(value, tuple):
        return value
    if ranges is None:  # pragma: no cover - every numeric column is read with a range map
        raise DataError("a range is not taken here")
    ranges[row] = value
    return math.nan


def with_ranges(inputs: dict[str, np.ndarray[Any, Any]], key: str, n: int,
                ranges: dict[int, tuple[float, float]]) -> None:
    """``key``'s ranged rows as ``<key>_low`` / ``<key>_high`` columns (NaN elsewhere), the
    form ``metrics_from_inputs`` reads."""
    if not ranges:
        return
    from chipdb.metricdefs import HIGH, LOW

    rows = np.fromiter(ranges, dtype=np.int64, count=len(ranges))
    ends = np.array(list(ranges.values()), dtype=np.float64).reshape(-1, 2)
    for end, suffix in ((0, LOW), (1, HIGH)):
        column = np.full(n, np.nan)
        column[rows] = ends[:, end]
        inputs[key + suffix] = column


def check_texts(key: str, column: Sequence[str | None], lines: Sequence[int], where: str) -> None:
    """Text cells as ``--set`` takes them (1 to TEXT_LIMIT characters): one error line else."""
    for i, cell in enumerate(column):
        if cell is not None and len(cell) > TEXT_LIMIT:
            cell_value(key, cell, f"{where}: line {lines[i]}")


def cell_value(key: str, cell: str, where: str) -> float | tuple[float, float]:
    """A cell that is not a plain number: a unit, a range ``low..high`` (its ends), or one
    clear error line."""
    try:
        value = parse_value(key, cell, where)
    except UsageError as exc:
        raise DataError(exc.message) from None
    if isinstance(value, tuple):
        return float(value[0]), float(value[1])
    return float(value)
