"""JSON: the command's payload (or its records), indented, non-ASCII kept, NaN as null; in a
CLI run inside the provenance envelope (render.output.envelope, docs/schemas/).

The exact text of every value, with no raw control or bidi character (``json_safe``)."""

from __future__ import annotations

import json
from typing import TextIO

from chipdb.render.document import Document, to_jsonable
from chipdb.render.output import current, envelope
from chipdb.safetext import json_safe


def payload_of(doc: Document) -> object:
    return doc.payload if doc.payload is not None else (
        doc.sections[0].rows if len(doc.sections) == 1
        else {s.title: s.rows for s in doc.sections}
    )


def render(doc: Document, out: TextIO) -> None:
    document = envelope(payload_of(doc), current())
    # built whole before the first byte is written: a failure never leaves half a document
    out.write(json_safe(json.dumps(to_jsonable(document), indent=2, ensure_ascii=False)) + "\n")
