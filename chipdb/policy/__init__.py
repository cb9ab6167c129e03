"""The bottom line as pure functions: destinations, country groups and rule scopes (plain
values) composed with a chip's stored verdicts into one answer per destination class."""

from chipdb.policy.bottomline import answer
from chipdb.policy.facts import (
    Answer,
    Basis,
    Binding,
    ChipFacts,
    Measure,
    RuleFacts,
    StoredMargin,
    StoredVerdict,
    decided_by,
    held_key,
)
from chipdb.policy.places import (
    DestinationClass,
    Geography,
    change_dates,
    classes_on,
)
from chipdb.policy.types import Country, Membership, PlaceSet, Scope, Treatment

__all__ = [
    "Answer", "Basis", "Binding", "ChipFacts", "Country", "DestinationClass", "Geography",
    "Measure", "Membership", "PlaceSet", "RuleFacts", "Scope", "StoredMargin", "StoredVerdict",
    "Treatment", "answer", "change_dates", "classes_on", "decided_by", "held_key",
]
