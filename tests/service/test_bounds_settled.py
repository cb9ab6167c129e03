"""Issue 15, the chips whose us-2024-12 verdict a sourced estimate or bound settles outside
3A090: each reads its outcome on both engines, with the tier and the sources of the claims that
decide it and the TPP range they give.

Published facts encoded (seeds/chips/china-gpus.toml):
* Hygon's DCU Z100 compiles to gfx906, AMD's Vega 20 ISA, which has no matrix unit: Epoch AI's
  row for Hygon's first DCU ('Shensuan-1', 24.5 TFLOPS FP16) at the low end, AMD's MI60 (the
  same ISA at 64 CUs and 1.8 GHz: 29.5 TFLOPS FP16, 118 TOPS INT4) at the high end; INT4 runs
  at 4x the FP16 rate, so TPP is 392-472 at either precision, far below the 1,600 floor.
* Tenstorrent's Wormhole die: '12nm GlobalFoundries, 670mm² die' on a personal notes page
  (aarnphm.xyz, citing Tenstorrent and SemiAnalysis). The n150 carries one Wormhole at TPP
  2,096 (262 TFLOPS FP8 x 8), so PD is 3.13, under the 3.2 of 3A090.b.2 (the line is 655 mm2);
  the two-die n300 (TPP 3,728 on 1,340 mm2, PD 2.78) reads 3A090.b.1.
"""

from __future__ import annotations

from typing import Any

import pytest

from chipdb.store.url import DatabaseUrl
from tests.helpers import run

SETTLED = [
    # chip, outcome, tier, sources of the deciding (throughput) claims, TPP low, TPP high
    ("DCU Z100", "not-controlled", "estimate",
     {"epoch-ml-hardware", "amd-anandtech-mi60-mi50"}, 392.0, 472.0),
]


def _show(db: DatabaseUrl, chip: str) -> dict[str, Any]:
    r = run(db, "show", chip, "-f", "json")
    assert r.code == 0, r.err
    data: dict[str, Any] = r.json()
    return data


@pytest.mark.parametrize("chip,outcome,tier,sources,low,high", SETTLED)
def test_the_settled_chips_read_their_outcome_with_tier_and_sources(
        db: DatabaseUrl, chip: str, outcome: str, tier: str, sources: set[str],
        low: float, high: float) -> None:
    data = _show(db, chip)
    (v,) = [v for v in data["verdicts"] if v["rule"] == "us-2024-12"]
    assert (v["outcome"], v["possible_outcomes"], v["confidence"]["tier"]) == (
        outcome, [outcome], tier)
    rates = [s for s in data["sources"]
             if s["field"].startswith("throughput.") and s["preferred"]]
    assert {s["source"] for s in rates} == sources
    assert {s["tier"] for s in rates} == {tier}
    assert all(s["derivation"] for s in rates), "an estimate says how it was reached"
    (row,) = run(db, "sql", "SELECT tpp_low, tpp_high FROM chip_metrics WHERE chip = "
                 f"'{chip}'", "-f", "json").json()
    assert (row["tpp_low"], row["tpp_high"]) == (pytest.approx(low), pytest.approx(high))
    assert row["tpp_high"] < 1600  # the whole range is below the 3A090 floor


AREA_SETTLED = [
    # chip, outcome, confidence tier, die, area, source of the area, its tier, PD
    ("Wormhole n150", "not-controlled", "estimate", "Wormhole", 670.0,
     "oth-aarnphm-tenstorrent", "secondary", 2096.0 / 670.0),
    # two of the same die on the n300 card (TPP 3,728): from "3A090.a.2 or .b.1" to .b.1
    ("Wormhole n300", "3A090.b.1", "estimate", "Wormhole", 670.0,
     "oth-aarnphm-tenstorrent", "secondary", 3728.0 / 1340.0),
]


@pytest.mark.parametrize("chip,outcome,tier,die,area,source,area_tier,density", AREA_SETTLED)
def test_a_sourced_die_area_settles_the_verdict(
        db: DatabaseUrl, chip: str, outcome: str, tier: str, die: str, area: float,
        source: str, area_tier: str, density: float) -> None:
    data = _show(db, chip)
    (v,) = [v for v in data["verdicts"] if v["rule"] == "us-2024-12"]
    assert (v["outcome"], v["possible_outcomes"], v["confidence"]["tier"]) == (
        outcome, [outcome], tier)
    (claim,) = [s for s in data["sources"]
                if s["field"] == f"die.{die}.area_mm2" and s["preferred"]]
    assert (claim["value_num"], claim["source"], claim["tier"]) == (area, source, area_tier)
    (pd,) = {m["value"] for m in v["margins"] if m["metric"] == "performance_density"}
    assert pd == pytest.approx(density)
