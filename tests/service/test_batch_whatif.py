"""Batch what-if = the single what-if, end to end: random designs written as a CSV (plain
numbers, units and ranges), read by each reader, classified with the seeded rules; every row's
outcome per rule equals `what-if blank --set ...` of the same design (``designs.what_if``)."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chipdb.service import batch, designs
from chipdb.service.session import open_session
from chipdb.store.url import DatabaseUrl

DAY = date(2026, 12, 1)
BACKENDS = [False, *([True] if batch.fast_io() else [])]


def _number(low: float, high: float, lines: list[float]) -> st.SearchStrategy[str]:
    near = st.sampled_from([v * f for v in lines for f in (0.999, 1.0, 1.001)])
    value = st.one_of(near, st.floats(low, high)).map(lambda v: f"{v:.3f}")
    span = st.tuples(value, value).map(
        lambda p: f"{min(p, key=float)}..{max(p, key=float)}")
    return st.one_of(st.just(""), value, span)


DESIGN = st.fixed_dictionaries({
    "tpp": _number(0, 30000, [1600, 2400, 4800, 14000, 17500, 21000]),
    "die_area_mm2": _number(50, 900, [300, 600, 810]),
    "datacenter": st.sampled_from(["", "true", "false"]),
    "memory_bandwidth_gbps": _number(0, 8000, [1400, 4500, 5000, 6500]),
    "bidirectional_io_gbps": _number(0, 2000, [600, 1100]),
    "transistors_billion": _number(1, 100, [30, 35, 40]),
    "vendor": st.sampled_from(["", "NVIDIA", "Acme"]),
})


@pytest.fixture(scope="module")
def rules(sqlite_db: DatabaseUrl) -> list[Any]:
    with open_session(sqlite_db) as s:
        return designs.load_rules(s)


@pytest.mark.parametrize("fast", BACKENDS)
@settings(max_examples=15, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(rows=st.lists(DESIGN, min_size=1, max_size=4))
def test_each_row_is_the_single_what_if(sqlite_db: DatabaseUrl, rules: list[Any],
                                        tmp_path: Path, fast: bool,
                                        rows: list[dict[str, str]]) -> None:
    keys = list(DESIGN_KEYS)
    path = tmp_path / "designs.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["name", *keys])
        for i, row in enumerate(rows):
            w.writerow([f"d{i}", *(row[k] for k in keys)])
    out = io.StringIO()
    batch.run_batch(path, rules, DAY, "csv", out, fast=fast)
    got = list(csv.DictReader(io.StringIO(out.getvalue())))
    with open_session(sqlite_db) as s:
        for row, mine in zip(rows, got, strict=True):
            sets = {k: v for k, v in row.items() if v}
            report = designs.what_if(s, "blank", sets, DAY)
            for v in report.design.verdicts:
                assert mine[v.rule] == v.outcome, (v.rule, row)


DESIGN_KEYS = ("tpp", "die_area_mm2", "datacenter", "memory_bandwidth_gbps",
               "bidirectional_io_gbps", "transistors_billion", "vendor")
