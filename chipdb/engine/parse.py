"""Reading rules: a mapping from TOML or JSON to a checked RuleDefinition.

Handles ``extends`` (start from a known rule), its merge keys ``append_clause`` and
``append_exception``, ``[rule.parameters]``, and the cheap rebuild from the JSON stored in the
database. Every problem is a ``RuleError`` naming the field, which the catalogue turns into
``file: record: field: problem``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Final

from chipdb.engine.criteria import UNDETERMINED, Criterion, RuleError, parse_criterion
from chipdb.engine.model import Clause, ExceptionNote, Parameter, PerUnitQuantity, RuleDefinition
from chipdb.errors import SeedError
from chipdb.metricdefs import METRICS
from chipdb.outcomes import RULE_STATUSES

_FIELDS: Final = frozenset({
    "id", "title", "short_title", "citation", "url", "published", "effective", "ended",
    "compliance", "not_enforced_from", "status", "layer", "summary", "wording", "notes",
    "unverified", "parameters",
    "exclude", "clause", "default_outcome", "default_reason", "exception", "per_unit",
})
# A rule that extends another under a new id is a new text: it inherits the parent's tests
# (parameters, clauses, exclusions, exceptions, allowances, default, layer) but must say its
# own title, citation, dates and status; an inherited ``ended`` would end it silently.
_TEXT_FIELDS: Final = frozenset({
    "title", "short_title", "citation", "url", "published", "effective", "ended", "status",
    "compliance", "not_enforced_from", "summary", "wording", "notes", "unverified",
})
# merge key -> the list it appends to
_APPENDS: Final = {"append_clause": "clause", "append_exception": "exception"}
_CLAUSE_FIELDS: Final = frozenset({"outcome", "when", "label", "text"})
_EXCEPTION_FIELDS: Final = frozenset({"name", "text", "outcomes", "when"})
_PER_UNIT_FIELDS: Final = frozenset({"label", "param", "metric"})


def _req(raw: Mapping[str, Any], key: str, kind: type, where: str = "") -> Any:
    if key not in raw:
        raise RuleError(f"{where}{key}", "is required")
    value = raw[key]
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise RuleError(f"{where}{key}", f"has the wrong type ({type(value).__name__})")
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
    raise RuleError(key, f"must be a date like 2023-11-17, not {value!r}")


def _tables(raw: Mapping[str, Any], key: str, allowed: frozenset[str]) -> list[Mapping[str, Any]]:
    items = raw.get(key, [])
    if not isinstance(items, list):
        raise RuleError(key, "must be an array of tables")
    for i, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise RuleError(f"{key}[{i}]", "must be a table")
        extra = set(item) - allowed
        if extra:
            raise RuleError(f"{key}[{i}].{sorted(extra)[0]}", f"is not a known {key} field")
    return items


def merge(parent: Mapping[str, Any], child: Mapping[str, Any]) -> dict[str, Any]:
    """The child's mapping over the parent's: keys replace, parameters merge, append_* append."""
    new_text = "id" in child and child["id"] != parent.get("id")
    merged = {k: v for k, v in parent.items() if not (new_text and k in _TEXT_FIELDS)}
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
        elif key not in _APPENDS and key != "extends":
            merged[key] = value
    for key, target in _APPENDS.items():  # after replacements: appends extend the result
        if key in child:
            added = child[key]
            if not isinstance(added, list):
                raise RuleError(key, "must be an array of tables")
            merged[target] = [*merged.get(target, []), *added]
    return merged


def _parameters(raw: Mapping[str, Any]) -> dict[str, Parameter]:
    specs = raw.get("parameters", {})
    if not isinstance(specs, Mapping):
        raise RuleError("parameters", "must be a table of names")
    params: dict[str, Parameter] = {}
    for name, spec in specs.items():
        if isinstance(spec, Mapping):
            value = spec.get("value")
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise RuleError(f"parameters.{name}.value", "must be a number")
            params[name] = Parameter(
                name, float(value), str(spec.get("unit", "")), str(spec.get("note", "")),
                bool(spec.get("unverified", False)),
            )
        elif isinstance(spec, int | float) and not isinstance(spec, bool):
            params[name] = Parameter(name, float(spec))
        else:
            raise RuleError(f"parameters.{name}", "must be a number or a table with value")
    return params


def _outcome(raw: Mapping[str, Any], key: str, where: str = "") -> str:
    value: str = _req(raw, key, str, where)
    if value == UNDETERMINED:
        raise RuleError(f"{where}{key}", f"'{UNDETERMINED}' is the engine's word for unknown")
    return value


def _clauses(raw: Mapping[str, Any], key: str, values: Mapping[str, float]) -> tuple[Clause, ...]:
    out: list[Clause] = []
    for i, item in enumerate(_tables(raw, key, _CLAUSE_FIELDS)):
        where = f"{key}[{i}]"
        when = parse_criterion(_req(item, "when", Mapping, f"{where}."), values, f"{where}.when")
        out.append(Clause(_outcome(item, "outcome", f"{where}."), when,
                          str(item.get("label", "")), str(item.get("text", ""))))
    return tuple(out)


def _exceptions(raw: Mapping[str, Any], values: Mapping[str, float]) -> tuple[ExceptionNote, ...]:
    out: list[ExceptionNote] = []
    for i, item in enumerate(_tables(raw, "exception", _EXCEPTION_FIELDS)):
        where = f"exception[{i}]"
        when: Criterion | None = None
        if item.get("when") is not None:
            when = parse_criterion(item["when"], values, f"{where}.when")
        outcomes = item.get("outcomes", [])
        if not isinstance(outcomes, list):
            raise RuleError(f"{where}.outcomes", "must be a list of outcomes")
        out.append(ExceptionNote(_req(item, "name", str, f"{where}."),
                                 _req(item, "text", str, f"{where}."),
                                 tuple(str(o) for o in outcomes), when))
    return tuple(out)


def _per_unit(raw: Mapping[str, Any], params: Mapping[str, Parameter]
              ) -> tuple[PerUnitQuantity, ...]:
    out: list[PerUnitQuantity] = []
    for i, item in enumerate(_tables(raw, "per_unit", _PER_UNIT_FIELDS)):
        where = f"per_unit[{i}]"
        param = _req(item, "param", str, f"{where}.")
        if param not in params:
            raise RuleError(f"{where}.param", f"no parameter named {param!r}")
        metric = _req(item, "metric", str, f"{where}.")
        if metric not in METRICS:
            raise RuleError(f"{where}.metric", f"unknown metric {metric!r}")
        out.append(PerUnitQuantity(_req(item, "label", str, f"{where}."), param, metric))
    return tuple(out)


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
            raise RuleError("extends", f"no rule {parent_id!r} to extend")
        raw = merge(known[parent_id].raw, raw)
    else:
        for key in _APPENDS:
            if key in raw:
                raise RuleError(key, "appends to the rule named by 'extends', which is missing")
    unknown = sorted(set(raw) - _FIELDS)
    if unknown:
        raise RuleError(unknown[0], "is not a known rule field (see docs/seed-format.md)")
    rule_id = _req(raw, "id", str)
    if not rule_id or not all(ch.isalnum() or ch in "-_." for ch in rule_id):
        raise RuleError("id", f"{rule_id!r} must be letters, digits, '-', '_' or '.'")
    params = _parameters(raw)
    values = {name: p.value for name, p in params.items()}
    status = raw.get("status", "in-force")
    if status not in RULE_STATUSES:
        raise RuleError("status", f"{status!r} must be {', '.join(RULE_STATUSES[:-1])} "
                                  f"or {RULE_STATUSES[-1]}")
    effective = _opt_date(raw, "effective")
    if effective is None:
        raise RuleError("effective", "is required")
    ended = _opt_date(raw, "ended")
    if ended is not None and ended < effective:
        raise RuleError("ended", "is before effective")
    not_enforced_from = _opt_date(raw, "not_enforced_from")
    if not_enforced_from is not None and status != "not-enforced":
        raise RuleError("not_enforced_from", "needs status = \"not-enforced\"")
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
        compliance=_opt_date(raw, "compliance"),
        not_enforced_from=not_enforced_from,
        status=status,
        layer=str(raw.get("layer", "classification")),
        summary=str(raw.get("summary", "")),
        wording=str(raw.get("wording", "")),
        notes=tuple(str(n) for n in notes),
        unverified=bool(raw.get("unverified", False)),
        parameters=tuple(params.values()),
        exclusions=_clauses(raw, "exclude", values),
        clauses=_clauses(raw, "clause", values),
        default_outcome=_outcome(raw, "default_outcome"),
        default_reason=str(raw.get("default_reason", "")),
        exceptions=_exceptions(raw, values),
        per_unit=_per_unit(raw, params),
        origin=origin,
        raw=_jsonable(raw),
    )
    if not rule.clauses:
        raise RuleError("clause", "a rule needs at least one clause")
    for dep in rule.depends_on:
        if dep == rule.id:
            raise RuleError("clause", f"rule {dep} cannot depend on itself")
    return rule


def _jsonable(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The merged, self-contained mapping as JSON values (stored, and rebuilt from)."""
    def conv(v: Any) -> Any:
        if isinstance(v, date):
            return v.isoformat()
        if isinstance(v, Mapping):
            return {str(k): conv(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [conv(x) for x in v]
        return v

    return dict(conv(raw))


def rule_definitions_from_rows(rows: Sequence[Mapping[str, Any]]) -> list[RuleDefinition]:
    """Rebuild the engine's rules from the stored JSON definitions (what-if, headroom).

    The stored mapping is the merged one (no ``extends``), checked when it was loaded.
    """
    out: list[RuleDefinition] = []
    for row in rows:
        raw = json.loads(row["definition"])
        try:
            out.append(rule_from_mapping(raw, origin=row.get("origin", "seed")))
        except ValueError as exc:  # pragma: no cover - stored rules were validated on load
            raise SeedError("database", f"rule '{row['id']}'", "definition", str(exc)) from None
    return out
