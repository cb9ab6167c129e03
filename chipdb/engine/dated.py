"""Verdicts in time: the periods of a rule's life and the explained verdicts for each.

A rule's outcome can change inside its life only where a clause tests the export year, so a
rule is evaluated once per period start, and consecutive periods that read the same are
merged into one verdict with its valid-from and valid-to dates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

import numpy as np

from chipdb.engine.columns import MetricTable
from chipdb.engine.deciding import probe
from chipdb.engine.evaluate import Evaluation, evaluate, order_rules
from chipdb.engine.explain import Explainer
from chipdb.engine.model import Deciding, RuleDefinition, Verdict

# Another reading of the metrics for some rows: (how it reads, row index -> metric row), e.g.
# ("if TF32 counts 32 bits", {7: {...}}). A verdict that reads otherwise under it says so.
Alternative = tuple[str, Mapping[int, Mapping[str, Any]]]


class _Extras:
    """Per evaluated date: the deciding lines of open rows and the alternatives' outcomes."""

    def __init__(self, rules: Sequence[RuleDefinition], ev: Evaluation, on: date,
                 alternatives: Sequence[Alternative]) -> None:
        # lines for open rows the pass did not probe (unknown values, no range): words only
        rest: list[tuple[int, str | None]] = []
        for rid, res in ev.results.items():
            if res.possible is not None:
                for i in np.flatnonzero(np.bitwise_count(res.possible.mask) > 1).tolist():
                    if not ev.lines.get((i, rid)):
                        rest.append((i, rid))
        self.deciding = dict(ev.lines)
        for (i, asked), found in probe(rules, ev.table, on, rest, _points).items():
            assert asked is not None
            self.deciding[(i, asked)] = found.lines.get(asked, ())
        self.otherwise: dict[tuple[int, str], list[str]] = {}
        for wording, alt_rows in alternatives:
            if not alt_rows:
                continue
            index = sorted(alt_rows)
            alt = evaluate(rules, MetricTable.from_rows([alt_rows[i] for i in index]), on,
                           keep=False)
            for k, i in enumerate(index):
                for rid, res in alt.results.items():
                    other = str(res.outcome[k])
                    if other != str(ev.results[rid].outcome[i]):
                        self.otherwise.setdefault((i, rid), []).append(f"{other} {wording}")

    def lines(self, i: int, rid: str) -> tuple[Deciding, ...]:
        return self.deciding.get((i, rid), ())

    def conventions(self, i: int, rid: str) -> list[str]:
        return self.otherwise.get((i, rid), [])


def _points(rules: Sequence[RuleDefinition], table: MetricTable, on: date) -> Any:
    return evaluate(rules, table, on, keep=False, refine=False).results


def period_starts(rule: RuleDefinition) -> list[date]:
    """The dates inside a rule's life where its outcome can change (export-year tests)."""
    starts = {rule.effective}
    tests = [c.when for c in (*rule.exclusions, *rule.clauses)]
    tests += [e.when for e in rule.exceptions if e.when is not None]  # a dated exception too
    years = [int(comp.value) for when in tests for comp in when.comparisons()
             if "export_year" in comp.metrics and isinstance(comp.value, float)]
    # A reason quotes the export year it was evaluated for, so while a test can still change
    # (up to the year after the last one named) every calendar year is its own period.
    for y in range(rule.effective.year + 1, max(years, default=0) + 2):
        d = date(y, 1, 1)
        if rule.in_force(d):
            starts.add(d)
    return sorted(starts)


def _periods(rule: RuleDefinition) -> list[tuple[date, date | None]]:
    starts = period_starts(rule)
    return [(start, date.fromordinal(starts[i + 1].toordinal() - 1) if i + 1 < len(starts)
             else rule.ended) for i, start in enumerate(starts)]


def evaluate_dated(
    rules: Sequence[RuleDefinition],
    rows: Sequence[Mapping[str, Any]],
    why_unknown: Sequence[Mapping[str, str]] | None = None,
    tiers: Sequence[Mapping[str, str]] | None = None,
    alternatives: Sequence[Alternative] = (),
) -> list[list[Verdict]]:
    """Verdicts of every rule for every row over each rule's whole life.

    Returns, per row, the verdicts of every rule and period; consecutive periods with the same
    outcome and reason are merged. ``tiers`` give each row's metric tiers (confidence).
    """
    table = MetricTable.from_rows(rows)
    ordered = order_rules(rules)
    periods = {rule.id: _periods(rule) for rule in ordered}
    dates = sorted({start for bounds in periods.values() for start, _ in bounds})
    # The engine reads a date only as its export year (``evaluate``), so the dates of one
    # year share one evaluation, its probes, its explainers and each row's outcomes: 26
    # period starts are 9 years (the probes of open rows were most of a seeding's time).
    first: dict[int, date] = {}
    for d in dates:
        first.setdefault(d.year, d)
    by_year = {y: evaluate(ordered, table, d) for y, d in first.items()}
    extras = {y: _Extras(ordered, by_year[y], d, alternatives) for y, d in first.items()}
    explainers = {(y, rule.id): Explainer(rule, by_year[y]) for rule in ordered
                  for y in {start.year for start, _ in periods[rule.id]}}
    out: list[list[Verdict]] = []
    for i in range(len(rows)):
        outcomes = {y: ev.outcomes_at(i) for y, ev in by_year.items()}
        verdicts: list[Verdict] = []
        sure: dict[date, dict[str, str | None]] = {d: {} for d in dates}
        for rule in ordered:
            previous: Verdict | None = None
            for start, end in periods[rule.id]:
                extra = extras[start.year]
                verdict = explainers[(start.year, rule.id)].verdict(
                    i, outcomes[start.year], why_unknown[i] if why_unknown else None,
                    extra.lines(i, rule.id), tiers[i] if tiers else None, sure[start],
                    extra.conventions(i, rule.id))
                for d in dates:  # the rules that read this one read its confidence then
                    if start <= d and (end is None or d <= end):
                        sure[d][rule.id] = verdict.confidence.tier
                if previous is not None and (
                    previous.outcome, previous.reason, previous.exceptions
                ) == (verdict.outcome, verdict.reason, verdict.exceptions):
                    previous = replace(previous, valid_to=end)
                    verdicts[-1] = previous
                    continue
                previous = replace(verdict, valid_from=start, valid_to=end)
                verdicts.append(previous)
        out.append(verdicts)
    return out


def evaluate_on(
    rules: Sequence[RuleDefinition],
    rows: Sequence[Mapping[str, Any]],
    as_of: date,
    only_in_force: bool = True,
    why_unknown: Sequence[Mapping[str, str]] | None = None,
    tiers: Sequence[Mapping[str, str]] | None = None,
    alternatives: Sequence[Alternative] = (),
) -> list[list[Verdict]]:
    """Verdicts of the rules in force on ``as_of`` (or of all rules) for every row."""
    ordered = order_rules(rules)
    evaluation = evaluate(ordered, MetricTable.from_rows(rows), as_of)
    extra = _Extras(ordered, evaluation, as_of, alternatives)
    explainers = [Explainer(rule, evaluation) for rule in ordered]
    shown = {rule.id for rule in ordered if not only_in_force or rule.in_force(as_of)}
    out: list[list[Verdict]] = []
    for i in range(len(rows)):
        outcomes = evaluation.outcomes_at(i)
        sure: dict[str, str | None] = {}
        verdicts = []
        for e in explainers:
            v = e.verdict(i, outcomes, why_unknown[i] if why_unknown else None,
                          extra.lines(i, e.rule.id), tiers[i] if tiers else None, sure,
                          extra.conventions(i, e.rule.id))
            sure[e.rule.id] = v.confidence.tier
            if e.rule.id in shown:
                verdicts.append(v)
        out.append(verdicts)
    return out
