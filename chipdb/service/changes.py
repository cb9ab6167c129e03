"""What changed between two days: rules and policy events entering or leaving force, Country
Group changes, and every chip whose verdict or bottom line changed, with the rule that did it.

Plain data (dataclasses of dates, strings and booleans) read from the stored verdicts, bottom
lines and events, so the CLI, the web and the Python API show one answer. Nothing here
evaluates a rule: the verdicts and bottom lines were computed once, when the database was
seeded.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

from chipdb.errors import UsageError
from chipdb.outcomes import severity
from chipdb.service.results import day, lines
from chipdb.service.session import Session
from chipdb.store.read import queries

NOT_IN_FORCE = "not in force"  # the side of a change where a rule gives no verdict


@dataclass(frozen=True)
class RuleChange:
    day: date
    rule: str
    change: str  # enters force | leaves force | not enforced from | compliance date
    status: str
    title: str
    citation: str


@dataclass(frozen=True)
class GroupChange:
    day: date
    code: str
    name: str
    group: str
    change: str  # joins | leaves
    citation: str | None


@dataclass(frozen=True)
class EventRow:
    day: date
    event: str
    date_precision: str
    kind: str
    jurisdiction: str
    title: str
    chips: tuple[str, ...]
    rule: str | None
    evidence: str
    unverified: bool
    missing: str | None
    sources: tuple[str, ...]


@dataclass(frozen=True)
class VerdictChange:
    day: date
    chip: str
    rule: str
    before: str
    after: str


@dataclass(frozen=True)
class BottomLineChange:
    day: date
    chip: str
    destination: str
    buyer_hq: str
    license_before: bool | None
    license_after: bool | None
    review_before: str | None
    review_after: str | None
    decided_by: str  # the rules and clauses behind the new answer


@dataclass(frozen=True)
class ChangesReport:
    since: date | None
    until: date | None
    to: str | None
    rules: tuple[RuleChange, ...]
    groups: tuple[GroupChange, ...]
    events: tuple[EventRow, ...]
    verdicts: tuple[VerdictChange, ...]
    bottom_lines: tuple[BottomLineChange, ...]


def _inside(d: date | None, since: date | None, until: date | None) -> bool:
    return d is not None and (since is None or d >= since) and (until is None or d <= until)


def _after(d: date | None) -> date | None:
    return None if d is None else d + timedelta(days=1)



def rule_changes(rules: Iterable[Any], since: date | None, until: date | None
                 ) -> list[RuleChange]:
    """The dates of each rule's life inside the window (``rules``: engine definitions)."""
    out = []
    for r in rules:
        dates: list[tuple[date | None, str]] = [
            (r.effective, "enters force"), (_after(r.ended), "leaves force"),
            (r.not_enforced_from, "not enforced from"), (r.compliance, "compliance date")]
        for when, what in dates:
            if when is not None and _inside(when, since, until):
                out.append(RuleChange(when, r.id, what, r.status, r.short_title or r.title,
                                      r.citation))
    return sorted(out, key=lambda c: (c.day, c.rule, c.change))


def group_changes(rows: Iterable[Mapping[str, Any]], since: date | None, until: date | None
                  ) -> list[GroupChange]:
    out = []
    for r in rows:
        for when, what in ((day(r["valid_from"]), "joins"), (_after(day(r["valid_to"])),
                                                             "leaves")):
            if _inside(when, since, until):
                assert when is not None
                out.append(GroupChange(when, r["code"], r["name"], r["country_group"], what,
                                       r.get("citation")))
    return sorted(out, key=lambda c: (c.day, c.code, c.group))


def _quiet(before: str, after: str) -> bool:
    """A change a reader need not see: the same word, or a rule arriving or leaving without
    reaching the chip (not in force <-> not-covered)."""
    if before == after:
        return True
    return {severity(w) if w != NOT_IN_FORCE else "clear" for w in (before, after)} == {
        "clear"} and NOT_IN_FORCE in (before, after)


def verdict_changes(rows: Sequence[Mapping[str, Any]], since: date | None, until: date | None
                    ) -> list[VerdictChange]:
    """Per chip and rule, each day inside the window where the outcome changes (a rule
    entering or leaving force counts, unless it neither reaches the chip before nor after)."""
    by: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for r in rows:
        by.setdefault((r["chip"], r["rule"]), []).append(r)
    out = []
    for (chip, rule), periods in by.items():
        periods = sorted(periods, key=lambda r: str(r["valid_from"]))
        previous: Mapping[str, Any] | None = None
        for r in periods:
            start = day(r["valid_from"])
            before = NOT_IN_FORCE
            if previous is not None and _after(day(previous["valid_to"])) == start:
                before = previous["outcome"]
            if _inside(start, since, until) and not _quiet(before, r["outcome"]):
                assert start is not None
                out.append(VerdictChange(start, chip, rule, before, r["outcome"]))
            previous = r
        end = _after(day(periods[-1]["valid_to"]))
        if _inside(end, since, until) and not _quiet(periods[-1]["outcome"], NOT_IN_FORCE):
            assert end is not None
            out.append(VerdictChange(end, chip, rule, periods[-1]["outcome"], NOT_IN_FORCE))
    return sorted(out, key=lambda c: (c.day, c.chip, c.rule))


def _decided_by(basis: str) -> str:
    return "; ".join(f"{b['rule']} {b['clause'] or b['outcome']}" for b in json.loads(basis))


def bottom_line_changes(rows: Sequence[Mapping[str, Any]], since: date | None,
                        until: date | None, label: str | None = None
                        ) -> list[BottomLineChange]:
    """Per chip, destination class and buyer class (or, with ``label``, per chip for the one
    destination the rows were chosen for), each day inside the window where the answer or
    the review policy changes."""
    by: dict[tuple[str, ...], list[Mapping[str, Any]]] = {}
    for r in rows:
        key = (r["chip"],) if label else (r["chip"], r["destination_class"],
                                          r["buyer_hq_class"])
        by.setdefault(key, []).append(r)
    out = []
    for periods in by.values():
        periods = sorted(periods, key=lambda r: str(r["valid_from"]))
        for prev, r in pairwise(periods):
            start = day(r["valid_from"])
            was = (prev["license_required"], prev["review_policy"])
            now = (r["license_required"], r["review_policy"])
            if _inside(start, since, until) and _after(day(prev["valid_to"])) == start \
                    and was != now:
                assert start is not None
                out.append(BottomLineChange(
                    start, r["chip"], label or r["destination_class"], r["buyer_hq_class"],
                    _flag(prev["license_required"]), _flag(r["license_required"]),
                    prev["review_policy"], r["review_policy"], _decided_by(r["basis"])))
    # the buyer class too: two on one day would otherwise come in the database's order
    return sorted(out, key=lambda c: (c.day, c.chip, c.destination, c.buyer_hq))


def _flag(v: Any) -> bool | None:
    return None if v is None else bool(v)


def changes(s: Session, since: date | None = None, until: date | None = None,
            to: str | None = None, party_hq: str | None = None,
            include_draft: bool = False) -> ChangesReport:
    """What changed between ``since`` and ``until`` (inclusive; open ends when None), for
    every destination class, or for the destination ``to`` (and a buyer headquartered in
    ``party_hq``). Draft rules (bills) only with ``include_draft``."""
    from chipdb.service.bottomline import one_destination, resolve_place
    from chipdb.service.designs import load_rules

    if since is not None and until is not None and until < since:
        raise UsageError(f"--until {until.isoformat()} is before --since {since.isoformat()}")
    if party_hq and not to:
        raise UsageError("--party-hq needs --to DESTINATION")
    rules = rule_changes(load_rules(s, include_draft), since, until)
    events = tuple(EventRow(
        day(r["day"]) or date.min, r["event"], r["date_precision"], r["kind"],
        r["jurisdiction"], r["title"], lines(r["chips"]), r["rule"], r["evidence"],
        bool(r["unverified"]), r["missing"], lines(r["sources"]))
        for r in queries.policy_events(s.conn, since, until))
    verdicts = verdict_changes(queries.verdicts(s.conn, None, None, include_draft), since,
                               until)
    status = queries.all_chip_status(s.conn)
    label = None
    if to is not None:
        dest = one_destination(s, to, until or date.today())
        hq = resolve_place(s, party_hq, until or date.today(), "headquarters country") \
            if party_hq else None
        code, buyer = dest.codes[0], hq.codes[0] if hq else "US"
        ids: dict[str, set[int]] = {"destination": set(), "buyer-hq": set()}
        for r in queries.classes_of(s.conn, [code, buyer]):
            if r["code"] == (code if r["kind"] == "destination" else buyer):
                ids[r["kind"]].add(r["class_id"])
        status = [r for r in status if r["destination_class_id"] in ids["destination"]
                  and r["buyer_class_id"] in ids["buyer-hq"]]
        label = dest.label
        codes = set(dest.codes)
        groups = [g for g in group_changes(queries.memberships(s.conn), since, until)
                  if g.code in codes]
    else:
        groups = group_changes(queries.memberships(s.conn), since, until)
    return ChangesReport(since, until, to, tuple(rules), tuple(groups), events,
                         tuple(verdicts), tuple(bottom_line_changes(status, since, until,
                                                                    label)))


def changes_json(report: ChangesReport) -> dict[str, Any]:
    """The JSON contract of ``chipdb changes -f json``."""
    def rows(items: Iterable[Any]) -> list[dict[str, Any]]:
        return [{k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(i).items()}
                for i in items]

    return {"since": report.since, "until": report.until, "to": report.to,
            "rules": rows(report.rules), "groups": rows(report.groups),
            "events": rows(report.events), "verdicts": rows(report.verdicts),
            "bottom_lines": rows(report.bottom_lines)}
