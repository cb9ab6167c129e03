"""The column dictionary: what every documented view and each of its columns means.

One source for ``chipdb db metadata`` (Datasette's metadata.json) and the PostgreSQL
``COMMENT ON`` statements. Metric columns are described from the metric registry
(chipdb.metricdefs), throughput columns from the precisions, ranges from their metric; the
rest is listed here once, by column name, with a per-view wording where one name means
different things in different views.
"""

from __future__ import annotations

from typing import Final

from chipdb.metricdefs import BY_NAME, HIGH, LOW
from chipdb.vocab import PRECISION_BITS

VIEWS: Final[dict[str, str]] = {
    "chip_specs": "One row per chip: the preferred published value of every spec field, "
                  "dense and sparse throughput per precision (TOPS), dates and status.",
    "chip_metrics": "One row per chip: the derived metrics the rules test (TPP, performance "
                    "density, I/O, memory bandwidth, ...), with ranges where a figure is "
                    "bounded, and why a metric is unknown.",
    "chip_verdict": "One row per chip, rule and period: the outcome, the clause and the reason "
                    "in words; computed once when the database is built.",
    "chip_margin": "One row per chip, rule, period and threshold line: the chip's value, the "
                   "line, and how far it sits from it (absolute and %).",
    "chip_sources": "Every published value of every chip field (competing claims kept), with "
                    "its source: URL, publisher, tier and access date.",
    "rule_thresholds": "Every threshold of every rule version: clause, metric, operator, "
                       "value, with the rule's dates and citation.",
    "chip_names": "Every name that resolves to a chip: its name, aliases and family names, "
                  "normalized (case and spacing ignored).",
    "destination_names": "Every name, code and alias of a destination country or territory.",
    "destination_groups": "Membership of countries in the EAR country groups (D:1, D:4, D:5, "
                          "...), with dates.",
    "destination_classes": "The classes of destination whose bottom line can differ (PRC and "
                           "Macau, other D:5, ...), with their member countries.",
    "chip_status": "The bottom line per chip, destination class and buyer-headquarters class "
                   "and period: licence required (true / false / null = undetermined), "
                   "exceptions, review policy, deciding rule and clause, binding margin, "
                   "confidence, since.",
    "policy_events": "Dated policy events that are not thresholds (licences granted, "
                     "announcements, deals, import measures, bills), with their evidence "
                     "label, sources and the rule they concern; shown by chipdb timeline and "
                     "chipdb changes.",
}

_UNITS: Final[dict[str, str]] = {"": "", "mm2": " (mm²)", "/mm2": " (TPP per mm²)",
                                 "GB/s": " (GB/s)", "GB": " (GB)", "GB/s/mm2": " (GB/s per mm²)",
                                 "billion": " (billions)", "nm": " (nm)"}

_COLUMNS: Final[dict[str, str]] = {
    "chip": "the chip's catalogue name (what chipdb's commands print and accept)",
    "event": "the policy event's id (seeds/events)",
    "day": "the day the event happened (at the precision date_precision gives)",
    "date_precision": "how precise 'day' is (day, month, quarter, year)",
    "jurisdiction": "ISO code of the government the event comes from (US, CN, MY, ...)",
    "chips": "the chips the event names, one per line",
    "vendors": "the vendors the event names, one per line",
    "evidence": "official, vendor, reported or analyst: how the event is known",
    "sources": "the keys of the sources the event rests on, one per line",
    "summary": "what happened, in words",
    "vendor": "the chip's vendor",
    "family": "the family a variant belongs to (H20 for 'H20 96GB')",
    "variant": "what sets this variant apart in its family (memory, form factor, ...)",
    "family_default": "the variant a family name resolves to",
    "form_factor": "SXM, PCIe, OAM, card, ...",
    "market": "the market the chip is designed or sold for (datacenter, consumer, ...)",
    "region": "the region the chip is sold for: global, or china for a China-market SKU",
    "architecture": "the vendor's architecture name",
    "announced": "date the chip was announced",
    "released": "date the chip was released (shipped)",
    "announced_precision": "how precise 'announced' is (day, month, quarter, year)",
    "released_precision": "how precise 'released' is (day, month, quarter, year)",
    "status": "shipping, roadmap, cancelled, ...",
    "tdp_w": "thermal design power (W)",
    "memory_type": "HBM3, HBM2e, GDDR6, ...",
    "process": "the foundry process of the logic die(s)",
    "origin": "'seed' for the bundled catalogue, else the name of the user import it came from",
    "notes": "free-text notes",
    "why_unknown": "why a metric is unknown (the figure it needs that no source publishes)",
    "io_basis": "how the I/O figure was summed (which links count, both directions)",
    "rule": "the rule version's id (us-2023-10, ...)",
    "rule_title": "the rule's short title",
    "title": "the title",
    "citation": "the legal citation (Federal Register, CFR, or the filing that reported it)",
    "layer": "the layer of the law the rule belongs to (classification, presumption, "
             "licence-notice, review-policy, tariff, ...); `chipdb rules --outcomes`",
    "rule_status": "in-force, not-enforced, bill, ... (only enforced rules decide the bottom "
                   "line)",
    "rule_unverified": "true when the rule's parameters are reported, not published",
    "unverified": "true when the figures (a rule's parameters, a group's membership) are "
                  "reported, not published",
    "effective": "date the rule took effect",
    "ended": "date the rule stopped applying (null: still in force)",
    "valid_from": "first day of the period this row holds for",
    "valid_to": "last day of the period (null: open-ended)",
    "outcome": "the outcome word (3A090.a.1, not-controlled, license-required, undetermined, "
               "...); docs/outcomes.md and `chipdb rules --outcomes` define each",
    "determined": "false when a figure the rule needs is unknown (the outcome is then "
                  "'undetermined' or a range of outcomes)",
    "reason": "why, in words, with the figures and lines compared",
    "missing": "the metrics whose absence left the outcome undetermined",
    "exceptions": "licence exceptions that may apply (NAC, ACA, HBM), on their conditions",
    "possible_outcomes": "the outcomes a chip with unknown figures could still get",
    "confidence": "the weakest source tier among the figures the deciding clause reads",
    "confidence_unverified": "rule parameters or scopes the answer rests on that are unverified",
    "conventions": "the counting conventions the verdict was computed under",
    "deciding": "for an undetermined outcome: the figures that would decide it",
    "clause": "the clause of the rule (3A090.a.1, band 1, ...)",
    "metric": "the metric the line is drawn on (see chip_metrics' columns)",
    "op": "the comparison (>=, >, <, <=)",
    "threshold": "the line's value, in the metric's unit",
    "parameter": "the name the rule gives the threshold",
    "position": "the order of the line within its clause / rule",
    "value": "the chip's value of the metric",
    "margin": "value − threshold (negative: below the line)",
    "margin_pct": "the margin as a percentage of the threshold",
    "met": "whether the comparison holds",
    "field": "the spec field the claim is about",
    "value_num": "the claimed value, when a number",
    "value_text": "the claimed value, when text",
    "value_low": "the low end of a range or bound claim",
    "value_high": "the high end of a range or bound claim (null: 'at least')",
    "preferred": "true for the value chipdb uses; the others are competing claims",
    "derivation": "how the value was derived from the source (e.g. sparse / 2)",
    "tier": "official (a vendor or government document about that chip), secondary, estimate "
            "or measured",
    "source": "the source's key",
    "url": "the source's address",
    "publisher": "who published the source",
    "accessed": "the date chipdb last read the source",
    "publisher_class": "the kind of publisher (vendor, government, press, mirror, dealer, ...)",
    "name_key": "the name, normalized (case folded, spacing and punctuation removed)",
    "kind": "name, alias or family",
    "name": "a name, code or alias",
    "code": "the ISO 3166 country code",
    "country_group": "the EAR country group (A:1, D:1, D:4, D:5, ...)",
    "note": "a note on the row",
    "class_id": "the destination class's id",
    "label": "the class as people name it",
    "destination_class": "the class of destination the answer holds for",
    "buyer_hq_class": "the class of the buyer's (or its ultimate parent's) headquarters",
    "destination_class_id": "the destination class's id",
    "buyer_class_id": "the buyer-headquarters class's id",
    "license_required": "true: a licence is required; false: not; null: undetermined (a "
                        "figure chipdb does not have decides it)",
    "review_policy": "how an application would be reviewed (case-by-case, presumption of "
                     "denial, ...)",
    "measures": "other measures in force: tariffs, foreign permits, guidance flags, ...",
    "basis": "the deciding rules and clauses, with citations and dates",
    "binding_rule": "the rule of the one line nearest to changing the answer",
    "binding_clause": "the clause of that line",
    "binding_metric": "the metric of that line",
    "binding_value": "the chip's value of that metric",
    "binding_threshold": "that line's value",
    "binding_margin_pct": "how far the chip sits from that line, in % of it",
    "since": "since when this answer has held for the destination and buyer",
}

# views that hold the rows a view reads: every chipdb table, hidden from a browsing user
INTERNAL_HINT: Final = "an internal table the views read; query the views instead"


def column_description(view: str, column: str) -> str | None:
    """What ``column`` of ``view`` means, or None when the dictionary does not know it."""
    if column in BY_NAME and view in ("chip_metrics", "chip_specs"):
        metric = BY_NAME[column]
        return f"{metric.meaning}{_UNITS.get(metric.unit, f' ({metric.unit})')}"
    for end, word in ((LOW, "low"), (HIGH, "high")):
        base = column.removesuffix(end)
        if column.endswith(end) and base in BY_NAME:
            return f"the {word} end of {BY_NAME[base].label}'s range (null: a point value)"
    for precision in PRECISION_BITS:
        for mode in ("dense", "sparse"):
            if column == f"{precision}_{mode}_tops":
                return (f"{precision.upper()} {mode} throughput (TOPS or TFLOPS, "
                        f"{PRECISION_BITS[precision]}-bit)")
    return _IN_VIEW.get((view, column)) or _COLUMNS.get(column)


# a column whose meaning depends on its view
_IN_VIEW: Final[dict[tuple[str, str], str]] = {
    ("chip_status", "confidence"): "the weakest source tier the answer rests on",
    ("destination_names", "kind"): "code, name or alias",
    ("destination_classes", "kind"): "destination (where the item goes) or buyer (where its "
                                     "buyer is headquartered)",
    ("destination_classes", "code"): "the code of a member country",
    ("destination_classes", "name"): "the name of a member country",
    ("policy_events", "kind"): "what sort of event: licence-practice, import-measure, deal, "
                               "bill, ...",
}
