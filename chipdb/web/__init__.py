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


__all__ = ["create_app"]
