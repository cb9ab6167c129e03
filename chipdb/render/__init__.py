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
import os
import sys
from collections.abc import Callable
from typing import Final, TextIO

from chipdb.errors import DataError
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
    write(lambda stream: module.render(doc, stream), out)


def write(produce: Callable[[TextIO], object], out: TextIO | None = None) -> None:
    """Run ``produce`` on ``out`` (stdout by default) and flush it, so that a reader who went
    away (``| head``) ends the output quietly and a full disk is one line, not a traceback."""
    stream = out or sys.stdout
    try:
        produce(stream)
        stream.flush()
    except BrokenPipeError:
        _discard(stream)
    except OSError as exc:
        raise DataError(f"cannot write the output ({exc.strerror or exc}): free some space "
                        "or write somewhere else") from None


def _discard(stream: TextIO) -> None:
    """Point the stream's file at /dev/null: Python's last flush at exit then has nowhere to
    fail (the way the Python docs handle SIGPIPE)."""
    try:
        fd = stream.fileno()
    except (OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


__all__ = ["FORMATS", "Document", "Section", "cell_text", "render", "to_jsonable", "write"]
