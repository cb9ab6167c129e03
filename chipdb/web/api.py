"""The JSON API: each endpoint is a CLI command's ``-f json`` (or ``-f csv``) over HTTP.

An endpoint reads its parameters, calls the same ``Database`` method and the same
``service.results`` shape and ``render.layouts`` document as the command, and hands the
document to ``respond.send`` inside the command's own ``OutputRun``, stamped by the CLI's
``service.provenance.stamp``: the JSON is the CLI's envelope (``chipdb_version``,
``catalogue``, ``generated_at``, ``as_of``, ``command``, ``data``; docs/schemas/COMMAND.json).
``format=csv`` gives the command's CSV. Errors stay one bare line: ``{"error": "..."}``.
An answer kept for the same URL on the same day (web.access) keeps its ``generated_at``: the
moment it was computed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from chipdb.render.bottomline import check_document
from chipdb.render.changes import changes_document
from chipdb.render.layouts import (
    compare_document,
    headroom_document,
    list_document,
    rules_document,
    show_document,
    timeline_document,
)
from chipdb.render.output import OutputRun, running
from chipdb.service import bottomline
from chipdb.service.database import Database, as_of_day
from chipdb.service.listings import (
    ChipRow,
    headroom_json,
    list_json,
    rule_json,
    show_json,
    timeline_events_json,
    timeline_json,
)
from chipdb.service.provenance import stamp
from chipdb.service.results import compare_json, what_if_json
from chipdb.units import parse_assignments
from chipdb.web.access import Params, Settings, run
from chipdb.web.respond import FORMATS, HttpError, send, send_data

LIST_PARAMS = ("vendor", "market", "datacenter", "rule", "verdict", "as_of", "sort", "q")
CHANGES_PARAMS = ("since", "until", "to", "party_hq", "include_draft")
CHECK_EXTRAS = ("to", "party_hq")  # destination and buyer, as `chipdb check --to --party-hq`


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


def check_answers(db: Database, p: Params) -> list[bottomline.CheckAnswers]:
    """``chipdb check CHIP [--to] [--party-hq] [--as-of]``: the same service call."""
    return bottomline.check(db.session, [required(p, "chip")], p.text("to"),
                            p.text("party_hq"), as_of_day(p.text("as_of")))


def changes_report_json(db: Database, p: Params) -> dict[str, Any]:
    """``chipdb changes [--since] [--until] [--to] [--party-hq] [--include-draft]``."""
    from chipdb.service import changes

    report = changes.changes(db.session, p.day("since"), p.day("until"), p.text("to"),
                             p.text("party_hq"), bool(p.flag("include_draft")))
    return changes.changes_json(report)


def what_if_report_json(db: Database, p: Params) -> dict[str, Any]:
    overrides = parse_assignments(p.many("set", sep=None))
    report = db.what_if(p.text("base"), set=overrides, as_of=p.text("as_of"),
                        name=p.text("name"))
    return what_if_json(report)


# --- the endpoints ---------------------------------------------------------------------------

Work = Callable[[Database, Params], Response]


@dataclass(frozen=True)
class Endpoint:
    """One endpoint: its parameters, its work, the CLI command it mirrors (the envelope's
    ``command``), and whether the answer is as of a day (the envelope's ``as_of``: the
    ``as_of`` parameter or today, as the command's ``--as-of``; null otherwise)."""

    allowed: tuple[str, ...]
    work: Work
    command: str
    dated: bool


def endpoint(spec: Endpoint) -> Callable[[Request], Any]:
    async def handle(request: Request) -> Response:
        p = Params(request, (*spec.allowed, "format"))
        day = as_of_day(p.day("as_of")) if spec.dated else None
        settings: Settings = request.app.state.settings

        def answer(db: Database) -> Response:
            with running(OutputRun(spec.command, as_of=day)) as out:
                stamp(out, db.session)
                return spec.work(db, p)

        return await run(settings, answer, cache_key=str(request.url),
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
    answers = bottomline.check_json(check_answers(db, p))
    return send(check_document(answers), fmt_of(p), filename="check")


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
    return send(timeline_document(report.chip, timeline_json(report),
                                  timeline_events_json(report)), fmt_of(p), filename="timeline")


def api_headroom(db: Database, p: Params) -> Response:
    report = db.headroom(required(p, "chip"), as_of=p.text("as_of"))
    return send(headroom_document(report.chip, report.as_of, headroom_json(report)),
                fmt_of(p), filename="headroom")


def api_changes(db: Database, p: Params) -> Response:
    return send(changes_document(changes_report_json(db, p)), fmt_of(p), filename="changes")


def api_what_if(db: Database, p: Params) -> Response:
    return send(compare_document(what_if_report_json(db, p), False), fmt_of(p),
                filename="what-if")


ENDPOINTS: dict[str, Endpoint] = {
    "/api/compare": Endpoint(("chips", "as_of", "all_rules", "sources"), api_compare,
                             "compare", dated=True),
    "/api/check": Endpoint(("chip", "as_of", *CHECK_EXTRAS), api_check, "check", dated=True),
    "/api/show": Endpoint(("chip",), api_show, "show", dated=False),
    "/api/list": Endpoint(LIST_PARAMS, api_list, "list", dated=True),
    "/api/rules": Endpoint(("rule",), api_rules, "rules", dated=False),
    "/api/timeline": Endpoint(("chip",), api_timeline, "timeline", dated=False),
    "/api/headroom": Endpoint(("chip", "as_of"), api_headroom, "headroom", dated=True),
    "/api/what-if": Endpoint(("base", "set", "as_of", "name"), api_what_if, "what-if",
                             dated=True),
    "/api/changes": Endpoint(CHANGES_PARAMS, api_changes, "changes", dated=False),
}


async def api_index(request: Request) -> Response:
    Params(request, ())
    return send_data({path: {"parameters": [*spec.allowed, "format"], "command": spec.command}
                      for path, spec in ENDPOINTS.items()})


ROUTES = [Route("/api", api_index), Route("/api/", api_index)] + [
    Route(path, endpoint(spec)) for path, spec in ENDPOINTS.items()
]
