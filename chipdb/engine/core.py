"""Rules as data, and the one engine that evaluates them.

A rule is a dated text (id, citation, effective and ended dates) plus an ordered list of
clauses; each clause maps a criterion over named metrics to an outcome. The engine knows
operators and metrics, never rule numbers: every threshold lives in seeds/rules/*.toml.

Evaluation is three-valued (Kleene): a metric that is unknown makes a comparison unknown, and
an unknown that could change the outcome makes the verdict ``undetermined``, naming the
missing metric. The engine is vectorized with NumPy so that one code path serves a single
chip, the catalogue and a batch of 100 000 designs alike.
"""

from __future__ import annotations

import json
import math
import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from chipdb.errors import SeedError
from chipdb.metricdefs import BOOLEAN_METRICS, METRIC_LABELS, METRICS, TEXT_METRICS
from chipdb.units import fmt_number

UNDETERMINED: Final = "undetermined"
OPERATORS: Final[tuple[str, ...]] = (">=", ">", "<", "<=", "==", "!=", "in", "not-in")
# One table for the numeric operators: elementwise on NumPy columns, plain on one value.
_COMPARE: Final[dict[str, Any]] = {
    ">=": operator.ge, ">": operator.gt, "<": operator.lt, "<=": operator.le,
    "==": operator.eq, "!=": operator.ne,
}
_OP_WORDS: Final[dict[str, str]] = {
    ">=": "≥", ">": ">", "<": "<", "<=": "≤", "==": "=", "!=": "≠", "in": "in", "not-in": "not in"
}
_NEGATED: Final[dict[str, str]] = {
    ">=": "<", ">": "≤", "<": "≥", "<=": ">", "==": "≠", "!=": "=", "in": "not in", "not-in": "in"
}

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
ObjArray = npt.NDArray[np.object_]


# --- the rule model ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """``metric op value``; several metrics are summed (e.g. memory + I/O bandwidth)."""

    metrics: tuple[str, ...]
    op: str
    value: float | bool | str | tuple[str, ...]
    param: str | None = None

    @property
    def subject(self) -> str:
        return " + ".join(self.metrics)

    @property
    def numeric(self) -> bool:
        return isinstance(self.value, float)


@dataclass(frozen=True)
class AllOf:
    items: tuple[Criterion, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Criterion, ...]


@dataclass(frozen=True)
class RuleOutcome:
    """True when another rule's verdict is one of ``outcomes`` (e.g. 3A090.a for us-2026-01)."""

    rule: str
    outcomes: tuple[str, ...]


Criterion = Comparison | AllOf | AnyOf | RuleOutcome


@dataclass(frozen=True)
class Clause:
    outcome: str
    when: Criterion
    label: str = ""
    text: str = ""


@dataclass(frozen=True)
class ExceptionNote:
    name: str
    text: str
    outcomes: tuple[str, ...] = ()
    when: Criterion | None = None


@dataclass(frozen=True)
class PerUnitQuantity:
    """An allowance expressed per chip, e.g. units under a TPP cap: parameter / metric."""

    label: str
    param: str
    metric: str


@dataclass(frozen=True)
class Parameter:
    name: str
    value: float
    unit: str = ""
    note: str = ""
    unverified: bool = False


@dataclass(frozen=True)
class RuleDefinition:
    id: str
    title: str
    citation: str
    url: str
    effective: date
    status: str
    layer: str
    clauses: tuple[Clause, ...]
    default_outcome: str
    default_reason: str = ""
    short_title: str = ""
    published: date | None = None
    ended: date | None = None
    summary: str = ""
    wording: str = ""
    notes: tuple[str, ...] = ()
    unverified: bool = False
    parameters: tuple[Parameter, ...] = ()
    exclusions: tuple[Clause, ...] = ()
    exceptions: tuple[ExceptionNote, ...] = ()
    per_unit: tuple[PerUnitQuantity, ...] = ()
    origin: str = "seed"
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def depends_on(self) -> tuple[str, ...]:
        found: list[str] = []
        for clause in (*self.exclusions, *self.clauses):
            found.extend(_rule_refs(clause.when))
        for note in self.exceptions:
            if note.when is not None:
                found.extend(_rule_refs(note.when))
        return tuple(dict.fromkeys(found))

    def comparisons(self) -> list[tuple[str, Comparison]]:
        """Every numeric threshold the rule compares, with the label of its clause, once each."""
        return self._comparisons

    @cached_property
    def _comparisons(self) -> list[tuple[str, Comparison]]:
        # computed once per rule: explain() asks for it for every chip and period
        seen: set[tuple[str, str, Any]] = set()
        out: list[tuple[str, Comparison]] = []
        sources: list[tuple[str, Criterion]] = [
            (c.label or c.outcome, c.when) for c in (*self.exclusions, *self.clauses)
        ]
        sources += [(n.name, n.when) for n in self.exceptions if n.when is not None]
        for label, when in sources:
            for comp in _comparisons(when):
                key = (comp.subject, comp.op, comp.value)
                if comp.numeric and key not in seen and "export_year" not in comp.metrics:
                    seen.add(key)
                    out.append((label, comp))
        return out

    def in_force(self, on: date) -> bool:
        return self.effective <= on and (self.ended is None or on <= self.ended)

    def parameter(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        raise KeyError(name)


def _rule_refs(crit: Criterion) -> list[str]:
    if isinstance(crit, RuleOutcome):
        return [crit.rule]
    if isinstance(crit, AllOf | AnyOf):
        return [r for item in crit.items for r in _rule_refs(item)]
    return []


def _comparisons(crit: Criterion) -> list[Comparison]:
    if isinstance(crit, Comparison):
        return [crit]
    if isinstance(crit, AllOf | AnyOf):
        return [c for item in crit.items for c in _comparisons(item)]
    return []


# --- parsing rule mappings (from TOML or JSON) ------------------------------------------------


def _req(raw: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str = "") -> Any:
    if key not in raw:
        raise ValueError(f"{where}{key}: is required")
    value = raw[key]
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)
                                        and bool not in (kind if isinstance(kind, tuple)
                                                         else (kind,))):
        raise ValueError(f"{where}{key}: has the wrong type ({type(value).__name__})")
    return value


def _opt_date(raw: Mapping[str, Any], key: str) -> date | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"{key}: must be a date like 2023-11-17, not {value!r}")


def _criterion(raw: Any, params: Mapping[str, Parameter], where: str) -> Criterion:
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where}: a criterion must be a table, not {raw!r}")
    keys = set(raw)
    if keys == {"all"} or keys == {"any"}:
        items = raw.get("all", raw.get("any"))
        if not isinstance(items, list) or not items:
            raise ValueError(f"{where}: 'all'/'any' takes a non-empty list")
        parsed = tuple(_criterion(item, params, f"{where}[{i}]") for i, item in enumerate(items))
        return AllOf(parsed) if "all" in raw else AnyOf(parsed)
    if keys == {"rule", "outcome_in"}:
        outs = raw["outcome_in"]
        if not isinstance(raw["rule"], str) or not isinstance(outs, list) or not outs:
            raise ValueError(f"{where}: rule = \"id\", outcome_in = [\"...\"]")
        return RuleOutcome(raw["rule"], tuple(str(o) for o in outs))
    if "metric" not in raw or "op" not in raw or not ({"value", "param"} & keys):
        raise ValueError(
            f"{where}: expected {{metric, op, value|param}}, {{all=[...]}}, {{any=[...]}} or "
            f"{{rule, outcome_in}}; got keys {sorted(keys)}"
        )
    extra = keys - {"metric", "op", "value", "param"}
    if extra:
        raise ValueError(f"{where}: unknown key {sorted(extra)[0]}")
    metric_raw = raw["metric"]
    names = tuple(metric_raw) if isinstance(metric_raw, list) else (metric_raw,)
    for name in names:
        if not isinstance(name, str) or name not in METRICS:
            raise ValueError(f"{where}.metric: unknown metric {name!r}; known: "
                             f"{', '.join(sorted(METRICS))}")
    op = raw["op"]
    if op not in OPERATORS:
        raise ValueError(f"{where}.op: {op!r} is not one of {' '.join(OPERATORS)}")
    param = raw.get("param")
    value: Any
    if param is not None:
        if param not in params:
            raise ValueError(f"{where}.param: no parameter named {param!r}")
        value = params[param].value
    else:
        value = raw["value"]
    is_bool = all(n in BOOLEAN_METRICS for n in names)
    is_text = all(n in TEXT_METRICS for n in names)
    if op in ("in", "not-in"):
        if not is_text:
            raise ValueError(f"{where}.op: '{op}' compares a text metric "
                             f"({', '.join(sorted(TEXT_METRICS))}) with a list of names")
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"{where}.value: '{op}' takes a list of names")
        value = tuple(value)
    elif is_bool:
        if not isinstance(value, bool) or op not in ("==", "!="):
            raise ValueError(f"{where}: a yes/no metric compares with == or != to true/false")
    elif is_text:
        if not isinstance(value, str) or op not in ("==", "!="):
            raise ValueError(f"{where}: a text metric compares with ==, !=, in or not-in")
    else:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(
            value
        ):
            raise ValueError(f"{where}.value: must be a finite number, not {value!r}")
        value = float(value)
    return Comparison(names, op, value, param)


def _merge(parent: Mapping[str, Any], child: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(parent)
    for key, value in child.items():
        if key == "parameters" and isinstance(value, Mapping):
            params = dict(parent.get("parameters", {}))
            for name, spec in value.items():
                base = params.get(name, {})
                if isinstance(spec, Mapping) and isinstance(base, Mapping):
                    params[name] = {**base, **spec}
                else:
                    params[name] = spec
            merged["parameters"] = params
        elif key == "append_clause":
            merged["clause"] = [*parent.get("clause", []), *value]
        elif key != "extends":
            merged[key] = value
    return merged


def rule_from_mapping(
    raw: Mapping[str, Any],
    known: Mapping[str, RuleDefinition] | None = None,
    origin: str = "seed",
) -> RuleDefinition:
    """Build and check a rule; ``extends = "id"`` starts from a known rule's definition."""
    known = known or {}
    if "extends" in raw:
        parent_id = raw["extends"]
        if parent_id not in known:
            raise ValueError(f"extends: no rule {parent_id!r} to extend")
        raw = _merge(known[parent_id].raw, raw)
    allowed = {
        "id", "title", "short_title", "citation", "url", "published", "effective", "ended",
        "status", "layer", "summary", "wording", "notes", "unverified", "parameters",
        "exclude", "clause", "default_outcome", "default_reason", "exception", "per_unit",
        "append_clause",
    }
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise ValueError(f"{unknown[0]}: is not a known rule field (see docs/seed-format.md)")
    rule_id = _req(raw, "id", str)
    if not rule_id or not all(ch.isalnum() or ch in "-_." for ch in rule_id):
        raise ValueError(f"id: {rule_id!r} must be letters, digits, '-', '_' or '.'")
    params: dict[str, Parameter] = {}
    for name, spec in dict(raw.get("parameters", {})).items():
        if isinstance(spec, Mapping):
            value = spec.get("value")
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"parameters.{name}.value: must be a number")
            params[name] = Parameter(
                name, float(value), str(spec.get("unit", "")), str(spec.get("note", "")),
                bool(spec.get("unverified", False)),
            )
        elif isinstance(spec, int | float) and not isinstance(spec, bool):
            params[name] = Parameter(name, float(spec))
        else:
            raise ValueError(f"parameters.{name}: must be a number or a table with value")

    def clauses(key: str) -> tuple[Clause, ...]:
        out: list[Clause] = []
        items = raw.get(key, [])
        if not isinstance(items, list):
            raise ValueError(f"{key}: must be an array of tables")
        for i, item in enumerate(items):
            where = f"{key}[{i}]"
            if not isinstance(item, Mapping):
                raise ValueError(f"{where}: must be a table")
            extra = set(item) - {"outcome", "when", "label", "text"}
            if extra:
                raise ValueError(f"{where}.{sorted(extra)[0]}: is not a known clause field")
            outcome = _req(item, "outcome", str, f"{where}.")
            when = _criterion(_req(item, "when", Mapping, f"{where}."), params, f"{where}.when")
            out.append(Clause(outcome, when, str(item.get("label", "")),
                              str(item.get("text", ""))))
        return tuple(out)

    exceptions: list[ExceptionNote] = []
    for i, item in enumerate(raw.get("exception", [])):
        where = f"exception[{i}]"
        when = item.get("when")
        exceptions.append(
            ExceptionNote(
                name=_req(item, "name", str, f"{where}."),
                text=_req(item, "text", str, f"{where}."),
                outcomes=tuple(item.get("outcomes", [])),
                when=None if when is None else _criterion(when, params, f"{where}.when"),
            )
        )
    per_unit: list[PerUnitQuantity] = []
    for i, item in enumerate(raw.get("per_unit", [])):
        where = f"per_unit[{i}]"
        param = _req(item, "param", str, f"{where}.")
        if param not in params:
            raise ValueError(f"{where}.param: no parameter named {param!r}")
        metric = _req(item, "metric", str, f"{where}.")
        if metric not in METRICS:
            raise ValueError(f"{where}.metric: unknown metric {metric!r}")
        per_unit.append(PerUnitQuantity(_req(item, "label", str, f"{where}."), param, metric))
    status = raw.get("status", "in-force")
    if status not in ("in-force", "superseded", "inactive", "draft"):
        raise ValueError(f"status: {status!r} must be in-force, superseded, inactive or draft")
    effective = _opt_date(raw, "effective")
    if effective is None:
        raise ValueError("effective: is required")
    ended = _opt_date(raw, "ended")
    if ended is not None and ended < effective:
        raise ValueError("ended: is before effective")
    notes = raw.get("notes", [])
    if isinstance(notes, str):
        notes = [notes]
    rule = RuleDefinition(
        id=rule_id,
        title=_req(raw, "title", str),
        short_title=str(raw.get("short_title", "")),
        citation=_req(raw, "citation", str),
        url=_req(raw, "url", str),
        published=_opt_date(raw, "published"),
        effective=effective,
        ended=ended,
        status=status,
        layer=str(raw.get("layer", "classification")),
        summary=str(raw.get("summary", "")),
        wording=str(raw.get("wording", "")),
        notes=tuple(str(n) for n in notes),
        unverified=bool(raw.get("unverified", False)),
        parameters=tuple(params.values()),
        exclusions=clauses("exclude"),
        clauses=clauses("clause"),
        default_outcome=_req(raw, "default_outcome", str),
        default_reason=str(raw.get("default_reason", "")),
        exceptions=tuple(exceptions),
        per_unit=tuple(per_unit),
        origin=origin,
        raw=_jsonable(raw),
    )
    if not rule.clauses:
        raise ValueError("clause: a rule needs at least one clause")
    for dep in rule.depends_on:
        if dep == rule.id:
            raise ValueError(f"clause: rule {dep} cannot depend on itself")
    return rule


def _jsonable(raw: Mapping[str, Any]) -> dict[str, Any]:
    def conv(v: Any) -> Any:
        if isinstance(v, date):
            return v.isoformat()
        if isinstance(v, Mapping):
            return {str(k): conv(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [conv(x) for x in v]
        return v

    out = conv(raw)
    out.pop("extends", None)
    out.pop("append_clause", None)
    return dict(out)


def order_rules(rules: Iterable[RuleDefinition]) -> list[RuleDefinition]:
    """Dependencies first; a reference to an unknown rule or a cycle is an error."""
    by_id = {r.id: r for r in rules}
    done: dict[str, RuleDefinition] = {}
    visiting: set[str] = set()

    def visit(rule: RuleDefinition) -> None:
        if rule.id in done:
            return
        if rule.id in visiting:
            raise ValueError(f"rule {rule.id}: depends on itself through other rules")
        visiting.add(rule.id)
        for dep in rule.depends_on:
            if dep not in by_id:
                raise ValueError(f"rule {rule.id}: depends on unknown rule {dep}")
            visit(by_id[dep])
        visiting.discard(rule.id)
        done[rule.id] = rule

    for rule in sorted(by_id.values(), key=lambda r: (r.effective, r.id)):
        visit(rule)
    return list(done.values())


# --- evaluation -------------------------------------------------------------------------------


class MetricTable:
    """Column-wise metric values for n chips: float (NaN = unknown) or object (None = unknown)."""

    def __init__(self, columns: Mapping[str, np.ndarray[Any, Any]], size: int) -> None:
        self.columns = dict(columns)
        self.size = size

    @classmethod
    def from_rows(cls, rows: Sequence[Mapping[str, Any]]) -> MetricTable:
        n = len(rows)
        cols: dict[str, np.ndarray[Any, Any]] = {}
        for name in METRICS:
            if name in TEXT_METRICS:
                cols[name] = np.array([r.get(name) for r in rows], dtype=object)
            else:
                cols[name] = np.array(
                    [_as_float(r.get(name)) for r in rows], dtype=np.float64
                ).reshape(n)
        return cls(cols, n)

    def numeric(self, name: str) -> FloatArray:
        col = self.columns.get(name)
        if col is None:
            return np.full(self.size, np.nan)
        return col

    def text(self, name: str) -> ObjArray:
        col = self.columns.get(name)
        if col is None:
            return np.full(self.size, None, dtype=object)
        return col

    def with_column(self, name: str, values: np.ndarray[Any, Any]) -> MetricTable:
        cols = dict(self.columns)
        cols[name] = values
        return MetricTable(cols, self.size)


def _as_float(value: Any) -> float:
    if value is None:
        return math.nan
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    return float(value)


@dataclass
class Truth:
    """Kleene truth for n rows: definitely true, definitely false; neither = unknown."""

    true: BoolArray
    false: BoolArray

    @property
    def unknown(self) -> BoolArray:
        result: BoolArray = ~(self.true | self.false)
        return result


@dataclass
class RuleResult:
    """Outcomes of one rule for n rows."""

    outcome: ObjArray  # str per row; UNDETERMINED where an unknown could change it
    clause_index: npt.NDArray[np.int64]  # deciding clause; -1 default; -2 undetermined;
    # -(100 + i) exclusion i
    pending: npt.NDArray[np.int64]  # for undetermined rows: the clause left unknown


def _compare(comp: Comparison, table: MetricTable) -> Truth:
    op = comp.op
    if all(m in TEXT_METRICS for m in comp.metrics):
        texts = table.text(comp.metrics[0])
        known = np.array([v is not None for v in texts], dtype=bool)
        targets = comp.value if isinstance(comp.value, tuple) else (comp.value,)
        hit = np.isin(texts.astype(str), np.array(targets, dtype=str)) & known
        result = hit if op in ("in", "==") else ~hit
        return Truth(result & known, ~result & known)
    values = table.numeric(comp.metrics[0])
    for extra in comp.metrics[1:]:
        values = values + table.numeric(extra)
    known = ~np.isnan(values)
    thr = 1.0 if comp.value is True else 0.0 if comp.value is False else comp.value
    assert isinstance(thr, float)
    with np.errstate(invalid="ignore"):
        hit = _COMPARE[op](values, thr)
    return Truth(hit & known, ~hit & known)


def _truth(crit: Criterion, table: MetricTable, deps: Mapping[str, RuleResult]) -> Truth:
    if isinstance(crit, Comparison):
        return _compare(crit, table)
    if isinstance(crit, RuleOutcome):
        dep = deps[crit.rule]
        decided = dep.outcome != UNDETERMINED
        hit = np.isin(dep.outcome.astype(str), np.array(crit.outcomes, dtype=str))
        return Truth(hit & decided, ~hit & decided)
    parts = [_truth(item, table, deps) for item in crit.items]
    if isinstance(crit, AllOf):
        true = np.logical_and.reduce([p.true for p in parts])
        false = np.logical_or.reduce([p.false for p in parts])
    else:
        true = np.logical_or.reduce([p.true for p in parts])
        false = np.logical_and.reduce([p.false for p in parts])
    return Truth(true, false)


def evaluate_rule(
    rule: RuleDefinition, table: MetricTable, deps: Mapping[str, RuleResult]
) -> RuleResult:
    """First clause that holds wins; an unknown clause before it leaves the row undetermined."""
    n = table.size
    outcome = np.full(n, None, dtype=object)
    index = np.full(n, -1, dtype=np.int64)
    pending = np.full(n, -1, dtype=np.int64)
    open_rows = np.ones(n, dtype=bool)
    for i, clause in enumerate(rule.clauses):
        t = _truth(clause.when, table, deps)
        hit = open_rows & t.true
        outcome[hit] = clause.outcome
        index[hit] = i
        unsure = open_rows & t.unknown
        outcome[unsure] = UNDETERMINED
        index[unsure] = -2
        pending[unsure] = i
        open_rows &= t.false
    outcome[open_rows] = rule.default_outcome
    index[open_rows] = -1
    # Exclusions (e.g. Note 2 to 3A090) take precedence over every clause.
    for j, excl in enumerate(rule.exclusions):
        t = _truth(excl.when, table, deps)
        outcome[t.true] = excl.outcome
        index[t.true] = -(100 + j)
        maybe = t.unknown & (outcome != excl.outcome)
        outcome[maybe] = UNDETERMINED
        index[maybe] = -2
        pending[maybe] = -(100 + j)
    return RuleResult(outcome, index, pending)


def evaluate_table(
    rules: Sequence[RuleDefinition], table: MetricTable, as_of: date
) -> dict[str, RuleResult]:
    """Every rule for every row, dependencies first. ``as_of`` sets the export year."""
    table = table.with_column("export_year", np.full(table.size, float(as_of.year)))
    results: dict[str, RuleResult] = {}
    for rule in order_rules(rules):
        results[rule.id] = evaluate_rule(rule, table, results)
    return results


# --- explanation: reasons, margins, exceptions (one chip at a time) ---------------------------


@dataclass(frozen=True)
class Margin:
    metric: str
    op: str
    threshold: float
    value: float | None
    margin: float | None  # value - threshold: > 0 above the line, < 0 below it
    margin_pct: float | None
    met: bool | None
    clause: str


@dataclass(frozen=True)
class Verdict:
    rule: str
    outcome: str
    reason: str
    determined: bool
    missing: tuple[str, ...] = ()
    exceptions: tuple[str, ...] = ()
    margins: tuple[Margin, ...] = ()
    valid_from: date | None = None
    valid_to: date | None = None


def _describe(comp: Comparison, row: Mapping[str, Any], holds: bool | None) -> str:
    label = " + ".join(METRIC_LABELS.get(m, m) for m in comp.metrics)
    value = _row_value(comp, row)
    target = comp.value
    if isinstance(target, tuple):
        shown_target = ", ".join(target)
    elif isinstance(target, bool):
        shown_target = "yes" if target else "no"
    elif isinstance(target, float):
        shown_target = fmt_number(target)
    else:
        shown_target = str(target)
    if value is None:
        return f"{label} unknown (line: {_OP_WORDS[comp.op]} {shown_target})"
    shown = (
        ("yes" if value else "no") if isinstance(value, bool)
        else fmt_number(value) if isinstance(value, float) else str(value)
    )
    if all(m in BOOLEAN_METRICS for m in comp.metrics) and isinstance(target, bool):
        if holds is False:
            return f"{label}: {shown} (the test needs {shown_target})"
        return f"{label}: {shown}"
    op = _OP_WORDS[comp.op] if holds or holds is None else _NEGATED[comp.op]
    return f"{label} {shown} {op} {shown_target}"


def _row_value(comp: Comparison, row: Mapping[str, Any]) -> float | bool | str | None:
    if all(m in TEXT_METRICS for m in comp.metrics):
        v = row.get(comp.metrics[0])
        return None if v is None else str(v)
    total = 0.0
    for m in comp.metrics:
        v = row.get(m)
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return None
        if isinstance(v, bool) and len(comp.metrics) == 1:
            return v
        total += float(v)
    return total




def _holds(comp: Comparison, value: float | bool | str) -> bool:
    """_compare for one known value (from _row_value), without building NumPy arrays."""
    if isinstance(value, str):
        targets = comp.value if isinstance(comp.value, tuple) else (comp.value,)
        hit = value in {str(t) for t in targets}
        return hit if comp.op in ("in", "==") else not hit
    threshold = 1.0 if comp.value is True else 0.0 if comp.value is False else comp.value
    assert isinstance(threshold, float)
    return bool(_COMPARE[comp.op](float(value), threshold))


def _single(crit: Criterion, row: Mapping[str, Any], deps: Mapping[str, str]) -> bool | None:
    if isinstance(crit, Comparison):
        value = _row_value(crit, row)
        if value is None:
            return None
        return _holds(crit, value)
    if isinstance(crit, RuleOutcome):
        out = deps.get(crit.rule)
        if out is None or out == UNDETERMINED:
            return None
        return out in crit.outcomes
    parts = [_single(item, row, deps) for item in crit.items]
    if isinstance(crit, AllOf):
        if any(p is False for p in parts):
            return False
        return True if all(p is True for p in parts) else None
    if any(p is True for p in parts):
        return True
    return False if all(p is False for p in parts) else None


def _explain_criterion(
    crit: Criterion, row: Mapping[str, Any], deps: Mapping[str, str], want: bool | None
) -> str:
    """Words for why ``crit`` came out as it did, naming only the parts that decided it."""
    if isinstance(crit, Comparison):
        return _describe(crit, row, _single(crit, row, deps))
    if isinstance(crit, RuleOutcome):
        out = deps.get(crit.rule, UNDETERMINED)
        return f"{crit.rule} gives {out}"
    parts = [(item, _single(item, row, deps)) for item in crit.items]
    if want is False:
        # one failing part is enough to say why a conjunction fails; all of a disjunction
        failing = [it for it, v in parts if v is False]
        chosen = failing[:1] if isinstance(crit, AllOf) else failing
    elif want is None:
        chosen = [it for it, v in parts if v is None] or [it for it, _ in parts]
    else:
        chosen = [it for it, v in parts if v is True]
        if isinstance(crit, AnyOf):
            chosen = chosen[:1]
    # a failing disjunction fails on every branch: "... and ..."
    joiner = " and " if isinstance(crit, AllOf) or want is False else " or "
    return joiner.join(_explain_criterion(it, row, deps, want) for it in chosen)


def _missing(crit: Criterion, row: Mapping[str, Any], deps: Mapping[str, str]) -> list[str]:
    if isinstance(crit, Comparison):
        if _row_value(crit, row) is None:
            return [m for m in crit.metrics if row.get(m) is None or (
                isinstance(row.get(m), float) and math.isnan(row[m]))]
        return []
    if isinstance(crit, RuleOutcome):
        return [f"verdict of {crit.rule}"] if deps.get(crit.rule) in (None, UNDETERMINED) else []
    out: list[str] = []
    for item in crit.items:
        if _single(item, row, deps) is None:
            out.extend(_missing(item, row, deps))
    return out


def explain(
    rule: RuleDefinition,
    row: Mapping[str, Any],
    outcome: str,
    clause_index: int,
    pending: int,
    deps: Mapping[str, str],
    why_unknown: Mapping[str, str] | None = None,
) -> Verdict:
    """The verdict of one chip under one rule in words, with every margin."""
    why_unknown = why_unknown or {}
    missing: list[str] = []
    if clause_index >= 0:
        clause = rule.clauses[clause_index]
        head = clause.label or clause.outcome
        reason = f"{head}: {_explain_criterion(clause.when, row, deps, True)}"
    elif clause_index <= -100:
        excl = rule.exclusions[-clause_index - 100]
        reason = (f"{excl.label or excl.outcome}: "
                  f"{_explain_criterion(excl.when, row, deps, True)}")
        if excl.text:
            reason += f" ({excl.text})"
    elif clause_index == -1:
        failing = [
            f"{c.label or c.outcome}: {_explain_criterion(c.when, row, deps, False)}"
            for c in rule.clauses
        ]
        head = rule.default_reason or f"no clause of {rule.id} met"
        reason = f"{head} — " + "; ".join(failing)
    else:
        crit = (rule.exclusions[-pending - 100].when if pending <= -100
                else rule.clauses[pending].when)
        label = (rule.exclusions[-pending - 100] if pending <= -100
                 else rule.clauses[pending])
        missing = list(dict.fromkeys(_missing(crit, row, deps)))
        because = [f"{m} ({why_unknown[m]})" if m in why_unknown else m for m in missing]
        reason = (f"cannot tell whether “{label.label or label.outcome}” applies: "
                  f"{_explain_criterion(crit, row, deps, None)}; needs {', '.join(because)}")
    notes: list[str] = []
    for note in rule.exceptions:
        if note.outcomes and outcome not in note.outcomes:
            continue
        if note.when is not None and _single(note.when, row, deps) is not True:
            continue
        notes.append(f"{note.name}: {note.text}")
    for qty in rule.per_unit:
        value = row.get(qty.metric)
        if outcome in (rule.default_outcome, UNDETERMINED):
            break  # an allowance only matters where the rule bites
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            cap = rule.parameter(qty.param).value
            notes.append(f"{qty.label}: {math.floor(cap / float(value)):,}")
    margins = []
    for clause_outcome, comp in rule.comparisons():
        value = _row_value(comp, row)
        assert isinstance(comp.value, float)
        thr = comp.value
        if isinstance(value, bool) or value is None or isinstance(value, str):
            margins.append(Margin(comp.subject, comp.op, thr, None, None, None, None,
                                  clause_outcome))
            continue
        diff = value - thr
        pct = diff / thr * 100 if thr else None
        margins.append(
            Margin(comp.subject, comp.op, thr, value, diff, pct, _single(comp, row, deps),
                   clause_outcome)
        )
    return Verdict(
        rule=rule.id,
        outcome=outcome,
        reason=reason,
        determined=outcome != UNDETERMINED,
        missing=tuple(missing),
        exceptions=tuple(notes),
        margins=tuple(margins),
    )


# --- dated evaluation: verdicts per period --------------------------------------------------


def period_starts(rule: RuleDefinition) -> list[date]:
    """The dates inside a rule's life where its outcome can change (export-year tests)."""
    starts = {rule.effective}
    for clause in (*rule.exclusions, *rule.clauses):
        for comp in _comparisons(clause.when):
            if "export_year" in comp.metrics and isinstance(comp.value, float):
                year = int(comp.value)
                for y in (year, year + 1):
                    d = date(y, 1, 1)
                    if rule.in_force(d):
                        starts.add(d)
    return sorted(starts)


def evaluate_dated(
    rules: Sequence[RuleDefinition],
    rows: Sequence[Mapping[str, Any]],
    why_unknown: Sequence[Mapping[str, str]] | None = None,
) -> list[list[Verdict]]:
    """Verdicts of every rule for every row over each rule's whole life.

    Returns, per row, the verdicts of every rule and period; consecutive periods with the same
    outcome and reason are merged.
    """
    table = MetricTable.from_rows(rows)
    ordered = order_rules(rules)
    periods: dict[str, list[tuple[date, date | None]]] = {}
    dates: set[date] = set()
    for rule in ordered:
        starts = period_starts(rule)
        bounds: list[tuple[date, date | None]] = []
        for i, start in enumerate(starts):
            end = (date.fromordinal(starts[i + 1].toordinal() - 1) if i + 1 < len(starts)
                   else rule.ended)
            bounds.append((start, end))
            dates.add(start)
        periods[rule.id] = bounds
    by_date = {d: evaluate_table(ordered, table, d) for d in sorted(dates)}
    out: list[list[Verdict]] = []
    for i, row in enumerate(rows):
        verdicts: list[Verdict] = []
        for rule in ordered:
            previous: Verdict | None = None
            for start, end in periods[rule.id]:
                results = by_date[start]
                res = results[rule.id]
                deps = {rid: str(r.outcome[i]) for rid, r in results.items()}
                row_at = dict(row, export_year=float(start.year))
                verdict = explain(
                    rule, row_at, str(res.outcome[i]), int(res.clause_index[i]),
                    int(res.pending[i]), deps, why_unknown[i] if why_unknown else None,
                )
                if previous is not None and (previous.outcome, previous.reason) == (
                    verdict.outcome, verdict.reason
                ):
                    previous = _with_dates(previous, previous.valid_from, end)
                    verdicts[-1] = previous
                    continue
                previous = _with_dates(verdict, start, end)
                verdicts.append(previous)
        out.append(verdicts)
    return out


def _with_dates(v: Verdict, start: date | None, end: date | None) -> Verdict:
    from dataclasses import replace

    return replace(v, valid_from=start, valid_to=end)


def evaluate_on(
    rules: Sequence[RuleDefinition],
    rows: Sequence[Mapping[str, Any]],
    as_of: date,
    only_in_force: bool = True,
    why_unknown: Sequence[Mapping[str, str]] | None = None,
) -> list[list[Verdict]]:
    """Verdicts of the rules in force on ``as_of`` (or of all rules) for every row."""
    table = MetricTable.from_rows(rows)
    ordered = order_rules(rules)
    results = evaluate_table(ordered, table, as_of)
    out: list[list[Verdict]] = []
    for i, row in enumerate(rows):
        deps = {rid: str(r.outcome[i]) for rid, r in results.items()}
        row_at = dict(row, export_year=float(as_of.year))
        out.append([
            explain(rule, row_at, str(results[rule.id].outcome[i]),
                    int(results[rule.id].clause_index[i]), int(results[rule.id].pending[i]),
                    deps, why_unknown[i] if why_unknown else None)
            for rule in ordered
            if not only_in_force or rule.in_force(as_of)
        ])
    return out


def rule_definitions_from_rows(rows: Sequence[Mapping[str, Any]]) -> list[RuleDefinition]:
    """Rebuild the engine's rules from the stored JSON definitions (what-if, headroom)."""
    out: list[RuleDefinition] = []
    for row in rows:
        raw = json.loads(row["definition"])
        try:
            out.append(rule_from_mapping(raw, origin=row.get("origin", "seed")))
        except ValueError as exc:  # pragma: no cover - stored rules were validated on load
            raise SeedError("database", f"rule '{row['id']}'", "definition", str(exc)) from None
    return out
