"""Outcome severity -> terminal style and plot colour, so the tables and the map agree."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from chipdb.outcomes import Severity, severity

TERMINAL_STYLES: Final[dict[Severity, str]] = {
    "clear": "green",
    "review": "yellow",
    "tariff": "yellow",
    "controlled": "bold red",
    "undetermined": "magenta",
    "unknown": "",  # a word outcomes.py does not list is shown as plain text
}

GREEN: Final = "#27ae60"
AMBER: Final = "#d4ac0d"
GREY: Final = "#95a5a6"
# Controlled outcomes get one shade each, in the order the rule lists its clauses (most
# specific first): reds, then other strong hues so neighbouring regions stay apart.
CONTROLLED_SHADES: Final = ("#c0392b", "#e67e22", "#8e44ad", "#2471a3", "#a04000", "#6c3483",
                            "#1a5276", "#922b21", "#7e5109", "#4a235a")
_PLOT_COLOURS: Final[dict[Severity, str]] = {
    "clear": GREEN, "review": AMBER, "tariff": AMBER, "undetermined": GREY, "unknown": GREY,
}


def terminal_style(word: str) -> str:
    """The Rich style of a table cell holding ``word`` ('' when it is not an outcome)."""
    return TERMINAL_STYLES[severity(word)]


def plot_colours(words: Iterable[str]) -> dict[str, str]:
    """A colour per outcome word; controlled words take the next shade in ``words`` order."""
    out: dict[str, str] = {}
    shade = 0
    for word in dict.fromkeys(words):
        level = severity(word)
        if level == "controlled":
            out[word] = CONTROLLED_SHADES[shade % len(CONTROLLED_SHADES)]
            shade += 1
        else:
            out[word] = _PLOT_COLOURS[level]
    return out
