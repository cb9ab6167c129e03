"""Design inputs from people: ``--set KEY=VALUE`` with units, and batch CSV files.

Units are parsed here, at the edge; everything past this module is in canonical units.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from chipdb.errors import DataError, UsageError
from chipdb.metrics import INPUT_KEYS

# Largest plausible value per key family (canonical units): beyond it is a unit slip or junk.
_LIMITS = {
    "tpp": 1e9, "performance_density": 1e6, "gbps": 1e8, "mm2": 1e5, "gb": 1e6,
    "tops": 1e7, "transistors_billion": 1e5, "logic_node_nm": 1e3, "density": 1e4,
}
_UNIT_FACTORS = {
    "gbps": {"gb/s": 1.0, "gbps": 1.0, "tb/s": 1000.0, "tbps": 1000.0, "mb/s": 0.001},
    "mm2": {"mm2": 1.0, "mm²": 1.0, "mm^2": 1.0, "cm2": 100.0},
    "gb": {"gb": 1.0, "tb": 1000.0, "gib": 1.073741824},
    "tops": {"tops": 1.0, "tflops": 1.0, "pflops": 1000.0, "pops": 1000.0,
             "gflops": 0.001},
    "transistors_billion": {"b": 1.0, "bn": 1.0, "billion": 1.0, "t": 1000.0},
    "logic_node_nm": {"nm": 1.0},
}
_NUMBER = re.compile(r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*([^\s\d].*)?$")


def _family(key: str) -> str:
    if key.endswith("_gbps"):
        return "gbps"
    if key.endswith("_mm2"):
        return "mm2"
    if key.endswith("_gb"):
        return "gb"
    if key.endswith("_tops"):
        return "tops"
    if key == "memory_bandwidth_density":
        return "density"
    return key


def parse_value(key: str, raw: str, where: str = "--set") -> Any:
    """One value in canonical units; a clear error for anything else."""
    kind = INPUT_KEYS.get(key)
    if kind is None:
        raise UsageError(f"{where}: unknown key '{key}'; known keys: "
                         f"{', '.join(sorted(k for k in INPUT_KEYS if '_tops' not in k))} and "
                         "<precision>_dense_tops / <precision>_sparse_tops")
    text = raw.strip()
    if kind == "bool":
        low = text.casefold()
        if low in ("true", "yes", "1", "y"):
            return True
        if low in ("false", "no", "0", "n"):
            return False
        raise UsageError(f"{where}: {key} takes true or false, not '{raw}'")
    if kind == "text":
        if not text or len(text) > 200:
            raise UsageError(f"{where}: {key} takes a name of 1 to 200 characters")
        return text
    match = _NUMBER.match(text.replace(",", "").replace("_", ""))
    if not match:
        raise UsageError(f"{where}: {key} takes a number (optionally with a unit), not '{raw}'")
    value = float(match.group(1))
    unit = (match.group(2) or "").strip().casefold()
    family = _family(key)
    if unit:
        factors = _UNIT_FACTORS.get(family, {})
        if unit not in factors:
            accepted = ", ".join(factors) or "none (a plain number)"
            raise UsageError(f"{where}: {key}: unit '{match.group(2)}' not understood; "
                             f"accepted: {accepted}")
        value *= factors[unit]
    if not math.isfinite(value) or value < 0:
        raise UsageError(f"{where}: {key} must be a finite number ≥ 0, not '{raw}'")
    limit = _LIMITS.get(family, 1e9)
    if value > limit:
        raise UsageError(f"{where}: {key} = {value:g} is beyond any real chip "
                         f"(limit {limit:g}); check the unit")
    return value


def parse_assignments(items: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UsageError(f"--set takes KEY=VALUE, not '{item}'")
        if key in out:
            raise UsageError(f"--set {key} given twice")
        out[key] = parse_value(key, raw)
    return out


def run_batch(path: Path, rules: Sequence[Any], as_of: date, fmt: str, out: TextIO) -> int:
    """Classify one design per CSV row with the vectorized engine; write one row per design."""
    import numpy as np

    from chipdb.metrics import metrics_from_inputs
    from chipdb.rules import MetricTable, evaluate_table

    if fmt not in ("csv", "json", "table", "markdown"):
        raise UsageError(f"unknown format '{fmt}'")
    try:
        handle = path.open(newline="", encoding="utf-8")
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        raise DataError(f"{path}: cannot be read: {reason}") from None
    with handle:
        try:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                raise DataError(f"{path}: is empty; expected a header of design keys")
            header = [h.strip() for h in header]
            unknown = [h for h in header if h != "name" and h not in INPUT_KEYS]
            if unknown:
                raise DataError(f"{path}: unknown column '{unknown[0]}'; columns are 'name' "
                                "and the keys of `chipdb what-if --set`")
            if len(set(header)) != len(header):
                raise DataError(f"{path}: a column appears twice in the header")
            raw_rows: list[tuple[int, list[str]]] = []
            for line_no, fields in enumerate(reader, start=2):
                if not fields or all(not c.strip() for c in fields):
                    continue
                if len(fields) != len(header):
                    raise DataError(f"{path}: line {line_no} has {len(fields)} fields, the "
                                    f"header has {len(header)}")
                raw_rows.append((line_no, fields))
        except UnicodeDecodeError:
            raise DataError(f"{path}: is not UTF-8 text") from None
        except csv.Error as exc:
            raise DataError(f"{path}: broken CSV: {exc}") from None
    n = len(raw_rows)
    columns: dict[str, Any] = {}
    name_idx = header.index("name") if "name" in header else None
    cells = list(zip(*(f for _, f in raw_rows), strict=True)) if raw_rows else [()] * len(header)
    for j, key in enumerate(header):
        if key == "name":
            continue
        kind = INPUT_KEYS[key]
        if kind == "text":
            columns[key] = np.array([c.strip() or None for c in cells[j]], dtype=object)
            continue
        columns[key] = np.array(_numbers(key, kind, cells[j], raw_rows, path), dtype=np.float64)
    if name_idx is None:
        names = [f"design {i + 1}" for i in range(n)]
    else:
        names = [c.strip() for c in cells[name_idx]]
    metrics = metrics_from_inputs(columns, n)
    in_force = [r for r in rules if r.in_force(as_of)]
    results = evaluate_table(rules, MetricTable(metrics, n), as_of)
    metric_cols = ["tpp", "tpp_precision", "performance_density", "bidirectional_io_gbps",
                   "memory_bandwidth_gbps"]
    rule_ids = [r.id for r in in_force]
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["name", *metric_cols, *rule_ids])
        writer.writerows(zip(
            names,
            _num_column(metrics["tpp"]),
            [p or "" for p in metrics["tpp_precision"].tolist()],
            *(_num_column(metrics[k]) for k in metric_cols[2:]),
            *(results[r].outcome.tolist() for r in rule_ids),
            strict=True,
        ))
        return n
    from chipdb.render import Document, Section, render

    rows: list[dict[str, Any]] = []
    for i in range(n):
        row: dict[str, Any] = {"name": names[i]}
        for k in metric_cols:
            v = metrics[k][i]
            row[k] = None if (isinstance(v, float) and math.isnan(v)) else (
                v if isinstance(v, str) or v is None else float(v))
        for rid in rule_ids:
            row[rid] = str(results[rid].outcome[i])
        rows.append(row)
    render(Document([Section(f"{n} designs as of {as_of}", ["name", *metric_cols, *rule_ids],
                             rows)], payload={"as_of": as_of.isoformat(), "designs": rows}),
           fmt, out)
    return n


_BOOL_CELLS = {"true": 1.0, "yes": 1.0, "1": 1.0, "y": 1.0,
               "false": 0.0, "no": 0.0, "0": 0.0, "n": 0.0}


def _numbers(key: str, kind: str, column: Sequence[str], raw_rows: Sequence[tuple[int, Any]],
             path: Path) -> list[float]:
    """One CSV column in canonical units: plain numbers fast, the rest through parse_value."""
    out: list[float] = []
    append = out.append
    bools = _BOOL_CELLS if kind == "bool" else None
    for i, raw in enumerate(column):
        cell = raw.strip()
        if not cell:
            append(math.nan)
            continue
        if bools is not None:
            hit = bools.get(cell.casefold())
            if hit is not None:
                append(hit)
                continue
        try:
            v = float(cell)
        except ValueError:
            v = -1.0  # not a plain number: parse_value decides (a unit, or a clear error)
        if not 0.0 <= v < math.inf:  # NaN, infinities and negatives too
            try:
                v = float(parse_value(key, cell, f"{path}: line {raw_rows[i][0]}"))
            except UsageError as exc:
                raise DataError(exc.message) from None
        append(v)
    return out


def _num_column(values: Any) -> list[str]:
    """A float column as CSV text: empty when unknown, integers without ".0"."""
    return ["" if v != v else str(int(v)) if v.is_integer() else repr(v)
            for v in map(float, values.tolist())]
