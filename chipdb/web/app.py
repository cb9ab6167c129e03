"""The Starlette application: routes, templates, security headers and error pages.

``build`` checks the database once (creating or upgrading it exactly as the CLI would), then
serves it read-only: every request reads its own snapshot (``web.access``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chipdb.errors import ChipdbError, UsageError
from chipdb.metricdefs import INPUT_KEYS
from chipdb.render import cell_text
from chipdb.store.read.pool import pool_for
from chipdb.web import api, mapsvg, pages
from chipdb.web.access import Settings, status_of
from chipdb.web.respond import HttpError, fail, one_line

HERE = Path(__file__).parent

# No external source anywhere: styles and the one script are served from /static.
PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "object-src 'self'; base-uri 'none'; form-action 'self'; "
               "frame-ancestors 'none'")
SECURITY_HEADERS = {
    "content-security-policy": PAGE_POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
}


class SecurityHeaders:
    """Adds the security headers to every response that does not set its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                have = {k.decode("latin-1").lower() for k, _ in message.get("headers", [])}
                extra = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()
                         if k not in have]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)


def templates() -> jinja2.Environment:
    """Jinja2 with autoescape on for every template: chip names and notes are user data."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters["cell"] = cell_text
    env.globals["input_keys"] = sorted(INPUT_KEYS)
    env.filters["part"] = lambda text: quote(str(text), safe="")  # one path segment
    env.filters["outcome_class"] = pages.outcome_class
    # only web links become links: a source URL is user data ("javascript:" stays text)
    env.filters["web_url"] = lambda url: str(url).startswith(("https://", "http://"))
    return env


async def on_error(request: Request, exc: Exception) -> Response:
    """A library or request error: one-line JSON under /api, an HTML page elsewhere."""
    if isinstance(exc, HTTPException):
        status, message = exc.status_code, (
            f"no page at {request.url.path}: see / or /api" if exc.status_code == 404
            else str(exc.detail))
    else:
        status = status_of(exc)
        message = exc.message if isinstance(exc, HttpError | ChipdbError) else (
            "internal error: the server log has the details")
    if request.url.path.startswith("/api") or request.url.path.endswith(".svg"):
        return fail(status, message)
    env: jinja2.Environment = request.app.state.templates
    html = env.get_template("error.html").render(status=status, message=one_line(message),
                                                 path=request.url.path,
                                                 permalink=str(request.url))
    return HTMLResponse(html, status_code=status)


def build(url: str | None, time_limit: float) -> Starlette:
    """Check the database once, then serve it read-only."""
    import chipdb
    from chipdb.store.url import resolve_url

    if time_limit <= 0:
        raise UsageError("--time-limit must be more than 0 seconds")
    chipdb.open(url).close()  # create, migrate or reseed now, never inside a request
    routes: list[Any] = [
        *pages.ROUTES,
        *api.ROUTES,
        Route("/map.svg", mapsvg.map_svg),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    db = resolve_url(url)
    pool = pool_for(db)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        if pool is not None:
            pool.close()  # the kept connections end with the server

    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={
        HttpError: on_error, ChipdbError: on_error, HTTPException: on_error,
        Exception: on_error,
    })
    app.state.settings = Settings(db, time_limit, pool=pool)
    app.state.templates = templates()
    app.add_middleware(SecurityHeaders)
    return app
