"""The bottom line for one chip, one destination class, one buyer-HQ class and one day.

Pure: it reads plain values (the chip's stored verdicts and margins, the rules' layer and
status, the scopes in force, which scopes reach the destination and the buyer's HQ) and
composes them in the order of chipdb.outcomes.LAYERS: classification → licence requirement →
licence exception → review policy → other measures. A scope that is not enforced, or that
only reaches named buyers, is a measure: it never by itself makes the answer "licence
required". Answers for exports from the United States (scopes for other exporters are skipped,
except those binding foundries, shown as measures).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache, cached_property
from typing import Any

from chipdb.layers import Layers
from chipdb.outcomes import PENDING
from chipdb.policy.facts import (
    Answer,
    Basis,
    Binding,
    ChipFacts,
    Measure,
    RuleFacts,
    StoredMargin,
    StoredVerdict,
)
from chipdb.policy.types import Scope

_ECCN = re.compile(r"^(\d[A-E]\d{3}(\.[a-z0-9]+)*|\.z)\b")
Truth = bool | None  # Kleene: None is "cannot tell from the stored figures"


def _and(a: Truth, b: Truth) -> Truth:
    if a is False or b is False:
        return False
    return None if a is None or b is None else True


def _every(v: StoredVerdict, test: Callable[[str], bool]) -> Truth:
    """``test`` on the verdict's outcome; on an open verdict, on every outcome its ranges
    leave possible: True or False when they all agree (every possibility inside 3A090 is
    caught whichever clause it is), None when they differ or nothing bounds them."""
    if v.determined and v.outcome != "undetermined":
        return test(v.outcome)
    found = {test(o) for o in v.possible}
    return found.pop() if len(found) == 1 else None


def _reaches_chip(v: StoredVerdict, layers: Layers) -> Truth:
    return _every(v, lambda o: o not in layers.clear_outcomes)


@cache
def _eccns(items: tuple[str, ...]) -> tuple[str, ...]:
    # read for every scope of every answer (hundreds of thousands per seeding): once per list
    out = []
    for item in items:
        found = _ECCN.match(item)
        if found:
            out.append(found.group(1))
    return tuple(out)


def _eccn_items(scope: Scope) -> tuple[str, ...]:
    return _eccns(scope.items)


def item_keyed(scope: Scope) -> bool:
    """Whether the scope names its items by ECCN (it then reads the classification)."""
    return bool(_eccn_items(scope))


@dataclass(frozen=True)
class _Hit:
    scope: Scope
    truth: Truth
    verdict: StoredVerdict  # the verdict that decided whether the chip is caught
    own: StoredVerdict  # the scope's own rule's verdict

    # Each answer a hit takes part in reads these; a hit is shared by every answer for its
    # chip while the same verdicts are in force, so they are worked out once.
    @cached_property
    def basis(self) -> Basis:
        return _basis(self)

    @cached_property
    def metrics(self) -> frozenset[str]:
        """The metrics its verdict's deciding lines (or else all its lines) read."""
        return frozenset(part.strip() for m in self.verdict.deciding_lines or self.verdict.margins
                         for part in m.metric.split("+"))

    @cached_property
    def met_line(self) -> StoredMargin | None:
        """The line that holds it caught: of the deciding clause's met lines, the nearest
        (the farthest when the clause holds while any line is met); None: none has a margin."""
        lines = [m for m in self.verdict.deciding_lines
                 if m.met is True and m.margin_pct is not None]
        if not lines:
            return None
        pick = max if self.verdict.any_of else min
        return pick(lines, key=_distance)


def _catches(scope: Scope, chip: ChipFacts, verdicts: Mapping[str, StoredVerdict],
             classification: StoredVerdict | None, rules: Mapping[str, RuleFacts],
             layers: Layers) -> _Hit | None:
    own = verdicts.get(scope.rule)
    if own is None:
        return None  # the rule is not in force for this chip on this day
    if scope.vendors and chip.vendor not in scope.vendors:
        return None
    if scope.rule_exception is not None:
        # the rule lists the exceptions the chip is eligible for ("License Exception NAC: ...");
        # the scope says where: it matches its own exception's name, or any listed exception
        # whose name carries the scope's code (NAC in "License Exception NAC/ACA")
        names = [e.split(":", 1)[0] for e in own.exceptions]
        listed = any(n == scope.rule_exception or (scope.exception is not None and
                                                   scope.exception in re.split(r"[ /]", n))
                     for n in names)
        return _Hit(scope, True if listed else None if not own.determined else False, own,
                    own)
    truth = _reaches_chip(own, layers)
    items = _eccn_items(scope)
    if items:
        is_classification = layers.for_rule_layer(rules[scope.rule].layer).role == \
            "classification"
        base = own if is_classification else classification
        if base is None:
            return _Hit(scope, False, own, own)
        matched = _every(base, lambda o: any(o.startswith(i) for i in items))
        truth = _and(matched, truth)
        return _Hit(scope, truth, base if matched else own, own)
    return _Hit(scope, truth, own, own)


def reaching(scopes: Sequence[Scope], destination: frozenset[str], buyer_hq: frozenset[str]
             ) -> frozenset[str]:
    """The scopes that reach this destination and this buyer: all an answer depends on,
    besides the chip and the day."""
    return frozenset(s.id for s in scopes if s.id in destination
                     and (s.buyer_hq is None or s.id in buyer_hq))


@dataclass(frozen=True)
class Prong:
    """One scope as the answers of one day read it, whatever the chip: the role it plays
    (a scope not enforced, reaching only named buyers or binding others is a measure), and
    the measure it is when it is one."""

    scope: Scope
    role: str
    measure: Measure | None


def prongs(day: date, rules: Mapping[str, RuleFacts], scopes: Sequence[Scope],
           layers: Layers) -> tuple[Prong, ...]:
    """The scopes an answer on ``day`` reads, in order (re-exports from abroad are skipped:
    chipdb answers for exports from the US), each with its role on that day."""
    out = []
    for scope in scopes:
        if scope.exporter and "from-us" not in scope.exporter and "not-from-us" in \
                scope.exporter:
            continue
        rule = rules.get(scope.rule)
        if rule is None:  # never caught: the chip has no verdict of a rule not loaded
            out.append(Prong(scope, "", None))
            continue
        # a scope not enforced from a day was enforced before it, like its rule
        scope_enforced = layers.enforced(scope.status) or (
            scope.not_enforced_from is not None and day < scope.not_enforced_from)
        enforced = scope_enforced and rule.enforced(day, layers)
        binds_others = bool(scope.exporter) and "from-us" not in scope.exporter
        role = layers.for_scope_kind(scope.kind).role
        if not enforced or scope.named_buyers or binds_others:
            role = "measure"
        measure = None
        if role == "measure":
            status = _status_on(day, scope.status if not scope_enforced else None, rule,
                                layers)
            note = ("applies only to named buyers" if scope.named_buyers else
                    "binds foundries and packagers" if binds_others else None)
            measure = Measure(scope.rule, scope.outcome, layers.for_scope_kind(
                scope.kind).id if enforced else layers.measures.id, scope.id, status, note)
        out.append(Prong(scope, role, measure))
    return tuple(out)


def _status_on(day: date, scope_status: str | None, rule: RuleFacts, layers: Layers
               ) -> str | None:
    """A measure's status on ``day``: the scope's own when the scope is not enforced that
    day, the rule's once its non-enforcement has begun, "pending" before the rule's
    compliance date (published, not yet binding), else the rule's when it is not enforced,
    else none (in force). Non-enforcement announced before the compliance date wins: the
    diffusion rule reads "not-enforced" from 2025-05-13, not "pending" until 2025-05-15."""
    if scope_status is not None:
        return scope_status
    if rule.not_enforced_from is not None and day >= rule.not_enforced_from \
            and not layers.enforced(rule.status):
        return rule.status
    if rule.compliance is not None and day < rule.compliance:
        return PENDING
    return None if rule.enforced(day, layers) else rule.status


@dataclass(frozen=True)
class ChipDay:
    """A chip's verdicts in force on a day (by rule) and its classification among them."""

    verdicts: dict[str, StoredVerdict]
    classification: StoredVerdict | None


class ChipAnswers:
    """Every answer for one chip, each worked out once per distinct input.

    An answer is asked per day × destination class × buyer class, but reads only which
    prongs reach the place, the role each plays that day, and whether each catches the chip
    (``_catches``: the verdict in force of the scope's rule and the classification, not the
    day). So hits are kept by (scope, verdict, classification) and answers by the hits that
    take part in them: equal inputs give the very answer ``answer`` would compute."""

    def __init__(self, chip: ChipFacts, rules: Mapping[str, RuleFacts], layers: Layers) -> None:
        self.chip = chip
        self.rules = rules
        self.layers = layers
        # keyed by the identity of verdicts of self.chip, which live as long as it does
        self._hits: dict[tuple[str, int, int], _Hit | None] = {}
        self._answers: dict[tuple[Any, ...], Answer] = {}

    def on(self, day: date) -> ChipDay:
        verdicts = self.chip.in_force(day)
        rules, layers = self.rules, self.layers
        return ChipDay(verdicts, next(
            (v for r, v in verdicts.items() if r in rules and
             layers.for_rule_layer(rules[r].layer).role == "classification"), None))

    def _catches(self, scope: Scope, on: ChipDay) -> _Hit | None:
        key = (scope.id, id(on.verdicts.get(scope.rule)), id(on.classification))
        try:
            return self._hits[key]
        except KeyError:
            hit = self._hits[key] = _catches(scope, self.chip, on.verdicts, on.classification,
                                             self.rules, self.layers)
            return hit

    def answer(self, on: ChipDay, day_prongs: Sequence[Prong], reach: frozenset[str]
               ) -> Answer:
        """The bottom line on a day (``on``: the chip that day), from that day's prongs and
        the ids of the scopes that reach the destination and the buyer (``reaching``)."""
        hits = [(prong, hit) for prong in day_prongs if prong.scope.id in reach
                and (hit := self._catches(prong.scope, on)) is not None]
        key = (id(on.classification),
               *((prong.scope.id, prong.role, prong.measure, id(hit)) for prong, hit in hits))
        found = self._answers.get(key)
        if found is None:
            found = self._answers[key] = _compose(self, on, hits)
        return found


def answer(chip: ChipFacts, day: date, rules: Mapping[str, RuleFacts],
           scopes: Sequence[Scope], destination: frozenset[str], buyer_hq: frozenset[str],
           layers: Layers) -> Answer:
    """The bottom line. ``scopes`` are those in force on ``day`` whose rule is loaded;
    ``destination`` and ``buyer_hq`` are the ids of the scopes that reach the destination
    and the buyer's headquarters (a destination class's and buyer-HQ class's signature)."""
    answers = ChipAnswers(chip, rules, layers)
    return answers.answer(answers.on(day), prongs(day, rules, scopes, layers),
                          reaching(scopes, destination, buyer_hq))


def _compose(answers: ChipAnswers, on: ChipDay, hits: Sequence[tuple[Prong, _Hit]]
             ) -> Answer:
    chip, rules, layers = answers.chip, answers.rules, answers.layers
    classification = on.classification
    requirement: list[_Hit] = []
    exception_hits: list[_Hit] = []
    review: list[_Hit] = []
    measures: list[Measure] = []
    considered: list[_Hit] = []  # requirement prongs that reach the destination, caught or not
    for prong, hit in hits:
        role = prong.role
        if not role:
            raise KeyError(prong.scope.rule)  # a verdict of a rule the caller did not give
        if role == "licence-requirement":
            considered.append(hit)
            if hit.truth is not False:
                requirement.append(hit)
        elif role == "licence-exception" and hit.truth is not False:
            exception_hits.append(hit)
        elif role == "review-policy" and hit.truth is not False:
            review.append(hit)
        elif role == "measure" and hit.truth is not False:
            assert prong.measure is not None
            measures.append(prong.measure)
    caught = [h for h in requirement if h.truth is True]
    required: Truth = True if caught else (None if requirement else False)
    exceptions: tuple[str, ...] = ()
    review_policy = None
    if required is not False:
        covered = {h.scope.rule for h in exception_hits}
        if all(h.scope.rule in covered for h in (caught or requirement)):
            exceptions = tuple(sorted({h.scope.exception for h in exception_hits
                                       if h.scope.exception}))
        review_policy = _strictest(review, layers)
    deciding = caught or requirement or considered
    # prongs that did not catch the chip say the same thing once per rule verdict
    shown = [h for h in deciding if h.truth is not False]
    seen = set()
    for h in deciding:
        if h.truth is False and (h.scope.rule, h.verdict.rule) not in seen:
            seen.add((h.scope.rule, h.verdict.rule))
            shown.append(h)
    basis = tuple(h.basis for h in shown)
    if not deciding and classification is not None:
        basis = (Basis(classification.rule, classification.clause(), classification.outcome,
                       rules[classification.rule].citation, classification.valid_from,
                       classification.valid_to, None, "no licence requirement reaches this "
                       "destination and buyer"),)
    binding = _binding(caught, considered, required)
    confidence, unverified = _confidence(deciding, chip, rules, layers, binding)
    return Answer(required, exceptions, review_policy, tuple(measures), basis, binding,
                  confidence, unverified)


def _strictest(review: Sequence[_Hit], layers: Layers) -> str | None:
    words = []
    for h in review:
        words.append(h.scope.outcome)
        own = h.own.outcome
        if own in layers.review_order:
            words.append(own)
    ranked = [w for w in words if w in layers.review_order]
    if ranked:
        return max(ranked, key=layers.review_order.index)
    return words[0] if words else None


def _basis(hit: _Hit) -> Basis:
    own = hit.own  # the verdict in force of the scope's rule
    start = max(d for d in (hit.scope.valid_from, own.valid_from) if d is not None)
    ends = [d for d in (hit.scope.valid_to, own.valid_to) if d is not None]
    note = None
    if hit.truth is False:
        note = "the chip is not caught"
    v = hit.verdict
    if hit.truth is None:
        note = "a figure chipdb does not have decides it" + (
            f": {v.decides}" if v.decides else "")
    return Basis(hit.scope.rule, v.clause(), v.outcome if v is own else own.outcome,
                 hit.scope.citation, start, min(ends) if ends else None, hit.scope.id, note)


def _distance(m: StoredMargin) -> float:
    assert m.margin_pct is not None
    return abs(m.margin_pct)


def _binding(caught: Sequence[_Hit], considered: Sequence[_Hit], required: Truth
             ) -> Binding | None:
    """The nearest line that would change this answer (approximately: one line at a time).
    Licence required: per deciding prong the nearest met line of its deciding clause (the
    farthest when the clause holds while any line is met), and of those the farthest (every
    prong must fall). Not required: the nearest unmet line among the
    prongs that reach the destination."""
    if required is True:
        best: list[tuple[_Hit, StoredMargin]] = []
        for h in caught:
            line = h.met_line
            if line is None:
                return None  # decided by a name or a flag: no line would change it
            best.append((h, line))
        return _line(*max(best, key=lambda b: _distance(b[1]))) if best else None
    if required is False:
        lines = [(h, m) for h in considered for m in h.verdict.margins
                 if m.met is False and m.margin_pct is not None]
        return _line(*min(lines, key=lambda b: _distance(b[1]))) if lines else None
    return None


def _line(hit: _Hit, m: StoredMargin) -> Binding:
    assert m.margin_pct is not None
    return Binding(hit.verdict.rule, m.clause, m.metric, m.value, m.threshold, m.margin_pct)


def _confidence(deciding: Sequence[_Hit], chip: ChipFacts, rules: Mapping[str, RuleFacts],
                layers: Layers, binding: Binding | None) -> tuple[str | None, tuple[str, ...]]:
    metrics: set[str] = set()
    notes: list[str] = []
    for h in deciding:
        metrics |= h.metrics
        for rule_id in {h.scope.rule, h.verdict.rule}:
            if rules[rule_id].unverified:
                notes.append(f"{rule_id}: rule parameters unverified")
        if h.scope.unverified:
            notes.append(f"{h.scope.id}: {h.scope.missing or 'scope unverified'}")
    if binding is not None:
        metrics.update(part.strip() for part in binding.metric.split("+"))
    tiers = [chip.tiers[m] for m in sorted(metrics) if m in chip.tiers]
    ranked = [t for t in tiers if t in layers.tiers]
    weakest = max(ranked, key=layers.tiers.index) if ranked else None
    return weakest, tuple(dict.fromkeys(notes))
