"""The layout of ``chipdb report``: a citable memo of chips, leading with the bottom line.

The bottom line per chip and destination, the chips side by side, the verdicts and the reasons
with their margins, every source with its URL, publisher, tier and access date, and the
threshold map; the html format adds the provenance stamp and inlines the map as SVG.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from chipdb.render.bottomline import check_document
from chipdb.render.document import Document
from chipdb.render.layouts import compare_document


def report_document(answers: list[dict[str, Any]], compared: dict[str, Any],
                    map_svg: str | None, map_note: str) -> Document:
    """``answers``: check's JSON list; ``compared``: compare's JSON with sources; ``map_svg``
    the threshold map (None when it cannot be drawn, ``map_note`` says why or what it shows)."""
    checked = check_document(answers)
    per_chip, lines = checked.sections[:-1], checked.sections[-1]
    chips = compare_document(compared, with_sources=True)
    spec, verdicts, why = chips.sections[:3]
    sources = replace(chips.sections[-1], title="Sources (every published value, with its "
                      "publisher, tier and access date)")
    names = ", ".join(c["name"] for c in compared["chips"])
    if map_svg is None:
        sources = replace(sources, note=map_note)
    # people read one answer per chip (question and answer); csv and jsonl carry the flat
    # table of every answer, the record table
    sections = [*per_chip, replace(spec, title="The chips side by side"), verdicts, why,
                sources, lines]
    return Document(
        sections, payload={"bottom_line": answers, **compared},
        csv_section=len(sections) - 1, table_sections=len(sections) - 1,
        title=f"chipdb report: {names}",
        figures=[] if map_svg is None else [(map_note, map_svg)],
    )
