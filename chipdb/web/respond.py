"""Responses: every JSON and CSV answer goes through ``send``, every error through ``fail``.

``send`` writes a ``render.Document`` with the CLI's own renderer, so ``/api/compare`` prints
what ``chipdb compare -f json`` prints: inside an endpoint's ``OutputRun`` (web.api) the JSON
renderer wraps the answer in the provenance envelope, as in a CLI run; errors and the API's
index are written outside one, so they stay bare.
"""

from __future__ import annotations

import io
from typing import Any

from starlette.responses import Response

from chipdb.render import Document, render

MEDIA = {"json": "application/json; charset=utf-8", "csv": "text/csv; charset=utf-8"}
FORMATS = tuple(MEDIA)


class HttpError(Exception):
    """A request that cannot be answered: its status and one line saying what to do."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def send(doc: Document, fmt: str = "json", status: int = 200,
         filename: str | None = None) -> Response:
    """``doc`` as the CLI's ``-f json`` or ``-f csv`` would print it."""
    if fmt not in MEDIA:
        raise HttpError(400, f"unknown format '{fmt}': use one of {', '.join(FORMATS)}")
    buf = io.StringIO()
    render(doc, fmt, buf)
    headers = {}
    if filename is not None:
        headers["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return Response(buf.getvalue(), status_code=status, media_type=MEDIA[fmt], headers=headers)


def send_data(data: Any, status: int = 200) -> Response:
    """A JSON value that is not a command's document (errors, the root of the API)."""
    return send(Document(sections=[], payload=data), "json", status)


def fail(status: int, message: str) -> Response:
    """The one-line JSON error: ``{"error": "..."}``."""
    return send_data({"error": one_line(message)}, status)


def one_line(message: str, limit: int = 400) -> str:
    """A message as one printable line, overlong echoes of user input cut."""
    text = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in message)
    return text if len(text) <= limit else text[: limit - 1] + "…"
