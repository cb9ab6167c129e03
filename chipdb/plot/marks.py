"""The threshold map with the bottom line: each chip marked with its licence answer for one
destination and buyer, and a line before the map that sums the answers up."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from chipdb.plot.data import PlotData
from chipdb.safetext import printable

# the mark after a chip's name, and the words of the summary, per licence answer
_MARK = {True: "licence", False: "no licence", None: "licence?"}
_SUMMARY = {True: "licence required", False: "no licence", None: "undetermined"}
_NAMES_AT_MOST = 12  # beyond this, the summary counts the chips (each point still has a mark)


def chip_mark(answer: Mapping[str, Any] | None) -> str:
    return "" if answer is None else f" [{_MARK[answer['license_required']]}]"


def with_bottom_line(data: PlotData, answers: Sequence[Mapping[str, Any]]) -> PlotData:
    """``answers`` are ``check -f json`` objects, one per chip, for one destination."""
    if not answers:
        return data
    by_chip = {printable(str(a["chip"])): a for a in answers}
    points = [replace(p, chips=tuple(c + chip_mark(by_chip.get(c)) for c in p.chips))
              for p in data.points]
    groups: dict[bool | None, list[str]] = {}
    for a in answers:
        groups.setdefault(a["license_required"], []).append(printable(str(a["chip"])))
    parts = []
    for answer in (True, None, False):
        chips = groups.get(answer, [])
        if chips:
            listed = ", ".join(chips) if len(answers) <= _NAMES_AT_MOST else \
                f"{len(chips)} chip{'s' if len(chips) > 1 else ''}"
            parts.append(f"{_SUMMARY[answer]}: {listed}")
    first = answers[0]
    hq = f", buyer headquartered in {first['party_hq']}" if first.get("party_hq") else ""
    lead = (f"The bottom line for exports to {printable(str(first['destination']))}{hq} on "
            f"{first['as_of']}: " + "; ".join(parts) + ".")
    return replace(data, points=points, lead=[lead, *data.lead])
