"""The bottom line for people: resolve what they type (chip, destination, buyer HQ, date)
and read the stored answers (view chip_status) into typed records and the JSON contract."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from chipdb.errors import NotFoundError, UsageError
from chipdb.policy import decided_by, held_key
from chipdb.service.check_results import BottomLine
from chipdb.service.results import day, lines
from chipdb.service.session import Session, chips_of
from chipdb.store.read import queries


@dataclass(frozen=True)
class Place:
    """A destination or buyer HQ as typed: one country, or every member of a group."""

    typed: str
    label: str  # "China", "Germany", "D:5"
    codes: tuple[str, ...]
    group: str | None = None


@dataclass(frozen=True)
class CheckAnswers:
    chip: str
    as_of: date
    answers: tuple[BottomLine, ...] = field(default_factory=tuple)


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def resolve_place(s: Session, typed: str, as_of: date, what: str = "destination") -> Place:
    """A code, a name, an alias or a group ('D:5'), any case; NotFoundError with
    suggestions otherwise."""
    if not isinstance(typed, str) or not typed.strip():
        raise UsageError(f"give a {what}: a country code, a name or a group such as D:5")
    rows = queries.destination_names(s.conn)
    key = _norm(typed)
    hit = next((r for r in rows if r["name_key"] == key), None)
    if hit is None:
        from rapidfuzz import fuzz, process, utils

        short = len(typed.strip()) <= 3
        labels = {r["name_key"]: r["name"] for r in rows
                  if short or r["kind"] not in ("code", "alpha3")}
        found = process.extract(typed, labels, scorer=fuzz.WRatio, limit=3,
                                processor=utils.default_process, score_cutoff=70)
        names = list(dict.fromkeys(labels[m[2]] for m in found))
        hint = f": did you mean {', '.join(names)}?" if names else \
            ": give an ISO code (CN), a name (China) or a group (D:5)"
        raise NotFoundError(f"unknown {what} {typed.strip()!r}{hint}")
    if hit["kind"] == "group":
        codes = tuple(queries.group_members(s.conn, hit["name"], as_of))
        return Place(typed, hit["name"], codes, group=hit["name"])
    by_code = {r["code"]: r for r in queries.destinations(s.conn)}
    row = by_code[hit["code"]]
    return Place(typed, row["common_name"] or row["name"], (hit["code"],))


def _classes(s: Session, as_of: date) -> tuple[dict[int, dict[str, Any]], dict[str, int],
                                               dict[str, int]]:
    info: dict[int, dict[str, Any]] = {}
    dest_of: dict[str, int] = {}
    hq_of: dict[str, int] = {}
    for r in queries.classes_on(s.conn, as_of):
        c = info.setdefault(r["class_id"], {"kind": r["kind"], "label": r["label"],
                                             "codes": []})
        c["codes"].append(r["code"])
        (dest_of if r["kind"] == "destination" else hq_of)[r["code"]] = r["class_id"]
    return info, dest_of, hq_of


def _confidence(row: dict[str, Any]) -> dict[str, Any]:
    unverified = list(lines(row["unverified"]))
    return {"tier": row["confidence"], "unverified": unverified}


def _binding(row: dict[str, Any]) -> dict[str, Any] | None:
    if row["binding_metric"] is None:
        return None
    return {"metric": row["binding_metric"], "value": row["binding_value"],
            "threshold": row["binding_threshold"], "margin_pct": row["binding_margin_pct"],
            "rule": row["binding_rule"], "clause": row["binding_clause"]}


def _flag(value: Any) -> bool | None:
    return None if value is None else bool(value)


def check(s: Session, chips: str | Sequence[str], to: str | None = None,
          party_hq: str | None = None, as_of: date | None = None,
          before_data: str = "error") -> list[CheckAnswers]:
    """Per chip, the stored answers on ``as_of``: for ``to`` (one answer per destination
    class it spans), else for every destination class, plus one for a buyer headquartered in
    D:5/Macau; ``party_hq`` is where the buyer (or its ultimate parent) is headquartered.
    Before the data starts (2022-10-07): a UsageError, or no answers with ``before_data``
    "empty"."""
    when = as_of or date.today()
    names = chips_of(s.resolve(chips))
    info, dest_of, hq_of = _classes(s, when)
    if "US" not in hq_of:
        if before_data == "empty":
            return [CheckAnswers(chip, when) for chip in names]
        raise UsageError(f"no destination data on {when.isoformat()}: chipdb's rules start "
                         "on 2022-10-07, give --as-of on or after it")
    dest = resolve_place(s, to, when) if to is not None else None
    hq = resolve_place(s, party_hq, when, "headquarters country") if party_hq else None
    # a buyer with no HQ given is taken as one headquartered in the United States
    buyer_classes = sorted({hq_of[c] for c in hq.codes if c in hq_of}) if hq else \
        [hq_of["US"]]
    asked: list[tuple[int, int, str]] = []
    if dest is not None:
        for cid in sorted({dest_of[c] for c in dest.codes if c in dest_of}):
            label = dest.label if len(dest.codes) == 1 else \
                f"{dest.label}: {info[cid]['label']}"
            asked += [(cid, b, label) for b in buyer_classes]
    else:
        for cid, c in info.items():
            if c["kind"] == "destination":
                asked += [(cid, b, c["label"]) for b in buyer_classes]
        if hq is None and "CN" in hq_of and hq_of["CN"] != hq_of["US"]:
            largest = max((cid for cid, c in info.items() if c["kind"] == "destination"),
                          key=lambda cid: len(info[cid]["codes"]))
            asked.append((largest, hq_of["CN"],
                          f"any destination, buyer HQ in {info[hq_of['CN']]['label']}"))
    out = []
    rows = queries.chip_status(s.conn, names, when)
    for chip in names:
        mine = {(r["destination_class_id"], r["buyer_class_id"]): r for r in rows
                if r["chip"] == chip}
        answers = []
        chip_history = queries.chip_status_history(s.conn, chip)
        for cid, bid, label in asked:
            r = mine.get((cid, bid))
            if r is None:
                continue
            since = day(r["since"])
            history = _history(s, chip_history, cid, bid, dest, hq)
            if dest is not None and len(dest.codes) == 1:
                since = held_since(history, r, _same)
            answers.append(BottomLine(
                chip=chip, destination=label, destination_class=info[cid]["label"],
                destination_codes=tuple(info[cid]["codes"]),
                party_hq=hq.label if hq else None, buyer_class=info[bid]["label"], as_of=when,
                license_required=_flag(r["license_required"]),
                exceptions=lines(r["exceptions"]), review_policy=r["review_policy"],
                measures=tuple(json.loads(r["measures"])),
                basis=tuple(json.loads(r["basis"])), binding_margin=_binding(r),
                confidence=_confidence(r), since=since or when,
                license_required_since=held_since(history, r, _same_licence) or since or when,
                valid_from=day(r["valid_from"]) or when, valid_to=day(r["valid_to"])))
        out.append(CheckAnswers(chip, when, tuple(answers)))
    return out


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Two stored answers say the same (chipdb.policy.held_key: margins and tiers may
    differ)."""
    def key(r: dict[str, Any]) -> tuple[Any, ...]:
        return held_key(_flag(r["license_required"]), lines(r["exceptions"]),
                        r["review_policy"], json.loads(r["measures"]), json.loads(r["basis"]))
    return key(a) == key(b)



def _history(s: Session, chip_history: Sequence[dict[str, Any]], cid: int, bid: int,
             dest: Place | None, hq: Place | None) -> list[dict[str, Any]]:
    """The stored answers over time for what was asked: one destination code and one buyer
    HQ when both are single places (each code's own classes: the stored ``since`` is for
    every member of a class), else the class pair itself."""
    if dest is None or len(dest.codes) != 1:
        return [r for r in chip_history
                if r["destination_class_id"] == cid and r["buyer_class_id"] == bid]
    code = dest.codes[0]
    buyer = hq.codes[0] if hq and len(hq.codes) == 1 else "US"
    classes: dict[str, set[int]] = {"destination": set(), "buyer-hq": set()}
    for r in queries.classes_of(s.conn, [code, buyer]):
        if (r["kind"] == "destination" and r["code"] == code) or (
                r["kind"] == "buyer-hq" and r["code"] == buyer):
            classes[r["kind"]].add(r["class_id"])
    return [r for r in chip_history if r["destination_class_id"] in classes["destination"]
            and r["buyer_class_id"] in classes["buyer-hq"]]


def _same_licence(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return _flag(a["license_required"]) == _flag(b["license_required"])


def held_since(history: Sequence[dict[str, Any]], row: dict[str, Any],
               same: Callable[[dict[str, Any], dict[str, Any]], bool]) -> date | None:
    """The first day of the unbroken run of stored answers before ``row`` that ``same``
    calls equal to it (``row``'s own start when the one before differs or leaves a gap)."""
    start = day(row["valid_from"])
    earlier = sorted((r for r in history if start and (day(r["valid_from"]) or start) < start),
                     key=lambda r: str(r["valid_from"]), reverse=True)
    for r in earlier:
        end = day(r["valid_to"])
        if start is None or end is None or (start - end).days != 1 or not same(r, row):
            break
        start = day(r["valid_from"])
    return start


def answer_json(a: BottomLine) -> dict[str, Any]:
    """The JSON contract of ``chipdb check -f json`` (one object per chip × destination)."""
    return {
        "chip": a.chip, "destination": a.destination,
        "destination_class": a.destination_class,
        "class_members": list(a.destination_codes), "party_hq": a.party_hq,
        "buyer_hq_class": a.buyer_class, "as_of": a.as_of.isoformat(),
        "license_required": a.license_required, "exceptions": list(a.exceptions),
        "review_policy": a.review_policy,
        "measures": [dict(m) for m in a.measures], "basis": [dict(b) for b in a.basis],
        "binding_margin": a.binding_margin, "confidence": a.confidence,
        "since": a.since.isoformat(),
        "license_required_since": a.license_required_since.isoformat(),
    }


def check_json(reports: Sequence[CheckAnswers]) -> list[dict[str, Any]]:
    return [answer_json(a) for r in reports for a in r.answers]


def one_destination(s: Session, to: str, as_of: date) -> Place:
    """``--to`` for commands that show one answer per chip: a single destination."""
    place = resolve_place(s, to, as_of)
    if len(place.codes) != 1:
        raise UsageError(f"--to {place.label} is a group: give one destination here "
                         "(`chipdb check CHIP --to GROUP` answers per class)")
    return place


def answers_for(s: Session, chips: Sequence[str], to: str, party_hq: str | None,
                as_of: date) -> dict[str, BottomLine]:
    """Per chip (catalogue names), its one answer for a single destination."""
    one_destination(s, to, as_of)
    return {r.chip: r.answers[0] for r in check(s, chips, to, party_hq, as_of) if r.answers}


def history(s: Session, chip: str, to: str, party_hq: str | None) -> list[dict[str, Any]]:
    """The chip's bottom line through time for one destination and buyer: one row per
    period with the same answer."""
    name = s.resolve_one(chip).chip
    dest = one_destination(s, to, date.today())
    hq = resolve_place(s, party_hq, date.today(), "headquarters country") if party_hq else None
    code, buyer = dest.codes[0], hq.codes[0] if hq else "US"
    ids: dict[str, set[int]] = {"destination": set(), "buyer-hq": set()}
    for r in queries.classes_of(s.conn, [code, buyer]):
        if r["code"] == (code if r["kind"] == "destination" else buyer):
            ids[r["kind"]].add(r["class_id"])
    out: list[dict[str, Any]] = []
    last: dict[str, Any] | None = None
    for r in queries.chip_status_history(s.conn, name):
        if r["destination_class_id"] not in ids["destination"] or \
                r["buyer_class_id"] not in ids["buyer-hq"]:
            continue
        if last is not None and _same(last, r):
            out[-1]["to"] = day(r["valid_to"])
            continue
        basis = json.loads(r["basis"])
        out.append({"from": day(r["valid_from"]), "to": day(r["valid_to"]),
                    "destination": dest.label, "party_hq": hq.label if hq else None,
                    "license_required": _flag(r["license_required"]),
                    "exceptions": list(lines(r["exceptions"])),
                    "review_policy": r["review_policy"],
                    "decided_by": decided_by(basis)})
        last = r
    return out


def asked(s: Session, to: str, party_hq: str | None, as_of: date) -> str:
    """The question a one-destination answer replies to, in words."""
    dest = one_destination(s, to, as_of)
    hq = resolve_place(s, party_hq, as_of, "headquarters country") if party_hq else None
    buyer = f", buyer headquartered in {hq.label}" if hq else ""
    return f"exports to {dest.label}{buyer} on {as_of.isoformat()}"


def list_rows(s: Session, rows: list[dict[str, Any]], to: str, party_hq: str | None,
              as_of: date, required: bool | None) -> list[dict[str, Any]]:
    """`list --to`: each row gains the bottom line (``license_required``, ``decided_by``);
    ``required`` keeps only chips that need (True) or do not need (False) a licence."""
    found = answers_for(s, [r["chip"] for r in rows], to, party_hq, as_of) if rows else {}
    out = []
    for r in rows:
        a = found.get(r["chip"])
        needed = a.license_required if a else None
        if required is not None and needed is not required:
            continue
        out.append({**r, "license_required": needed,
                    "decided_by": decided_by(a.basis) if a else None})
    return out
