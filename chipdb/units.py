"""Numbers for people, and unit parsing at the edges (``--set`` values, CSV cells).

Units are parsed here; everything past this module is in canonical units.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from chipdb.errors import UsageError
from chipdb.metricdefs import DATE, INPUT_KEYS

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


RANGE_MARK = ".."


def parse_value(key: str, raw: str, where: str = "--set") -> Any:
    """One value in canonical units; a clear error for anything else. A number may be a range
    ``low..high`` (``600..850``, ``1.2TB/s..1.6TB/s``): the result is the pair (low, high)."""
    kind = INPUT_KEYS.get(key)
    if kind in ("number", DATE) and RANGE_MARK in raw:
        low_text, _, high_text = raw.partition(RANGE_MARK)
        low, high = parse_value(key, low_text, where), parse_value(key, high_text, where)
        if low > high:
            raise UsageError(f"{where}: {key} range runs low..high, not '{raw}'")
        return (low, high)
    if kind is None:
        raise UsageError(f"{where}: unknown key '{key}'; known keys: "
                         f"{', '.join(sorted(k for k in INPUT_KEYS if '_tops' not in k))} and "
                         "<precision>_dense_tops / <precision>_sparse_tops")
    text = raw.strip()
    if kind == DATE:
        try:
            return float(date.fromisoformat(text).toordinal())
        except ValueError:
            pass
        try:  # already canonical: a day number (what an earlier parse returned)
            number = float(text)
            if number.is_integer() and 1 <= number <= date.max.toordinal():
                return number
        except ValueError:
            raise UsageError(f"{where}: {key} takes a date YYYY-MM-DD (or a range "
                             f"YYYY-MM-DD..YYYY-MM-DD), not '{raw}'") from None
    if kind == "bool":
        low = text.casefold()
        if low in ("true", "yes", "1", "y"):
            return True
        if low in ("false", "no", "0", "n"):
            return False
        raise UsageError(f"{where}: {key} takes true or false, not '{raw}'")
    if kind == "text":
        if not text or len(text) > TEXT_LIMIT:
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


def limit(key: str) -> float:
    """The largest plausible value of a numeric key (canonical units), as ``parse_value`` checks."""
    return _LIMITS.get(_family(key), 1e9)


TEXT_LIMIT = 200  # characters of a text value (vendor, family), as ``parse_value`` checks


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


def fmt_number(value: float) -> str:
    """Numbers as people read them in this field: 15,832 / 5.92 / 0.0312."""
    if value != value:  # NaN
        return "?"
    if abs(value) >= 100 or value == int(value):
        return f"{value:,.0f}" if abs(value - round(value)) < 0.05 else f"{value:,.1f}"
    if abs(value) >= 1:
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{value:.3g}"


_GRID_LIMIT = 100_000_000  # points in one --vary axis: beyond it is a typo in the step


def parse_axis(item: str) -> tuple[str, list[float]]:
    """One ``--vary`` axis: ``KEY=LOW..HIGH:STEP`` (both ends included), or ``KEY=A,B,C``.

    Each number may carry a unit (``memory_bandwidth_gbps=1TB/s..4TB/s:0.5TB/s``); the values
    are ``LOW + i x STEP``, computed once each, so no error accumulates along the axis."""
    key, sep, raw = item.partition("=")
    key = key.strip()
    where = f"--vary {key}"
    if not sep or not key or not raw.strip():
        raise UsageError(f"--vary takes KEY=LOW..HIGH:STEP or KEY=A,B,C, not '{item}'")
    if INPUT_KEYS.get(key, "number") != "number":
        raise UsageError(f"{where}: only numeric keys can be varied")
    if ".." not in raw:
        values = [float(parse_value(key, part, where)) for part in raw.split(",")]
        return key, values
    span, colon, step_text = raw.partition(":")
    low_text, _, high_text = span.partition("..")
    if not colon:
        raise UsageError(f"{where}: a range needs a step: LOW..HIGH:STEP")
    low = float(parse_value(key, low_text, where))
    high = float(parse_value(key, high_text, where))
    step = float(parse_value(key, step_text, where))
    if step <= 0 or high < low:
        raise UsageError(f"{where}: needs LOW <= HIGH and a step > 0")
    count = math.floor((high - low) / step * (1 + 1e-12) + 1e-9) + 1
    if count > _GRID_LIMIT:
        raise UsageError(f"{where}: {count:,} values; use a larger step")
    return key, [low + i * step for i in range(count)]
