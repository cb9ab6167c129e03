"""Catalogue statistics: size, release-date coverage and how much rests on weak sources."""

from __future__ import annotations

from typing import Any

from chipdb.service.session import Session
from chipdb.store.read import queries

# The issue-16 targets the figures are read against (shown next to them, never enforced here).
WEAK_SHARE_TARGET = 0.03
RELEASED_SHARE_TARGET = 0.95
# Chips that have not shipped and may never: their release date cannot be known yet.
NOT_SHIPPED = ("roadmap", "cancelled")


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def catalogue_stats(s: Session) -> dict[str, Any]:
    """Chips, claims, sources by publisher class, the share of preferred values resting on a
    weak class (mirror, database, dealer, generated) and the share of chips with a release.
    Release coverage is over the chips that have shipped (roadmap and cancelled parts cannot
    have a date yet); a date known only as an upper bound ("released by") is counted and shown
    apart, so the share with a dated period is there too. Over all chips, the share dated by an
    announcement or a dated release (``announcement_or_release_share``): a roadmap part's
    announcement is a release fact of its own, a bound alone is not a date."""
    from chipdb.catalogue.quality import PUBLISHER_CLASSES, WEAK_CLASSES

    counts = queries.catalogue_counts(s.conn)
    chips = sum(int(r["chips"]) for r in counts["chips"])
    released = sum(int(r["released"] or 0) for r in counts["chips"])
    unshipped = [r for r in counts["chips"] if r["status"] in NOT_SHIPPED]
    shipped_chips = chips - sum(int(r["chips"]) for r in unshipped)
    shipped_released = released - sum(int(r["released"] or 0) for r in unshipped)
    # a release known only as "on sale by" a date counts as known, and is shown apart
    shipped_bounds = sum(int(r["released_by"] or 0) for r in counts["chips"]
                         if r["status"] not in NOT_SHIPPED)
    # an announcement is a release fact of its own: a chip that is announced but not shipped
    # (or shipped with no known day) is dated by it; a "released by" bound alone is not a date
    dated = sum(int(r["dated"] or 0) for r in counts["chips"])
    unshipped_announced = sum(int(r["announced"] or 0) for r in unshipped)
    by_class: dict[str, dict[str, int]] = {
        c: {"sources": 0, "claims": 0, "preferred": 0} for c in (*PUBLISHER_CLASSES, "unstated")
    }
    for r in counts["sources"]:
        by_class[r["publisher_class"] or "unstated"]["sources"] += int(r["sources"])
    for r in counts["claims"]:
        entry = by_class[r["publisher_class"] or "unstated"]
        entry["claims"] += int(r["claims"])
        entry["preferred"] += int(r["preferred"] or 0)
    preferred = sum(e["preferred"] for e in by_class.values())
    weak = sum(by_class[c]["preferred"] for c in WEAK_CLASSES)
    return {
        "chips": chips,
        "claims": sum(e["claims"] for e in by_class.values()),
        "sources": sum(e["sources"] for e in by_class.values()),
        "preferred_values": preferred,
        "preferred_on_weak_sources": weak,
        "weak_preferred_share": _share(weak, preferred),
        "weak_preferred_target": WEAK_SHARE_TARGET,
        "chips_with_release_date": released,
        "release_date_share": _share(released, chips),
        "chips_not_shipped": chips - shipped_chips,
        "chips_shipped": shipped_chips,
        "shipped_with_release_date": shipped_released,
        "shipped_released_by_bound_only": shipped_bounds,
        "shipped_without_release_date": shipped_chips - shipped_released,
        "release_date_share_of_shipped": _share(shipped_released, shipped_chips),
        "exact_release_share_of_shipped": _share(shipped_released - shipped_bounds,
                                                 shipped_chips),
        "not_shipped_with_announcement": unshipped_announced,
        "chips_with_announcement_or_release": dated,
        "announcement_or_release_share": _share(dated, chips),
        "release_date_target": RELEASED_SHARE_TARGET,
        "by_class": [{"class": c, **e} for c, e in by_class.items()
                     if c != "unstated" or any(e.values())],
        "weak_classes": list(WEAK_CLASSES),
        "catalogue_updated": queries.catalogue_facts(s.conn)["updated"],
    }
