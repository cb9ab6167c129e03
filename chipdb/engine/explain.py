"""Explaining: a verdict in words, with margins, exception notes and allowances, per row.

Nothing here decides. An ``Explainer`` reads one rule's ``RuleResult``: the decision of each
row and the truths kept by the vectorized pass (``evaluate.py``), so a reason can never
disagree with the outcome it explains. The only criteria evaluated here are the exception
notes' (``when`` of ``[[rule.exception]]``), which the decision does not need: they are
evaluated once per table, column-wise, by the same ``truth`` methods.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from chipdb.engine.columns import Truth
from chipdb.engine.criteria import Comparison, Criterion, Row, RuleOutcome
from chipdb.engine.evaluate import Evaluation, common_prefix
from chipdb.engine.model import (
    UNDETERMINED,
    Confidence,
    Deciding,
    Margin,
    Part,
    RuleDefinition,
    Verdict,
)
from chipdb.engine.operators import NUMBER, metric_kind
from chipdb.metricdefs import METRIC_LABELS
from chipdb.units import fmt_number

# Source tiers from the strongest to the weakest: a verdict is as sure as its weakest input.
# "set" is a value a what-if gives; "bound" an at-least/at-most claim (e.g. one reticle).
TIERS = ("set", "official", "measured", "secondary", "estimate", "bound")


def weakest(tiers: Sequence[str | None]) -> str | None:
    """The weakest of some tiers (None when none is known)."""
    known = [t for t in tiers if t in TIERS]
    return max(known, key=TIERS.index) if known else None


class Explainer:
    """Verdicts in words for one rule over one evaluated table, row by row."""

    def __init__(self, rule: RuleDefinition, evaluation: Evaluation) -> None:
        self.rule = rule
        self.table = evaluation.table
        self.result = evaluation.results[rule.id]
        outcomes = {rid: res.possible for rid, res in evaluation.results.items()
                    if res.possible is not None}
        self.exception_truths: list[Truth | None] = [
            None if note.when is None else note.when.truth(self.table, outcomes)
            for note in rule.exceptions
        ]
        # each margin's "met" is the kept truth of a node with the same comparison
        kept: dict[tuple[str, str, object], Truth] = {}
        trees: list[tuple[Criterion, Truth]] = [
            *zip((c.when for c in rule.clauses), self.result.clause_truths, strict=True),
            *zip((c.when for c in rule.exclusions), self.result.exclusion_truths, strict=True),
            *((n.when, t) for n, t in zip(rule.exceptions, self.exception_truths, strict=True)
              if n.when is not None and t is not None),
        ]
        for crit, truth in trees:
            for node, node_truth in crit.walk(truth):
                if isinstance(node, Comparison):
                    kept.setdefault((node.subject, node.op, node.value), node_truth)
        self.margin_truths = [kept[(c.subject, c.op, c.value)] for _, c in rule.comparisons()]

    def verdict(self, i: int, outcomes: Mapping[str, str],
                why_unknown: Mapping[str, str] | None = None,
                deciding: Sequence[Deciding] = (),
                tiers: Mapping[str, str] | None = None,
                dep_tiers: Mapping[str, str | None] | None = None,
                conventions: Sequence[str] = ()) -> Verdict:
        """The verdict of row ``i``; ``outcomes`` are every rule's outcomes for that row.

        ``deciding`` are the lines that would decide an open row (``engine.deciding``),
        ``tiers`` the source tier of each metric, ``dep_tiers`` the confidence of the rules
        this one reads, ``conventions`` how the verdict would read under another convention.
        """
        rule, result = self.rule, self.result
        row = Row(self.table, i, outcomes)
        outcome = str(result.outcome[i])
        decision = result.decision(i)
        possible = result.possible.at(i) if result.possible is not None else (outcome,)
        missing: list[str] = []
        # a ranged row's outcome is refined over its ranges; the point pass's clause may then
        # name another outcome (MI100: us-2024-12 gives .a.2 or .b.1, case-by-case for both)
        refined = decision.determined and result.refined(i, rule)
        if len(possible) > 1 and outcome != UNDETERMINED:
            common = common_prefix(possible)
            bottom = f"{common} either way" if common else f"inside {rule.id} either way"
            reason = f"{' or '.join(possible)} ({bottom})"
            if deciding:
                reason += ": " + pieces(deciding)
        elif refined and outcome != UNDETERMINED:
            reason = f"{outcome} either way over the ranges of its inputs"
            if deciding:
                reason += ": " + pieces(deciding)
        elif not decision.determined:
            clause, truth = decision.clause(rule), result.truth_of(decision)
            missing = list(dict.fromkeys(clause.when.missing(row, truth)))
            why = why_unknown or {}
            because = [f"{m} ({why[m]})" if m in why else m for m in missing]
            reason = (f"cannot tell whether “{clause.head}” applies: "
                      f"{clause.when.explain(row, truth, None)}; needs {', '.join(because)}")
            if deciding:
                reason += "; " + pieces(deciding)
        elif decision.part is Part.DEFAULT:
            failing = [f"{c.head}: {c.when.explain(row, t, False)}"
                       for c, t in zip(rule.clauses, result.clause_truths, strict=True)]
            head = rule.default_reason or f"no clause of {rule.id} met"
            reason = f"{head} — " + "; ".join(failing)
        else:
            clause, truth = decision.clause(rule), result.truth_of(decision)
            reason = f"{clause.head}: {clause.when.explain(row, truth, True)}"
            if decision.part is Part.EXCLUSION and clause.text:
                reason += f" ({clause.text})"
        if conventions:
            reason += "; " + "; ".join(conventions)
        return Verdict(
            rule=rule.id,
            outcome=outcome,
            reason=reason,
            determined=decision.determined,
            missing=tuple(missing),
            exceptions=tuple(self._notes(row, outcome)),
            margins=tuple(self._margins(row)),
            possible_outcomes=possible,
            deciding=tuple(deciding) if outcome == UNDETERMINED else (),
            confidence=self._confidence(decision.part, decision.index, decision.determined,
                                        tiers or {}, dep_tiers or {}, conventions),
        )

    def _confidence(self, part: Part, index: int, determined: bool, tiers: Mapping[str, str],
                    dep_tiers: Mapping[str, str | None], conventions: Sequence[str]
                    ) -> Confidence:
        """The weakest tier among the metrics of what decided (the clause or exclusion that
        held; every clause for the default or an open verdict), and its unverified params."""
        rule = self.rule
        if determined and part is not Part.DEFAULT:
            parts = [(rule.clauses if part is Part.CLAUSE else rule.exclusions)[index]]
        else:
            parts = [*rule.exclusions, *rule.clauses]
        metrics: list[str] = []
        refs: list[str] = []
        params: list[str] = []
        for clause in parts:
            for node in _nodes(clause.when):
                if isinstance(node, Comparison):
                    metrics.extend(node.metrics)
                    if node.param:
                        params.append(node.param)
                elif isinstance(node, RuleOutcome):
                    refs.append(node.rule)
        tier = weakest([tiers.get(m) for m in metrics] + [dep_tiers.get(r) for r in refs])
        unverified = [p for p in dict.fromkeys(params)
                      if any(q.name == p and q.unverified for q in rule.parameters)]
        if rule.unverified:
            unverified.insert(0, rule.id)
        return Confidence(tier, tuple(unverified), tuple(conventions))

    def _notes(self, row: Row, outcome: str) -> list[str]:
        """Exception notes that apply to the outcome, then per-unit allowances."""
        rule = self.rule
        notes: list[str] = []
        for note, truth in zip(rule.exceptions, self.exception_truths, strict=True):
            if note.outcomes and outcome not in note.outcomes:
                continue
            if truth is not None and truth.at(row.i) is not True:
                continue
            notes.append(f"{note.name}: {note.text}")
        if outcome in (rule.default_outcome, UNDETERMINED):
            return notes  # an allowance only matters where the rule bites
        for qty in rule.per_unit:
            if metric_kind((qty.metric,)) != NUMBER:
                continue
            value = float(self.table.numeric(qty.metric)[row.i])
            if value > 0:  # NaN (unknown) is not
                cap = rule.parameter(qty.param).value
                notes.append(f"{qty.label}: {math.floor(cap / value):,}")
        return notes

    def _margins(self, row: Row) -> list[Margin]:
        margins = []
        for (label, comp), truth in zip(self.rule.comparisons(), self.margin_truths, strict=True):
            assert isinstance(comp.value, float)
            threshold = comp.value
            value = comp.value_at(row)
            if value is None or isinstance(value, bool | str):
                margins.append(Margin(comp.subject, comp.op, threshold, None, None, None, None,
                                      label))
                continue
            diff = value - threshold
            pct = diff / threshold * 100 if threshold else None
            margins.append(Margin(comp.subject, comp.op, threshold, value, diff, pct,
                                  truth.at(row.i), label))
        return margins


def explain(rule: RuleDefinition, evaluation: Evaluation, i: int,
            why_unknown: Mapping[str, str] | None = None) -> Verdict:
    """The verdict of row ``i`` under ``rule`` in words, with every margin."""
    return Explainer(rule, evaluation).verdict(i, evaluation.outcomes_at(i), why_unknown)


def _nodes(criterion: Criterion) -> list[Criterion]:
    found = [criterion]
    for child in criterion.children:
        found.extend(_nodes(child))
    return found


def _named(metric: str) -> tuple[str, str]:
    """A metric's label and the unit to write after a number ('die area', ' mm²')."""
    label = METRIC_LABELS.get(metric, metric)
    name, _, last = label.rpartition(" ")
    if name and last in ("mm²", "GB/s", "GB", "nm", "(bn)"):
        return name, " " + last.strip("()")
    return label, ""


def pieces(lines: Sequence[Deciding]) -> str:
    """The deciding lines in words: '3A090.b.2 if die area < 985 mm², not-controlled from 985'."""
    by_metric: dict[str, list[Deciding]] = {}
    for line in lines:
        by_metric.setdefault(line.metric, []).append(line)
    said = []
    for metric, found in by_metric.items():
        found.sort(key=lambda d: d.value)
        label, unit = _named(metric)
        words = [f"{found[0].outcome_below} if {label} < {fmt_number(found[0].value)}{unit}"]
        words += [f"{d.outcome_below} up to {fmt_number(d.value)}" for d in found[1:]]
        words.append(f"{found[-1].outcome_above} from {fmt_number(found[-1].value)}")
        said.append(", ".join(words))
    return "; ".join(said)
