"""The comparison operators: one row per operator, read by parsing, evaluation and wording.

A row says how the operator is written in a seed file, how it reads to a person when it holds
and when it fails, which kinds of metric it may compare, and how it compares: elementwise on
NumPy columns (the same function works on one float), or, for text, whether a match means
the comparison holds. Adding an operator is one row here.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final

from chipdb.metricdefs import BOOLEAN_METRICS, TEXT_METRICS

# The kinds of metric a comparison can be about (what decides the allowed operators).
NUMBER: Final = "number"
YES_NO: Final = "yes/no"
TEXT: Final = "text"


@dataclass(frozen=True)
class Operator:
    """One comparison operator."""

    token: str  # as written in seeds/rules: ">="
    symbol: str  # as read when the comparison holds: "≥"
    negated: str  # as read when it fails: "<"
    kinds: frozenset[str]  # metric kinds it may compare
    compare: Callable[[Any, Any], Any] | None  # numbers and yes/no: elementwise or plain
    match_holds: bool | None = None  # text: True if a match holds ("==", "in"), False if not

    def applies_to(self, kind: str) -> bool:
        return kind in self.kinds


_ORDER = frozenset({NUMBER})
_EQUALITY = frozenset({NUMBER, YES_NO, TEXT})
_MEMBERSHIP = frozenset({TEXT})

OPERATORS: Final[dict[str, Operator]] = {op.token: op for op in (
    Operator(">=", "≥", "<", _ORDER, operator.ge),
    Operator(">", ">", "≤", _ORDER, operator.gt),
    Operator("<", "<", "≥", _ORDER, operator.lt),
    Operator("<=", "≤", ">", _ORDER, operator.le),
    Operator("==", "=", "≠", _EQUALITY, operator.eq, match_holds=True),
    Operator("!=", "≠", "=", _EQUALITY, operator.ne, match_holds=False),
    Operator("in", "in", "not in", _MEMBERSHIP, None, match_holds=True),
    Operator("not-in", "not in", "in", _MEMBERSHIP, None, match_holds=False),
)}


def _eq(lo: Any, hi: Any, t: float) -> tuple[Any, Any]:
    return (lo == t) & (hi == t), (hi < t) | (lo > t)


# A comparison over a range [lo, hi] holds when it holds for every point of the range and fails
# when it holds for none; otherwise it is unknown. NaN (unknown) compares false both ways.
RANGE_TRUTH: Final[dict[str, Callable[[Any, Any, float], tuple[Any, Any]]]] = {
    ">=": lambda lo, hi, t: (lo >= t, hi < t),
    ">": lambda lo, hi, t: (lo > t, hi <= t),
    "<": lambda lo, hi, t: (hi < t, lo >= t),
    "<=": lambda lo, hi, t: (hi <= t, lo > t),
    "==": _eq,
    "!=": lambda lo, hi, t: _eq(lo, hi, t)[::-1],
}


def metric_kind(names: Iterable[str]) -> str:
    """The kind a comparison over ``names`` has: yes/no or text when all are, else a number."""
    names = tuple(names)
    if all(n in BOOLEAN_METRICS for n in names):
        return YES_NO
    if all(n in TEXT_METRICS for n in names):
        return TEXT
    return NUMBER


def tokens_for(kind: str) -> tuple[str, ...]:
    """The operators a metric of ``kind`` may use, in table order (for error messages)."""
    return tuple(op.token for op in OPERATORS.values() if op.applies_to(kind))
