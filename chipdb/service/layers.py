"""The layers of the law as stored, for the commands that group verdicts by layer.

Kept apart from service.bottomline so that `compare` and `show`, which only group stored
verdicts, do not import the policy evaluation the bottom line needs (about 25 ms cold).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chipdb.service.results import lines
from chipdb.service.session import Session
from chipdb.store.read import queries


def _rule_layer_lookup(layers: list[dict[str, Any]]) -> Callable[[str], str]:
    """The stored layer a rule's ``layer`` word belongs to; an unlisted word is a measure
    (as chipdb.layers.Layers.for_rule_layer decides when the answers are stored)."""
    by_word = {w: la["id"] for la in layers for w in lines(la["rule_layers"])}
    measures = next(la["id"] for la in layers if la["role"] == "measure")
    return lambda word: by_word.get(word, measures)


def rule_layers(s: Session) -> list[dict[str, Any]]:
    """Every layer in the order the bottom line composes them, with the rules it holds:
    ``[{layer, title, rules}]``, for the commands that group verdicts by layer."""
    layers = queries.layers(s.conn)
    layer_of = _rule_layer_lookup(layers)
    rules = queries.rules(s.conn)
    return [{"layer": la["id"], "title": la["title"],
             "rules": [r["rule"] for r in rules if layer_of(r["layer"]) == la["id"]]}
            for la in layers]


def outcome_vocabulary(s: Session) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The layers (in the order the bottom line composes them) and every outcome word the
    stored verdicts and scopes use, each with the layer it belongs to."""
    from chipdb.outcomes import SEVERAL, meaning

    layers = queries.layers(s.conn)
    layer_of = _rule_layer_lookup(layers)
    words: dict[tuple[str, str], set[str]] = {}
    for r in queries.outcome_words(s.conn):
        if SEVERAL in r["outcome"]:  # "A or B" under uncertainty: A and B are listed themselves
            continue
        layer = r["layer"] if r["origin"] == "scope" else layer_of(r["layer"])
        words.setdefault((r["outcome"], layer), set()).add(
            "rule verdicts" if r["origin"] == "verdict" else "destination scopes")
    order = {la["id"]: la["position"] for la in layers}
    rows = [{"outcome": w, "layer": la, "severity": meaning(w).severity,
             "meaning": meaning(w).short, "used_by": ", ".join(sorted(used))}
            for (w, la), used in sorted(words.items(), key=lambda kv: (order.get(kv[0][1], 99),
                                                                      kv[0][0]))]
    shown = [{"layer": la["id"], "role": la["role"], "title": la["title"],
              "meaning": la["meaning"]} for la in layers]
    return shown, rows
