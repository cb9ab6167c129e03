"""Renderers: data in, text out. ONE registry of output formats, one entry point.

A command hands over a ``Document`` (render.document): a list of sections, each a titled table
of records. ``json`` writes the payload (in a CLI run inside the provenance envelope,
render.output); ``csv``, ``tsv`` and ``jsonl`` write the record table (``csv_section``) and say
on stderr which sections they do not carry; ``table`` uses Rich; ``markdown`` pipe tables;
``html`` a self-contained printable report.

Add a format: write ``chipdb/render/NAME.py`` with ``render(doc, out)`` and add one line to
``FORMATS``. Modules are imported only when used, so ``-f json`` never loads Rich.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable
from typing import Final, TextIO

from chipdb.errors import DataError, UsageError
from chipdb.render.document import Document, Section, cell_text, to_jsonable
from chipdb.render.output import current, flat_omissions, gate_matches, select_fields

# format name -> the module whose render(doc, out) writes it
FORMATS: Final[dict[str, str]] = {
    "table": "chipdb.render.table",
    "json": "chipdb.render.json",
    "jsonl": "chipdb.render.jsonl",
    "csv": "chipdb.render.csv",
    "tsv": "chipdb.render.tsv",
    "markdown": "chipdb.render.markdown",
    "html": "chipdb.render.html",
}
# the formats that carry one table of records, not a document of sections
FLAT: Final[frozenset[str]] = frozenset({"csv", "tsv", "jsonl"})


def format_name(typed: str) -> str:
    """A format as typed (any case, surrounding spaces) as a key of FORMATS."""
    from chipdb.names import did_you_mean

    fmt = typed.strip().casefold()
    if fmt not in FORMATS:
        raise UsageError(f"unknown format '{typed}'{did_you_mean(typed, list(FORMATS))}; "
                         f"use one of {', '.join(FORMATS)}")
    return fmt


def render(doc: Document, fmt: str, out: TextIO | None = None) -> None:
    """Write ``doc`` in format ``fmt`` (a key of FORMATS) to ``out`` (stdout by default),
    after the run's ``--fields`` and before its ``--fail-on`` gate (render.output)."""
    run = current()
    if run is not None and run.fail_on:  # on the whole answer, whatever --fields keeps
        answers = doc.payload if doc.payload is not None else [
            r for s in doc.sections for r in s.rows]
        run.gate_tripped |= gate_matches(answers, run.fail_on, run.rule_ids)
    if run is not None and run.fields:
        doc = select_fields(doc, run.fields)
    module = importlib.import_module(FORMATS[fmt])
    write(lambda stream: module.render(doc, stream), out)
    if fmt in FLAT and (left := flat_omissions(doc)):
        from chipdb.safetext import printable

        print(printable(f"chipdb: -f {fmt} carries one table; not in it: {', '.join(left)} "
                        "(-f json or -f html carries every section)"), file=sys.stderr)


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


__all__ = ["FLAT", "FORMATS", "Document", "Section", "cell_text", "format_name", "render",
           "to_jsonable", "write"]
