"""Batch cells written as ranges (``low..high``): each ranged row gets the engine's own answer.

The reference is the one-design path on the same inputs: ``metrics_from_inputs`` with the
range as ``<key>_low`` / ``<key>_high`` and ``evaluate`` (which probes a range at the lines
inside it). A ranged row has no single margin; an unranged row beside it is unchanged.
"""

from __future__ import annotations

import io
import json
import math
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chipdb.engine import MetricTable, Part, evaluate
from chipdb.errors import DataError
from chipdb.metrics import metrics_from_inputs
from chipdb.service import batch
from chipdb.service.classify import Classifier
from tests.engine.rules import RULES

DAY = date(2026, 12, 1)
ALL = list(RULES.values())
BACKENDS = [False, *([True] if batch.fast_io() else [])]

SPAN = st.tuples(st.floats(0.0, 30000.0), st.floats(0.0, 15000.0)).map(
    lambda p: (p[0], p[0] + p[1]))
DESIGN = st.fixed_dictionaries({
    "tpp": st.one_of(st.none(), st.floats(0.0, 30000.0), SPAN),
    "die_area_mm2": st.one_of(st.none(), st.floats(50.0, 900.0),
                              SPAN.map(lambda p: (50 + p[0] / 40, 50 + p[1] / 40))),
    "datacenter": st.one_of(st.none(), st.booleans()),
    "memory_bandwidth_gbps": st.one_of(st.none(), st.floats(0.0, 8000.0),
                                       SPAN.map(lambda p: (p[0] / 4, p[1] / 4))),
})


def _columns(designs: list[dict[str, Any]]) -> dict[str, Any]:
    """Inputs as the readers build them: a range is NaN as a point, its ends beside it."""
    cols: dict[str, Any] = {}
    n = len(designs)
    for key in designs[0]:
        point, low, high = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
        for i, d in enumerate(designs):
            v = d[key]
            if isinstance(v, tuple):
                low[i], high[i] = v
            elif v is not None:
                point[i] = float(v)
        cols[key] = point
        if not np.isnan(low).all():
            cols[key + "_low"], cols[key + "_high"] = low, high
    return cols


def _engine(metrics: dict[str, Any], i: int, rule_id: str) -> tuple[str, str]:
    row = {k: v[i:i + 1] for k, v in metrics.items()}
    res = evaluate(ALL, MetricTable(row, 1), DAY).results[rule_id]
    decision = res.decision(0)
    clause = ("" if not decision.determined or decision.part is Part.DEFAULT
              else decision.clause(RULES[rule_id]).head)
    return str(res.outcome[0]), clause


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(DESIGN, min_size=1, max_size=5))
def test_ranged_rows_equal_the_single_design(designs: list[dict[str, Any]]) -> None:
    metrics = metrics_from_inputs(_columns(designs), len(designs))
    classifier = Classifier(ALL, DAY)
    got = classifier.classify(metrics, len(designs))
    for rule in classifier.in_force:
        lookup, cols = classifier.lookups[rule.id], got[rule.id]
        for i, design in enumerate(designs):
            mine = (lookup.outcomes[int(cols.outcome[i])], lookup.clauses[int(cols.clause[i])])
            assert mine == _engine(metrics, i, rule.id), (rule.id, design)
            ranged = any(isinstance(v, tuple) and v[0] < v[1] for v in design.values())
            if ranged:
                assert math.isnan(float(cols.margin[i]))


CSV = ("name,tpp,die_area_mm2,datacenter,memory_bandwidth_gbps\n"
       "ranged,4000..5000,600,true,1TB/s..1.2TB/s\n"
       "point,4500,600,true,1100\n")


@pytest.mark.parametrize("fast", BACKENDS)
def test_the_readers_take_ranges(tmp_path: Path, fast: bool) -> None:
    path = tmp_path / "designs.csv"
    path.write_text(CSV, encoding="utf-8")
    out = io.StringIO()
    batch.run_batch(path, ALL, DAY, "jsonl", out, fast=fast)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert rows[0]["tpp"] == [4000.0, 5000.0]
    assert rows[0]["memory_bandwidth_gbps"] == [1000.0, 1200.0]
    designs = [{"tpp": (4000.0, 5000.0), "die_area_mm2": 600.0, "datacenter": True,
                "memory_bandwidth_gbps": (1000.0, 1200.0)},
               {"tpp": 4500.0, "die_area_mm2": 600.0, "datacenter": True,
                "memory_bandwidth_gbps": 1100.0}]
    metrics = metrics_from_inputs(_columns(designs), 2)
    for rule in Classifier(ALL, DAY).in_force:
        for i in range(2):
            assert (rows[i][rule.id], rows[i][f"{rule.id}:clause"] or "") == \
                _engine(metrics, i, rule.id)
    assert " or " in rows[0]["us-2024-12"]  # the outcomes the range can reach
    assert rows[0]["us-2024-12:margin"] is None
    csv_out = io.StringIO()
    batch.run_batch(path, ALL, DAY, "csv", csv_out, fast=fast)
    assert "4000..5000" in csv_out.getvalue().splitlines()[1]  # echoed as typed


@pytest.mark.parametrize("fast", BACKENDS)
def test_a_range_that_runs_backwards_names_its_line(tmp_path: Path, fast: bool) -> None:
    path = tmp_path / "designs.csv"
    path.write_text("name,tpp\na,100\nb,5000..4000\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"line 3: tpp range runs low..high"):
        batch.run_batch(path, ALL, DAY, "csv", io.StringIO(), fast=fast)
