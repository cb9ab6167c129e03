"""`chipdb db stats`: the figures against the seeds, on both engines, and issue 16's targets."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from chipdb.catalogue.destinations import read_destinations
from chipdb.catalogue.events import read_events
from chipdb.catalogue.quality import WEAK_CLASSES
from chipdb.store.url import DatabaseUrl
from chipdb.store.write.rebuild import read_seed_catalogue
from tests.helpers import run

SEEDS = read_seed_catalogue(Path(__file__).resolve().parents[2] / "seeds")
# seeds/destinations/sources.toml: the rule-scope sources, in the same table and counted by the
# same publisher classes
DESTINATION_SOURCES = read_destinations(Path(__file__).resolve().parents[2] / "seeds" /
                                        "destinations").sources
# seeds/events/events.toml defines the sources only its events cite
EVENT_SOURCES = read_events(Path(__file__).resolve().parents[2] / "seeds" / "events",
                            {s.key for s in (*SEEDS.sources, *DESTINATION_SOURCES)}).sources
CLASS = {s.key: s.publisher_class for s in SEEDS.sources}
PREFERRED = [c for chip in SEEDS.chips for c in chip.claims if c.preferred]
SHIPPED = [c for c in SEEDS.chips if c.status not in ("roadmap", "cancelled")]


def test_stats_match_the_seeds(db: DatabaseUrl) -> None:
    result = run(db, "db", "stats", "-f", "json")
    assert result.code == 0, result.err
    stats = result.json()
    weak = sum(1 for c in PREFERRED if CLASS[c.source] in WEAK_CLASSES)
    assert stats["chips"] == len(SEEDS.chips)
    assert stats["claims"] == sum(len(c.claims) for c in SEEDS.chips)
    assert stats["sources"] == len(SEEDS.sources) + len(DESTINATION_SOURCES) + \
        len(EVENT_SOURCES)
    assert stats["preferred_values"] == len(PREFERRED)
    assert stats["preferred_on_weak_sources"] == weak
    assert stats["weak_preferred_share"] == round(weak / len(PREFERRED), 4)
    assert stats["chips_with_release_date"] == sum(1 for c in SEEDS.chips if c.released)
    assert stats["chips_not_shipped"] == len(SEEDS.chips) - len(SHIPPED)
    assert stats["release_date_share_of_shipped"] == round(
        sum(1 for c in SHIPPED if c.released) / len(SHIPPED), 4)
    # an announcement dates a chip of its own; a "released by" bound alone does not
    dated = [c for c in SEEDS.chips if c.announced or (
        c.released and not (c.released_precision or "").startswith("by-"))]
    assert stats["chips_with_announcement_or_release"] == len(dated)
    assert stats["announcement_or_release_share"] == round(len(dated) / len(SEEDS.chips), 4)
    assert stats["not_shipped_with_announcement"] == sum(
        1 for c in SEEDS.chips if c.status in ("roadmap", "cancelled") and c.announced)
    by_class = {row["class"]: row for row in stats["by_class"]}
    assert {k: v["sources"] for k, v in by_class.items() if v["sources"]} == dict(
        Counter(s.publisher_class for s in SEEDS.sources)
        + Counter(s.publisher_class for s in DESTINATION_SOURCES)
        + Counter(s.publisher_class for s in EVENT_SOURCES))
    assert "unstated" not in by_class  # every bundled source, chip or destination, has a class
    assert sum(v["preferred"] for v in by_class.values()) == len(PREFERRED)


def test_the_table_shows_the_same_figures(db: DatabaseUrl) -> None:
    result = run(db, "db", "stats")
    assert result.code == 0, result.err
    assert "weak_preferred_share" in result.out and "Sources by publisher class" in result.out
    assert f"{len(SEEDS.chips)}" in result.out


def test_issue_16_source_quality_target_is_met() -> None:
    weak = sum(1 for c in PREFERRED if CLASS[c.source] in WEAK_CLASSES)
    assert weak / len(PREFERRED) <= 0.03


def test_release_dates_do_not_regress() -> None:
    # issue 16 asks for 95 %; this is the floor reached so far: 153 of 159 shipped chips, of
    # which 20 are upper bounds ("released by", counted apart) and 133 dated periods; over all
    # 172 chips, 157 have an announcement or a dated release. The branch report lists the rest
    # chip by chip, with why no sourced date was found
    dated = [c for c in SHIPPED if c.released]
    exact = [c for c in dated if not (c.released_precision or "").startswith("by-")]
    assert len(dated) >= 153 and len(dated) / len(SHIPPED) >= 0.95
    assert len(exact) >= 133
    announced_or_dated = [c for c in SEEDS.chips if c.announced or (
        c.released and not (c.released_precision or "").startswith("by-"))]
    assert len(announced_or_dated) >= 157
    assert all(c.released is None for c in SEEDS.chips if c.status in ("roadmap", "cancelled"))


def test_views_carry_the_new_columns(db: DatabaseUrl) -> None:
    result = run(db, "sql", "SELECT chip, io_basis FROM chip_metrics WHERE chip IN "
                 "('Ascend 950PR', 'H100 SXM', 'HBM3 (SK hynix)') ORDER BY chip", "-f", "json")
    assert result.code == 0, result.err
    assert [(r["chip"], r["io_basis"]) for r in result.json()] == [
        ("Ascend 950PR", "unstated-as-bidirectional"), ("H100 SXM", "stated"),
        ("HBM3 (SK hynix)", None)]
    result = run(db, "sql", "SELECT chip, released, released_precision, status FROM chip_specs "
                 "WHERE chip IN ('H20 96GB', 'Rubin CPX') ORDER BY chip", "-f", "json")
    assert [(r["chip"], str(r["released"]), r["released_precision"], r["status"])
            for r in result.json()] == [("H20 96GB", "2024-02-01", "month", None),
                                         ("Rubin CPX", "None", None, "cancelled")]


def test_show_lists_a_date_with_its_source(db: DatabaseUrl) -> None:
    result = run(db, "compare", "H20 96GB", "--sources", "-f", "json")
    assert result.code == 0, result.err
    [chip] = result.json()["chips"]
    # the first day of the month, with the precision beside it: never read as a day
    assert (chip["specs"]["released"], chip["specs"]["released_precision"]) == ("2024-02-01",
                                                                                "month")
    [claim] = [s for s in chip["sources"] if s["field"] == "released"]
    assert (claim["value_text"], claim["source"]) == ("2024-02", "nv-toms-h20-l20-l2")


@pytest.mark.parametrize(("chip", "released", "precision", "source"), [
    # CS-1 unveiled at SC19 with a unit already at Argonne: the month, no day published
    ("WSE", date(2019, 11, 1), "month", "oth-techspot-cs1"),
    # production of Dojo computers reported on 2023-07-19, with no month: the year only
    ("Dojo D1", date(2023, 1, 1), "year", "oth-tesla-q2-2023-update"),
    # in mass production by Samsung's Q3 2024 earnings call
    ("HBM3E 12-Hi (Samsung)", date(2024, 1, 1), "year", "hbm-sammobile-samsung-q3-2024"),
    ("RTX PRO 6000 Max-Q", date(2025, 1, 1), "year", "nv-fixstars-maxq"),
])
def test_a_cited_release_date_keeps_its_source_and_precision(
        chip: str, released: date, precision: str, source: str) -> None:
    [record] = [c for c in SEEDS.chips if c.spec.name == chip]
    assert (record.released, record.released_precision) == (released, precision)
    [claim] = [c for c in record.claims if c.field == "released"]
    assert claim.source == source and CLASS[source] not in WEAK_CLASSES
