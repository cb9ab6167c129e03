"""Explaining: a verdict in words, with margins, exception notes and allowances, per row.

Nothing here decides. An ``Explainer`` reads one rule's ``RuleResult``: the decision of each
row and the truths kept by the vectorized pass (``evaluate.py``), so a reason can never
disagree with the outcome it explains. The only criteria evaluated here are the exception
notes' (``when`` of ``[[rule.exception]]``), which the decision does not need: they are
evaluated once per table, column-wise, by the same ``truth`` methods.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from chipdb.engine.columns import Truth
from chipdb.engine.criteria import Comparison, Criterion, Row
from chipdb.engine.evaluate import Evaluation
from chipdb.engine.model import UNDETERMINED, Margin, Part, RuleDefinition, Verdict
from chipdb.engine.operators import NUMBER, metric_kind


class Explainer:
    """Verdicts in words for one rule over one evaluated table, row by row."""

    def __init__(self, rule: RuleDefinition, evaluation: Evaluation) -> None:
        self.rule = rule
        self.table = evaluation.table
        self.result = evaluation.results[rule.id]
        outcomes = {rid: res.outcome for rid, res in evaluation.results.items()}
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
                why_unknown: Mapping[str, str] | None = None) -> Verdict:
        """The verdict of row ``i``; ``outcomes`` are every rule's outcomes for that row."""
        rule, result = self.rule, self.result
        row = Row(self.table, i, outcomes)
        outcome = str(result.outcome[i])
        decision = result.decision(i)
        missing: list[str] = []
        if not decision.determined:
            clause, truth = decision.clause(rule), result.truth_of(decision)
            missing = list(dict.fromkeys(clause.when.missing(row, truth)))
            why = why_unknown or {}
            because = [f"{m} ({why[m]})" if m in why else m for m in missing]
            reason = (f"cannot tell whether “{clause.head}” applies: "
                      f"{clause.when.explain(row, truth, None)}; needs {', '.join(because)}")
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
        return Verdict(
            rule=rule.id,
            outcome=outcome,
            reason=reason,
            determined=decision.determined,
            missing=tuple(missing),
            exceptions=tuple(self._notes(row, outcome)),
            margins=tuple(self._margins(row)),
        )

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
