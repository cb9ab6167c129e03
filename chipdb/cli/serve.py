"""The ``serve`` command: the database on the web, read-only (the optional ``web`` extra)."""

from __future__ import annotations

from typing import Annotated

import typer

from chipdb.cli.options import notify
from chipdb.cli.root import app, state
from chipdb.errors import UsageError

INSTALL = "the web server needs the web extra: pip install 'chipdb[web]'"
LOOPBACK = ("127.0.0.1", "::1", "localhost")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on; another than 127.0.0.1 "
                                           "opens the pages to the network.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8001,
    db: Annotated[str | None, typer.Option("--db", help="SQLAlchemy URL of the database "
                                                        "(default: as for every command).")]
    = None,
    time_limit: Annotated[float, typer.Option(help="Seconds a request may take before it is "
                                                   "stopped.")] = 10.0,
    workers: Annotated[int, typer.Option(help="Server processes (each request is "
                                              "independent, so they share nothing).",
                                         min=1, max=64)] = 1,
) -> None:
    """Serve chip pages, compare, check, what-if, rules, the map and a JSON API, read-only."""
    try:
        import jinja2  # noqa: F401
        import starlette  # noqa: F401
        import uvicorn
    except ImportError:
        raise UsageError(INSTALL) from None
    import os

    from chipdb.store.url import resolve_url
    from chipdb.web import LIMIT_VARIABLE, URL_VARIABLE, create_app

    url = db if db is not None else state["db"]
    application = create_app(url, time_limit)  # checks the database once, before any worker
    if host not in LOOPBACK:
        notify(f"chipdb: listening on {host}: anyone who can reach it can read the database")
    notify(f"chipdb: serving {resolve_url(url).display} read-only at "
           f"http://{'[' + host + ']' if ':' in host else host}:{port}/ (Ctrl-C stops)")
    if workers == 1:
        uvicorn.run(application, host=host, port=port, log_level="warning",
                    server_header=False)
        return
    os.environ[URL_VARIABLE] = resolve_url(url).url
    os.environ[LIMIT_VARIABLE] = repr(time_limit)
    uvicorn.run("chipdb.web:from_environment", factory=True, workers=workers, host=host,
                port=port, log_level="warning", server_header=False)
