"""Column-wise metric values and Kleene truths: what every criterion reads and returns.

A ``MetricTable`` holds n rows as one NumPy column per metric (float with NaN for unknown, or
object with None for text). A numeric metric may also be a range: two more columns,
``<metric>_low`` and ``<metric>_high`` (a point is low == high; an "at most" bound has low 0, an
"at least" bound high inf). Unknown stays NaN in both, distinct from any bounded range; the
point column of a range that is not a point is NaN. A ``Truth`` is a criterion's verdict over
those rows: definitely true, definitely false, or neither (unknown). Composite criteria keep
their parts' truths, so an explanation reads the same arrays the decision was made from.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from chipdb.metricdefs import HIGH, LOW, METRICS, NUMERIC_METRICS, TEXT_METRICS

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
ObjArray = npt.NDArray[np.object_]


class MetricTable:
    """Column-wise metric values for n chips: float (NaN = unknown) or object (None = unknown)."""

    def __init__(self, columns: Mapping[str, np.ndarray[Any, Any]], size: int) -> None:
        self.columns = dict(columns)
        self.size = size
        self._coded: dict[str, tuple[npt.NDArray[np.str_], npt.NDArray[np.intp],
                                     npt.NDArray[np.bool_]]] = {}

    @classmethod
    def from_rows(cls, rows: Sequence[Mapping[str, Any]]) -> MetricTable:
        n = len(rows)
        cols: dict[str, np.ndarray[Any, Any]] = {}
        for name in METRICS:
            if name in TEXT_METRICS:
                cols[name] = np.array([r.get(name) for r in rows], dtype=object)
            else:
                cols[name] = np.array(
                    [_as_float(r.get(name)) for r in rows], dtype=np.float64
                ).reshape(n)
        for name in NUMERIC_METRICS:
            low, high = name + LOW, name + HIGH
            if any(r.get(low) is not None or r.get(high) is not None for r in rows):
                point = cols[name]
                cols[low] = np.array([_bound(r, low, point[i]) for i, r in enumerate(rows)],
                                     dtype=np.float64).reshape(n)
                cols[high] = np.array([_bound(r, high, point[i]) for i, r in enumerate(rows)],
                                      dtype=np.float64).reshape(n)
        return cls(cols, n)

    def bounds(self, name: str) -> tuple[FloatArray, FloatArray]:
        """The range of a numeric metric per row: (low, high); a point column gives itself."""
        point = self.numeric(name)
        low = self.columns.get(name + LOW)
        high = self.columns.get(name + HIGH)
        return (point if low is None else low), (point if high is None else high)

    def ranged(self, name: str) -> bool:
        """Whether the metric carries range columns (else its point column is the whole story)."""
        return name + LOW in self.columns or name + HIGH in self.columns

    def numeric(self, name: str) -> FloatArray:
        col = self.columns.get(name)
        if col is None:
            return np.full(self.size, np.nan)
        return col

    def text(self, name: str) -> ObjArray:
        col = self.columns.get(name)
        if col is None:
            return np.full(self.size, None, dtype=object)
        return col

    def text_coded(self, name: str) -> tuple[npt.NDArray[np.str_], npt.NDArray[np.intp],
                                             npt.NDArray[np.bool_]]:
        """A text column as its distinct words, each row's index into them, and which rows
        are known; kept per table, since every text test of every rule reads the same few
        columns (the probe tables hold millions of rows)."""
        if name not in self._coded:
            texts = self.text(name)
            known = np.array([v is not None for v in texts], dtype=bool)
            words, inverse = np.unique(texts.astype(str), return_inverse=True)
            self._coded[name] = (words, inverse.reshape(-1), known)
        return self._coded[name]

    def with_column(self, name: str, values: np.ndarray[Any, Any]) -> MetricTable:
        cols = dict(self.columns)
        cols[name] = values
        return MetricTable(cols, self.size)


def _bound(row: Mapping[str, Any], key: str, point: float) -> float:
    value = row.get(key)
    return point if value is None else float(value)


def _as_float(value: Any) -> float:
    if value is None:
        return math.nan
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    return float(value)


@dataclass
class Truth:
    """Kleene truth for n rows: definitely true, definitely false; neither = unknown.

    ``parts`` are the truths of a composite criterion's items, in order (empty for a leaf).
    """

    true: BoolArray
    false: BoolArray
    parts: tuple[Truth, ...] = ()

    @property
    def unknown(self) -> BoolArray:
        result: BoolArray = ~(self.true | self.false)
        return result

    def at(self, i: int) -> bool | None:
        """The truth of row ``i`` as a Python value: True, False or None (unknown)."""
        if self.true[i]:
            return True
        if self.false[i]:
            return False
        return None


@dataclass
class Possible:
    """Which outcomes one rule may have per row: a bit per name in ``names``.

    A row with one bit set is determined; ``outcome`` is the word the rule gives each row (the
    outcome, an "either" text, or undetermined). Criteria that read another rule's verdict
    (``RuleOutcome``) read these sets, so a dependency that is "3A090.a.2 or 3A090.b.1" is
    still decided by a test both outcomes pass.
    """

    outcome: ObjArray
    names: tuple[str, ...]
    mask: npt.NDArray[np.int64]

    def bits(self, outcomes: Sequence[str]) -> int:
        return sum(1 << i for i, name in enumerate(self.names) if name in outcomes)

    def at(self, i: int) -> tuple[str, ...]:
        """The possible outcomes of row ``i``, in the rule's order."""
        m = int(self.mask[i])
        return tuple(name for j, name in enumerate(self.names) if m >> j & 1)
