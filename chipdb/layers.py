"""The layers of the law, the enforced statuses and the review order, for the bottom line.

One object over the tables of ``chipdb.outcomes`` (outcome words and layer definitions live
there, once): which layer a rule's ``layer`` word or a scope's ``kind`` belongs to, which
statuses are enforced, which outcome words mean "the rule does not reach the chip".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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

    def _holding(self, words: Callable[[Layer], tuple[str, ...]], word: str) -> Layer:
        """The layer whose ``words`` list ``word``; an unlisted word is a measure (it can
        never decide "licence required" by being unknown)."""
        return next((la for la in self.layers if word in words(la)), self.measures)

    def for_rule_layer(self, rule_layer: str) -> Layer:
        """The layer a rule's ``layer`` word belongs to."""
        return self._holding(lambda la: la.rule_layers, rule_layer)

    def for_scope_kind(self, kind: str) -> Layer:
        """The layer a scope's ``kind`` belongs to."""
        return self._holding(lambda la: la.scope_kinds, kind)

    def position(self, layer: Layer) -> int:
        return self.layers.index(layer)

    @property
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
