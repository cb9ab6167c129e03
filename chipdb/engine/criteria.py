"""Criterion kinds: each one unit that parses, decides, explains and draws itself; one registry.

A criterion is the test of a clause (``when = {...}``). Every kind implements the same
methods, the way jsonschema's keywords share one signature:

- ``parse(raw, params, where)``: the seed mapping to a criterion, or a ``RuleError``;
- ``truth(table, outcomes)``: the Kleene truth over every row (NumPy), keeping the parts';
- ``explain(row, truth, want)`` and ``missing(row, truth)``: words and unknown metrics for one
  row, read from the truths the decision was made from (never evaluated a second time);
- ``lines(context)``: the numeric lines a plot draws, with the metrics each must hold with.

``KINDS`` maps the key that selects a kind in a seed file to its class. A new kind is one
class here plus one entry in ``KINDS``.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any, ClassVar, Final

import numpy as np

from chipdb.engine.columns import MetricTable, Possible, Truth
from chipdb.engine.operators import (
    OPERATORS,
    RANGE_TRUTH,
    TEXT,
    YES_NO,
    metric_kind,
    tokens_for,
)
from chipdb.metricdefs import DATE_METRICS, METRIC_LABELS, METRICS, NUMERIC_METRICS, TEXT_METRICS
from chipdb.units import fmt_number

UNDETERMINED: Final = "undetermined"

# Outcomes that put a chip outside what a rule controls. Several possible outcomes none of which
# is here are "controlled either way" (3A090.a.2 or 3A090.b.1), not undetermined. Until outcome
# meanings are data (an outcome registry), these words are the ones the bundled rules use.
OUTSIDE: Final = frozenset({"not-controlled", "not-applicable", "rebutted", "not-covered"})


class RuleError(ValueError):
    """A rule mapping is wrong: names the field (``clause[0].when.op``) and the problem."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


@dataclass(frozen=True)
class Row:
    """One row of an evaluated table, as an explanation reads it."""

    table: MetricTable
    i: int
    outcomes: Mapping[str, str]  # the outcome of every rule evaluated so far, for this row


Line = tuple["Comparison", frozenset[str]]


class Criterion(ABC):
    """The interface every criterion kind implements."""

    key: ClassVar[str]  # the seed key that selects this kind
    shape: ClassVar[str]  # how it is written, for error messages

    @classmethod
    @abstractmethod
    def parse(cls, raw: Mapping[str, Any], params: Mapping[str, float], where: str) -> Criterion:
        """Build the criterion from its seed mapping; ``params`` are the rule's parameters."""

    @abstractmethod
    def truth(self, table: MetricTable, outcomes: Mapping[str, Possible]) -> Truth:
        """Kleene truth for every row; ``outcomes`` are the verdicts of rules evaluated before."""

    @abstractmethod
    def explain(self, row: Row, truth: Truth, want: bool | None) -> str:
        """Why the criterion came out as it did for ``row``, naming only the parts that decided."""

    @abstractmethod
    def missing(self, row: Row, truth: Truth) -> list[str]:
        """The unknowns that leave the criterion unknown for ``row``."""

    @abstractmethod
    def lines(self, context: frozenset[str]) -> Iterator[Line]:
        """Numeric comparisons with the metrics they must hold together with (for plots)."""

    @property
    def children(self) -> tuple[Criterion, ...]:
        return ()

    def comparisons(self) -> Iterator[Comparison]:
        for child in self.children:
            yield from child.comparisons()

    def rule_refs(self) -> Iterator[str]:
        for child in self.children:
            yield from child.rule_refs()

    def walk(self, truth: Truth) -> Iterator[tuple[Criterion, Truth]]:
        """Every node with its kept truth, this one first."""
        yield self, truth
        for child, part in zip(self.children, truth.parts, strict=True):
            yield from child.walk(part)


def parse_criterion(raw: Any, params: Mapping[str, float], where: str) -> Criterion:
    """The criterion a seed mapping describes, chosen by the one ``KINDS`` key it carries."""
    if not isinstance(raw, Mapping):
        raise RuleError(where, f"a criterion must be a table, not {raw!r}")
    kinds = [kind for key, kind in KINDS.items() if key in raw]
    if len(kinds) != 1:
        shapes = [kind.shape for kind in KINDS.values()]
        raise RuleError(where, f"expected {', '.join(shapes[:-1])} or {shapes[-1]}; "
                               f"got keys {sorted(raw)}")
    return kinds[0].parse(raw, params, where)


# --- comparison: metric op value ----------------------------------------------------------------


@dataclass(frozen=True)
class Comparison(Criterion):
    """``metric op value``; several metrics are summed (e.g. memory + I/O bandwidth)."""

    key: ClassVar[str] = "metric"
    shape: ClassVar[str] = "{metric, op, value|param}"

    metrics: tuple[str, ...]
    op: str
    value: float | bool | str | tuple[str, ...]
    param: str | None = None

    @property
    def subject(self) -> str:
        return " + ".join(self.metrics)

    @property
    def numeric(self) -> bool:
        """A numeric threshold a margin can be measured to (a day is not one)."""
        return isinstance(self.value, float) and not self.is_date

    @property
    def is_date(self) -> bool:
        return all(m in DATE_METRICS for m in self.metrics)

    @cached_property
    def kind(self) -> str:
        # read for every row explained: computed once per comparison
        return metric_kind(self.metrics)

    @classmethod
    def parse(cls, raw: Mapping[str, Any], params: Mapping[str, float], where: str) -> Comparison:
        keys = set(raw)
        if "op" not in keys or not ({"value", "param"} & keys):
            raise RuleError(where, f"expected {cls.shape}; got keys {sorted(keys)}")
        extra = keys - {"metric", "op", "value", "param"}
        if extra:
            raise RuleError(where, f"unknown key {sorted(extra)[0]}")
        metric_raw = raw["metric"]
        names = tuple(metric_raw) if isinstance(metric_raw, list) else (metric_raw,)
        if not names:
            raise RuleError(f"{where}.metric", "name a metric, or a list of metrics to sum")
        for name in names:
            if not isinstance(name, str) or name not in METRICS:
                raise RuleError(f"{where}.metric", f"unknown metric {name!r}; known: "
                                                   f"{', '.join(sorted(METRICS))}")
        if len(names) > 1 and not all(n in NUMERIC_METRICS for n in names):
            raise RuleError(f"{where}.metric", "only numeric metrics can be summed")
        token = raw["op"]
        if token not in OPERATORS:
            raise RuleError(f"{where}.op", f"{token!r} is not one of {' '.join(OPERATORS)}")
        op = OPERATORS[token]
        param = raw.get("param")
        value: Any
        if param is not None:
            if param not in params:
                raise RuleError(f"{where}.param", f"no parameter named {param!r}")
            value = params[param]
        else:
            value = raw["value"]
        kind = metric_kind(names)
        if op.compare is None:  # membership: a text metric against a list of names
            if kind != TEXT:
                raise RuleError(f"{where}.op", f"'{token}' compares a text metric "
                                f"({', '.join(sorted(TEXT_METRICS))}) with a list of names")
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise RuleError(f"{where}.value", f"'{token}' takes a list of names")
            value = tuple(value)
        elif kind == YES_NO:
            if not isinstance(value, bool) or not op.applies_to(YES_NO):
                raise RuleError(where, "a yes/no metric compares with "
                                       f"{' or '.join(tokens_for(YES_NO))} to true/false")
        elif kind == TEXT:
            if not isinstance(value, str) or not op.applies_to(TEXT):
                *others, last = tokens_for(TEXT)
                raise RuleError(where, f"a text metric compares with {', '.join(others)} "
                                       f"or {last}")
        else:
            if all(n in DATE_METRICS for n in names):
                value = _day_number(value, f"{where}.value")
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(
                value
            ):
                raise RuleError(f"{where}.value", f"must be a finite number, not {value!r}")
            value = float(value)
        return cls(names, token, value, param)

    def truth(self, table: MetricTable, outcomes: Mapping[str, Possible]) -> Truth:
        op = OPERATORS[self.op]
        if self.kind == TEXT:
            words, inverse, known = table.text_coded(self.metrics[0])
            targets = self.value if isinstance(self.value, tuple) else (self.value,)
            hit = np.isin(words, np.array(targets, dtype=str))[inverse] & known
            result = hit if op.match_holds else ~hit
            return Truth(result & known, ~result & known)
        threshold = 1.0 if self.value is True else 0.0 if self.value is False else self.value
        assert isinstance(threshold, float) and op.compare is not None
        if any(table.ranged(m) for m in self.metrics):
            low, high = table.bounds(self.metrics[0])
            for extra in self.metrics[1:]:
                more_low, more_high = table.bounds(extra)
                low, high = low + more_low, high + more_high
            with np.errstate(invalid="ignore"):
                true, false = RANGE_TRUTH[self.op](low, high, threshold)
            return Truth(true, false)
        values = table.numeric(self.metrics[0])
        for extra in self.metrics[1:]:
            values = values + table.numeric(extra)
        known = ~np.isnan(values)
        with np.errstate(invalid="ignore"):
            hit = op.compare(values, threshold)
        return Truth(hit & known, ~hit & known)

    def range_at(self, row: Row) -> tuple[float, float] | None:
        """The compared range in ``row`` when it is a range and not a point; else None."""
        if self.kind != "number" or not any(row.table.ranged(m) for m in self.metrics):
            return None
        low = high = 0.0
        for name in self.metrics:
            lows, highs = row.table.bounds(name)
            low, high = low + float(lows[row.i]), high + float(highs[row.i])
        if math.isnan(low) or math.isnan(high) or low == high:
            return None
        return low, high

    def value_at(self, row: Row) -> float | bool | str | None:
        """The compared value in ``row`` (the sum for several metrics); None when unknown."""
        if self.kind == TEXT:
            text = row.table.text(self.metrics[0])[row.i]
            return None if text is None else str(text)
        total = 0.0
        for name in self.metrics:
            value = float(row.table.numeric(name)[row.i])
            if math.isnan(value):
                return None
            total += value
        if self.kind == YES_NO:
            return total != 0.0
        return total

    def explain(self, row: Row, truth: Truth, want: bool | None) -> str:
        label = " + ".join(METRIC_LABELS.get(m, m) for m in self.metrics)
        op = OPERATORS[self.op]
        target = self.value
        # a year reads 2026, not 2,026; a day reads 2026-01-15
        number = ((lambda v: f"{v:.0f}") if self.metrics == ("export_year",)
                  else _day_text if self.is_date else fmt_number)
        if isinstance(target, tuple):
            shown_target = ", ".join(target)
        elif isinstance(target, bool):
            shown_target = "yes" if target else "no"
        elif isinstance(target, float):
            shown_target = number(target)
        else:
            shown_target = str(target)
        value = self.value_at(row)
        span = self.range_at(row) if value is None else None
        if span is not None:
            shown_span = (f"{_day_text(span[0])} to {_day_text(span[1])}" if self.is_date
                          else f"{_end(span[0])}–{_end(span[1])}")
            holds = truth.at(row.i)
            if holds is None:
                return f"{label} {shown_span} (line: {op.symbol} {shown_target})"
            return f"{label} {shown_span} {op.symbol if holds else op.negated} {shown_target}"
        if value is None:
            return f"{label} unknown (line: {op.symbol} {shown_target})"
        shown = (
            ("yes" if value else "no") if isinstance(value, bool)
            else number(value) if isinstance(value, float) else str(value)
        )
        holds = truth.at(row.i)
        if self.kind == YES_NO and isinstance(target, bool):
            if holds is False:
                return f"{label}: {shown} (the test needs {shown_target})"
            return f"{label}: {shown}"
        word = op.symbol if holds or holds is None else op.negated
        return f"{label} {shown} {word} {shown_target}"

    def missing(self, row: Row, truth: Truth) -> list[str]:
        if self.value_at(row) is not None or truth.at(row.i) is not None:
            return []
        if self.kind == TEXT:
            return [m for m in self.metrics if row.table.text(m)[row.i] is None]
        return [m for m in self.metrics if math.isnan(float(row.table.numeric(m)[row.i]))]

    def lines(self, context: frozenset[str]) -> Iterator[Line]:
        if isinstance(self.value, float) and not self.is_date:  # a day is no design line
            yield self, context

    def comparisons(self) -> Iterator[Comparison]:
        yield self


def _end(value: float) -> str:
    return "∞" if value == math.inf else fmt_number(value)


def _day_number(value: Any, where: str) -> float:
    """A rule's date (a TOML date, or the ISO text stored in the database) as a day number."""
    if isinstance(value, date):
        return float(value.toordinal())
    if isinstance(value, str):
        try:
            return float(date.fromisoformat(value).toordinal())
        except ValueError:
            pass
    raise RuleError(where, f"must be a date like 2026-01-15, not {value!r}")


def _day_text(value: float) -> str:
    if not (math.isfinite(value) and 1 <= value <= date.max.toordinal()):
        return fmt_number(value)  # not a day (a hand-made table): the number as it is
    return date.fromordinal(int(value)).isoformat()


# --- all / any: Kleene AND and OR over a list -----------------------------------------------


@dataclass(frozen=True)
class _Composite(Criterion):
    items: tuple[Criterion, ...]

    conjunction: ClassVar[bool]

    @property
    def children(self) -> tuple[Criterion, ...]:
        return self.items

    @classmethod
    def parse(cls, raw: Mapping[str, Any], params: Mapping[str, float], where: str) -> Criterion:
        extra = set(raw) - {cls.key}
        if extra:
            raise RuleError(where, f"unknown key {sorted(extra)[0]} next to '{cls.key}'")
        items = raw[cls.key]
        if not isinstance(items, list) or not items:
            raise RuleError(where, f"'{cls.key}' takes a non-empty list")
        return cls(tuple(parse_criterion(item, params, f"{where}[{i}]")
                         for i, item in enumerate(items)))

    def truth(self, table: MetricTable, outcomes: Mapping[str, Possible]) -> Truth:
        parts = tuple(item.truth(table, outcomes) for item in self.items)
        trues = [p.true for p in parts]
        falses = [p.false for p in parts]
        if self.conjunction:
            return Truth(np.logical_and.reduce(trues), np.logical_or.reduce(falses), parts)
        return Truth(np.logical_or.reduce(trues), np.logical_and.reduce(falses), parts)

    def explain(self, row: Row, truth: Truth, want: bool | None) -> str:
        parts = [(item, part, part.at(row.i))
                 for item, part in zip(self.items, truth.parts, strict=True)]
        if want is False:
            # one failing part is enough to say why a conjunction fails; all of a disjunction
            failing = [(item, part) for item, part, held in parts if held is False]
            chosen = failing[:1] if self.conjunction else failing
        elif want is None:
            chosen = ([(item, part) for item, part, held in parts if held is None]
                      or [(item, part) for item, part, _ in parts])
        else:
            chosen = [(item, part) for item, part, held in parts if held is True]
            if not self.conjunction:
                chosen = chosen[:1]
        # a failing disjunction fails on every branch: "... and ..."
        joiner = " and " if self.conjunction or want is False else " or "
        return joiner.join(item.explain(row, part, want) for item, part in chosen)

    def missing(self, row: Row, truth: Truth) -> list[str]:
        out: list[str] = []
        for item, part in zip(self.items, truth.parts, strict=True):
            if part.at(row.i) is None:
                out.extend(item.missing(row, part))
        return out


@dataclass(frozen=True)
class AllOf(_Composite):
    """True when every item is; false when any is false; otherwise unknown."""

    key: ClassVar[str] = "all"
    shape: ClassVar[str] = "{all=[...]}"
    conjunction: ClassVar[bool] = True

    def lines(self, context: frozenset[str]) -> Iterator[Line]:
        # a line of a conjunction holds only together with its siblings' metrics
        found = [line for item in self.items for line in item.lines(frozenset())]
        together = frozenset(m for comp, _ in found for m in comp.metrics)
        for item in self.items:
            yield from item.lines(context | together)


@dataclass(frozen=True)
class AnyOf(_Composite):
    """True when any item is; false when every item is false; otherwise unknown."""

    key: ClassVar[str] = "any"
    shape: ClassVar[str] = "{any=[...]}"
    conjunction: ClassVar[bool] = False

    def lines(self, context: frozenset[str]) -> Iterator[Line]:
        for item in self.items:
            yield from item.lines(context)


# --- rule outcome: another rule's verdict ---------------------------------------------------


@dataclass(frozen=True)
class RuleOutcome(Criterion):
    """True when another rule's verdict is one of ``outcomes`` (e.g. 3A090.a for us-2026-01)."""

    key: ClassVar[str] = "rule"
    shape: ClassVar[str] = "{rule, outcome_in}"

    rule: str
    outcomes: tuple[str, ...]

    @classmethod
    def parse(cls, raw: Mapping[str, Any], params: Mapping[str, float], where: str) -> Criterion:
        outs = raw.get("outcome_in")
        if (set(raw) != {"rule", "outcome_in"} or not isinstance(raw["rule"], str)
                or not isinstance(outs, list) or not outs):
            raise RuleError(where, "rule = \"id\", outcome_in = [\"...\"]")
        return cls(raw["rule"], tuple(str(o) for o in outs))

    def truth(self, table: MetricTable, outcomes: Mapping[str, Possible]) -> Truth:
        # every possible outcome of the other rule is one of ours: true; none is: false
        dep = outcomes[self.rule]
        hit = np.int64(dep.bits(self.outcomes))
        known = dep.mask != 0
        return Truth(known & ((dep.mask & ~hit) == 0), known & ((dep.mask & hit) == 0))

    def explain(self, row: Row, truth: Truth, want: bool | None) -> str:
        return f"{self.rule} gives {row.outcomes.get(self.rule, UNDETERMINED)}"

    def missing(self, row: Row, truth: Truth) -> list[str]:
        if truth.at(row.i) is None:
            return [f"verdict of {self.rule}"]
        return []

    def lines(self, context: frozenset[str]) -> Iterator[Line]:
        return iter(())

    def rule_refs(self) -> Iterator[str]:
        yield self.rule


# The one registry of criterion kinds: the seed key that selects a kind -> its class.
KINDS: Final[dict[str, type[Criterion]]] = {
    kind.key: kind for kind in (Comparison, AllOf, AnyOf, RuleOutcome)
}
