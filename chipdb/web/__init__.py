"""The web front (`chipdb serve`): read-only pages and a JSON API over the library.

Like the CLI it only parses, resolves and calls the library (``chipdb.open()``'s
``Database``), then hands the data to a renderer: the CLI's documents for JSON and CSV, Jinja2
templates for HTML. Starlette, Jinja2 and uvicorn are the optional ``web`` extra; nothing here
is imported by the command line until ``chipdb serve`` runs.
"""

from __future__ import annotations

from typing import Any


def create_app(url: str | None = None, time_limit: float = 10.0) -> Any:
    """The ASGI application serving the database at ``url`` (as ``chipdb.open`` reads it)."""
    from chipdb.web.app import build

    return build(url, time_limit)


def from_environment() -> Any:
    """The application for uvicorn's worker processes (``chipdb serve --workers N``): the
    settings come from the environment the serve command set before starting them."""
    import os

    return create_app(os.environ.get(URL_VARIABLE) or None,
                      float(os.environ.get(LIMIT_VARIABLE, "10")))


URL_VARIABLE = "CHIPDB_WEB_DATABASE_URL"
LIMIT_VARIABLE = "CHIPDB_WEB_TIME_LIMIT"

__all__ = ["create_app", "from_environment"]
