"""The one claim resolver: a sourced field's preferred value, every claim kept, bounds held."""

from __future__ import annotations

import math
import re

import pytest
from pydantic import ValidationError

from chipdb.catalogue.claims import BOUNDS, FieldProblem, check_number, resolve
from chipdb.catalogue.schema import ClaimModel, ThroughputClaimModel


def claim(value: float | bool | str, **kw: object) -> ClaimModel:
    return ClaimModel.model_validate({"value": value, **kw})


def rate(**kw: object) -> ThroughputClaimModel:
    return ThroughputClaimModel.model_validate(kw)


def problem(*args: object) -> FieldProblem:
    with pytest.raises(FieldProblem) as info:
        resolve(*args)  # type: ignore[arg-type]
    return info.value


def test_a_plain_value_takes_the_table_source_and_is_preferred() -> None:
    chosen, claims = resolve("die.GH100.area_mm2", 814, "datasheet", "number", "area_mm2")
    assert chosen == {"die.GH100.area_mm2": 814.0}
    assert isinstance(chosen["die.GH100.area_mm2"], float)
    [only] = claims
    assert (only.field, only.value, only.source, only.preferred) == (
        "die.GH100.area_mm2", 814.0, "datasheet", True)


def test_a_claim_table_names_its_own_source_and_keeps_its_provenance() -> None:
    raw = claim(2100, source="lab", derivation="21 x 100 GbE", tier="estimate", note="n")
    _, [only] = resolve("io.eth.bidirectional_gbps", raw, "datasheet", "number", None)
    assert (only.source, only.derivation, only.tier, only.note) == (
        "lab", "21 x 100 GbE", "estimate", "n")


def test_an_absent_field_has_no_value_and_no_claim() -> None:
    assert resolve("tdp_w", None, "datasheet", "number", "tdp_w") == ({}, [])


def test_a_value_without_any_source_is_refused() -> None:
    err = problem("tdp_w", 700, None, "number", "tdp_w")
    assert (err.field, err.problem) == (
        "tdp_w", "has no source: give source = \"key\" or a table default")


def test_competing_claims_keep_every_value_and_use_the_preferred_one() -> None:
    raw = [claim(750, source="vendor", preferred=True, reason="vendor figure"),
           claim(761.56, source="die-shot", note="die-shot measurement")]
    chosen, claims = resolve("die.B.area_mm2", raw, None, "number", "area_mm2")
    assert chosen == {"die.B.area_mm2": 750.0}
    assert [(c.value, c.preferred, c.reason) for c in claims] == [
        (750.0, True, "vendor figure"), (761.56, False, None)]


@pytest.mark.parametrize("flags", [(None, None), (True, True), (False, False)])
def test_competing_claims_need_exactly_one_preferred(flags: tuple[bool | None, ...]) -> None:
    raw = [claim(1.0, source="a", preferred=f, reason="r") for f in flags]
    err = problem("node_nm", raw, None, "number", "node_nm")
    assert err.field == "node_nm"
    assert err.problem == "has competing claims: mark exactly one preferred = true"


def test_the_preferred_claim_among_several_needs_a_reason() -> None:
    raw = [claim(5, source="a", preferred=True), claim(4, source="b")]
    assert problem("node_nm", raw, None, "number", "node_nm").problem == (
        "the preferred claim needs a reason")
    # one claim alone needs neither a mark nor a reason
    assert resolve("node_nm", [claim(5, source="a")], None, "number", "node_nm")[0] == {
        "node_nm": 5.0}


def test_an_empty_list_of_claims_is_refused() -> None:
    assert problem("tdp_w", [], "s", "number", "tdp_w").problem == "is an empty list of claims"


@pytest.mark.parametrize("raw,kind,expected", [
    (True, "number", "must be a number in canonical units, not True"),
    ("fast", "number", "must be a number in canonical units, not 'fast'"),
    (1, "bool", "must be true or false, not 1.0"),
    ("yes", "bool", "must be true or false, not 'yes'"),
])
def test_values_have_the_kind_of_their_field(raw: object, kind: str, expected: str) -> None:
    assert problem("f", raw, "s", kind, None).problem == expected


def test_a_bool_field_keeps_its_bool() -> None:
    assert resolve("datacenter", False, "s", "bool", None)[0] == {"datacenter": False}


@pytest.mark.parametrize("unit", sorted(BOUNDS))
def test_bounds_accept_their_ends_and_refuse_just_outside(unit: str) -> None:
    low, high = BOUNDS[unit]
    assert check_number("f", low, unit) == low
    assert check_number("f", high, unit) == high
    for outside in (low * 0.999, high * 1.001):
        with pytest.raises(FieldProblem, match="outside the plausible range"):
            check_number("f", outside, unit)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_refused_even_without_bounds(value: float) -> None:
    with pytest.raises(FieldProblem, match="must be a finite number"):
        check_number("f", value, None)


def test_a_value_in_the_wrong_unit_is_refused_through_the_resolver() -> None:
    # 3.35 TB/s typed as GB/s is within bounds; 3.35e9 "GB/s" is not
    err = problem("memory.HBM3.bandwidth_gbps", 3.35e9, "s", "number", "bandwidth_gbps")
    assert err.field == "memory.HBM3.bandwidth_gbps"
    assert "outside the plausible range 1..2.5e+07" in err.problem


# --- throughput: dense and sparse are separate claims of one published table ------------------


def test_dense_and_sparse_rates_become_separate_claims() -> None:
    chosen, claims = resolve("throughput.fp8", rate(dense=1979, sparse=3958), "s", "number",
                             "tops")
    assert chosen == {"throughput.fp8.dense_tops": 1979.0, "throughput.fp8.sparse_tops": 3958.0}
    assert [c.field for c in claims] == ["throughput.fp8.dense_tops",
                                         "throughput.fp8.sparse_tops"]


def test_a_sparse_only_figure_never_becomes_a_dense_one() -> None:
    chosen, [only] = resolve("throughput.fp8", rate(sparse=3958), "s", "number", "tops")
    assert chosen == {"throughput.fp8.sparse_tops": 3958.0}
    assert only.field == "throughput.fp8.sparse_tops"


def test_the_preferred_rate_table_decides_for_both_rates() -> None:
    # the preferred datasheet gives only sparse; a rumour's dense figure is kept, not used
    raw = [rate(sparse=1979, source="datasheet", preferred=True, reason="datasheet"),
           rate(dense=900, source="rumour", note="early report")]
    chosen, claims = resolve("throughput.fp8", raw, None, "number", "tops")
    assert chosen == {"throughput.fp8.sparse_tops": 1979.0}
    assert [(c.field, c.value, c.preferred) for c in claims] == [
        ("throughput.fp8.sparse_tops", 1979.0, True),
        ("throughput.fp8.dense_tops", 900.0, False)]


def test_competing_rate_tables_follow_the_same_rule_as_scalars() -> None:
    raw = [rate(dense=1, source="a"), rate(dense=2, source="b")]
    err = problem("throughput.fp8", raw, None, "number", "tops")
    assert (err.field, err.problem) == (
        "throughput.fp8", "has competing claims: mark exactly one preferred = true")
    raw = [rate(dense=1, source="a", preferred=True), rate(dense=2, source="b")]
    assert problem("throughput.fp8", raw, None, "number", "tops").problem == (
        "the preferred claim needs a reason")


def test_a_rate_out_of_bounds_names_the_rate() -> None:
    err = problem("throughput.fp8", rate(sparse=2e6), "s", "number", "tops")
    assert err.field == "throughput.fp8.sparse_tops"


@pytest.mark.parametrize("rates,message", [
    ({}, "give 'dense' or 'sparse' (or both)"),
    ({"dense": 20, "sparse": 10}, "the sparse rate is below the dense rate: swapped?"),
])
def test_a_rate_table_is_checked_as_it_is_read(rates: dict[str, float], message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        rate(**rates)
    rate(dense=10, sparse=10)  # equal is fine: some parts publish no sparsity speed-up
