"""The JSON API: each endpoint is a CLI command's ``-f json`` (or ``-f csv``) over HTTP.

An endpoint reads its parameters, calls the same ``Database`` method and the same
``service.results`` shape and ``render.layouts`` document as the command, and hands the
document to ``respond.send``. ``format=csv`` gives the command's CSV.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from chipdb.render import Document, Section
from chipdb.render.layouts import (
    compare_document,
    headroom_document,
    list_document,
    rules_document,
    show_document,
    timeline_document,
)
from chipdb.service.check_results import CheckReport
from chipdb.service.database import Database
from chipdb.service.results import (
    ChipRow,
    compare_json,
    headroom_json,
    list_json,
    record_json,
    rule_json,
    show_json,
    timeline_json,
    what_if_json,
)
from chipdb.units import parse_assignments
from chipdb.web.access import Params, Settings, run
from chipdb.web.respond import FORMATS, HttpError, send, send_data

LIST_PARAMS = ("vendor", "market", "datacenter", "rule", "verdict", "as_of", "sort", "q")
CHECK_EXTRAS = ("to", "party_hq")  # issue 13: destination and buyer, passed through as given


def required(p: Params, name: str) -> str:
    value = p.text(name)
    if value is None:
        raise HttpError(400, f"parameter '{name}' is missing")
    return value


def fmt_of(p: Params) -> str:
    return p.choice("format", FORMATS, "json")


# --- the library calls, shared with the pages ----------------------------------------------

def list_rows(db: Database, p: Params, rule: str | None = None) -> list[ChipRow]:
    """``chipdb list`` with the page's filters (``rule`` overrides the parameter); ``q`` keeps
    the chips whose name holds the text."""
    verdict, rule = p.text("verdict"), rule or p.text("rule")
    if verdict and not rule:
        raise HttpError(400, "verdict needs rule")
    rows = db.list(vendor=p.text("vendor"), market=p.text("market"),
                   datacenter=p.flag("datacenter"), rule=rule, outcome=verdict,
                   as_of=p.text("as_of"), sort=p.text("sort") or "vendor")
    q = (p.text("q") or "").casefold()
    return [r for r in rows if q in r.chip.casefold()] if q else rows


def check_report(db: Database, p: Params) -> CheckReport:
    """``Database.check`` with ``to`` and ``party_hq`` passed through once it takes them."""
    extras = {k: v for k in CHECK_EXTRAS if (v := p.text(k)) is not None}
    accepted = inspect.signature(db.check).parameters
    missing = [k for k in extras if k not in accepted]
    if missing:
        raise HttpError(400, f"'{missing[0]}' is not supported yet: the bottom line by "
                             "destination and buyer comes with issue 13; leave it empty")
    call: Callable[..., CheckReport] = db.check
    return call(required(p, "chip"), as_of=p.text("as_of"), **extras)


def check_json(report: CheckReport) -> dict[str, Any]:
    """What applies to one chip on one day, as JSON: the bottom line per destination
    (``answers``, each object the ``chipdb check -f json`` contract) and the verdicts."""
    from chipdb.service.bottomline import answer_json

    return {"chip": report.chip, "as_of": report.as_of.isoformat(),
            "answers": [answer_json(a) for a in report.answers],
            "verdicts": [record_json(v) | {"margins": [record_json(m) for m in v.margins]}
                         for v in report.verdicts]}


def check_document(data: dict[str, Any]) -> Document:
    cols = ["rule", "outcome", "determined", "clause", "reason", "unverified", "valid_from",
            "valid_to", "citation"]
    return Document([Section(f"{data['chip']} on {data['as_of']}", cols, data["verdicts"])],
                    payload=data)


def what_if_report_json(db: Database, p: Params) -> dict[str, Any]:
    overrides = parse_assignments(p.many("set", sep=None))
    report = db.what_if(p.text("base"), set=overrides, as_of=p.text("as_of"),
                        name=p.text("name"))
    return what_if_json(report)


# --- the endpoints ---------------------------------------------------------------------------

Work = Callable[[Database, Params], Response]


def endpoint(allowed: tuple[str, ...], work: Work) -> Callable[[Request], Any]:
    async def handle(request: Request) -> Response:
        p = Params(request, (*allowed, "format"))
        settings: Settings = request.app.state.settings
        return await run(settings, lambda db: work(db, p), cache_key=str(request.url),
                         keep=lambda response: response.status_code == 200)
    return handle


def api_compare(db: Database, p: Params) -> Response:
    chips = p.many("chips")
    if not chips:
        raise HttpError(400, "parameter 'chips' is missing: e.g. chips=H20,H100")
    sources = bool(p.flag("sources"))
    report = db.compare(chips, as_of=p.text("as_of"), all_rules=bool(p.flag("all_rules")),
                        sources=sources)
    return send(compare_document(compare_json(report), sources), fmt_of(p), filename="compare")


def api_show(db: Database, p: Params) -> Response:
    detail = db.show(required(p, "chip"))
    return send(show_document(show_json(detail)), fmt_of(p), filename="chip")


def api_check(db: Database, p: Params) -> Response:
    return send(check_document(check_json(check_report(db, p))), fmt_of(p), filename="check")


def api_list(db: Database, p: Params) -> Response:
    rows = list_rows(db, p)
    rule = p.text("rule")
    return send(list_document(list_json(rows, rule is not None), rule), fmt_of(p),
                filename="chips")


def api_rules(db: Database, p: Params) -> Response:
    rule = p.text("rule")
    data = [rule_json(r) for r in db.rules(rule)]
    return send(rules_document(data, detail=rule is not None), fmt_of(p), filename="rules")


def api_timeline(db: Database, p: Params) -> Response:
    report = db.timeline(required(p, "chip"))
    return send(timeline_document(report.chip, timeline_json(report)), fmt_of(p),
                filename="timeline")


def api_headroom(db: Database, p: Params) -> Response:
    report = db.headroom(required(p, "chip"), as_of=p.text("as_of"))
    return send(headroom_document(report.chip, report.as_of, headroom_json(report)),
                fmt_of(p), filename="headroom")


def api_what_if(db: Database, p: Params) -> Response:
    return send(compare_document(what_if_report_json(db, p), False), fmt_of(p),
                filename="what-if")


ENDPOINTS: dict[str, tuple[tuple[str, ...], Work]] = {
    "/api/compare": (("chips", "as_of", "all_rules", "sources"), api_compare),
    "/api/check": (("chip", "as_of", *CHECK_EXTRAS), api_check),
    "/api/show": (("chip",), api_show),
    "/api/list": (LIST_PARAMS, api_list),
    "/api/rules": (("rule",), api_rules),
    "/api/timeline": (("chip",), api_timeline),
    "/api/headroom": (("chip", "as_of"), api_headroom),
    "/api/what-if": (("base", "set", "as_of", "name"), api_what_if),
}


async def api_index(request: Request) -> Response:
    Params(request, ())
    return send_data({path: {"parameters": [*allowed, "format"]}
                      for path, (allowed, _) in ENDPOINTS.items()})


ROUTES = [Route("/api", api_index), Route("/api/", api_index)] + [
    Route(path, endpoint(allowed, work)) for path, (allowed, work) in ENDPOINTS.items()
]
