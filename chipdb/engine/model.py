"""The rule model: plain values for a rule, its clauses and notes, and for a verdict.

A rule is a dated text (id, citation, effective and ended dates) plus an ordered list of
clauses; each clause maps a criterion over named metrics to an outcome. A ``Decision`` says
what decided one row: a clause, an exclusion, the default, or, when undetermined, the clause
or exclusion left unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import IntEnum
from functools import cached_property
from typing import Any

from chipdb.engine.criteria import UNDETERMINED, Comparison, Criterion

__all__ = [
    "UNDETERMINED",
    "Clause",
    "Confidence",
    "Deciding",
    "Decision",
    "ExceptionNote",
    "Margin",
    "Parameter",
    "Part",
    "PerUnitQuantity",
    "RuleDefinition",
    "Verdict",
]


@dataclass(frozen=True)
class Clause:
    outcome: str
    when: Criterion
    label: str = ""
    text: str = ""

    @property
    def head(self) -> str:
        """How a reason names the clause: its label, else its outcome."""
        return self.label or self.outcome


@dataclass(frozen=True)
class ExceptionNote:
    name: str
    text: str
    outcomes: tuple[str, ...] = ()
    when: Criterion | None = None


@dataclass(frozen=True)
class PerUnitQuantity:
    """An allowance expressed per chip, e.g. units under a TPP cap: parameter / metric."""

    label: str
    param: str
    metric: str


@dataclass(frozen=True)
class Parameter:
    name: str
    value: float
    unit: str = ""
    note: str = ""
    unverified: bool = False


@dataclass(frozen=True)
class RuleDefinition:
    id: str
    title: str
    citation: str
    url: str
    effective: date
    status: str
    layer: str
    clauses: tuple[Clause, ...]
    default_outcome: str
    default_reason: str = ""
    short_title: str = ""
    published: date | None = None
    ended: date | None = None
    compliance: date | None = None  # obligations bind from this day (None: from effective)
    not_enforced_from: date | None = None  # status not-enforced: since when
    summary: str = ""
    wording: str = ""
    notes: tuple[str, ...] = ()
    unverified: bool = False
    parameters: tuple[Parameter, ...] = ()
    exclusions: tuple[Clause, ...] = ()
    exceptions: tuple[ExceptionNote, ...] = ()
    per_unit: tuple[PerUnitQuantity, ...] = ()
    origin: str = "seed"
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def depends_on(self) -> tuple[str, ...]:
        found: list[str] = []
        for clause in (*self.exclusions, *self.clauses):
            found.extend(clause.when.rule_refs())
        for note in self.exceptions:
            if note.when is not None:
                found.extend(note.when.rule_refs())
        return tuple(dict.fromkeys(found))

    def comparisons(self) -> list[tuple[str, Comparison]]:
        """Every numeric threshold the rule compares, with the label of its clause, once each."""
        return self._comparisons

    @cached_property
    def _comparisons(self) -> list[tuple[str, Comparison]]:
        # computed once per rule: every explanation asks for it, for every chip and period
        seen: set[tuple[str, str, Any]] = set()
        out: list[tuple[str, Comparison]] = []
        sources: list[tuple[str, Criterion]] = [
            (c.head, c.when) for c in (*self.exclusions, *self.clauses)
        ]
        sources += [(n.name, n.when) for n in self.exceptions if n.when is not None]
        for label, when in sources:
            for comp in when.comparisons():
                key = (comp.subject, comp.op, comp.value)
                if comp.numeric and key not in seen and "export_year" not in comp.metrics:
                    seen.add(key)
                    out.append((label, comp))
        return out

    def in_force(self, on: date) -> bool:
        """On the books on ``on`` (a not-enforced text still is; see ``enforced``)."""
        return self.effective <= on and (self.ended is None or on <= self.ended)

    def enforced_on(self, on: date, enforced_statuses: frozenset[str]) -> bool:
        """In force, its status enforced (or not yet not-enforced), and past compliance."""
        if not self.in_force(on) or (self.compliance is not None and on < self.compliance):
            return False
        if self.status in enforced_statuses:
            return True
        return self.not_enforced_from is not None and on < self.not_enforced_from

    def parameter(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        raise KeyError(name)


class Part(IntEnum):
    """Which part of a rule a decision points at."""

    DEFAULT = 0
    CLAUSE = 1
    EXCLUSION = 2


@dataclass(frozen=True)
class Decision:
    """What decided one row under one rule.

    Determined: the clause or exclusion ``index`` that held, or the default. Undetermined: the
    clause or exclusion whose unknown truth could change the outcome.
    """

    part: Part
    index: int = -1
    determined: bool = True

    def clause(self, rule: RuleDefinition) -> Clause:
        """The clause or exclusion this decision points at (not for the default)."""
        if self.part is Part.CLAUSE:
            return rule.clauses[self.index]
        if self.part is Part.EXCLUSION:
            return rule.exclusions[self.index]
        raise ValueError("the default outcome has no clause")


@dataclass(frozen=True)
class Margin:
    metric: str
    op: str
    threshold: float
    value: float | None
    margin: float | None  # value - threshold: > 0 above the line, < 0 below it
    margin_pct: float | None
    met: bool | None
    clause: str


@dataclass(frozen=True)
class Deciding:
    """A line inside a range that changes the answer: below it one outcome, above it another."""

    metric: str
    value: float
    outcome_below: str
    outcome_above: str


@dataclass(frozen=True)
class Confidence:
    """How sure a verdict is: the weakest tier among the inputs that decided it, the rule's
    unverified parameters it read, and the conventions under which it would read otherwise."""

    tier: str | None
    unverified: tuple[str, ...] = ()
    conventions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Verdict:
    rule: str
    outcome: str
    reason: str
    determined: bool
    missing: tuple[str, ...] = ()
    exceptions: tuple[str, ...] = ()
    margins: tuple[Margin, ...] = ()
    valid_from: date | None = None
    valid_to: date | None = None
    possible_outcomes: tuple[str, ...] = ()
    deciding: tuple[Deciding, ...] = ()
    confidence: Confidence = Confidence(None)
