"""The records of `check`: each rule in force on a day, and the bottom line per destination."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from chipdb.service.results import MarginRow, Resolution


@dataclass(frozen=True)
class CheckRow:
    """A rule in force: its outcome, the clause that decided it, the margins and citation."""

    rule: str
    rule_title: str | None
    citation: str | None
    outcome: str
    determined: bool
    clause: str | None  # None: no clause was met (the rule's default) or undetermined
    reason: str
    unverified: bool
    valid_from: date | None
    valid_to: date | None
    margins: tuple[MarginRow, ...]


@dataclass(frozen=True)
class BottomLine:
    """The bottom line for a chip, a destination (class), a buyer's HQ and a day: is a
    licence required, under which rule and clause, how sure, what else applies."""

    chip: str
    destination: str
    destination_class: str
    destination_codes: tuple[str, ...]
    party_hq: str | None
    buyer_class: str
    as_of: date
    license_required: bool | None
    exceptions: tuple[str, ...]
    review_policy: str | None
    measures: tuple[dict[str, Any], ...]
    basis: tuple[dict[str, Any], ...]
    binding_margin: dict[str, Any] | None
    confidence: dict[str, Any]
    since: date  # the whole answer (every layer) has read the same since
    license_required_since: date  # the licence answer alone (yes / no / undetermined)
    valid_from: date
    valid_to: date | None


@dataclass(frozen=True)
class CheckReport:
    """What applies to one chip on one day: the bottom line per destination (``answers``)
    and every rule's verdict in force then (``verdicts``)."""

    chip: str
    as_of: date
    verdicts: tuple[CheckRow, ...]
    resolved: Resolution
    answers: tuple[BottomLine, ...] = ()
__all__ = ["BottomLine", "CheckReport", "CheckRow"]
