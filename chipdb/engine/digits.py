"""A comparison's truth as one base-3 digit per row: the batch classifier's pattern digits.

``Comparison.truth`` answers true, false or unknown per row as two boolean arrays; a batch of
designs needs the three as one digit (0 false, 1 true, 2 unknown) for every leaf of every rule
and chunk, so the common leaf (one plain number against a line) is worked out in three passes
over the rows instead of truth's nine, with the same operator and the same reading of NaN.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from chipdb.engine.columns import MetricTable
from chipdb.engine.criteria import Comparison
from chipdb.engine.operators import OPERATORS, TEXT


def truth_digits(comp: Comparison, table: MetricTable) -> npt.NDArray[np.int8]:
    """0 false, 1 true, 2 unknown, per row: what ``comp.truth`` says, as digits (a byte each:
    a chunk holds one array of them per leaf)."""
    if comp.kind == TEXT or len(comp.metrics) > 1 or table.ranged(comp.metrics[0]):
        truth = comp.truth(table, {})
        return np.where(truth.true, 1, np.where(truth.false, 0, 2)).astype(np.int8)
    compare = OPERATORS[comp.op].compare
    assert compare is not None
    value = comp.value
    threshold = 1.0 if value is True else 0.0 if value is False else value
    values = table.numeric(comp.metrics[0])
    with np.errstate(invalid="ignore"):
        digits: npt.NDArray[np.int8] = np.asarray(compare(values, threshold)).astype(np.int8)
    digits[np.isnan(values)] = 2  # NaN compares false: unknown, not false
    return digits
