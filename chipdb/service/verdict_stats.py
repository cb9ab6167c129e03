"""How many verdicts in force are undetermined, per rule: the measure behind issue 15's target."""

from __future__ import annotations

from datetime import date
from typing import Any

from chipdb.service.session import Session
from chipdb.store.read import queries

# Issue 15: at most 3 % of the catalogue undetermined under the classification rule in force
# (shown next to the figures, never enforced here).
UNDETERMINED_TARGET = 0.03


def undetermined_stats(s: Session, as_of: date) -> list[dict[str, Any]]:
    """Per rule with a verdict in force on ``as_of``: chips, undetermined chips and the share."""
    chips: dict[str, set[str]] = {}
    open_: dict[str, set[str]] = {}
    for v in queries.verdicts(s.conn, None, as_of):
        chips.setdefault(v["rule"], set()).add(v["chip"])
        if v["outcome"] == "undetermined":
            open_.setdefault(v["rule"], set()).add(v["chip"])
    return [{"rule": rule, "chips": len(names), "undetermined": len(open_.get(rule, ())),
             "share": round(len(open_.get(rule, ())) / len(names), 4)}
            for rule, names in sorted(chips.items())]
