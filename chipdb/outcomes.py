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
    # the words of seeds/destinations/scopes.toml (one prong of a rule each; see LAYERS)
    Outcome("license-required-d5-hq", "controlled", _LICENCE,
            "a licence is required: buyer headquartered in D:5 or Macau"),
    Outcome("nac-eligible", "review", ("licence-exception",),
            "License Exception NAC may apply (notice to BIS)"),
    Outcome("aca-eligible", "review", ("licence-exception",), "License Exception ACA may apply"),
    Outcome("hbm-eligible", "review", ("licence-exception",), "License Exception HBM may apply"),
    Outcome("aia-eligible", "review", ("licence-exception",),
            "License Exception AIA (diffusion rule, not enforced)"),
    Outcome("lpp-eligible", "review", ("licence-exception",),
            "License Exception LPP (diffusion rule, not enforced)"),
    Outcome("license-free-approved-entity", "review", ("licence-exception",),
            "licence-free for approved entities"),
    Outcome("licensed-case-by-case", "review", ("review-policy",),
            "licences granted case by case in practice"),
    Outcome("revenue-share-15", "tariff", ("review-policy",),
            "reported 15% revenue share on licensed sales"),
    Outcome("not-covered-destination", "clear", (), "the destination left the rule's scope"),
    Outcome("named-prc-3a090", "controlled", ("guidance",), "named PRC 3A090 IC (GP10 guidance)"),
    Outcome("presumed-prc-3a090", "controlled", ("guidance",),
            "PRC-developed IC meeting 3A090, presumed under the GP10 guidance"),
    Outcome("authorized-designer-route", "review", ("presumption",),
            "an authorized or approved IC designer may rebut the foundry presumption"),
    Outcome("approved-designers-only", "review", ("presumption",),
            "only an approved IC designer may rebut the foundry presumption"),
    Outcome("import-gated", "review", ("import-policy-cn",),
            "imports gated by Beijing (see the dated measures)"),
    Outcome("permit-required", "controlled", ("foreign-rule",), "a foreign permit is required"),
    Outcome("import-discouraged", "review", ("import-policy-cn",), "imports discouraged"),
    Outcome("purchase-halt-ordered", "controlled", ("import-policy-cn",), "purchases halted"),
    Outcome("import-blocked", "controlled", ("import-policy-cn",), "imports blocked"),
    Outcome("import-approved-conditional", "review", ("import-policy-cn",),
            "imports approved on conditions"),
    Outcome("bill-covered", "review", ("bill",), "a bill would cover it (draft)"),
    Outcome("bill-mandatory-denial", "review", ("bill",),
            "a bill would deny every licence (draft)"),
    Outcome("location-verification-required", "review", ("bill",),
            "a bill would require location verification (draft)"),
)

OUTCOMES: Final[dict[str, Outcome]] = {o.word: o for o in _TABLE}


SEVERAL: Final = " or "  # how the engine joins the outcomes a range leaves possible


def meaning(word: str) -> Outcome:
    """The meaning of an outcome word; a word the table does not list is ``unknown``.

    A verdict under uncertainty may read "3A090.a.2 or 3A090.b.1": its severity is the one its
    parts share (controlled either way), else undetermined."""
    found = OUTCOMES.get(word)
    if found is not None:
        return found
    parts = [OUTCOMES.get(p) for p in word.split(SEVERAL)] if SEVERAL in word else []
    if parts and all(part is not None for part in parts):
        known = [part for part in parts if part is not None]
        shared = {part.severity for part in known}
        layers = tuple(dict.fromkeys(layer for part in known for layer in part.layers))
        return Outcome(word, shared.pop() if len(shared) == 1 else "undetermined", layers,
                       " or ".join(part.short for part in known))
    return Outcome(word, "unknown", (), word)


def severity(word: str) -> Severity:
    return meaning(word).severity


# --- layers: what each kind of rule contributes to the bottom line ----------------------------

Role = Literal["classification", "licence-requirement", "licence-exception", "review-policy",
               "measure"]


@dataclass(frozen=True)
class LayerDef:
    """One layer of the law, in the order `chipdb check` composes them. ``rule_layers`` are
    the rule files' ``layer`` words it holds, ``scope_kinds`` the scopes.toml ``kind``s."""

    id: str
    role: Role
    title: str
    meaning: str
    rule_layers: tuple[str, ...]
    scope_kinds: tuple[str, ...]


LAYERS: Final[tuple[LayerDef, ...]] = (
    LayerDef("classification", "classification", "Classification",
             "Which ECCN paragraph (3A090.a/.b/.c, 4A090, or none) the chip's published "
             "figures put it in.", _CLASSIFICATION, ()),
    LayerDef("licence-requirement", "licence-requirement", "Licence requirement",
             "Whether an export, reexport or in-country transfer to this destination, or to a "
             "buyer headquartered here, needs a licence.", _LICENCE,
             ("licence-requirement", "company-notice")),
    LayerDef("licence-exception", "licence-exception", "Licence exception",
             "A licence exception (NAC, ACA, HBM, ...) that may replace the licence, on its "
             "conditions (notice, eligibility).", ("licence-exception",),
             ("licence-exception", "licence-free-access")),
    LayerDef("review-policy", "review-policy", "Licence review policy",
             "How BIS reviews a licence application when one is needed: case by case, or with "
             "a presumption of denial.", ("review-policy", "licensing-practice"),
             ("review-policy", "licensing-practice")),
    LayerDef("other-measures", "measure", "Other measures",
             "Measures that apply beside the export licence and never by themselves require "
             "one: tariffs, the foundry presumption, foreign permits, guidance flags, end-user "
             "rules for named parties, import-side measures, bills.",
             ("presumption", "tariff", "guidance", "foreign-rule", "import-policy-cn", "bill",
              "end-user-rule"),
             ("destination-change", "presumption", "presumption-rebuttal", "tariff", "guidance",
              "permit", "import-measure", "end-user-rule", "bill")),
)

# Rule and scope statuses: the one vocabulary (a rule file's and a scope's ``status``). Only an
# enforced one can make the answer "licence required"; a status not listed is not enforced.
# A draft (a bill, a proposal) is evaluated only when asked for (--include-draft).
STATUSES: Final[dict[str, tuple[bool, str]]] = {
    "in-force": (True, "in force"),
    "not-enforced": (False, "on the books, but the government says it does not enforce it"),
    "pending": (False, "published and in force, but its obligations bind only from its "
                       "compliance date"),
    "superseded": (True, "in force until a later text replaced it (its dates say when)"),
    "expired": (False, "lapsed at its end date, nothing replaced it"),
    "draft": (False, "a bill or proposal, never in force; shown only with --include-draft"),
    "dropped": (False, "a bill or proposal that was dropped"),
}
RULE_STATUSES: Final[tuple[str, ...]] = tuple(STATUSES)
DRAFT: Final = "draft"
PENDING: Final = "pending"  # a measure's status before its rule's compliance date

# Review policies, mildest first: when two prongs give one, the stricter holds.
REVIEW_ORDER: Final[tuple[str, ...]] = (
    "licensed-case-by-case", "case-by-case", "presumption-of-denial",
)
