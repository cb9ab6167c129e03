"""JSON: the command's payload (or its records), indented, non-ASCII kept, NaN as null.

The exact text of every value, with no raw control or bidi character (``json_safe``)."""

from __future__ import annotations

import json
from typing import TextIO

from chipdb.render.document import Document, to_jsonable
from chipdb.safetext import json_safe


def render(doc: Document, out: TextIO) -> None:
    payload = doc.payload if doc.payload is not None else (
        doc.sections[0].rows if len(doc.sections) == 1
        else {s.title: s.rows for s in doc.sections}
    )
    # built whole before the first byte is written: a failure never leaves half a document
    out.write(json_safe(json.dumps(to_jsonable(payload), indent=2, ensure_ascii=False)) + "\n")
