"""Verdicts over ranges, held by properties over random rows and every bundled rule.

A range is a set of points, so: a point range is the point; every point inside a range gets an
outcome the range reports as possible; narrowing a range never adds an outcome, so it never
changes a determined verdict. Plus the named cases: the reticle bound, "either" wording and the
deciding line.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from chipdb.engine import MetricTable, evaluate, evaluate_on
from chipdb.metrics import compute_metrics
from chipdb.spec import ChipSpec, Die, Throughput
from tests.engine.rules import RULES
from tests.engine.test_property import DAYS, LINES, ROW

ALL = list(RULES.values())
RANGED = ("tpp", "performance_density", "memory_bandwidth_gbps", "transistors_billion",
          "bidirectional_io_gbps", "memory_bandwidth_density")


def _end(metric: str) -> st.SearchStrategy[float]:
    near = [max(v + d, 0.0) for v in LINES.get(metric, [100.0]) for d in (-1e-6, 0.0, 1e-6)]
    return st.one_of(st.sampled_from(near), st.floats(min_value=0.0, max_value=30000.0))


@st.composite
def ranged_row(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, tuple[float, float]]]:
    row = dict(draw(ROW))
    spans: dict[str, tuple[float, float]] = {}
    for metric in draw(st.sets(st.sampled_from(RANGED), min_size=1, max_size=2)):
        a, b = sorted((draw(_end(metric)), draw(_end(metric))))
        if draw(st.booleans()):
            b = math.inf if draw(st.booleans()) else b  # an "at least" bound
        spans[metric] = (a, b)
    return row, spans


def _with(row: dict[str, Any], spans: dict[str, tuple[float, float]]) -> dict[str, Any]:
    out = dict(row)
    for metric, (low, high) in spans.items():
        out[metric] = low if low == high else None
        out[metric + "_low"], out[metric + "_high"] = low, high
    return out


def _possible(row: dict[str, Any], day: date) -> dict[str, set[str]]:
    ev = evaluate(ALL, MetricTable.from_rows([row]), day)
    return {rid: set(res.possible.at(0)) for rid, res in ev.results.items()
            if res.possible is not None}


def _inside(draw: st.DrawFn, low: float, high: float) -> float:
    top = high if math.isfinite(high) else max(low * 4, low + 30000.0)
    return draw(st.one_of(st.just(low), st.floats(min_value=low, max_value=top)))


@settings(max_examples=120, deadline=None)
@given(case=ranged_row(), day=st.sampled_from(DAYS), data=st.data())
def test_every_point_inside_a_range_gets_a_reported_outcome(
        case: tuple[dict[str, Any], dict[str, tuple[float, float]]], day: date,
        data: st.DataObject) -> None:
    row, spans = case
    wide = _possible(_with(row, spans), day)
    point = {m: _inside(data.draw, lo, hi) for m, (lo, hi) in spans.items()}
    at = _possible(_with(row, {m: (v, v) for m, v in point.items()}), day)
    for rid, outcomes in at.items():
        assert outcomes <= wide[rid], (rid, point)


@settings(max_examples=120, deadline=None)
@given(case=ranged_row(), day=st.sampled_from(DAYS), data=st.data())
def test_narrowing_a_range_never_changes_a_determined_verdict(
        case: tuple[dict[str, Any], dict[str, tuple[float, float]]], day: date,
        data: st.DataObject) -> None:
    row, spans = case
    wide = _possible(_with(row, spans), day)
    narrow = {}
    for m, (lo, hi) in spans.items():
        a, b = sorted((_inside(data.draw, lo, hi), _inside(data.draw, lo, hi)))
        narrow[m] = (a, b)
    inner = _possible(_with(row, narrow), day)
    for rid, outcomes in inner.items():
        assert outcomes <= wide[rid], rid
        if len(wide[rid]) == 1:
            assert outcomes == wide[rid], rid


@settings(max_examples=120, deadline=None)
@given(case=ranged_row(), day=st.sampled_from(DAYS))
def test_a_point_range_is_the_point(
        case: tuple[dict[str, Any], dict[str, tuple[float, float]]], day: date) -> None:
    row, spans = case
    points = {m: (lo, lo) for m, (lo, _) in spans.items()}
    as_range = evaluate_on(ALL, [_with(row, points)], day, only_in_force=False)[0]
    plain = evaluate_on(ALL, [dict(row, **{m: lo for m, (lo, _) in points.items()})], day,
                        only_in_force=False)[0]
    assert [(v.outcome, v.possible_outcomes, v.reason) for v in as_range] == [
        (v.outcome, v.possible_outcomes, v.reason) for v in plain]


def _v5e(**spans: tuple[float, float]) -> dict[str, Any]:
    spec = ChipSpec(name="v5e", vendor="Google", datacenter=True,
                    dies=(Die("d", non_planar=True),), throughputs=(Throughput("bf16", 197.0),))
    return compute_metrics(spec, {"memory_bandwidth_gbps": 819.0},
                           spans={"die.d.area_mm2": spans.get("area", (0.0, 858.0))}).values


def test_one_reticle_settles_tpu_v5e_inside_3a090_either_way() -> None:
    (verdict,) = [v for v in evaluate_on(ALL, [_v5e()], date(2026, 6, 1))[0]
                  if v.rule == "us-2024-12"]
    assert verdict.outcome == "3A090.a.2 or 3A090.b.1"
    assert verdict.possible_outcomes == ("3A090.a.2", "3A090.b.1")
    assert not verdict.determined
    assert verdict.reason.startswith("3A090.a.2 or 3A090.b.1 (3A090 either way): 3A090.a.2 if "
                                     "die area < 532.4 mm², 3A090.b.1 from 532.4")


def test_an_undetermined_verdict_names_the_line_that_decides() -> None:
    # the diffusion rule reads 3A090: .a.2 (licence) below 532 mm², .b.1 (not covered) above
    (verdict,) = [v for v in evaluate_on(ALL, [_v5e()], date(2026, 6, 1))[0]
                  if v.rule == "us-2025-01-diffusion"]
    assert verdict.outcome == "undetermined"
    (line,) = [d for d in verdict.deciding if d.metric == "applicable_die_area_mm2"]
    assert math.isclose(line.value, 3152 / 5.92, rel_tol=1e-6)
    assert (line.outcome_below, line.outcome_above) == ("license-required", "not-covered")


def test_both_sides_of_the_deciding_line() -> None:
    below = [v.outcome for v in evaluate_on(ALL, [_v5e(area=(500.0, 530.0))],
                                            date(2026, 6, 1))[0] if v.rule == "us-2024-12"]
    above = [v.outcome for v in evaluate_on(ALL, [_v5e(area=(535.0, 858.0))],
                                            date(2026, 6, 1))[0] if v.rule == "us-2024-12"]
    assert (below, above) == (["3A090.a.2"], ["3A090.b.1"])


def test_unknown_is_not_a_range() -> None:
    spec = ChipSpec(name="x", datacenter=True, dies=(Die("d", non_planar=True),),
                    throughputs=(Throughput("bf16", 197.0),))
    values = compute_metrics(spec).values
    assert values["applicable_die_area_mm2"] is None
    assert "applicable_die_area_mm2_low" not in values
    (verdict,) = [v for v in evaluate_on(ALL, [values], date(2026, 6, 1))[0]
                  if v.rule == "us-2024-12"]
    assert verdict.outcome == "undetermined"  # any area: not controlled above 1,970 mm²
    assert [round(d.value) for d in sorted(verdict.deciding, key=lambda d: d.value)] == [532, 1970]


def _ascend_910(io_span: tuple[float, float] | None) -> dict[str, Any]:
    spec = ChipSpec(name="a910", datacenter=True,
                    dies=(Die("compute", non_planar=True, area_mm2=456.25),
                          Die("io", kind="io")),  # transistor type unpublished
                    throughputs=(Throughput("fp16", 256.0),))
    return compute_metrics(spec, spans={"die.io.area_mm2": io_span} if io_span else {}).values


def test_a_die_of_unknown_node_type_counts_between_nothing_and_its_area() -> None:
    values = _ascend_910((0.0, 858.0))
    assert values["applicable_die_area_mm2"] is None
    assert (values["applicable_die_area_mm2_low"],
            values["applicable_die_area_mm2_high"]) == (456.25, 456.25 + 858.0)
    (verdict,) = [v for v in evaluate_on(ALL, [values], date(2026, 6, 1))[0]
                  if v.rule == "us-2024-12"]
    assert verdict.outcome == "3A090.a.2 or 3A090.b.1"  # controlled whatever the I/O die is
    # without a bound on that die the sum stays unknown, never the compute die alone
    unbounded = _ascend_910(None)
    assert unbounded["applicable_die_area_mm2"] is None
    assert "applicable_die_area_mm2_low" not in unbounded
