"""The rules engine: rule definitions as data, decided over metric columns and explained.

Layout, bottom up: ``operators`` (one row per operator), ``columns`` (MetricTable, Truth),
``criteria`` (criterion kinds and their ``KINDS`` registry), ``model`` (rules, verdicts,
``Decision``), ``parse`` (mappings to rules), ``evaluate`` (the one vectorized pass),
``explain`` (words from the kept truths), ``dated`` (verdicts per period).
"""

from chipdb.engine.columns import MetricTable, Possible, Truth
from chipdb.engine.criteria import (
    KINDS,
    OUTSIDE,
    UNDETERMINED,
    AllOf,
    AnyOf,
    Comparison,
    Criterion,
    RuleError,
    RuleOutcome,
)
from chipdb.engine.dated import Alternative, evaluate_dated, evaluate_on, period_starts
from chipdb.engine.deciding import probe
from chipdb.engine.evaluate import (
    Evaluation,
    RuleResult,
    either,
    evaluate,
    evaluate_rule,
    evaluate_table,
    order_rules,
)
from chipdb.engine.explain import TIERS, Explainer, explain, weakest
from chipdb.engine.model import (
    Clause,
    Confidence,
    Deciding,
    Decision,
    ExceptionNote,
    Margin,
    Parameter,
    Part,
    PerUnitQuantity,
    RuleDefinition,
    Verdict,
)
from chipdb.engine.operators import OPERATORS, Operator
from chipdb.engine.parse import rule_definitions_from_rows, rule_from_mapping

__all__ = [
    "KINDS",
    "OPERATORS",
    "OUTSIDE",
    "TIERS",
    "UNDETERMINED",
    "AllOf",
    "Alternative",
    "AnyOf",
    "Clause",
    "Comparison",
    "Confidence",
    "Criterion",
    "Deciding",
    "Decision",
    "Evaluation",
    "ExceptionNote",
    "Explainer",
    "Margin",
    "MetricTable",
    "Operator",
    "Parameter",
    "Part",
    "PerUnitQuantity",
    "Possible",
    "RuleDefinition",
    "RuleError",
    "RuleOutcome",
    "RuleResult",
    "Truth",
    "Verdict",
    "either",
    "evaluate",
    "evaluate_dated",
    "evaluate_on",
    "evaluate_rule",
    "evaluate_table",
    "explain",
    "order_rules",
    "period_starts",
    "probe",
    "rule_definitions_from_rows",
    "rule_from_mapping",
    "weakest",
]
