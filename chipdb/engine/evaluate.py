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
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import numpy.typing as npt

from chipdb.engine.columns import MetricTable, ObjArray, Possible, Truth
from chipdb.engine.criteria import OUTSIDE
from chipdb.engine.deciding import probe, ranged_rows
from chipdb.engine.model import UNDETERMINED, Deciding, Decision, Part, RuleDefinition


@dataclass
class RuleResult:
    """Outcomes of one rule for n rows, what decided each, and the truths it was decided from."""

    outcome: ObjArray  # str per row: the outcome, "a or b" (inside either way) or UNDETERMINED
    part: npt.NDArray[np.int8]  # Part per row: the clause, exclusion or default that decided
    index: npt.NDArray[np.int64]  # the clause or exclusion index (undetermined: left unknown)
    clause_truths: tuple[Truth, ...] = ()
    exclusion_truths: tuple[Truth, ...] = ()
    possible: Possible | None = None  # the outcomes each row may have

    def decision(self, i: int) -> Decision:
        determined = self.possible is None or int(self.possible.mask[i]).bit_count() == 1
        return Decision(Part(int(self.part[i])), int(self.index[i]), determined)

    def deciding_clause(self, i: int, rule: RuleDefinition) -> Decision | None:
        """The clause or exclusion that decided row ``i``; None for the default, an open row,
        or a ranged row whose outcome, refined over its ranges, is not that clause's own
        (MI100 under us-2026-01: us-2024-12 gives .a.2 or .b.1, case-by-case for both)."""
        decision = self.decision(i)
        if not decision.determined or decision.part is Part.DEFAULT or self.refined(i, rule):
            return None
        return decision

    def refined(self, i: int, rule: RuleDefinition) -> bool:
        """Whether row ``i``'s outcome, refined over its ranges, is not the one the clause,
        exclusion or default of the point pass gives."""
        decision = self.decision(i)
        given = (rule.default_outcome if decision.part is Part.DEFAULT
                 else decision.clause(rule).outcome)
        return given != str(self.outcome[i])

    def truth_of(self, decision: Decision) -> Truth:
        """The kept truth of the clause or exclusion a decision points at."""
        if decision.part is Part.CLAUSE:
            return self.clause_truths[decision.index]
        if decision.part is Part.EXCLUSION:
            return self.exclusion_truths[decision.index]
        raise ValueError("the default outcome has no truth")


@dataclass(frozen=True)
class Evaluation:
    """Every rule's result over one table on one date (the table carries ``export_year``).

    ``lines`` are the deciding lines found while probing ranged rows: (row, rule) -> lines.
    """

    table: MetricTable
    results: dict[str, RuleResult]
    lines: Mapping[tuple[int, str], tuple[Deciding, ...]] = field(default_factory=dict)

    def outcomes_at(self, i: int) -> dict[str, str]:
        return {rid: str(res.outcome[i]) for rid, res in self.results.items()}


def evaluate_rule(
    rule: RuleDefinition, table: MetricTable, deps: Mapping[str, RuleResult], keep: bool = True
) -> RuleResult:
    """First clause that holds wins; the set of possible outcomes decides the word.

    A clause that is unknown for a row (a value unknown, or a range across its line) may hold
    or not: its outcome is possible and so is whatever follows. One possible outcome: the row
    is determined. Several, none of them outside the rule: "a or b" (controlled either way).
    Otherwise undetermined. ``part`` and ``index`` point at the clause that held, or at the
    first unknown clause. ``keep`` keeps every clause's and exclusion's truth for explaining
    (the batch path, which only reads outcomes, lets them go as it goes).
    """
    n = table.size
    outcomes = {rid: res.possible for rid, res in deps.items() if res.possible is not None}
    names = tuple(dict.fromkeys([*(c.outcome for c in rule.clauses), rule.default_outcome,
                                 *(e.outcome for e in rule.exclusions)]))
    bit = {name: np.int64(1 << i) for i, name in enumerate(names)}
    mask = np.zeros(n, dtype=np.int64)
    part = np.full(n, Part.DEFAULT, dtype=np.int8)
    index = np.full(n, -1, dtype=np.int64)
    open_rows = np.ones(n, dtype=bool)  # no clause held or was unknown yet
    reach = np.ones(n, dtype=bool)  # no clause held yet: later outcomes still possible
    clause_truths = []
    for i, clause in enumerate(rule.clauses):
        t = clause.when.truth(table, outcomes)
        if keep:
            clause_truths.append(t)
        mask[reach & ~t.false] |= bit[clause.outcome]
        reach &= ~t.true
        decided_here = open_rows & ~t.false
        part[decided_here] = Part.CLAUSE
        index[decided_here] = i
        open_rows &= t.false
    mask[reach] |= bit[rule.default_outcome]
    # Exclusions (e.g. Note 2 to 3A090) take precedence over every clause.
    exclusion_truths = []
    for j, excl in enumerate(rule.exclusions):
        t = excl.when.truth(table, outcomes)
        if keep:
            exclusion_truths.append(t)
        maybe = t.unknown & (mask != bit[excl.outcome])
        mask[t.true] = bit[excl.outcome]
        mask[maybe] |= bit[excl.outcome]
        decided_here = t.true | maybe
        part[decided_here] = Part.EXCLUSION
        index[decided_here] = j
    outcome = _words(names, mask, outside_of(rule))
    return RuleResult(outcome, part, index, tuple(clause_truths), tuple(exclusion_truths),
                      Possible(outcome, names, mask))


def outside_of(rule: RuleDefinition) -> frozenset[str]:
    """The outcomes that put an item outside the rule: the outside words, and exclusions'."""
    return OUTSIDE | {e.outcome for e in rule.exclusions}


EITHER_WIDTH = 40  # the stored outcome column's width


def either(outcomes: Sequence[str]) -> str:
    """How several outcomes inside a rule read: '3A090.a.2 or 3A090.b.1'; past the column's
    width, the common part is written once: '3A090.a.1 or .a.2 or .b.1 or .b.2'."""
    text = " or ".join(outcomes)
    if len(text) <= EITHER_WIDTH:
        return text
    common = common_prefix(outcomes)
    if common:
        text = " or ".join([outcomes[0], *(o[len(common):] for o in outcomes[1:])])
    return text if len(text) <= EITHER_WIDTH else text[:EITHER_WIDTH - 1] + "…"


def common_prefix(outcomes: Sequence[str]) -> str:
    """The dotted head every outcome shares ('3A090' of 3A090.a.2 and 3A090.b.1), or ''."""
    parts = [o.split(".") for o in outcomes]
    head: list[str] = []
    for words in zip(*parts, strict=False):
        if len(set(words)) != 1:
            break
        head.append(words[0])
    return ".".join(head) if head and all(len(p) > len(head) for p in parts) else ""


def _words(names: tuple[str, ...], mask: npt.NDArray[np.int64],
           outside: frozenset[str] | set[str]) -> ObjArray:
    """The word per row: each distinct mask is worded once (a catalogue has a handful)."""
    out = np.empty(mask.shape[0], dtype=object)
    for m in np.unique(mask):
        chosen = [name for j, name in enumerate(names) if int(m) >> j & 1]
        if len(chosen) == 1:
            word = chosen[0]
        elif chosen and not outside.intersection(chosen):
            word = either(chosen)
        else:
            word = UNDETERMINED
        out[mask == m] = word
    return out


def evaluate(rules: Sequence[RuleDefinition], table: MetricTable, as_of: date,
             keep: bool = True, refine: bool = True) -> Evaluation:
    """Every rule for every row, dependencies first. ``as_of`` sets the export year.

    A row with a range that some rule leaves open is probed (``deciding.probe``): its possible
    outcomes become exactly the ones points inside the range reach. Rows without ranges (the
    whole of a typical batch) skip this entirely.
    """
    table = table.with_column("export_year", np.full(table.size, float(as_of.year)))
    ordered = order_rules(rules)
    results: dict[str, RuleResult] = {}
    for rule in ordered:
        results[rule.id] = evaluate_rule(rule, table, results, keep)
    lines: dict[tuple[int, str], tuple[Deciding, ...]] = {}
    ranged = ranged_rows(table) if refine else None
    if ranged is not None and ranged.any():
        open_rows = np.zeros(table.size, dtype=bool)
        for res in results.values():
            if res.possible is not None:
                open_rows |= np.bitwise_count(res.possible.mask) > 1
        rows = [(i, None) for i in np.flatnonzero(ranged & open_rows).tolist()]
        probed = probe(ordered, table, as_of, rows, _points)
        for rule in ordered:
            res = results[rule.id]
            if res.possible is None:
                continue
            for (i, _), found in probed.items():
                res.possible.mask[i] &= found.masks[rule.id]
                res.outcome[i] = _words(res.possible.names, res.possible.mask[i:i + 1],
                                        outside_of(rule))[0]
                lines[(i, rule.id)] = found.lines[rule.id]
    return Evaluation(table, results, lines)


def _points(rules: Sequence[RuleDefinition], table: MetricTable, as_of: date
            ) -> dict[str, RuleResult]:
    return evaluate(rules, table, as_of, keep=False, refine=False).results


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
