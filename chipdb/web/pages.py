"""The HTML pages: each reads its parameters, calls the library, fills one template.

Every state is in the URL (forms use GET), so each page is a permalink; the data on screen
downloads as CSV or JSON from the matching ``/api`` endpoint with the same parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from chipdb.errors import NotFoundError
from chipdb.metricdefs import METRIC_LABELS
from chipdb.outcomes import severity
from chipdb.render import Document
from chipdb.render.bottomline import answer_row, check_document
from chipdb.render.changes import changes_document
from chipdb.render.layouts import (
    compare_document,
    distinct_lines,
    list_document,
    margin_text,
    shown_specs,
)
from chipdb.service import bottomline, catalogue
from chipdb.service.check_results import CheckRow
from chipdb.service.database import Database, as_of_day
from chipdb.service.listings import RuleReport
from chipdb.service.results import METRIC_FIELDS, compare_json, record_json
from chipdb.web.access import Params, Settings, run, status_of
from chipdb.web.api import (
    CHANGES_PARAMS,
    CHECK_EXTRAS,
    LIST_PARAMS,
    changes_report_json,
    check_answers,
    list_rows,
    what_if_report_json,
)
from chipdb.web.respond import HttpError

SORTABLE = ("chip", "vendor", *METRIC_FIELDS)
FORM_PAGES = ("check.html", "what_if.html", "compare.html", "changes.html")
LIST_FILTERS = ("vendor", "market", "datacenter", "verdict", "q")  # LIST_PARAMS that narrow


def outcome_class(outcome: Any) -> str:
    """The CSS class of an outcome: its severity (chipdb.outcomes), as the tables and map."""
    return f"o-{severity(str(outcome or ''))}"


Page = Callable[[Database, Params, Request], dict[str, Any]]


def page(template: str, allowed: tuple[str, ...], work: Page) -> Callable[[Request], Any]:
    """A handler: check the parameters, run ``work`` under the time limit, fill ``template``."""
    async def handle(request: Request) -> Response:
        p = Params(request, allowed)
        settings: Settings = request.app.state.settings
        env = request.app.state.templates

        def fill(db: Database) -> tuple[int, str] | Response:
            try:
                context = work(db, p, request)
                status = 200
            except Exception as exc:
                if not form_error(template, exc):
                    raise
                context = {"error": getattr(exc, "message", str(exc)), "p": p, "doc": None,
                           "answers": None}
                status = status_of(exc)
            if isinstance(context.get("redirect"), str):
                return RedirectResponse(context["redirect"], status_code=302)
            context.setdefault("error", None)
            return status, env.get_template(template).render(
                request=request, permalink=str(request.url), **context)

        result = await run(settings, fill, cache_key=str(request.url),
                           keep=lambda done: isinstance(done, tuple) and done[0] == 200)
        if isinstance(result, Response):
            return result
        status, html = result
        return HTMLResponse(html, status_code=status)
    return handle


def form_error(template: str, exc: Exception) -> bool:
    """On a form page a bad value is shown beside the form, not on an error page."""
    return template in FORM_PAGES and status_of(exc) in (400, 404) and hasattr(exc, "message")


def query(**values: Any) -> str:
    return urlencode({k: v for k, v in values.items() if v not in (None, "", [])}, doseq=True)


def newest_classification(rules: Sequence[RuleReport], day: date) -> str | None:
    """The default rule of the index: the map's (the newest classification rule in force on
    ``day``), or None when there is none."""
    from chipdb.service.plot import default_rule

    try:
        return default_rule([record_json(r) for r in rules], day)
    except NotFoundError:
        return None


def by_layer(rows: Sequence[CheckRow], rules: Sequence[RuleReport]) -> list[dict[str, Any]]:
    """Verdicts grouped by the layer their rule belongs to, layers in the rules' order."""
    layer = {r.rule: r.layer for r in rules}
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in rules:
        groups.setdefault(r.layer, [])
    for v in rows:
        margins = distinct_lines([record_json(m) for m in v.margins])
        groups.setdefault(layer.get(v.rule, "other"), []).append({
            "row": v, "binding": margin_text(margins[0]) if margins else None,
            "margins": [margin_text(m) for m in margins]})
    return [{"layer": k, "verdicts": g} for k, g in groups.items() if g]


# --- pages -----------------------------------------------------------------------------------

def index(db: Database, p: Params, request: Request) -> dict[str, Any]:
    rules = db.rules()
    day = as_of_day(p.text("as_of"))
    rule = p.text("rule") or newest_classification(rules, day)
    sort = p.text("sort") or "vendor"
    if sort not in SORTABLE:
        raise HttpError(400, f"cannot sort by '{sort}': use one of {', '.join(SORTABLE)}")
    params = {k: p.text(k) for k in LIST_PARAMS} | {"rule": rule}
    # one unfiltered listing gives the filters' choices (and the outcomes under the rule);
    # with no filter and the default order it is also the table
    every = db.list(rule=rule, as_of=params["as_of"])
    narrowed = sort != "vendor" or any(p.text(k) for k in LIST_FILTERS)
    rows = list_rows(db, p, rule) if narrowed else every
    section = list_document([record_json(r) for r in rows], rule).sections[0]
    return {
        "section": section, "rules": rules, "rule": rule, "params": params, "sort": sort,
        "sortable": SORTABLE, "vendors": sorted({r.vendor for r in every}),
        "markets": sorted({r.market for r in every if r.market}),
        "outcomes": sorted({r.verdict for r in every if r.verdict}),
        "link": lambda **kw: "/?" + query(**(params | kw)),
        "download": query(**params),
    }


def chip(db: Database, p: Params, request: Request) -> dict[str, Any]:
    typed = request.path_params["name"]
    detail = db.show(typed)
    name = detail.chip.name
    if name != typed:  # the permalink names the catalogue chip
        return {"redirect": f"/chip/{_part(name)}" + (f"?{request.url.query}"
                                                      if request.url.query else "")}
    rules = db.rules()
    check = catalogue.check(db.session, name, as_of_day(p.text("as_of")))  # no bottom line
    return {
        "detail": detail, "c": detail.chip, "specs": shown_specs(detail.chip.specs),
        "check": check, "layers": by_layer(check.verdicts, rules),
        "timeline": db.timeline(name).rows, "labels": METRIC_LABELS,
        "q": query(chip=name), "as_of": check.as_of,
        "verdicts_q": query(chips=name, as_of=check.as_of.isoformat()),
    }


def _part(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


def compare(db: Database, p: Params, request: Request) -> dict[str, Any]:
    chips = p.many("chips")
    context: dict[str, Any] = {"p": p, "doc": None}
    if not chips:
        return context
    all_rules = bool(p.flag("all_rules"))
    report = db.compare(chips, as_of=p.text("as_of"), all_rules=all_rules)
    doc = compare_document(compare_json(report), False)
    names = [c.name for c in report.chips]
    return context | {"doc": doc, "names": names, "report": report,
                      "q": query(chips=",".join(names), as_of=p.text("as_of"),
                                 all_rules="yes" if all_rules else None)}


def check(db: Database, p: Params, request: Request) -> dict[str, Any]:
    """The bottom line of ``chipdb check`` (the same call, the same rows), then the verdicts
    in force behind it, grouped by layer."""
    context: dict[str, Any] = {"p": p, "answers": None}
    if p.text("chip") is None:
        if any(p.text(k) for k in CHECK_EXTRAS):
            raise HttpError(400, "give a chip to check")
        return context
    reports = check_answers(db, p)
    answers = bottomline.check_json(reports)
    chip, day = reports[0].chip, reports[0].as_of
    verdicts = catalogue.check(db.session, chip, day).verdicts
    q = query(chip=chip, as_of=day.isoformat(), **{k: p.text(k) for k in CHECK_EXTRAS})
    return context | {
        "chip": chip, "as_of": day, "answers": answers, "rows": [answer_row(a) for a in answers],
        "summary": check_document(answers).sections[0], "layers": by_layer(verdicts, db.rules()),
        "q": q, "verdicts_q": query(chips=chip, as_of=day.isoformat()),
    }


def what_if(db: Database, p: Params, request: Request) -> dict[str, Any]:
    context: dict[str, Any] = {"p": p, "doc": None}
    if p.text("base") is None and not p.many("set", sep=None):
        return context
    data = what_if_report_json(db, p)
    doc: Document = compare_document(data, False)
    return context | {"doc": doc, "design": data["chips"][0],
                      "q": query(base=p.text("base"), set=p.many("set", sep=None),
                                 as_of=p.text("as_of"), name=p.text("name"))}


def changes_page(db: Database, p: Params, request: Request) -> dict[str, Any]:
    """``chipdb changes``: what changed between two days, one table per kind of change."""
    data = changes_report_json(db, p)
    return {"p": p, "doc": changes_document(data), "data": data,
            "q": query(**{k: p.text(k) for k in CHANGES_PARAMS})}


def rules_page(db: Database, p: Params, request: Request) -> dict[str, Any]:
    return {"rules": db.rules()}


def rule_page(db: Database, p: Params, request: Request) -> dict[str, Any]:
    rule = db.rules(request.path_params["rule"])[0]
    if rule.rule != request.path_params["rule"]:
        return {"redirect": f"/rule/{_part(rule.rule)}"}
    today = date.today()
    day = (as_of_day(p.text("as_of")) if p.text("as_of")
           else rule.ended if rule.ended and rule.ended < today
           else rule.effective if rule.effective > today else today)
    by_outcome: dict[str, list[str]] = {}
    for r in db.list(rule=rule.rule, as_of=day, sort="chip"):
        by_outcome.setdefault(r.verdict or "no verdict", []).append(r.chip)
    return {"rule": rule, "day": day, "by_outcome": sorted(by_outcome.items())}


def map_page(db: Database, p: Params, request: Request) -> dict[str, Any]:
    return {"p": p, "rules": db.rules(), "svg": "/map.svg?" + query(
        rule=p.text("rule"), chips=",".join(p.many("chips")), metric=p.text("metric"),
        as_of=p.text("as_of"))}


ROUTES = [
    Route("/", page("index.html", (*LIST_PARAMS,), index)),
    Route("/chip/{name:path}", page("chip.html", ("as_of",), chip)),
    Route("/compare", page("compare.html", ("chips", "as_of", "all_rules"), compare)),
    Route("/check", page("check.html", ("chip", "as_of", *CHECK_EXTRAS), check)),
    Route("/what-if", page("what_if.html", ("base", "set", "as_of", "name"), what_if)),
    Route("/changes", page("changes.html", CHANGES_PARAMS, changes_page)),
    Route("/rules", page("rules.html", (), rules_page)),
    Route("/rule/{rule}", page("rule.html", ("as_of",), rule_page)),
    Route("/map", page("map.html", ("rule", "chips", "metric", "as_of"), map_page)),
]
