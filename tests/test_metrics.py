"""Metrics are pure functions: TPP, die area, density, I/O, memory."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from chipdb.metrics import compute_metrics
from chipdb.spec import ChipSpec, Die, IoLink, Memory, Throughput
from chipdb.vocab import PRECISION_BITS


def chip(**kw: object) -> ChipSpec:
    return ChipSpec(name="t", **kw)  # type: ignore[arg-type]


def test_tpp_is_max_dense_rate_times_bits_and_names_the_precision() -> None:
    m = compute_metrics(chip(throughputs=(
        Throughput("fp16", dense_tops=200.0), Throughput("fp8", dense_tops=500.0),
        Throughput("fp64", dense_tops=60.0))))
    assert m.values["tpp"] == 500 * 8
    assert m.values["tpp_precision"] == "fp8"
    assert m.values["tpp_basis"] == "dense"


def test_sparse_only_rate_is_halved_and_marked() -> None:
    m = compute_metrics(chip(throughputs=(Throughput("fp8", sparse_tops=3958.0),)))
    assert m.values["tpp"] == 15832
    assert m.values["tpp_basis"] == "sparse/2"


def test_published_dense_wins_over_sparse_even_when_not_half() -> None:
    # Blackwell Ultra: FP4 dense 13,500 with sparse 18,000 (ratio 1.33, not 2)
    m = compute_metrics(chip(throughputs=(Throughput("fp4", dense_tops=13500.0,
                                                     sparse_tops=18000.0),)))
    assert m.values["tpp"] == 13500 * 4
    assert m.values["tpp_basis"] == "dense"


def test_tie_goes_to_the_shorter_bit_length() -> None:
    m = compute_metrics(chip(throughputs=(Throughput("bf16", dense_tops=148.0),
                                          Throughput("fp8", dense_tops=296.0))))
    assert m.values["tpp"] == 2368
    assert m.values["tpp_precision"] == "fp8"


def test_applicable_area_counts_non_planar_logic_only() -> None:
    m = compute_metrics(chip(
        dies=(Die("xcd", count=8, area_mm2=115.0, non_planar=True),
              Die("iod", kind="io", count=4, area_mm2=370.0, non_planar=True),
              Die("old", count=1, area_mm2=100.0, non_planar=False),
              Die("hbm", kind="memory", count=8, area_mm2=110.0, non_planar=True)),
        throughputs=(Throughput("fp16", dense_tops=1307.4),)))
    assert m.values["applicable_die_area_mm2"] == 8 * 115 + 4 * 370
    assert math.isclose(m.values["performance_density"], 1307.4 * 16 / (8 * 115 + 4 * 370))


def test_unknown_area_gives_unknown_density_not_zero() -> None:
    m = compute_metrics(chip(dies=(Die("d", area_mm2=None, non_planar=True),),
                             throughputs=(Throughput("fp8", dense_tops=100.0),)))
    assert m.values["performance_density"] is None
    assert "die area not published" in m.why_unknown["performance_density"]


def test_io_sums_every_link_and_interconnect_only_chip_to_chip() -> None:
    m = compute_metrics(chip(io_links=(IoLink("nvlink", "chip-to-chip", 400.0),
                                       IoLink("pcie", "host", 64.0))))
    assert m.values["bidirectional_io_gbps"] == 464
    assert m.values["interconnect_gbps"] == 400
    assert compute_metrics(chip(io_links=(IoLink("pcie", "host", 64.0),))).values[
        "interconnect_gbps"] == 0


def test_standalone_hbm_has_zero_tpp_and_a_bandwidth_density() -> None:
    m = compute_metrics(chip(standalone_hbm=True, memories=(
        Memory("HBM3E", 36.0, 1280.0, package_area_mm2=121.0),)))
    assert m.values["tpp"] == 0
    assert math.isclose(m.values["memory_bandwidth_density"], 1280 / 121)


def test_override_of_tpp_recomputes_density_from_the_same_die() -> None:
    spec = chip(dies=(Die("d", area_mm2=800.0, non_planar=True),),
                throughputs=(Throughput("fp8", dense_tops=296.0),))
    m = compute_metrics(spec, {"tpp": 4000.0})
    assert m.values["performance_density"] == 5.0
    assert m.values["tpp_precision"] == "set"


rates = st.floats(min_value=0.01, max_value=1e5, allow_nan=False)


@given(st.dictionaries(st.sampled_from(sorted(PRECISION_BITS)), rates, min_size=1),
       st.sampled_from(sorted(PRECISION_BITS)), st.floats(min_value=1.0, max_value=10.0))
def test_raising_any_throughput_never_lowers_tpp(
    base: dict[str, float], precision: str, factor: float
) -> None:
    before = compute_metrics(chip(throughputs=tuple(
        Throughput(p, dense_tops=v) for p, v in base.items())))
    raised = dict(base)
    raised[precision] = raised.get(precision, 0.01) * factor
    after = compute_metrics(chip(throughputs=tuple(
        Throughput(p, dense_tops=v) for p, v in raised.items())))
    assert after.values["tpp"] >= before.values["tpp"]


# --- ranges ----------------------------------------------------------------------------------

def _one_die(**spans: tuple[float, float]) -> dict[str, object]:
    spec = chip(datacenter=True, dies=(Die("d", non_planar=True),),
                throughputs=(Throughput("bf16", dense_tops=197.0),))
    return compute_metrics(spec, spans={f"die.d.{k}": v for k, v in spans.items()}).values


def test_density_of_a_range_is_low_tpp_over_high_area_and_back() -> None:
    v = _one_die(area_mm2=(600.0, 850.0))
    assert v["performance_density"] is None and v["applicable_die_area_mm2"] is None
    assert v["performance_density_low"] == 3152 / 850
    assert v["performance_density_high"] == 3152 / 600
    assert (v["applicable_die_area_mm2_low"], v["applicable_die_area_mm2_high"]) == (600.0, 850.0)


def test_an_at_most_area_gives_an_at_least_density() -> None:
    v = _one_die(area_mm2=(0.0, 858.0))
    assert v["performance_density_low"] == 3152 / 858
    assert v["performance_density_high"] == math.inf


def test_a_point_range_is_the_point() -> None:
    assert _one_die(area_mm2=(700.0, 700.0)) == compute_metrics(chip(
        datacenter=True, dies=(Die("d", non_planar=True, area_mm2=700.0),),
        throughputs=(Throughput("bf16", dense_tops=197.0),))).values


def test_a_tpp_range_comes_from_a_rate_range_and_keeps_its_precision() -> None:
    spec = chip(throughputs=(Throughput("fp16"),))
    v = compute_metrics(spec, spans={"throughput.fp16.dense_tops": (280.0, 400.0)}).values
    assert (v["tpp"], v["tpp_low"], v["tpp_high"], v["tpp_precision"]) == (
        None, 4480.0, 6400.0, "fp16")


def test_what_if_sets_a_range_and_it_wins_over_the_chips_area() -> None:
    spec = chip(dies=(Die("d", non_planar=True, area_mm2=500.0),),
                throughputs=(Throughput("fp8", dense_tops=500.0),))
    v = compute_metrics(spec, {"die_area_mm2": (400.0, 800.0)}).values
    assert (v["applicable_die_area_mm2_low"], v["applicable_die_area_mm2_high"]) == (400.0, 800.0)


@given(low=st.floats(1.0, 2000.0), width=st.floats(0.0, 2000.0), rate=st.floats(1.0, 5000.0))
def test_every_point_area_lies_inside_the_density_range(low: float, width: float,
                                                        rate: float) -> None:
    spec = chip(dies=(Die("d", non_planar=True),), throughputs=(Throughput("fp8", rate),))
    wide = compute_metrics(spec, spans={"die.d.area_mm2": (low, low + width)}).values
    for area in (low, low + width / 2, low + width):
        point = compute_metrics(spec, spans={"die.d.area_mm2": (area, area)}).values
        density = point["performance_density"]
        assert isinstance(density, float)
        if "performance_density_low" in wide:  # else the range rounded to a point
            lo, hi = wide["performance_density_low"], wide["performance_density_high"]
            assert isinstance(lo, float) and isinstance(hi, float)
            assert lo * (1 - 1e-12) <= density <= hi * (1 + 1e-12)


def test_tf32_convention_moves_tpp_only_where_tf32_sets_it() -> None:
    trainium = chip(throughputs=(Throughput("tf32", dense_tops=190.0),
                                 Throughput("bf16", dense_tops=190.0)))
    assert compute_metrics(trainium).values["tpp"] == 190 * 19
    assert compute_metrics(trainium, conventions={"tf32_bits": 32}).values["tpp"] == 190 * 32
    hopper = chip(throughputs=(Throughput("tf32", dense_tops=494.7),
                               Throughput("fp16", dense_tops=989.4)))
    assert compute_metrics(hopper, conventions={"tf32_bits": 32}).values["tpp"] == 989.4 * 16


def test_the_metric_registry_is_the_one_list() -> None:
    """Each metric is one record; the store, the views and the reports read its facets."""
    from chipdb import metricdefs
    from chipdb.store import models, sql_views

    names = [m.name for m in metricdefs.REGISTRY]
    assert len(names) == len(set(names))
    assert set(metricdefs.NUMERIC_METRICS | metricdefs.BOOLEAN_METRICS
               | metricdefs.TEXT_METRICS) == set(names)
    columns = set(models.ChipMetric.__table__.columns.keys())
    missing = [n for n in metricdefs.STORED_METRICS if n not in columns]
    assert not missing, f"stored metrics without a chip_metric column: {missing}"
    view = sql_views.VIEWS["chip_metrics"]
    assert [n for n in metricdefs.STORED_METRICS if n not in view] == []
    assert set(metricdefs.SHOWN_METRICS) <= set(metricdefs.STORED_METRICS) | {"datacenter"}
    assert {n for n, _ in metricdefs.COMPARE_ROWS} <= set(metricdefs.SHOWN_METRICS)


def test_per_ic_reading_divides_card_totals_and_keeps_densities() -> None:
    from chipdb.metrics import compute_metrics
    from chipdb.spec import ChipSpec, Die, Throughput

    card = ChipSpec(name="card", datacenter=True, ics_per_card=2.0,
                    dies=(Die("d", count=2, area_mm2=300.0, non_planar=True),),
                    throughputs=(Throughput("int8", 256.0),))
    per_card = compute_metrics(card).values
    per_ic = compute_metrics(card, conventions={"per_ic": 1.0}).values
    assert (per_card["tpp"], per_ic["tpp"]) == (2048.0, 1024.0)
    assert per_card["applicable_die_area_mm2"] == 2 * per_ic["applicable_die_area_mm2"]
    assert per_ic["performance_density"] == per_card["performance_density"]
    # a single-IC part reads the same either way
    one = ChipSpec(name="one", datacenter=True, throughputs=(Throughput("int8", 256.0),))
    assert compute_metrics(one, conventions={"per_ic": 1.0}).values["tpp"] == 2048.0
