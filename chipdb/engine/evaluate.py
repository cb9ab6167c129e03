"""Deciding: every rule over every row of a metric table, vectorized, dependencies first.

This is the one evaluation path. ``evaluate_rule`` asks each clause's criterion for its truth
over the whole table (NumPy) and keeps those truths, with their parts', on the result, so that
explanations (reasons, missing metrics, margins) read the arrays the outcome was decided from
instead of evaluating the criteria a second time. Chosen over keeping a second, one-row
evaluator behind a property test because a second evaluator is a second place every new
criterion kind must be written and kept equal; keeping the truths costs no extra computation,
only the memory of arrays that were built anyway (one boolean pair per criterion node). The
batch path (``evaluate_table``), which does not explain, does not keep them: holding every
node's arrays for 100 000 rows measured about 7% slower there, from the memory alone.
tests/engine/test_property.py still checks every kept node against a plain-Python reference.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from chipdb.engine.columns import MetricTable, ObjArray, Truth
from chipdb.engine.model import UNDETERMINED, Decision, Part, RuleDefinition


@dataclass
class RuleResult:
    """Outcomes of one rule for n rows, what decided each, and the truths it was decided from."""

    outcome: ObjArray  # str per row; UNDETERMINED where an unknown could change it
    part: npt.NDArray[np.int8]  # Part per row: the clause, exclusion or default that decided
    index: npt.NDArray[np.int64]  # the clause or exclusion index (undetermined: left unknown)
    clause_truths: tuple[Truth, ...] = ()
    exclusion_truths: tuple[Truth, ...] = ()

    def decision(self, i: int) -> Decision:
        return Decision(Part(int(self.part[i])), int(self.index[i]),
                        self.outcome[i] != UNDETERMINED)

    def truth_of(self, decision: Decision) -> Truth:
        """The kept truth of the clause or exclusion a decision points at."""
        if decision.part is Part.CLAUSE:
            return self.clause_truths[decision.index]
        if decision.part is Part.EXCLUSION:
            return self.exclusion_truths[decision.index]
        raise ValueError("the default outcome has no truth")


@dataclass(frozen=True)
class Evaluation:
    """Every rule's result over one table on one date (the table carries ``export_year``)."""

    table: MetricTable
    results: dict[str, RuleResult]

    def outcomes_at(self, i: int) -> dict[str, str]:
        return {rid: str(res.outcome[i]) for rid, res in self.results.items()}


def evaluate_rule(
    rule: RuleDefinition, table: MetricTable, deps: Mapping[str, RuleResult], keep: bool = True
) -> RuleResult:
    """First clause that holds wins; an unknown clause before it leaves the row undetermined.

    ``keep`` keeps every clause's and exclusion's truth for explaining (the batch path, which
    only reads outcomes, lets them go as it goes).
    """
    n = table.size
    outcomes = {rid: res.outcome for rid, res in deps.items()}
    outcome = np.full(n, None, dtype=object)
    part = np.full(n, Part.DEFAULT, dtype=np.int8)
    index = np.full(n, -1, dtype=np.int64)
    open_rows = np.ones(n, dtype=bool)
    clause_truths = []
    for i, clause in enumerate(rule.clauses):
        t = clause.when.truth(table, outcomes)
        if keep:
            clause_truths.append(t)
        hit = open_rows & t.true
        unsure = open_rows & t.unknown
        outcome[hit] = clause.outcome
        outcome[unsure] = UNDETERMINED
        decided_here = hit | unsure
        part[decided_here] = Part.CLAUSE
        index[decided_here] = i
        open_rows &= t.false
    outcome[open_rows] = rule.default_outcome
    # Exclusions (e.g. Note 2 to 3A090) take precedence over every clause.
    exclusion_truths = []
    for j, excl in enumerate(rule.exclusions):
        t = excl.when.truth(table, outcomes)
        if keep:
            exclusion_truths.append(t)
        maybe = t.unknown & (outcome != excl.outcome)
        outcome[t.true] = excl.outcome
        outcome[maybe] = UNDETERMINED
        decided_here = t.true | maybe
        part[decided_here] = Part.EXCLUSION
        index[decided_here] = j
    return RuleResult(outcome, part, index, tuple(clause_truths), tuple(exclusion_truths))


def evaluate(rules: Sequence[RuleDefinition], table: MetricTable, as_of: date,
             keep: bool = True) -> Evaluation:
    """Every rule for every row, dependencies first. ``as_of`` sets the export year."""
    table = table.with_column("export_year", np.full(table.size, float(as_of.year)))
    results: dict[str, RuleResult] = {}
    for rule in order_rules(rules):
        results[rule.id] = evaluate_rule(rule, table, results, keep)
    return Evaluation(table, results)


def evaluate_table(
    rules: Sequence[RuleDefinition], table: MetricTable, as_of: date
) -> dict[str, RuleResult]:
    """Every rule's result for every row (the batch path: outcomes, no explanations)."""
    return evaluate(rules, table, as_of, keep=False).results


def order_rules(rules: Iterable[RuleDefinition]) -> list[RuleDefinition]:
    """Dependencies first; a reference to an unknown rule or a cycle is an error."""
    by_id = {r.id: r for r in rules}
    done: dict[str, RuleDefinition] = {}
    visiting: set[str] = set()

    def visit(rule: RuleDefinition) -> None:
        if rule.id in done:
            return
        if rule.id in visiting:
            raise ValueError(f"rule {rule.id}: depends on itself through other rules")
        visiting.add(rule.id)
        for dep in rule.depends_on:
            if dep not in by_id:
                raise ValueError(f"rule {rule.id}: depends on unknown rule {dep}")
            visit(by_id[dep])
        visiting.discard(rule.id)
        done[rule.id] = rule

    for rule in sorted(by_id.values(), key=lambda r: (r.effective, r.id)):
        visit(rule)
    return list(done.values())
