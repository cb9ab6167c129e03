"""The rules engine: rule definitions as data, evaluated over metric columns (NumPy)."""

from chipdb.engine.core import (
    AllOf,
    AnyOf,
    Clause,
    Comparison,
    Criterion,
    ExceptionNote,
    Margin,
    MetricTable,
    Parameter,
    PerUnitQuantity,
    RuleDefinition,
    RuleOutcome,
    RuleResult,
    Truth,
    Verdict,
    evaluate_dated,
    evaluate_on,
    evaluate_rule,
    evaluate_table,
    explain,
    order_rules,
    period_starts,
    rule_definitions_from_rows,
    rule_from_mapping,
)

__all__ = [
    "AllOf", "AnyOf", "Clause", "Comparison", "Criterion", "ExceptionNote", "Margin",
    "MetricTable", "Parameter", "PerUnitQuantity", "RuleDefinition", "RuleOutcome",
    "RuleResult", "Truth", "Verdict", "evaluate_dated", "evaluate_on", "evaluate_rule",
    "evaluate_table", "explain", "order_rules", "period_starts", "rule_definitions_from_rows",
    "rule_from_mapping",
]
