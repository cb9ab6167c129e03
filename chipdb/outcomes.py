"""What each outcome word means: its severity, the rule layer it belongs to, a short wording.

The one table of outcome meanings. Renderers never look inside an outcome word (no
``startswith("3A090")``): ``render.styles`` maps a severity to a terminal style and a plot
colour, so the tables and the map agree. A rule file may use a word this table does not list
(a user's draft rule, say); it reads as ``unknown`` (shown unstyled) until a line is added
here, and tests/render/test_outcomes.py fails for any bundled rule whose words are missing.

Why a Python table and not a TOML file in seeds/: it is a closed vocabulary that code and
tests check against, typed (mypy holds every severity to ``Severity``), and a layer-0 module
cannot reach ``store.package_data`` to find seeds/, nor should the cold read path open a file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

Severity = Literal["clear", "review", "tariff", "controlled", "undetermined", "unknown"]

SEVERITIES: Final[tuple[Severity, ...]] = (
    "clear", "review", "tariff", "controlled", "undetermined", "unknown",
)

_CLASSIFICATION = ("classification",)
_LICENCE = ("licence-requirement", "licence-notice")


@dataclass(frozen=True)
class Outcome:
    word: str
    severity: Severity
    layers: tuple[str, ...]  # the rule layers (a rule's `layer`) that give it; () for any
    short: str  # what the word means, in a few words


_TABLE: Final[tuple[Outcome, ...]] = (
    Outcome("not-controlled", "clear", _CLASSIFICATION, "outside ECCN 3A090"),
    Outcome("3A090", "controlled", _CLASSIFICATION, "ECCN 3A090 (2022 text)"),
    Outcome("3A090.a.1", "controlled", _CLASSIFICATION, "3A090.a: TPP alone"),
    Outcome("3A090.a.2", "controlled", _CLASSIFICATION, "3A090.a: TPP and density"),
    Outcome("3A090.b.1", "controlled", _CLASSIFICATION, "3A090.b: TPP and density band"),
    Outcome("3A090.b.2", "controlled", _CLASSIFICATION, "3A090.b: density band"),
    Outcome("3A090.c", "controlled", _CLASSIFICATION, "3A090.c: HBM by bandwidth density"),
    Outcome("presumed-3A090.a", "controlled", ("presumption",),
            "presumed 3A090.a at the foundry"),
    Outcome("rebutted", "clear", ("presumption",), "the 3A090.a presumption is rebutted"),
    Outcome("license-required", "controlled", _LICENCE, "a licence is required"),
    Outcome("presumption-of-denial", "controlled", ("review-policy",),
            "licences reviewed with a presumption of denial"),
    Outcome("case-by-case", "review", ("review-policy",), "licences reviewed case by case"),
    Outcome("tariff-25", "tariff", ("tariff",), "25% Section 232 duty"),
    Outcome("not-covered", "clear", (), "the rule does not cover it"),
    Outcome("not-applicable", "clear", (), "the rule does not apply to it"),
    Outcome("undetermined", "undetermined", (), "depends on a value chipdb does not have"),
)

OUTCOMES: Final[dict[str, Outcome]] = {o.word: o for o in _TABLE}


def meaning(word: str) -> Outcome:
    """The meaning of an outcome word; a word the table does not list is ``unknown``."""
    found = OUTCOMES.get(word)
    return found if found is not None else Outcome(word, "unknown", (), word)


def severity(word: str) -> Severity:
    return meaning(word).severity
