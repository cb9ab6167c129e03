"""Classifying many designs at once: the engine's verdict, deciding clause and binding line.

Batch what-if and sweep hand this module metric columns in chunks. A rule's outcome for a row
depends on the row only through the truth (true, false or unknown) of each comparison in the
rule and in the rules it reads (its leaves). So each chunk computes those leaf truths column-wise
(the engine's own ``Comparison.truth``, as digits: ``engine.digits``), packs them into one
integer per row and rule (a base-3 number, the row's *pattern*), and asks the engine
(``evaluate_table``) only once per pattern never seen before, on a real row that has it.
Everything after the first chunk is a table lookup; the engine stays the one place that decides.

The **binding line** of a row under a rule is the nearest of the rule's own lines (the numeric
comparisons of its clauses and exclusions, as ``RuleDefinition.comparisons`` lists them) whose
crossing changes the outcome: each line's metric is moved to just the other side of the line,
the changed leaves give a changed pattern, and the lookup says whether the outcome moves.
Nearest means the smallest ``|margin %|``; the margin is ``value - threshold``, the same figure
the engine's explanation gives for that line (tests/service/test_batch.py holds both equal).
A line is a metric-level line: moving TPP across 4,800 leaves the stated performance density
as it is, exactly as the explanation's margins read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from chipdb.engine import (
    Comparison,
    MetricTable,
    Part,
    RuleDefinition,
    evaluate_table,
    order_rules,
)
from chipdb.engine.digits import truth_digits
from chipdb.metricdefs import TEXT_METRICS
from chipdb.service.leaves import (
    DigitArray,
    Factor,
    closure,
    crossing,
    line_key,
    line_name,
    opaque,
    sum_of,
    text_code,
)
from chipdb.service.ranged import answer_ranged, point_columns, ranged_rows

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
_DENSE_LIMIT = 3 ** 14  # patterns per rule up to which the lookup is one dense array (19 MiB)


def _dense_table(size: int) -> npt.NDArray[np.int32] | None:
    """A dense table of ``size`` entries holding id + 1 (0: not seen yet), or None past the
    limit. Zeros come from calloc, whose pages the kernel maps only when written: a table
    costs the pages of the patterns seen (a few), not 19 MiB, in resident memory."""
    return np.zeros(size, dtype=np.int32) if size <= _DENSE_LIMIT else None


@dataclass
class RuleColumns:
    """One rule's answers for a chunk: codes into the vocabularies, and the binding line."""

    outcome: IntArray  # index into RuleLookup.outcomes
    clause: IntArray  # index into RuleLookup.clauses ("" for the default or undetermined)
    line: IntArray  # index into RuleLookup.line_names; -1 when no single line changes it
    margin: FloatArray  # value - threshold of the binding line (NaN: none)
    margin_pct: FloatArray  # margin / threshold x 100 (NaN: none)


class RuleLookup:
    """Patterns seen so far for one rule, and what the engine said for each."""

    def __init__(self, rule: RuleDefinition, closure: list[RuleDefinition],
                 leaves: list[int]) -> None:
        self.rule = rule
        self.closure = closure  # the rule and every rule it reads, dependencies first
        self.leaves = leaves  # indexes into Classifier.leaves
        self.weights = np.array([3 ** j for j in range(len(leaves))], dtype=np.int64)
        size = 3 ** len(leaves)
        self.dense = _dense_table(size)  # result id + 1
        self.sparse: dict[int, int] = {}
        self.outcomes: list[str] = []
        self.clauses: list[str] = [""]
        self.results: list[tuple[int, int]] = []  # result id -> (outcome code, clause code)
        self.result_ids: dict[tuple[int, int], int] = {}
        own = {line_key(c) for part in (*rule.exclusions, *rule.clauses)
               for c in part.when.comparisons()}
        self.lines: list[Comparison] = [c for _, c in rule.comparisons() if line_key(c) in own]
        self.line_names = [line_name(c) for c in self.lines]
        self.opaque = False  # set by Classifier: a leaf kind patterns do not know
        # every pattern seen gets a compact slot, kept across chunks, so what a pattern alone
        # decides (whether crossing a line changes its outcome) is worked out once per pattern
        self.slot_dense = _dense_table(size)  # slot + 1
        self.slot_sparse: dict[int, int] = {}
        self.slot_keys = np.zeros(0, dtype=np.int64)
        self.changes: dict[int, npt.NDArray[np.int8]] = {}  # line -> per slot: 1, 0, -1 unknown

    def outcome_codes(self) -> IntArray:
        """Result id -> outcome code."""
        return np.array([o for o, _ in self.results], dtype=np.int64)

    def known(self, keys: IntArray) -> IntArray:
        """The result id of every key, -1 where the engine has not been asked yet."""
        if self.dense is not None:
            return self.dense[keys].astype(np.int64) - 1
        # a chunk holds few distinct patterns: look each up once
        patterns, inverse = np.unique(keys, return_inverse=True)
        get = self.sparse.get
        found = np.fromiter((get(k, -1) for k in patterns.tolist()), dtype=np.int64,
                            count=len(patterns))
        return found[inverse.reshape(-1)]

    def slots(self, keys: IntArray) -> IntArray:
        """The slot of every key; a pattern never seen before gets the next one."""
        if self.slot_dense is not None:
            slot = self.slot_dense[keys]
            if (slot == 0).any():
                new = np.unique(keys[slot == 0])
                self.slot_dense[new] = np.arange(len(self.slot_keys) + 1,
                                                 len(self.slot_keys) + len(new) + 1)
                self.slot_keys = np.concatenate([self.slot_keys, new])
                slot = self.slot_dense[keys]
            return slot.astype(np.int64) - 1
        patterns, inverse = np.unique(keys, return_inverse=True)
        found = []
        for key in patterns.tolist():
            if key not in self.slot_sparse:
                self.slot_sparse[key] = len(self.slot_keys)
                self.slot_keys = np.append(self.slot_keys, key)
            found.append(self.slot_sparse[key])
        return np.asarray(found, dtype=np.int64)[inverse.reshape(-1)]

    def learn(self, keys: Sequence[int], results: Sequence[tuple[str, str]]) -> None:
        for key, (outcome, clause) in zip(keys, results, strict=True):
            pair = (_code(self.outcomes, outcome), _code(self.clauses, clause))
            rid = self.result_ids.get(pair)
            if rid is None:
                rid = self.result_ids[pair] = len(self.results)
                self.results.append(pair)
            if self.dense is not None:
                self.dense[key] = rid + 1
            else:
                self.sparse[key] = rid


def _code(vocab: list[str], word: str) -> int:
    try:
        return vocab.index(word)
    except ValueError:
        vocab.append(word)
        return len(vocab) - 1


class Classifier:
    """The rules in force on one date, ready to classify chunks of metric columns."""

    def __init__(self, rules: Sequence[RuleDefinition], as_of: date) -> None:
        self.as_of = as_of
        by_id = {r.id: r for r in rules}
        self.rules = list(rules)
        self.in_force = [r for r in order_rules(rules) if r.in_force(as_of)]
        self.leaves: list[Comparison] = []
        index: dict[Comparison, int] = {}
        self.lookups: dict[str, RuleLookup] = {}
        for rule in self.in_force:
            members = closure(rule, by_id)
            mine: list[int] = []
            for member in members:
                for part in (*member.exclusions, *member.clauses):
                    for comp in part.when.comparisons():
                        if comp not in index:
                            index[comp] = len(self.leaves)
                            self.leaves.append(comp)
                        if index[comp] not in mine:
                            mine.append(index[comp])
            self.lookups[rule.id] = RuleLookup(rule, members, mine)
            # a criterion kind other than a comparison or another rule's verdict is no leaf a
            # pattern knows: such a rule is asked of the engine row by row (no binding line)
            self.lookups[rule.id].opaque = any(
                opaque(part.when) for member in members
                for part in (*member.exclusions, *member.clauses))
        self._index = index
        self._unbound: tuple[IntArray, FloatArray, FloatArray] | None = None

    def classify(self, metrics: Mapping[str, np.ndarray[Any, Any]], n: int,
                 factors: Mapping[str, Factor] | None = None) -> dict[str, RuleColumns]:
        """Every rule in force for n rows of metric columns (``metrics_from_inputs``).
        ``factors``: text metrics already as codes into a few words (the reader's)."""
        cols = point_columns(metrics)  # a ranged row reads as unknown here (service.ranged)
        cols["export_year"] = np.full(n, float(self.as_of.year))
        table = MetricTable(cols, n)
        codes = [text_code(leaf, table, (factors or {}).get(leaf.metrics[0]))
                 if leaf.metrics[0] in TEXT_METRICS else truth_digits(leaf, table)
                 for leaf in self.leaves]
        out: dict[str, RuleColumns] = {}
        sums: dict[tuple[int, ...], IntArray] = {}
        for rule in self.in_force:
            lookup = self.lookups[rule.id]
            if lookup.opaque:
                out[rule.id] = self._by_engine(lookup, metrics, n)
                continue
            keys = self._keys(lookup, codes, n, sums)
            rid = self._resolve(lookup, keys, lambda rows: {
                k: v[rows] for k, v in cols.items() if k != "export_year"})
            pairs = np.array(lookup.results, dtype=np.int64).reshape(-1, 2)
            # a take per column (numpy's fast path), not pairs[rid, k]'s general indexing
            outcome = pairs[:, 0].take(rid)
            out[rule.id] = RuleColumns(outcome, pairs[:, 1].take(rid),
                                       *self._binding(lookup, keys, outcome, codes, cols, n))
        ranged = ranged_rows(metrics, n)
        if len(ranged):
            answer_ranged(self.rules, self.lookups, {
                r: got for r, got in out.items() if not self.lookups[r].opaque},
                metrics, ranged, self.as_of)
        return out

    def _by_engine(self, lookup: RuleLookup, metrics: Mapping[str, np.ndarray[Any, Any]],
                   n: int) -> RuleColumns:
        result = evaluate_table(lookup.closure, MetricTable(metrics, n), self.as_of)
        got = result[lookup.rule.id]
        outcome = np.array([_code(lookup.outcomes, str(o)) for o in got.outcome.tolist()],
                           dtype=np.int64)
        clause = np.zeros(n, dtype=np.int64)
        for i in range(n):
            decision = got.decision(i)
            if decision.determined and decision.part is not Part.DEFAULT:
                clause[i] = _code(lookup.clauses, decision.clause(lookup.rule).head)
        return RuleColumns(outcome, clause, np.full(n, -1, dtype=np.int64),
                           np.full(n, np.nan), np.full(n, np.nan))

    def _keys(self, lookup: RuleLookup, codes: list[DigitArray], n: int,
              sums: dict[tuple[int, ...], IntArray]) -> IntArray:
        """Each row's pattern under the rule. A rule that reads another lists that rule's
        leaves first (``closure``: dependencies first), so its pattern is the other's plus its
        own digits: ``sums`` keeps the chunk's patterns by leaf list, and each rule starts from
        the longest list it extends (137 digit passes a chunk become 49 for the rules of
        2026). The arrays are read, never written, after."""
        leaves = tuple(lookup.leaves)
        start = next((k for k in range(len(leaves), 0, -1) if leaves[:k] in sums), 0)
        if start == len(leaves):
            return sums[leaves]
        keys = sums[leaves[:start]].copy() if start else np.zeros(n, dtype=np.int64)
        for leaf, weight in zip(leaves[start:], lookup.weights[start:], strict=True):
            keys += codes[leaf] * weight  # a digit (int8) times an int64 weight: int64
        sums[leaves] = keys
        return keys

    def _resolve(self, lookup: RuleLookup, keys: IntArray,
                 rows_of: Callable[[IntArray], dict[str, np.ndarray[Any, Any]]]) -> IntArray:
        """Result ids for every key; the engine is asked about new patterns, on real rows
        (``rows_of(positions)``: those rows' metric columns)."""
        rid = lookup.known(keys)
        missing = np.flatnonzero(rid < 0)
        if len(missing):
            new_keys, first = np.unique(keys[missing], return_index=True)
            rows = missing[first]
            sub = MetricTable(rows_of(rows), len(rows))
            result = evaluate_table(lookup.closure, sub, self.as_of)[lookup.rule.id]
            said = []
            for i in range(len(rows)):
                decision = result.decision(i)
                clause = ("" if not decision.determined or decision.part is Part.DEFAULT
                          else decision.clause(lookup.rule).head)
                said.append((str(result.outcome[i]), clause))
            lookup.learn(new_keys.tolist(), said)
            rid = lookup.known(keys)
        return rid

    def _binding(self, lookup: RuleLookup, keys: IntArray, outcome: IntArray,
                 codes: list[DigitArray], cols: Mapping[str, np.ndarray[Any, Any]], n: int
                 ) -> tuple[IntArray, FloatArray, FloatArray]:
        if not lookup.lines:  # most rules: no line of their own, nothing to move
            return self._no_line(n)
        best_line = np.full(n, -1, dtype=np.int64)
        margin = np.full(n, np.nan)
        pct = np.full(n, np.nan)
        best_abs = np.full(n, np.inf)
        slots = lookup.slots(keys)
        slot_of = {leaf: slot for slot, leaf in enumerate(lookup.leaves)}
        for j, comp in enumerate(lookup.lines):
            assert isinstance(comp.value, float)
            threshold = comp.value
            if self._pattern_only(lookup, comp):
                rows = self._changing_rows(lookup, j, slot_of, slots, outcome, cols)
                if not len(rows):
                    continue
                diff_at = cols[comp.metrics[0]][rows] - threshold
                share_at = (diff_at / threshold * 100 if threshold
                            else np.full(len(rows), np.nan))
                distance_at = np.abs(share_at) if threshold else np.abs(diff_at)
                better = distance_at < best_abs[rows]
                chosen = rows[better]
                best_line[chosen] = j
                best_abs[chosen] = distance_at[better]
                margin[chosen] = diff_at[better]
                pct[chosen] = share_at[better]
                continue
            values = sum_of(cols, comp.metrics, n)
            diff = values - threshold
            with np.errstate(divide="ignore", invalid="ignore"):
                share = diff / threshold * 100 if threshold else np.full(n, np.nan)
            # only a row where this line is nearer than the best so far can change the answer
            distance = np.abs(share) if threshold else np.abs(diff)
            at = np.flatnonzero(distance < best_abs)  # NaN (unknown) is never nearer
            if not len(at):
                continue
            holds = codes[self._index[comp]][at] == 1
            moved_metric = comp.metrics[0]
            sides = (crossing(comp.op, threshold, True), crossing(comp.op, threshold, False))
            moved = np.where(holds, *sides) - (values[at] - cols[moved_metric][at])
            new_keys = keys[at]
            for slot, other in enumerate(lookup.leaves):
                node = self.leaves[other]
                if moved_metric not in node.metrics:
                    continue
                if node.metrics == (moved_metric,) and len(comp.metrics) == 1:
                    # the moved value is one of two numbers (a summed line moves it further)
                    pair = truth_digits(node, MetricTable(
                        {moved_metric: np.array(sides, dtype=np.float64)}, 2))
                    new_code = np.where(holds, pair[0], pair[1])
                else:
                    sub = {m: cols[m][at] for m in node.metrics}
                    sub[moved_metric] = moved
                    new_code = truth_digits(node, MetricTable(sub, len(at)))
                new_keys = new_keys + (new_code - codes[other][at]) * lookup.weights[slot]

            def rows_of(positions: IntArray, at: IntArray = at, moved: FloatArray = moved,
                        name: str = moved_metric) -> dict[str, np.ndarray[Any, Any]]:
                picked = {k: v[at[positions]] for k, v in cols.items() if k != "export_year"}
                picked[name] = moved[positions]
                return picked

            rid = self._resolve(lookup, new_keys, rows_of)
            changed = at[lookup.outcome_codes()[rid] != outcome[at]]
            best_line[changed] = j
            best_abs[changed] = distance[changed]
            margin[changed] = diff[changed]
            pct[changed] = share[changed]
        return best_line, margin, pct

    def _no_line(self, n: int) -> tuple[IntArray, FloatArray, FloatArray]:
        """No binding line, no margin, for n rows: one read-only set shared by every rule
        without lines of its own (most of them), not three new arrays per rule and chunk."""
        if self._unbound is None or len(self._unbound[0]) != n:
            made = (np.full(n, -1, dtype=np.int64), np.full(n, np.nan), np.full(n, np.nan))
            for array in made:
                array.setflags(write=False)
            self._unbound = made
        return self._unbound

    def _pattern_only(self, lookup: RuleLookup, comp: Comparison) -> bool:
        """Whether crossing the line changes leaves the pattern alone decides: a one-metric
        line whose metric no summed comparison of the rule reads."""
        if len(comp.metrics) != 1:
            return False
        return all(len(self.leaves[leaf].metrics) == 1 for leaf in lookup.leaves
                   if comp.metrics[0] in self.leaves[leaf].metrics)

    def _changing_rows(self, lookup: RuleLookup, j: int, slot_of: Mapping[int, int],
                       slots: IntArray, outcome: IntArray,
                       cols: Mapping[str, np.ndarray[Any, Any]]) -> IntArray:
        """The rows whose outcome changes when line ``j``'s metric crosses it. Moved to just
        across the line, the metric is one of two numbers, so every other comparison of that
        metric comes out the same for every row of a pattern: the moved pattern, and whether
        its outcome differs, are found once per pattern (kept per slot across chunks)."""
        comp = lookup.lines[j]
        assert isinstance(comp.value, float)
        known = lookup.changes.get(j, np.zeros(0, dtype=np.int8))
        if len(known) < len(lookup.slot_keys):
            known = np.concatenate([known, np.full(len(lookup.slot_keys) - len(known), -1,
                                                   dtype=np.int8)])
            lookup.changes[j] = known
        fresh = np.flatnonzero(known[slots] < 0)
        if len(fresh):
            new_slots, at = np.unique(slots[fresh], return_index=True)
            first = fresh[at]
            known[new_slots] = self._pattern_changes(lookup, comp, slot_of,
                                                     lookup.slot_keys[new_slots], first,
                                                     outcome, cols)
        return np.flatnonzero(known[slots] == 1)

    def _pattern_changes(self, lookup: RuleLookup, comp: Comparison,
                         slot_of: Mapping[int, int], patterns: IntArray, first: IntArray,
                         outcome: IntArray, cols: Mapping[str, np.ndarray[Any, Any]]
                         ) -> npt.NDArray[np.int8]:
        """Per pattern (``first``: a row that has it), 1 if crossing the line changes the
        outcome, else 0."""
        assert isinstance(comp.value, float)
        metric, threshold = comp.metrics[0], comp.value
        sides = np.array([crossing(comp.op, threshold, True),
                          crossing(comp.op, threshold, False)], dtype=np.float64)
        weight = lookup.weights[slot_of[self._index[comp]]]
        digit = (patterns // weight) % 3
        holds = digit == 1
        moved_keys = patterns.copy()
        for leaf, slot in slot_of.items():
            node = self.leaves[leaf]
            if metric not in node.metrics:
                continue
            pair = truth_digits(node, MetricTable({metric: sides}, 2))
            old = (patterns // lookup.weights[slot]) % 3
            moved_keys += (np.where(holds, pair[0], pair[1]) - old) * lookup.weights[slot]

        def rows_of(positions: IntArray) -> dict[str, np.ndarray[Any, Any]]:
            picked = {k: v[first[positions]] for k, v in cols.items() if k != "export_year"}
            picked[metric] = np.where(holds[positions], sides[0], sides[1])
            return picked

        rid = self._resolve(lookup, moved_keys, rows_of)
        changes = (digit != 2) & (lookup.outcome_codes()[rid] != outcome[first])
        found: npt.NDArray[np.int8] = changes.astype(np.int8)
        return found
