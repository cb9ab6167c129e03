"""Derived metrics: pure functions from spec values to the figures the rules compare.

Two steps, each defined once:

* ``design_inputs(spec)`` flattens a chip's dies, memories, links and throughput rows into base
  quantities (one value per key, ``None`` when unknown).
* ``metrics_from_inputs(columns)`` computes every metric from such quantities, column-wise with
  NumPy, so one definition serves a catalogue chip, a what-if design and a batch of 100 000.

A key set in the inputs wins over the value it would otherwise be computed from: a what-if that
sets ``tpp`` keeps the chip's die area and recomputes performance density from the new TPP.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from chipdb.metricdefs import INPUT_KEYS
from chipdb.spec import ChipSpec
from chipdb.vocab import PRECISION_BITS

FloatArray = npt.NDArray[np.float64]


def _sum_known(values: Sequence[float | None]) -> float | None:
    """Sum when every term is known, else unknown; an empty list is unknown too."""
    if not values or any(v is None for v in values):
        return None
    return float(sum(v for v in values if v is not None))


def design_inputs(spec: ChipSpec) -> dict[str, Any]:
    """Base quantities of a catalogued chip: what a what-if may override."""
    logic = [d for d in spec.dies if d.kind in ("logic", "io")]
    inputs: dict[str, Any] = {
        "vendor": spec.vendor,
        "chip_family": spec.family,
        "datacenter": spec.datacenter,
        "standalone_hbm": spec.standalone_hbm,
    }
    # Applicable die area (3A090 Technical Note): all logic dies on a non-planar node, caches
    # included, HBM and other memory dies out. A die whose node type or area is unknown leaves
    # the sum unknown rather than silently smaller.
    if logic:
        if any(d.non_planar is None for d in logic):
            area = None
        else:
            area = _sum_known(
                [None if d.area_mm2 is None else d.area_mm2 * d.count
                 for d in logic if d.non_planar]
            )
            if not any(d.non_planar for d in logic):
                area = None  # planar-only: the density test has no denominator
        inputs["applicable_die_area_mm2"] = area
        inputs["transistors_billion"] = _sum_known(
            [None if d.transistors_billion is None else d.transistors_billion * d.count
             for d in logic]
        )
        nodes = [d.node_nm for d in logic if d.node_nm is not None]
        inputs["logic_node_nm"] = min(nodes) if nodes else None
        flags = [d.non_planar for d in logic]
        inputs["non_planar"] = (
            True if any(f is True for f in flags)
            else False if all(f is False for f in flags) else None
        )
    if spec.io_links:
        inputs["interconnect_gbps"] = _sum_known(
            [lk.bidirectional_gbps for lk in spec.io_links if lk.kind == "chip-to-chip"]
        ) if any(lk.kind == "chip-to-chip" for lk in spec.io_links) else 0.0
        others = [lk.bidirectional_gbps for lk in spec.io_links if lk.kind != "chip-to-chip"]
        inputs["host_io_gbps"] = _sum_known(others) if others else 0.0
    if spec.memories:
        inputs["memory_bandwidth_gbps"] = _sum_known([m.bandwidth_gbps for m in spec.memories])
        inputs["memory_capacity_gb"] = _sum_known([m.capacity_gb for m in spec.memories])
        inputs["contains_hbm"] = any(
            (m.type or "").upper().startswith("HBM") for m in spec.memories
        )
        if spec.standalone_hbm:
            inputs["package_area_mm2"] = _sum_known(
                [m.package_area_mm2 for m in spec.memories]
            )
    for rate in spec.throughputs:
        if rate.dense_tops is not None:
            inputs[f"{rate.precision}_dense_tops"] = rate.dense_tops
        if rate.sparse_tops is not None:
            inputs[f"{rate.precision}_sparse_tops"] = rate.sparse_tops
    return inputs


def _col(columns: Mapping[str, Any], key: str, n: int) -> FloatArray:
    values = columns.get(key)
    if values is None:
        return np.full(n, np.nan)
    return np.asarray(values, dtype=np.float64)


def metrics_from_inputs(columns: Mapping[str, Any], n: int) -> dict[str, np.ndarray[Any, Any]]:
    """Every metric for n designs. Columns are arrays (NaN = unknown) or absent."""
    given_tpp = _col(columns, "tpp", n)
    best = np.full(n, np.nan)
    best_precision = np.full(n, None, dtype=object)
    best_basis = np.full(n, None, dtype=object)
    # Lowest bit length first, and only a strictly larger product replaces the best: on a tie
    # (H20: 296 FP8 x 8 = 148 BF16 x 16) the 8-bit rate, as BIS's own example counts it, wins.
    for precision, bits in sorted(PRECISION_BITS.items(), key=lambda item: item[1]):
        dense = _col(columns, f"{precision}_dense_tops", n)
        sparse = _col(columns, f"{precision}_sparse_tops", n)
        if np.isnan(dense).all() and np.isnan(sparse).all():
            continue
        # Sparsity never counts (3A090 Technical Note): a rate published only "with sparsity"
        # is halved, and the basis says so.
        from_sparse = np.isnan(dense) & ~np.isnan(sparse)
        rate = np.where(from_sparse, sparse / 2.0, dense)
        product = rate * bits
        better = ~np.isnan(product) & (np.isnan(best) | (product > best))
        best = np.where(better, product, best)
        best_precision[better] = precision
        best_basis[better] = np.where(from_sparse[better], "sparse/2", "dense")
    # A design is a logic chip unless it says it is a standalone memory stack.
    standalone_col = np.nan_to_num(_col(columns, "standalone_hbm", n), nan=0.0)
    standalone = standalone_col == 1.0
    # A standalone memory stack has no processing unit: its TPP is zero, not unknown.
    best = np.where(standalone & np.isnan(best), 0.0, best)
    tpp_set = ~np.isnan(given_tpp)
    tpp = np.where(tpp_set, given_tpp, best)
    best_precision[tpp_set] = "set"
    best_basis[tpp_set] = "set"
    best_precision[np.isnan(tpp)] = None
    best_basis[np.isnan(tpp)] = None

    area = _col(columns, "applicable_die_area_mm2", n)
    area = np.where(np.isnan(area), _col(columns, "die_area_mm2", n), area)
    density = _col(columns, "performance_density", n)
    with np.errstate(divide="ignore", invalid="ignore"):
        density = np.where(np.isnan(density), np.where(area > 0, tpp / area, np.nan), density)
    interconnect = _col(columns, "interconnect_gbps", n)
    io = _col(columns, "bidirectional_io_gbps", n)
    io = np.where(np.isnan(io), interconnect + _col(columns, "host_io_gbps", n), io)
    bandwidth = _col(columns, "memory_bandwidth_gbps", n)
    bw_density = _col(columns, "memory_bandwidth_density", n)
    package = _col(columns, "package_area_mm2", n)
    with np.errstate(divide="ignore", invalid="ignore"):
        bw_density = np.where(
            np.isnan(bw_density) & standalone & (package > 0), bandwidth / package, bw_density
        )
    vendor = columns.get("vendor")
    family = columns.get("chip_family")
    return {
        "tpp": tpp,
        "tpp_precision": best_precision,
        "tpp_basis": best_basis,
        "applicable_die_area_mm2": area,
        "performance_density": density,
        "bidirectional_io_gbps": io,
        "interconnect_gbps": interconnect,
        "memory_bandwidth_gbps": bandwidth,
        "memory_capacity_gb": _col(columns, "memory_capacity_gb", n),
        "memory_bandwidth_density": bw_density,
        "transistors_billion": _col(columns, "transistors_billion", n),
        "logic_node_nm": _col(columns, "logic_node_nm", n),
        "non_planar": _col(columns, "non_planar", n),
        "contains_hbm": _col(columns, "contains_hbm", n),
        "datacenter": _col(columns, "datacenter", n),
        "standalone_hbm": standalone_col,
        "vendor": np.asarray(vendor if vendor is not None else [None] * n, dtype=object),
        # a design that names no family is not one of the parts a rule names
        "chip_family": np.asarray(
            [f or "" for f in family] if family is not None else [""] * n, dtype=object
        ),
    }


def _to_column(values: Sequence[Any], kind: str) -> np.ndarray[Any, Any]:
    if kind == "text":
        return np.array(list(values), dtype=object)
    return np.array(
        [math.nan if v is None else (1.0 if v is True else 0.0 if v is False else float(v))
         for v in values],
        dtype=np.float64,
    )


def columns_from_inputs(rows: Sequence[Mapping[str, Any]]) -> dict[str, np.ndarray[Any, Any]]:
    keys = {k for r in rows for k in r}
    return {
        key: _to_column([r.get(key) for r in rows], INPUT_KEYS.get(key, "number"))
        for key in keys
    }


@dataclass(frozen=True)
class MetricValues:
    """One chip's metrics as plain Python values, and why each unknown one is unknown."""

    values: dict[str, Any]
    why_unknown: dict[str, str]


def rows_from_columns(
    metrics: Mapping[str, np.ndarray[Any, Any]], n: int
) -> list[dict[str, Any]]:
    from chipdb.metricdefs import BOOLEAN_METRICS, TEXT_METRICS

    rows: list[dict[str, Any]] = [{} for _ in range(n)]
    for key, col in metrics.items():
        for i in range(n):
            v = col[i]
            if key in TEXT_METRICS:
                rows[i][key] = None if v is None else str(v)
            elif isinstance(v, float | np.floating) and math.isnan(v):
                rows[i][key] = None
            elif key in BOOLEAN_METRICS:
                rows[i][key] = bool(v)
            else:
                rows[i][key] = float(v)
    return rows


def explain_unknowns(values: Mapping[str, Any], inputs: Mapping[str, Any]) -> dict[str, str]:
    """Why each unknown metric is unknown, in words a user can act on."""
    why: dict[str, str] = {}
    if values.get("tpp") is None:
        why["tpp"] = "no throughput figure published"
    if values.get("applicable_die_area_mm2") is None:
        if inputs.get("non_planar") is None and "logic_node_nm" not in inputs:
            why["applicable_die_area_mm2"] = "no die data published"
        elif inputs.get("non_planar") is False:
            why["applicable_die_area_mm2"] = "no die on a non-planar node"
        else:
            why["applicable_die_area_mm2"] = "die area not published"
    if values.get("performance_density") is None:
        why["performance_density"] = "; ".join(
            f"{m} unknown: {why[m]}" for m in ("tpp", "applicable_die_area_mm2") if m in why
        ) or "not computable"
    if values.get("bidirectional_io_gbps") is None:
        why["bidirectional_io_gbps"] = "I/O bandwidth not published"
    if values.get("memory_bandwidth_gbps") is None:
        why["memory_bandwidth_gbps"] = "memory bandwidth not published"
    if values.get("datacenter") is None:
        why["datacenter"] = "datacenter design/marketing not established"
    if values.get("transistors_billion") is None:
        why["transistors_billion"] = "transistor count not published"
    if values.get("interconnect_gbps") is None:
        why["interconnect_gbps"] = "interconnect bandwidth not published"
    return why


def compute_metrics(spec: ChipSpec, overrides: Mapping[str, Any] | None = None) -> MetricValues:
    """The metrics of one chip (optionally with what-if overrides of its inputs)."""
    return compute_metrics_many([spec], overrides)[0]


def compute_metrics_many(
    specs: Sequence[ChipSpec], overrides: Mapping[str, Any] | None = None
) -> list[MetricValues]:
    """The metrics of many chips in one vectorized pass (the loader's whole catalogue)."""
    inputs = [design_inputs(spec) for spec in specs]
    if overrides:
        for one in inputs:
            one.update(overrides)
    rows = rows_from_columns(metrics_from_inputs(columns_from_inputs(inputs), len(inputs)),
                             len(inputs))
    return [MetricValues(row, explain_unknowns(row, one)) for row, one in zip(rows, inputs,
                                                                              strict=True)]
