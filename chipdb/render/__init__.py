"""Renderers: data in, text out. ONE registry of output formats, one entry point.

A command hands over a ``Document`` (render.document): a list of sections, each a titled table
of records. ``json`` and ``csv`` print records only (no decoration); ``table`` uses Rich;
``markdown`` prints pipe tables. Commands whose JSON has a fixed shape (compare, what-if) pass
that shape as ``payload``.

Add a format: write ``chipdb/render/NAME.py`` with ``render(doc, out)`` and add one line to
``FORMATS``. Modules are imported only when used, so ``-f json`` never loads Rich.
"""

from __future__ import annotations

import importlib
import sys
from typing import Final, TextIO

from chipdb.render.document import Document, Section, cell_text, to_jsonable

# format name -> the module whose render(doc, out) writes it
FORMATS: Final[dict[str, str]] = {
    "table": "chipdb.render.table",
    "json": "chipdb.render.json",
    "csv": "chipdb.render.csv",
    "markdown": "chipdb.render.markdown",
}


def render(doc: Document, fmt: str, out: TextIO | None = None) -> None:
    """Write ``doc`` in format ``fmt`` (a key of FORMATS) to ``out`` (stdout by default)."""
    module = importlib.import_module(FORMATS[fmt])
    module.render(doc, out or sys.stdout)


__all__ = ["FORMATS", "Document", "Section", "cell_text", "render", "to_jsonable"]
