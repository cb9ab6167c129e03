"""Issue 15, the chips whose TPP was unknown: the ones settled from sourced bounds and estimates
read 3A090.a.1 under us-2024-12 on both engines, each with the tier and source of the claim that
decides it; the ones nobody has published a usable figure for stay undetermined, TPP named.

Published facts encoded (seeds/chips/others.toml, intel.toml):
* a CS-1 (the first WSE) sustained 0.86 PFLOPS on NETL's BiCGStab solver (SC20); one WSE-2
  reached 503 TFLOPS on a 25-point stencil; a sustained rate is below the peak, and the WSE-3
  (more cores, an FP16 SIMD twice as wide) is no slower than the WSE-2: TPP >= 16 x the rate;
* the Gaudi 3 HL-338 PCIe card is the OAM's two dies (1,835 TF BF16/FP8) at 600 W, not 900 W;
* an Xe-HPC core does 16 times as many BF16 XMX ops per clock as FP32 vector ops, and Epoch AI
  gives the Max 1100 / 1350 22.22 / 44.44 TF FP32.
"""

from __future__ import annotations

from typing import Any

import pytest

from chipdb.store.url import DatabaseUrl
from tests.helpers import run

SETTLED = [
    # chip, tier of the deciding claim, its source, TPP low end, TPP high end (None: unbounded)
    ("WSE", "bound", "oth-nextbigfuture-cs1-netl", 13_760.0, None),
    ("WSE-2", "bound", "oth-nextbigfuture-wse2-stencil", 8_048.0, None),
    ("WSE-3", "bound", "oth-nextbigfuture-wse2-stencil", 8_048.0, 2_000_000.0),
    ("Gaudi 3 HL-338", "estimate", "intel-register-gaudi3-china", 19_572.8, 29_360.0),
    ("Data Center GPU Max 1100", "estimate", "epoch-ml-hardware", 5_688.0, 5_688.0),
    ("Data Center GPU Max 1350", "estimate", "epoch-ml-hardware", 11_376.0, 11_376.0),
]

# TPP still unknown, and why (the report of issue 15 gives the reasons chip by chip); the DCU
# Z100, open here before, is settled below 3A090 in tests/service/test_bounds_settled.py
OPEN = ["MI308X", "DCU K100", "Ascend 910D", "Gaudi 3 HL-328", "Gaudi 3 HL-388",
        "Gaudi HL-205", "RTX PRO 6000D"]


def _show(db: DatabaseUrl, chip: str) -> dict[str, Any]:
    r = run(db, "show", chip, "-f", "json")
    assert r.code == 0, r.err
    data: dict[str, Any] = r.json()
    return data


def _us_2024_12(data: dict[str, Any]) -> dict[str, Any]:
    (found,) = [v for v in data["verdicts"] if v["rule"] == "us-2024-12"]
    return found


@pytest.mark.parametrize("chip,tier,source,low,high", SETTLED)
def test_the_settled_chips_are_3a090a1_with_their_tier_and_source(
        db: DatabaseUrl, chip: str, tier: str, source: str, low: float, high: float | None
) -> None:
    data = _show(db, chip)
    v = _us_2024_12(data)
    assert (v["outcome"], v["possible_outcomes"], v["confidence"]["tier"]) == (
        "3A090.a.1", ["3A090.a.1"], tier)
    rates = [s for s in data["sources"]
             if s["field"].startswith("throughput.") and s["preferred"]]
    assert rates and {(s["source"], s["tier"]) for s in rates} == {(source, tier)}
    assert all(s["derivation"] for s in rates), "an estimate or bound says how it was reached"
    (row,) = run(db, "sql", "SELECT tpp_low, tpp_high FROM chip_metrics WHERE chip = "
                 f"'{chip}'", "-f", "json").json()
    assert row["tpp_low"] == pytest.approx(low, rel=1e-6)
    if high is None:  # an "at least": the high end is open, never a made-up number
        assert row["tpp_high"] is None or row["tpp_high"] == float("inf")
    else:
        assert row["tpp_high"] == pytest.approx(high, rel=1e-6)
    assert row["tpp_low"] >= 4800  # the whole range is at or above the 3A090.a.1 line


@pytest.mark.parametrize("chip", OPEN)
def test_the_chips_without_a_usable_figure_stay_undetermined_on_tpp(
        db: DatabaseUrl, chip: str) -> None:
    data = _show(db, chip)
    v = _us_2024_12(data)
    assert v["outcome"] == "undetermined"
    assert "tpp" in {d["metric"] for d in v["deciding"]}
    assert not [s for s in data["sources"] if s["field"].startswith("throughput.")]
