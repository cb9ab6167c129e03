"""The layers of the law, the enforced statuses and the review order, for the bottom line.

One object over the tables of ``chipdb.outcomes`` (outcome words and layer definitions live
there, once): which layer a rule's ``layer`` word or a scope's ``kind`` belongs to, which
statuses are enforced, which outcome words mean "the rule does not reach the chip".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from chipdb.outcomes import LAYERS, OUTCOMES, REVIEW_ORDER, STATUSES, LayerDef
from chipdb.vocab import TIERS_STRONGEST_FIRST

Layer = LayerDef  # one record per layer, defined once in chipdb.outcomes


@dataclass(frozen=True)
class Layers:
    layers: tuple[Layer, ...]  # in the order the bottom line composes them
    enforced_statuses: frozenset[str]
    clear_outcomes: frozenset[str]
    review_order: tuple[str, ...]
    tiers: tuple[str, ...]  # strongest first

    def _holding(self, words: Callable[[Layer], tuple[str, ...]]) -> dict[str, Layer]:
        """Each word to the first layer whose ``words`` list it (the bottom line asks this
        hundreds of thousands of times per seeding: a dict, not a scan)."""
        found: dict[str, Layer] = {}
        for la in self.layers:
            for word in words(la):
                found.setdefault(word, la)
        return found

    @cached_property
    def _by_rule_layer(self) -> dict[str, Layer]:
        return self._holding(lambda la: la.rule_layers)

    @cached_property
    def _by_scope_kind(self) -> dict[str, Layer]:
        return self._holding(lambda la: la.scope_kinds)

    def for_rule_layer(self, rule_layer: str) -> Layer:
        """The layer a rule's ``layer`` word belongs to; an unlisted word is a measure (it
        can never decide "licence required" by being unknown)."""
        return self._by_rule_layer.get(rule_layer, self.measures)

    def for_scope_kind(self, kind: str) -> Layer:
        """The layer a scope's ``kind`` belongs to (an unlisted kind: a measure)."""
        return self._by_scope_kind.get(kind, self.measures)

    def position(self, layer: Layer) -> int:
        return self.layers.index(layer)

    @cached_property
    def measures(self) -> Layer:
        return next(la for la in self.layers if la.role == "measure")

    def enforced(self, status: str | None) -> bool:
        """An absent status means in force; an unlisted one is not enforced."""
        return status is None or status in self.enforced_statuses


def default_layers() -> Layers:
    return Layers(
        layers=LAYERS,
        enforced_statuses=frozenset(k for k, (on, _) in STATUSES.items() if on),
        clear_outcomes=frozenset(w for w, o in OUTCOMES.items() if o.severity == "clear"),
        review_order=REVIEW_ORDER, tiers=TIERS_STRONGEST_FIRST)
