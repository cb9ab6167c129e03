"""The values the bottom line reads and writes: a chip's stored verdicts and margins, a
rule's facts, and the answer's parts (measures, basis, binding line). Plain frozen data, so
chipdb.policy.bottomline stays the composition alone."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from chipdb.layers import Layers
from chipdb.policy.types import in_window


@dataclass(frozen=True)
class StoredMargin:
    clause: str
    metric: str
    threshold: float
    value: float | None
    margin_pct: float | None
    met: bool | None


@dataclass(frozen=True)
class StoredVerdict:
    rule: str
    outcome: str
    determined: bool
    valid_from: date
    valid_to: date | None
    exceptions: tuple[str, ...] = ()
    margins: tuple[StoredMargin, ...] = ()
    deciding: str | None = None  # the clause (or exclusion) that decided; None: the default
    any_of: bool = False  # the deciding clause holds while ANY of its lines is met
    # when open: the lines that would decide it, in words ("3A090.b.2 if die area < 655 mm², ...")
    decides: str | None = None
    # when open: the outcomes its ranges leave possible (empty: not known, anything goes)
    possible: tuple[str, ...] = ()

    def clause(self) -> str | None:
        return self.deciding

    @cached_property
    def deciding_lines(self) -> tuple[StoredMargin, ...]:
        return tuple(m for m in self.margins if m.clause == self.deciding)


@dataclass(frozen=True)
class RuleFacts:
    id: str
    layer: str
    status: str
    citation: str
    unverified: bool = False
    compliance: date | None = None  # obligations bind from this day
    not_enforced_from: date | None = None  # a not-enforced rule was enforced until this day

    def enforced(self, day: date, layers: Layers) -> bool:
        """Whether the text binds on ``day``: an enforced status (or before its
        non-enforcement began) and on or after its compliance date."""
        if self.compliance is not None and day < self.compliance:
            return False
        return layers.enforced(self.status) or (
            self.not_enforced_from is not None and day < self.not_enforced_from)


@dataclass(frozen=True)
class ChipFacts:
    name: str
    vendor: str
    verdicts: tuple[StoredVerdict, ...]
    tiers: Mapping[str, str]  # metric -> the weakest tier of the claims it is computed from

    def in_force(self, day: date) -> dict[str, StoredVerdict]:
        return {v.rule: v for v in self.verdicts if in_window(day, v.valid_from, v.valid_to)}


@dataclass(frozen=True)
class Measure:
    rule: str
    outcome: str
    layer: str
    scope: str
    status: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Basis:
    rule: str
    clause: str | None
    outcome: str
    citation: str
    effective: date | None
    ended: date | None
    scope: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Binding:
    rule: str
    clause: str
    metric: str
    value: float | None
    threshold: float
    margin_pct: float


@dataclass(frozen=True)
class Answer:
    license_required: bool | None
    exceptions: tuple[str, ...]
    review_policy: str | None
    measures: tuple[Measure, ...]
    basis: tuple[Basis, ...]
    binding: Binding | None
    confidence: str | None  # the weakest source tier among the deciding inputs
    unverified: tuple[str, ...]


def held_key(license_required: bool | None, exceptions: Sequence[str],
             review_policy: str | None, measures: Sequence[Mapping[str, Any]],
             basis: Sequence[Mapping[str, Any]]) -> tuple[Any, ...]:
    """What must stay equal for an answer to "still hold" (``since``): margins, tiers,
    citations and notes may move. ``measures`` and ``basis`` as stored (one mapping each)."""
    return (license_required, tuple(exceptions), review_policy,
            tuple((m["rule"], m["outcome"]) for m in measures),
            tuple((b["rule"], b["clause"], b["outcome"]) for b in basis))


def decided_by(basis: Sequence[Mapping[str, Any]]) -> str:
    """The deciding rules and clauses in a few words ("us-2024-12 3A090.a.1; ..."), each
    once (two prongs of one rule often say the same), from the basis as stored."""
    return "; ".join(dict.fromkeys(f"{b['rule']} {b['clause'] or b['outcome']}"
                                   for b in basis))
