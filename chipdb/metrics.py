"""Derived metrics: pure functions from spec values to the figures the rules compare.

Two steps, each defined once:

* ``design_inputs(spec)`` flattens a chip's dies, memories, links and throughput rows into base
  quantities (one value per key, ``None`` when unknown).
* ``metrics_from_inputs(columns)`` computes every metric from such quantities, column-wise with
  NumPy, so one definition serves a catalogue chip, a what-if design and a batch of 100 000.

A key set in the inputs wins over the value it would otherwise be computed from: a what-if that
sets ``tpp`` keeps the chip's die area and recomputes performance density from the new TPP.

Any numeric input may be a range: ``<key>_low`` and ``<key>_high`` next to (or instead of) the
point. Every metric rises with its inputs except the two densities, so the low and high ends
are the same computation run on the low and on the high inputs, and a density's low end is the
low numerator over the high denominator (and the other way round). The point of a metric whose
ends differ is unknown (NaN); its ends are returned as ``<metric>_low`` / ``<metric>_high``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from chipdb.conventions import CONVENTIONS, PER_CARD_INPUTS
from chipdb.metricdefs import HIGH, INPUT_KEYS, LOW, NUMERIC_METRICS
from chipdb.spec import ChipSpec, release_unknown_because
from chipdb.vocab import PRECISION_BITS

Span = tuple[float, float]  # a published range or bound: (low, high), high may be inf

def _per_ic(columns: Mapping[str, Any], n: int) -> dict[str, Any]:
    """The card totals of multi-chip cards divided by their ICs (one IC where not given)."""
    ics = _col(columns, "ics_per_card", n)
    ics = np.where(np.isnan(ics) | (ics < 1), 1.0, ics)
    out = dict(columns)
    for key in columns:
        base = key.removesuffix(LOW).removesuffix(HIGH)
        if base in PER_CARD_INPUTS or base.endswith(("_dense_tops", "_sparse_tops")):
            out[key] = _col(columns, key, n) / ics
    return out

FloatArray = npt.NDArray[np.float64]


def _sum_known(values: Sequence[float | None]) -> float | None:
    """Sum when every term is known, else unknown; an empty list is unknown too."""
    if not values or any(v is None for v in values):
        return None
    return float(sum(v for v in values if v is not None))


def design_inputs(spec: ChipSpec, spans: Mapping[str, Span] | None = None) -> dict[str, Any]:
    """Base quantities of a catalogued chip: what a what-if may override.

    ``spans`` are the ranges and bounds of claim fields whose preferred claim is one
    (``die.<name>.area_mm2``, ``throughput.<precision>.dense_tops``, ...).
    """
    spans = spans or {}
    logic = [d for d in spec.dies if d.kind in ("logic", "io")]
    inputs: dict[str, Any] = {
        "vendor": spec.vendor,
        "chip_family": spec.family,
        "datacenter": spec.datacenter,
        "standalone_hbm": spec.standalone_hbm, **spec.release_inputs(),  # a period: a range
    }
    if spec.ics_per_card is not None:
        inputs["ics_per_card"] = spec.ics_per_card
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
        if area is None and any(d.non_planar for d in logic) and any(
                f"die.{d.name}.area_mm2" in spans for d in logic):
            # A die of unknown transistor type counts between 0 (planar) and its area
            # (non-planar): the sum is a range, never silently smaller.
            _span_sum(inputs, "applicable_die_area_mm2", [
                _die_span(spans.get(f"die.{d.name}.area_mm2") or (d.area_mm2, d.area_mm2),
                          d.non_planar, d.count)
                for d in logic if d.non_planar is not False])
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
    for field, (low, high) in spans.items():
        parts = field.split(".")
        if parts[0] == "throughput" and len(parts) == 3:
            key = f"{parts[1]}_{parts[2]}"
            inputs[key + LOW], inputs[key + HIGH] = low, high
    return inputs


def _die_span(span: tuple[float | None, float | None], non_planar: bool | None,
              count: int) -> tuple[tuple[float | None, float | None], int]:
    """A die's term in the applicable area: its area range, from 0 when its node type is
    unknown (a planar die does not count)."""
    low, high = span
    return ((0.0 if non_planar is None and high is not None else low, high), count)


def _span_sum(inputs: dict[str, Any], key: str,
              terms: Sequence[tuple[tuple[float | None, float | None], int]]) -> None:
    """A sum of ranged terms (count x range) as ``key``'s low and high; unknown if any is."""
    if not terms or any(low is None or high is None for (low, high), _ in terms):
        return
    inputs[key + LOW] = float(sum((low or 0.0) * count for (low, _), count in terms))
    inputs[key + HIGH] = float(sum((high or 0.0) * count for (_, high), count in terms))


def _col(columns: Mapping[str, Any], key: str, n: int) -> FloatArray:
    values = columns.get(key)
    if values is None:
        return np.full(n, np.nan)
    return np.asarray(values, dtype=np.float64)


def metrics_from_inputs(columns: Mapping[str, Any], n: int,
                        conventions: Mapping[str, float] | None = None
                        ) -> dict[str, np.ndarray[Any, Any]]:
    """Every metric for n designs. Columns are arrays (NaN = unknown) or absent; a range is
    ``<key>_low`` / ``<key>_high``. ``conventions`` override ``CONVENTIONS`` defaults."""
    bits = dict(PRECISION_BITS)
    bits["tf32"] = int((conventions or {}).get("tf32_bits", CONVENTIONS["tf32_bits"][0]))
    if (conventions or {}).get("per_ic", CONVENTIONS["per_ic"][0]) == 1.0:
        columns = _per_ic(columns, n)
    ends = {k for k in columns if k.endswith((LOW, HIGH))}
    if not ends:
        return _point_metrics(columns, n, bits)
    point = {k: v for k, v in columns.items() if k not in ends}
    low = dict(point)
    high = dict(point)
    for key in ends:  # a row without this range keeps its point value at both ends
        base = key.removesuffix(LOW).removesuffix(HIGH)
        end = _col(columns, key, n)
        (low if key.endswith(LOW) else high)[base] = np.where(
            np.isnan(end), _col(point, base, n), end)
    lo, hi = _point_metrics(low, n, bits), _point_metrics(high, n, bits)
    out = _point_metrics(point, n, bits)
    # a density falls as its denominator rises: low numerator over high denominator
    with np.errstate(divide="ignore", invalid="ignore"):
        for name, num, den, given in (
            ("performance_density", "tpp", "applicable_die_area_mm2", "performance_density"),
        ):
            set_low, set_high = _col(low, given, n), _col(high, given, n)
            lo[name] = np.where(~np.isnan(set_low), set_low, lo[num] / hi[den])
            top = np.where(lo[den] > 0, hi[num] / lo[den],
                           np.where(lo[den] == 0, np.inf, np.nan))
            hi[name] = np.where(~np.isnan(set_high), set_high, top)
    for name in NUMERIC_METRICS:
        if name not in out:
            continue
        a, b = np.asarray(lo[name], dtype=np.float64), np.asarray(hi[name], dtype=np.float64)
        a, b = np.fmin(a, b), np.fmax(a, b)
        a = np.where(np.isnan(a) | np.isnan(b), np.nan, a)
        b = np.where(np.isnan(a), np.nan, b)
        out[name] = np.where(a == b, a, np.nan)  # a point range is the point
        if not ((a == b) | np.isnan(a)).all():
            out[name + LOW], out[name + HIGH] = a, b
    for text in ("tpp_precision", "tpp_basis"):  # a ranged TPP: the precision of its low end
        out[text] = np.where(np.isnan(out["tpp"]) & ~np.isnan(lo["tpp"]), lo[text], out[text])
    return out


def _point_metrics(columns: Mapping[str, Any], n: int, bits_of: Mapping[str, int]
                   ) -> dict[str, np.ndarray[Any, Any]]:
    given_tpp = _col(columns, "tpp", n)
    best = np.full(n, np.nan)
    best_precision = np.full(n, None, dtype=object)
    best_basis = np.full(n, None, dtype=object)
    # Lowest bit length first, and only a strictly larger product replaces the best: on a tie
    # (H20: 296 FP8 x 8 = 148 BF16 x 16) the 8-bit rate, as BIS's own example counts it, wins.
    for precision, bits in sorted(bits_of.items(), key=lambda item: item[1]):
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
        "released": _col(columns, "released", n),
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


def _end(value: float) -> str:
    return "∞" if value == math.inf else f"{value:,.6g}"


def explain_unknowns(values: Mapping[str, Any], inputs: Mapping[str, Any]) -> dict[str, str]:
    """Why each unknown metric is unknown, in words a user can act on."""
    why: dict[str, str] = release_unknown_because(values)
    for name in ("tpp", "applicable_die_area_mm2", "performance_density"):
        low, high = values.get(name + LOW), values.get(name + HIGH)
        if values.get(name) is None and low is not None and high is not None:
            why[name] = f"a range: {_end(low)} to {_end(high)}"
    if "tpp" in why:
        pass
    elif values.get("tpp") is None:
        why["tpp"] = "no throughput figure published"
    if "applicable_die_area_mm2" in why:
        pass
    elif values.get("applicable_die_area_mm2") is None:
        if inputs.get("non_planar") is None and "logic_node_nm" not in inputs:
            why["applicable_die_area_mm2"] = "no die data published"
        elif inputs.get("non_planar") is False:
            why["applicable_die_area_mm2"] = "no die on a non-planar node"
        else:
            why["applicable_die_area_mm2"] = "die area not published"
    if "performance_density" in why:
        pass
    elif values.get("performance_density") is None:
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


def compute_metrics(spec: ChipSpec, overrides: Mapping[str, Any] | None = None,
                    spans: Mapping[str, Span] | None = None,
                    conventions: Mapping[str, float] | None = None) -> MetricValues:
    """The metrics of one chip (optionally with what-if overrides of its inputs)."""
    return compute_metrics_many([spec], overrides, [spans or {}], conventions)[0]


def set_inputs(inputs: dict[str, Any], overrides: Mapping[str, Any]) -> None:
    """Apply what-if values; a (low, high) pair sets a range and clears the point."""
    for key, value in overrides.items():
        for end in (LOW, HIGH):
            inputs.pop(key + end, None)
        if isinstance(value, tuple):
            inputs[key], inputs[key + LOW], inputs[key + HIGH] = None, value[0], value[1]
        else:
            inputs[key] = value
        if key in ("die_area_mm2", "applicable_die_area_mm2"):  # one area wins: the set one
            for other in ("die_area_mm2", "applicable_die_area_mm2"):
                if other != key:
                    for end in ("", LOW, HIGH):
                        inputs.pop(other + end, None)


def compute_metrics_many(
    specs: Sequence[ChipSpec], overrides: Mapping[str, Any] | None = None,
    spans: Sequence[Mapping[str, Span]] | None = None,
    conventions: Mapping[str, float] | None = None,
) -> list[MetricValues]:
    """The metrics of many chips in one vectorized pass (the loader's whole catalogue)."""
    inputs = [design_inputs(spec, spans[i] if spans else None) for i, spec in enumerate(specs)]
    if overrides:
        for one in inputs:
            set_inputs(one, overrides)
    rows = rows_from_columns(
        metrics_from_inputs(columns_from_inputs(inputs), len(inputs), conventions), len(inputs))
    return [MetricValues(row, explain_unknowns(row, one)) for row, one in zip(rows, inputs,
                                                                              strict=True)]


TIER_FIELDS: dict[str, tuple[str, ...]] = {
    # metric -> the claim fields (prefix.*.suffix patterns) whose tiers it is computed from
    "applicable_die_area_mm2": ("die.*.area_mm2", "die.*.non_planar"),
    "bidirectional_io_gbps": ("io.*.bidirectional_gbps",),
    "interconnect_gbps": ("io.*.bidirectional_gbps",),
    "memory_bandwidth_gbps": ("memory.*.bandwidth_gbps",),
    "memory_capacity_gb": ("memory.*.capacity_gb",),
    "memory_bandwidth_density": ("memory.*.bandwidth_gbps", "memory.*.package_area_mm2"),
    "transistors_billion": ("die.*.transistors_billion",),
    "logic_node_nm": ("die.*.node_nm",),
    "non_planar": ("die.*.non_planar",),
    "datacenter": ("datacenter",),
}


def metric_tiers(values: Mapping[str, Any], claim_tiers: Mapping[str, str],
                 weakest: Any) -> dict[str, str]:
    """The tier of each metric: the weakest tier of the preferred claims it is computed from.

    ``claim_tiers`` maps each preferred claim's field to its tier (the claim's own, else its
    source's); ``weakest`` picks the weakest of several (the engine's tier order).
    """
    def matching(pattern: str) -> list[str]:
        head, _, tail = pattern.partition("*")
        return [t for f, t in claim_tiers.items()
                if (f.startswith(head) and f.endswith(tail)) if tail or f == head]

    out: dict[str, str] = {}
    precision = values.get("tpp_precision")
    rates = [t for f, t in claim_tiers.items() if f.startswith("throughput.")
             and (precision in (None, "set") or f.split(".")[1] == precision)]
    tpp_tier = weakest(rates)
    if tpp_tier:
        out["tpp"] = tpp_tier
    for metric, patterns in TIER_FIELDS.items():
        tier = weakest([t for p in patterns for t in matching(p)])
        if tier:
            out[metric] = tier
    density = weakest([out.get("tpp"), out.get("applicable_die_area_mm2")])
    if density:
        out["performance_density"] = density
    return out
