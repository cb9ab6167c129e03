"""JSON lines: the record table (the one -f csv writes), one JSON object per line, no envelope
(as ``sqlite-utils --nl``); ``-f json`` carries the provenance stamp."""

from __future__ import annotations

import json
from typing import TextIO

from chipdb.render.document import Document, to_jsonable
from chipdb.safetext import json_safe


def render(doc: Document, out: TextIO) -> None:
    section = doc.sections[doc.csv_section]
    lines = [json.dumps(to_jsonable({k: row.get(k) for k in section.columns}),
                        ensure_ascii=False) for row in section.rows]
    if lines:
        out.write(json_safe("\n".join(lines)) + "\n")
