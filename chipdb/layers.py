"""The layers of the law, the enforced statuses and the review order, for the bottom line.

One object over the tables of ``chipdb.outcomes`` (outcome words and layer definitions live
there, once): which layer a rule's ``layer`` word or a scope's ``kind`` belongs to, which
statuses are enforced, which outcome words mean "the rule does not reach the chip".
"""

from __future__ import annotations

from dataclasses import dataclass

from chipdb.outcomes import LAYERS, OUTCOMES, REVIEW_ORDER, STATUSES, LayerDef, Role
from chipdb.vocab import TIERS_STRONGEST_FIRST


@dataclass(frozen=True)
class Layer:
    id: str
    role: Role
    title: str
    meaning: str
    rule_layers: tuple[str, ...]
    scope_kinds: tuple[str, ...]
    position: int


@dataclass(frozen=True)
class Layers:
    layers: tuple[Layer, ...]
    enforced_statuses: frozenset[str]
    clear_outcomes: frozenset[str]
    review_order: tuple[str, ...]
    tiers: tuple[str, ...]  # strongest first

    def for_rule_layer(self, rule_layer: str) -> Layer:
        """The layer a rule's ``layer`` word belongs to; an unlisted word is a measure (it can
        never decide "licence required" by being unknown)."""
        return next((la for la in self.layers if rule_layer in la.rule_layers), self.measures)

    def for_scope_kind(self, kind: str) -> Layer:
        return next((la for la in self.layers if kind in la.scope_kinds), self.measures)

    @property
    def measures(self) -> Layer:
        return next(la for la in self.layers if la.role == "measure")

    def enforced(self, status: str | None) -> bool:
        """An absent status means in force; an unlisted one is not enforced."""
        return status is None or status in self.enforced_statuses


def _layer(d: LayerDef, position: int) -> Layer:
    return Layer(d.id, d.role, d.title, d.meaning, d.rule_layers, d.scope_kinds, position)


def default_layers() -> Layers:
    return Layers(
        layers=tuple(_layer(d, i) for i, d in enumerate(LAYERS)),
        enforced_statuses=frozenset(k for k, (on, _) in STATUSES.items() if on),
        clear_outcomes=frozenset(w for w, o in OUTCOMES.items() if o.severity == "clear"),
        review_order=REVIEW_ORDER, tiers=TIERS_STRONGEST_FIRST)
