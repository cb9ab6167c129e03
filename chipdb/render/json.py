"""JSON: the command's payload (or its records), indented, non-ASCII kept, NaN as null."""

from __future__ import annotations

import json
from typing import TextIO

from chipdb.render.document import Document, to_jsonable


def render(doc: Document, out: TextIO) -> None:
    payload = doc.payload if doc.payload is not None else (
        doc.sections[0].rows if len(doc.sections) == 1
        else {s.title: s.rows for s in doc.sections}
    )
    # the encoder escapes every control character (ESC as \u001b): nothing to neutralise
    # built whole before the first byte is written: a failure never leaves half a document
    out.write(json.dumps(to_jsonable(payload), indent=2, ensure_ascii=False) + "\n")
