"""Resolving what people type to catalogue names: case, spacing and aliases do not matter."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chipdb.errors import NotFoundError


def normalize_name(name: str) -> str:
    """The key names are matched on: case, spaces, dashes and underscores do not matter."""
    return "".join(ch for ch in name.casefold() if ch.isalnum() or ch in "+.")


def same_chip(a: str, b: str) -> bool:
    """The one chip-name equality: what the loader, imports and lookups all use."""
    return normalize_name(a) == normalize_name(b)


@dataclass(frozen=True)
class Resolved:
    typed: str
    chip: str
    via: str  # name | alias | family


class NameIndex:
    def __init__(self, rows: Sequence[dict[str, str]], families: dict[str, list[str]]):
        self.by_key = {r["name_key"]: (r["chip"], r["kind"]) for r in rows}
        self.chips = sorted({r["chip"] for r in rows})
        self.families = families  # default chip -> other variants

    def resolve(self, typed: str) -> Resolved:
        key = normalize_name(typed)
        hit = self.by_key.get(key)
        if hit is None:
            raise NotFoundError(f"unknown chip '{typed}'{self.suggest(typed)}; "
                                "`chipdb list` shows every chip")
        return Resolved(typed, hit[0], hit[1])

    def suggest(self, typed: str) -> str:
        from rapidfuzz import fuzz, process, utils

        labels = {r: r for r in self.chips}
        found = process.extract(typed, labels, scorer=fuzz.WRatio, limit=3,
                                processor=utils.default_process, score_cutoff=60)
        names = [m[0] for m in found]
        return f": did you mean {', '.join(names)}?" if names else ""


def did_you_mean(typed: str, choices: Sequence[str], limit: int = 3) -> str:
    """": did you mean X, Y?" for the closest words of a closed list (any case), or "".
    Whole-word similarity (not WRatio's partial matches, which find 'us-2025-01-foundry' in
    'us-1999-01'), so a word far from every choice gets no suggestion."""
    from rapidfuzz import fuzz, process, utils

    found = process.extract(typed, list(dict.fromkeys(choices)), scorer=fuzz.ratio,
                            limit=limit, processor=utils.default_process, score_cutoff=70)
    names = [m[0] for m in found]
    return f": did you mean {', '.join(names)}?" if names else ""
