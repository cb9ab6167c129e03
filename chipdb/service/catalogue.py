"""Reading the catalogue: compare, show, check, list, rules and timeline, all from the views.

Every function takes what a person types (names, aliases, families; any case or spacing),
resolves it on the session, and raises NotFoundError, with suggestions, for an unknown name.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from chipdb.errors import DatabaseError, NotFoundError, UsageError
from chipdb.service.results import (
    METRIC_FIELDS,
    SPEC_FIELDS,
    ChipReport,
    CompareReport,
    day,
    flag,
    margins_by,
    metric_value,
    source_row,
    stored_verdict,
    unknown_because,
)
from chipdb.service.session import Session, chips_of
from chipdb.store.read import queries

if TYPE_CHECKING:
    from chipdb.service.check_results import CheckReport
    from chipdb.service.listings import ChipDetail, ChipRow, RuleReport, TimelineReport

# The records of show, check, list, rules and timeline are imported by those functions: a
# cold `compare` creates only its own (a frozen dataclass costs about 1 ms to define).


def compare(s: Session, chips: str | Sequence[str], as_of: date | None,
            with_sources: bool = False, include_draft: bool = False) -> CompareReport:
    """Specs, metrics and verdicts (in force on ``as_of``, or all when None) per chip; draft
    rules (bills) only with ``include_draft``."""
    resolved = s.resolve(chips)
    names = chips_of(resolved)
    specs = {r["chip"]: r for r in queries.chip_specs(s.conn, names)}
    metrics = {r["chip"]: r for r in queries.chip_metrics(s.conn, names)}
    verdict_rows = queries.verdicts(s.conn, names, as_of, include_draft)
    margins = margins_by(queries.margins(s.conn, names, as_of))
    source_rows = queries.sources(s.conn, names) if with_sources else []
    out = []
    for name in names:
        spec, metric = specs.get(name), metrics.get(name)
        if spec is None or metric is None:  # a name the index knows but the views lack
            raise DatabaseError(f"the database has no {'specs' if spec is None else 'metrics'} "
                                f"row for '{name}': it was changed outside chipdb; "
                                "`chipdb db verify` shows what, `chipdb db seed` repairs it")
        out.append(ChipReport(
            name=name,
            vendor=spec["vendor"],
            specs={k: day(spec.get(k)) if k == "released" else spec.get(k)
                   for k in SPEC_FIELDS if k != "vendor"}
            | {k: spec[k] for k in spec if k.endswith("_tops") and spec[k] is not None},
            metrics={k: metric_value(k, metric.get(k)) for k in METRIC_FIELDS},
            unknown_because=unknown_because(metric.get("why_unknown")),
            verdicts=tuple(
                stored_verdict(v, margins.get((name, v["rule"], str(day(v["valid_from"]))), []))
                for v in verdict_rows if v["chip"] == name),
            sources=tuple(source_row(r) for r in source_rows if r["chip"] == name)
            if with_sources else None,
        ))
    return CompareReport(as_of=as_of, chips=tuple(out), resolved=tuple(resolved))


def show(s: Session, chip: str) -> ChipDetail:
    """One chip with every claim behind its fields, its parts, aliases and every verdict."""
    from chipdb.service.listings import ChipDetail, DieRow, IoRow, MemoryRow

    report = compare(s, [chip], None, with_sources=True)
    name = report.chips[0].name
    parts = queries.chip_structure(s.conn, name)
    return ChipDetail(
        chip=report.chips[0],
        dies=tuple(DieRow(**dict(d, non_planar=flag(d["non_planar"]))) for d in parts["dies"]),
        memory=tuple(MemoryRow(**m) for m in parts["memory"]),
        io=tuple(IoRow(**i) for i in parts["io"]),
        aliases=tuple(r["alias"] for r in parts["aliases"]),
        resolved=report.resolved[0],
    )


def check(s: Session, chip: str, as_of: date, include_draft: bool = False) -> CheckReport:
    """Every rule's verdict in force on ``as_of``, with the clause that decided it.

    The bottom line for a destination and a buyer will grow from here (issue 13).
    """
    from chipdb.service.check_results import CheckReport, CheckRow
    from chipdb.service.designs import deciding_clauses

    report = compare(s, [chip], as_of, include_draft=include_draft)
    c = report.chips[0]
    clauses = deciding_clauses(s, c.name, as_of, include_draft)
    rows = tuple(CheckRow(
        rule=v.rule, rule_title=v.rule_title, citation=v.citation, outcome=v.outcome,
        determined=v.determined, clause=clauses.get(v.rule), reason=v.reason,
        unverified=v.unverified, valid_from=v.valid_from, valid_to=v.valid_to,
        margins=v.margins) for v in c.verdicts)
    return CheckReport(chip=c.name, as_of=as_of, verdicts=rows, resolved=report.resolved[0])


def list_chips(s: Session, vendor: str | None = None, market: str | None = None,
               datacenter: bool | None = None, rule: str | None = None,
               outcome: str | None = None, as_of: date | None = None,
               sort: str = "vendor", region: str | None = None) -> list[ChipRow]:
    """The catalogue, filtered; ``outcome`` (under ``rule``) may end in * to match a prefix.
    A vendor, market or region the catalogue does not hold is refused with the nearest ones
    (never a silent "0 chips")."""
    from chipdb.service.listings import chip_row

    if sort not in ("vendor", "chip", *METRIC_FIELDS, "memory_capacity_gb",
                    "transistors_billion"):
        raise UsageError(f"cannot sort by '{sort}': use chip, vendor or a metric "
                         f"({', '.join(METRIC_FIELDS)})")
    if outcome and not rule:
        raise UsageError("an outcome filter needs a rule")
    by_chip: dict[str, str] = {}
    if rule is not None:
        rule = rule_id(s, rule, "`chipdb rules` lists them")
        # a rule asked for by name is shown whatever its status (a bill too)
        by_chip = {v["chip"]: v["outcome"] for v in queries.verdicts(s.conn, None, as_of, True)
                   if v["rule"] == rule}
    out = []
    rows = queries.chip_metrics(s.conn)
    vendor = _known_word(rows, "vendor", vendor)
    market = _known_word(rows, "market", market)
    region = _known_word(rows, "region", region)
    for r in rows:
        if vendor and r["vendor"] != vendor:
            continue
        if market and r["market"] != market:
            continue
        if region and r["region"] != region:
            continue
        if datacenter is not None and (r["datacenter"] is None
                                       or bool(r["datacenter"]) != datacenter):
            continue
        verdict = by_chip.get(r["chip"])
        if outcome and (verdict or "") != outcome and not (
            outcome.endswith("*") and (verdict or "").startswith(outcome[:-1])
        ):
            continue
        out.append(chip_row(r, verdict))
    numeric = sort not in ("vendor", "chip", "tpp_precision", "tpp_basis")
    if numeric:
        out.sort(key=lambda r: (getattr(r, sort) is None, -(getattr(r, sort) or 0.0), r.chip))
    else:
        out.sort(key=lambda r: (str(getattr(r, sort) or ""), r.chip))
    return out


def _known_word(rows: list[dict[str, Any]], column: str, typed: str | None) -> str | None:
    """``typed`` as the catalogue spells it in ``column`` (any case), or a UsageError naming
    the nearest values and every value."""
    if typed is None:
        return None
    known = sorted({str(r[column]) for r in rows if r[column] is not None})
    hit = next((k for k in known if k.casefold() == typed.strip().casefold()), None)
    if hit is None:
        from chipdb.names import did_you_mean

        raise UsageError(f"--{column}: no chip has {column} '{typed}'"
                         f"{did_you_mean(typed, known)}; known: {', '.join(known)}")
    return hit


def rule_id(s: Session, typed: str, hint: str | None = None) -> str:
    """A rule id as typed (any case, stray spaces) -> the stored id; NotFoundError otherwise,
    with the nearest ids."""
    from chipdb.names import did_you_mean

    known: list[str] = [r["rule"] for r in queries.rules(s.conn)]
    hit = next((k for k in known if k.casefold() == typed.strip().casefold()), None)
    if hit is None:
        nearest = did_you_mean(typed, known)
        raise NotFoundError(f"unknown rule '{typed}'{nearest + ';' if nearest else ':'} "
                            f"{hint or 'known rules are ' + ', '.join(known)}")
    return hit


def rules(s: Session, rule: str | None = None) -> list[RuleReport]:
    """Every rule version (or the one named), with its thresholds."""
    from chipdb.service.listings import RuleReport, ThresholdRow

    if rule is not None:
        rule = rule_id(s, rule)
    thresholds = queries.rule_thresholds(s.conn, rule)
    return [RuleReport(
        rule=r["rule"], title=r["title"], short_title=r["short_title"], citation=r["citation"],
        url=r["url"], published=day(r["published"]), effective=day(r["effective"]) or date.min,
        ended=day(r["ended"]), status=r["status"], layer=r["layer"],
        unverified=bool(r["unverified"]), summary=r["summary"], wording=r["wording"],
        notes=r["notes"], origin=r["origin"],
        thresholds=tuple(ThresholdRow(**{k: t[k] for k in ThresholdRow.__dataclass_fields__})
                         for t in thresholds if t["rule"] == r["rule"]),
    ) for r in queries.rules(s.conn, rule)]


def timeline(s: Session, chip: str, include_draft: bool = False) -> TimelineReport:
    """The chip's verdicts through time, one row per rule period, oldest first (draft rules
    only with ``include_draft``)."""
    from chipdb.service.listings import TimelineReport, TimelineRow

    resolved = s.resolve_one(chip)
    rows = queries.verdicts(s.conn, [resolved.chip], None, include_draft)
    rows.sort(key=lambda r: (str(day(r["valid_from"])), r["rule"]))
    return TimelineReport(chip=resolved.chip, resolved=resolved, rows=tuple(
        TimelineRow(valid_from=day(r["valid_from"]), valid_to=day(r["valid_to"]),
                    rule=r["rule"], outcome=r["outcome"], citation=r["citation"],
                    reason=r["reason"], status=r["rule_status"])
        for r in rows), events=tuple(_events_about(s, resolved.chip, rows)))


def _events_about(s: Session, chip: str, verdicts: Sequence[dict[str, Any]]
                  ) -> list[dict[str, Any]]:
    """The policy events that name the chip's family, name its vendor without naming chips,
    or belong to a rule whose verdict on the chip is not 'clear' at some time."""
    from chipdb.outcomes import severity

    head = queries.chip_specs(s.conn, [chip])[0]
    family, vendor = head.get("family"), head.get("vendor")
    reaching = {v["rule"] for v in verdicts if severity(v["outcome"]) != "clear"}
    out = []
    for e in queries.policy_events(s.conn):
        chips = [c for c in (e["chips"] or "").split("\n") if c]
        vendors = [v for v in (e["vendors"] or "").split("\n") if v]
        if (family in chips) or (not chips and vendor in vendors) or e["rule"] in reaching:
            out.append({"day": day(e["day"]), "event": e["event"], "kind": e["kind"],
                        "title": e["title"], "evidence": e["evidence"], "rule": e["rule"],
                        "unverified": bool(e["unverified"]), "missing": e["missing"]})
    return out
