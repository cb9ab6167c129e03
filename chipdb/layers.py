"""The layers of the law and the rule statuses, as data: parse seeds/layers.toml.

The bottom line composes a chip's verdicts layer by layer (classification → licence requirement
→ licence exception → review policy → other measures). Which rule layer or scope kind belongs
where, and which statuses are enforced, is written in seeds/layers.toml, not here; this module
only reads and checks it (layer 0: the standard library only, the caller passes the text).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from typing import Any, Final, Literal

from chipdb.errors import SeedError

Role = Literal["classification", "licence-requirement", "licence-exception", "review-policy",
               "measure"]
ROLES: Final[tuple[Role, ...]] = ("classification", "licence-requirement", "licence-exception",
                                  "review-policy", "measure")

_LAYER_KEYS = {"id", "role", "title", "meaning", "rule_layers", "scope_kinds"}
_STATUS_KEYS = {"id", "enforced", "meaning"}


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
class Status:
    id: str
    enforced: bool
    meaning: str


@dataclass(frozen=True)
class Layers:
    layers: tuple[Layer, ...]
    statuses: tuple[Status, ...]
    clear_outcomes: tuple[str, ...] = ()
    review_order: tuple[str, ...] = ()
    tiers: tuple[str, ...] = ()  # strongest first

    def for_rule_layer(self, rule_layer: str) -> Layer:
        """The layer a rule's ``layer`` word belongs to; an unlisted word is a measure (it can
        never decide "licence required" by being unknown)."""
        for layer in self.layers:
            if rule_layer in layer.rule_layers:
                return layer
        return self.measures

    def for_scope_kind(self, kind: str) -> Layer:
        for layer in self.layers:
            if kind in layer.scope_kinds:
                return layer
        return self.measures

    @property
    def measures(self) -> Layer:
        return next(la for la in self.layers if la.role == "measure")

    def enforced(self, status: str | None) -> bool:
        """An absent status means in force; an unlisted one is not enforced."""
        if status is None:
            return True
        return any(s.id == status and s.enforced for s in self.statuses)


def _strings(value: Any, file: str, record: str, field: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SeedError(file, record, field, "must be an array of text")
    return tuple(value)


def _text(table: dict[str, Any], key: str, file: str, record: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value:
        raise SeedError(file, record, key, "is required" if value is None else "must be text")
    return value


def parse_layers(text: str, file: str = "seeds/layers.toml") -> Layers:
    """Read seeds/layers.toml; every problem is one SeedError naming the file, record, field."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SeedError(file, "file", "-", f"is not valid TOML: {exc}") from None
    unknown = set(data) - {"schema", "layer", "status", "clear_outcomes", "review_order",
                           "tiers_strongest_first"}
    if unknown:
        raise SeedError(file, "file", sorted(unknown)[0], "is not a known field")
    layers: list[Layer] = []
    for i, table in enumerate(data.get("layer", [])):
        record = f"layer #{i + 1}"
        extra = set(table) - _LAYER_KEYS
        if extra:
            raise SeedError(file, record, sorted(extra)[0], "is not a known field")
        role = _text(table, "role", file, record)
        if role not in ROLES:
            raise SeedError(file, record, "role", f"must be one of {', '.join(ROLES)}")
        layers.append(Layer(
            id=_text(table, "id", file, record), role=role,  # type: ignore[arg-type]
            title=_text(table, "title", file, record),
            meaning=_text(table, "meaning", file, record),
            rule_layers=_strings(table.get("rule_layers", []), file, record, "rule_layers"),
            scope_kinds=_strings(table.get("scope_kinds", []), file, record, "scope_kinds"),
            position=i))
    statuses: list[Status] = []
    for i, table in enumerate(data.get("status", [])):
        record = f"status #{i + 1}"
        extra = set(table) - _STATUS_KEYS
        if extra:
            raise SeedError(file, record, sorted(extra)[0], "is not a known field")
        if not isinstance(table.get("enforced"), bool):
            raise SeedError(file, record, "enforced", "must be true or false")
        statuses.append(Status(_text(table, "id", file, record), table["enforced"],
                               _text(table, "meaning", file, record)))
    if sorted({la.role for la in layers}) != sorted(ROLES):
        raise SeedError(file, "file", "layer", f"needs one layer per role ({', '.join(ROLES)})")
    return Layers(tuple(layers), tuple(statuses),
                  _strings(data.get("clear_outcomes", []), file, "file", "clear_outcomes"),
                  _strings(data.get("review_order", []), file, "file", "review_order"),
                  _strings(data.get("tiers_strongest_first", []), file, "file",
                           "tiers_strongest_first"))
