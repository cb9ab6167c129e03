"""Batch and sweep with ``--to``: the bottom line per destination for every design, as columns.

The answer for one design, one destination and one buyer headquarters is ``policy.answer``,
the function the stored bottom lines come from, fed what the store feeds it: the scopes in
force (read back from ``rule_scope``), the destination's and the buyer's class signatures (read
from ``destination_class``) and the design's verdicts. A design's answer depends on the design
only through, per rule in force, its outcome, its deciding clause and the licence-exception
notes that apply to it, and through whether its vendor is one a scope names: so a chunk's rows
are grouped by that combination (a handful), ``answer`` is asked once per combination (kept
across chunks) and every row reads its group's answer.

Per destination ``D`` (its code) the columns are ``D:license_required`` (true / false / empty
when a figure chipdb does not have decides it), ``D:exceptions``, ``D:review_policy``,
``D:decided_by`` (each basis: rule and clause, as ``list --to`` writes it), and ``D:binding``,
``D:margin``, ``D:margin_pct``: the line nearest to changing the answer, one rule at a time
(as the stored binding is approximate): licence required, the farthest of the binding lines of
the rules that caught it (each must fall); not required, the nearest of those of the rules
that reach the destination. The rules an item-keyed scope reads through the classification
count with it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from chipdb.service.chunks import Cells


@dataclass(frozen=True)
class Place:
    code: str  # the column prefix
    signature: frozenset[str]  # ids of the scopes that reach the destination
    buyer: frozenset[str]  # ... and the buyer's headquarters


@dataclass
class BottomLines:
    """What ``policy.answer`` needs besides a design's verdicts, for one day."""

    day: date
    places: list[Place]
    scopes: list[Any]
    rules: dict[str, Any]  # rule id -> RuleFacts
    layers: Any
    classification: str | None  # the rule whose verdict item-keyed scopes read
    answers: dict[tuple[Any, ...], list[Any]] = field(default_factory=dict)
    owner: Any = None  # the classifier whose codes the keys of ``answers`` are


def bottom_lines(s: Any, to: Sequence[str], party_hq: str | None, as_of: date,
                 rules: Sequence[Any]) -> BottomLines:
    """Resolve ``--to`` (each one destination) and ``--party-hq`` and read the scopes."""
    from chipdb.catalogue.destinations import scope_from_table
    from chipdb.errors import UsageError
    from chipdb.layers import default_layers
    from chipdb.policy import RuleFacts
    from chipdb.policy.places import answer_scopes
    from chipdb.service.bottomline import one_destination, resolve_place
    from chipdb.store.read import queries

    layers = default_layers()
    codes = [one_destination(s, t, as_of).codes[0] for t in to]
    buyer = resolve_place(s, party_hq, as_of, "headquarters country").codes if party_hq \
        else ("US",)
    if len(buyer) != 1:
        raise UsageError(f"--party-hq {party_hq} is a group: give one country")
    classes = queries.class_signatures(s.conn, [*codes, buyer[0]], as_of)
    sign = {(r["kind"], r["code"]): frozenset(filter(None, r["signature"].split("\n")))
            for r in classes}
    if ("buyer-hq", buyer[0]) not in sign:
        raise UsageError(f"no destination data on {as_of.isoformat()}: chipdb's rules start "
                         "on 2022-10-07, give --as-of on or after it")
    places = [Place(c, sign.get(("destination", c), frozenset()), sign[("buyer-hq", buyer[0])])
              for c in dict.fromkeys(codes)]
    loaded = {r.id for r in rules}
    scopes = answer_scopes([scope_from_table(json.loads(r["definition"]))
                            for r in queries.scope_definitions(s.conn)], as_of, loaded, layers)
    facts = {r.id: RuleFacts(r.id, r.layer, r.status, r.citation, r.unverified) for r in rules}
    classification = next((r.id for r in rules if r.in_force(as_of) and layers.for_rule_layer(
        r.layer).role == "classification"), None)
    return BottomLines(as_of, places, scopes, facts, layers, classification)


def to_group(ctx: Any) -> list[Cells]:
    """The bottom-line columns of one chunk (``batch.Context``), per destination."""
    lines: BottomLines | None = ctx.to
    if lines is None:
        return []
    classifier, ruled, n = ctx.classifier, ctx.ruled, ctx.chunk.n
    if lines.owner is not classifier:  # another run: its codes mean other words
        lines.answers.clear()
        lines.owner = classifier
    in_force = classifier.in_force
    vendors = sorted({v for sc in lines.scopes for v in sc.vendors})
    vendor_col = ctx.metrics.get("vendor")
    vendor_code = np.full(n, -1, dtype=np.int64)
    if vendor_col is not None:
        for k, name in enumerate(vendors):
            vendor_code[vendor_col == name] = k
    parts = [vendor_code]
    for rule in in_force:
        got = ruled[rule.id]
        parts += [got.outcome, got.clause, _notes(rule, classifier, ctx.metrics, got.outcome, n)]
    table = np.stack(parts, axis=1) if n else np.zeros((0, len(parts)), dtype=np.int64)
    combos, inverse = np.unique(table, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    found = [_answers(lines, classifier, tuple(int(x) for x in combo), vendors)
             for combo in combos]
    out: list[Cells] = []
    for p, place in enumerate(lines.places):
        answers = [f[p] for f in found]
        out += _columns(place.code, answers, inverse, ruled, lines, classifier, n)
    return out


def _notes(rule: Any, classifier: Any, metrics: Any, outcome: Any, n: int) -> Any:
    """Per row, a bit per exception note of the rule that applies (its outcomes and its
    ``when``, as the engine's explanation lists them)."""
    from chipdb.engine import MetricTable

    mask = np.zeros(n, dtype=np.int64)
    vocab = classifier.lookups[rule.id].outcomes
    table = None
    for j, note in enumerate(rule.exceptions):
        fits = [k for k, w in enumerate(vocab) if not note.outcomes or w in note.outcomes]
        holds = np.isin(outcome, fits)
        if note.when is not None:
            if table is None:
                cols = dict(metrics)
                cols["export_year"] = np.full(n, float(classifier.as_of.year))
                table = MetricTable(cols, n)
            try:
                holds &= note.when.truth(table, {}).true
            except KeyError:  # reads another rule's verdict: not known here, so not listed
                holds[:] = False
        mask[holds] |= 1 << j
    return mask


def _answers(lines: BottomLines, classifier: Any, combo: tuple[int, ...],
             vendors: Sequence[str]) -> list[Any]:
    from chipdb.outcomes import SEVERAL
    from chipdb.policy import ChipFacts, StoredVerdict, answer

    found = lines.answers.get(combo)
    if found is not None:
        return found
    verdicts = []
    for i, rule in enumerate(classifier.in_force):
        lookup = classifier.lookups[rule.id]
        word, clause, notes = (lookup.outcomes[combo[1 + 3 * i]],
                               lookup.clauses[combo[2 + 3 * i]], combo[3 + 3 * i])
        exceptions = tuple(f"{note.name}: {note.text}" for j, note in enumerate(rule.exceptions)
                           if notes >> j & 1)
        determined = word != "undetermined" and SEVERAL not in word
        verdicts.append(StoredVerdict(rule.id, word, determined, lines.day, None, exceptions,
                                      (), clause or None,
                                      possible=tuple(word.split(SEVERAL))
                                      if SEVERAL in word else ()))
    vendor = vendors[combo[0]] if combo[0] >= 0 else "unknown"
    chip = ChipFacts("design", vendor, tuple(verdicts), {})
    found = lines.answers[combo] = [
        answer(chip, lines.day, lines.rules, lines.scopes, place.signature, place.buyer,
               lines.layers) for place in lines.places]
    return found


def _columns(code: str, answers: Sequence[Any], inverse: Any, ruled: Any, lines: BottomLines,
             classifier: Any, n: int) -> list[Cells]:
    words: dict[str, list[str]] = {"required": ["true", "false"], "exceptions": [],
                                   "review": [], "decided": [], "binding": []}

    def code_of(kind: str, word: str | None) -> int:
        if not word:
            return -1
        vocab = words[kind]
        if word not in vocab:
            vocab.append(word)
        return vocab.index(word)

    per: dict[str, list[int]] = {k: [] for k in words if k != "binding"}
    margin, pct = np.full(n, np.nan), np.full(n, np.nan)
    best_rule = np.full(n, -1, dtype=np.int64)
    rule_ids = list(ruled)
    for k, a in enumerate(answers):
        per["required"].append(-1 if a.license_required is None else
                               0 if a.license_required else 1)
        per["exceptions"].append(code_of("exceptions", "; ".join(a.exceptions)))
        per["review"].append(code_of("review", a.review_policy))
        per["decided"].append(code_of("decided", "; ".join(
            f"{b.rule} {b.clause or b.outcome}" for b in a.basis)))
        rows = np.flatnonzero(inverse == k)
        chosen = [r for r in _binding_rules(a, lines) if r in ruled]
        if not len(rows) or not chosen:
            continue
        stack = np.stack([np.abs(ruled[r].margin_pct[rows]) for r in chosen])
        filled = np.where(np.isnan(stack), -np.inf if a.license_required else np.inf, stack)
        pick = (np.argmax if a.license_required else np.argmin)(filled, axis=0)
        has = ~np.isnan(stack[pick, np.arange(len(rows))])
        for j, r in enumerate(chosen):
            at = rows[(pick == j) & has]
            margin[at], pct[at] = ruled[r].margin[at], ruled[r].margin_pct[at]
            best_rule[at] = rule_ids.index(r)
    binding = np.full(n, -1, dtype=np.int64)
    names: list[str] = []
    for i, r in enumerate(rule_ids):
        got = ruled[r]
        at = np.flatnonzero(best_rule == i)
        for line in np.unique(got.line[at]).tolist():
            if line < 0:
                continue
            names.append(f"{r}: {classifier.lookups[r].line_names[line]}")
            binding[at[got.line[at] == line]] = len(names) - 1
    take = {k: np.asarray(v, dtype=np.int64)[inverse] if n else np.zeros(0, dtype=np.int64)
            for k, v in per.items()}
    required = np.array([1.0, 0.0, np.nan])[take["required"]]  # -1: the NaN at the end
    return [Cells(f"{code}:license_required", codes=take["required"],
                  vocab=tuple(words["required"]), values=required, boolean=True),
            Cells(f"{code}:exceptions", codes=take["exceptions"],
                  vocab=tuple(words["exceptions"])),
            Cells(f"{code}:review_policy", codes=take["review"], vocab=tuple(words["review"])),
            Cells(f"{code}:decided_by", codes=take["decided"], vocab=tuple(words["decided"])),
            Cells(f"{code}:binding", codes=binding, vocab=tuple(names)),
            Cells(f"{code}:margin", numbers=np.round(margin, 6)),
            Cells(f"{code}:margin_pct", numbers=np.round(pct, 4))]


def _binding_rules(a: Any, lines: BottomLines) -> list[str]:
    """The rules whose lines can change this answer: the caught prongs' (licence required) or
    the reaching prongs' (not required); an item-keyed scope reads the classification too."""
    if a.license_required is None:
        return []
    chosen = [b.rule for b in a.basis if b.scope is not None and
              (b.note is None or not a.license_required)]
    from chipdb.policy.bottomline import item_keyed

    by_id = {s.id: s for s in lines.scopes}
    if lines.classification and any(item_keyed(by_id[b.scope]) and b.rule != lines.classification
                                    for b in a.basis if b.scope in by_id):
        chosen.append(lines.classification)
    return [r for r in dict.fromkeys(chosen) if r in lines.rules]
