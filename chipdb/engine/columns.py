"""Column-wise metric values and Kleene truths: what every criterion reads and returns.

A ``MetricTable`` holds n rows as one NumPy column per metric (float with NaN for unknown, or
object with None for text). A ``Truth`` is a criterion's verdict over those rows: definitely
true, definitely false, or neither (unknown). Composite criteria keep their parts' truths, so
an explanation reads the same arrays the decision was made from.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from chipdb.metricdefs import METRICS, TEXT_METRICS

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
ObjArray = npt.NDArray[np.object_]


class MetricTable:
    """Column-wise metric values for n chips: float (NaN = unknown) or object (None = unknown)."""

    def __init__(self, columns: Mapping[str, np.ndarray[Any, Any]], size: int) -> None:
        self.columns = dict(columns)
        self.size = size

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
        return cls(cols, n)

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

    def with_column(self, name: str, values: np.ndarray[Any, Any]) -> MetricTable:
        cols = dict(self.columns)
        cols[name] = values
        return MetricTable(cols, self.size)


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
