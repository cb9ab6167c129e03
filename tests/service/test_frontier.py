"""Frontier: the factors it reports are verified just inside and just outside by the engine."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chipdb.engine import MetricTable, evaluate_table
from chipdb.errors import DataError
from chipdb.metrics import columns_from_inputs, metrics_from_inputs
from chipdb.service.frontier import frontier
from tests.engine.rules import RULES
from tests.helpers import run

DAY = date(2026, 12, 1)
ALL = list(RULES.values())


def outcome_of(inputs: dict[str, Any], rule: str) -> str:
    cols = metrics_from_inputs(columns_from_inputs([inputs]), 1)
    return str(evaluate_table(ALL, MetricTable(cols, 1), DAY)[rule].outcome[0])


TARGETS = ["us-2024-12=not-controlled", "us-2024-12=3A090.b.1", "us-2026-01=case-by-case",
           "us-2026-01-s232=not-covered", "us-2025-04-h20=not-covered"]


@settings(max_examples=40, deadline=None)
@given(tops=st.floats(50, 2000), area=st.floats(100, 900), bandwidth=st.floats(200, 7000),
       io=st.floats(0, 2000), target=st.sampled_from(TARGETS),
       keys=st.sampled_from([["bf16_dense_tops"], ["bf16_dense_tops", "memory_bandwidth_gbps"],
                             ["die_area_mm2"], ["memory_bandwidth_gbps", "interconnect_gbps"],
                             ["bf16_dense_tops", "die_area_mm2"]]))
def test_the_frontier_holds_inside_and_fails_outside(tops: float, area: float, bandwidth: float,
                                                     io: float, target: str,
                                                     keys: list[str]) -> None:
    inputs = {"bf16_dense_tops": tops, "die_area_mm2": area, "memory_bandwidth_gbps": bandwidth,
              "interconnect_gbps": io, "host_io_gbps": 0.0, "datacenter": True,
              "vendor": "NVIDIA"}
    rule, word = target.split("=")
    if outcome_of(inputs, rule) != word:
        with pytest.raises(DataError, match="nothing to keep"):
            frontier(ALL, inputs, target, keys, DAY)
        return
    f = frontier(ALL, inputs, target, keys, DAY)
    if f.keeps_up_to is None:
        for factor in (10.0, 1000.0):
            assert outcome_of(dict(inputs, **{k: v * factor for k, v in f.base.items()}),
                              rule) == word
        return
    assert f.crosses_at is not None and f.keeps_up_to < f.crosses_at
    assert f.crosses_at <= f.keeps_up_to * (1 + 3e-9)  # adjacent: nothing between is missed
    assert outcome_of(dict(inputs, **f.kept), rule) == word  # just inside
    assert outcome_of(dict(inputs, **f.crossed), rule) == f.becomes != word  # just outside
    # and nowhere between 1 and the frontier does the target go (a coarse check)
    for step in range(1, 20):
        factor = 1 + (f.keeps_up_to - 1) * step / 20
        assert outcome_of(dict(inputs, **{k: v * factor for k, v in f.base.items()}),
                          rule) == word


def test_frontier_of_the_h200(db: object) -> None:
    result = run(db, "frontier", "H200", "--target", "us-2026-01=case-by-case",  # type: ignore
                 "--scale", "tpp,memory_bandwidth_gbps", "--as-of", "2026-12-01", "-f", "json")
    assert result.code == 0, result.err
    rows = result.json()["frontier"]
    tpp = next(r for r in rows if r["input"] == "tpp")
    assert tpp["line"] == "tpp < 21000" and tpp["becomes"] == "presumption-of-denial"
    assert tpp["kept"] < 21000 <= tpp["crossed"]


def test_frontier_refuses_a_bad_target(db: object) -> None:
    result = run(db, "frontier", "H200", "--target", "nope", "--scale", "tpp")  # type: ignore
    assert result.code == 2 and "RULE=OUTCOME" in result.err
