"""Sweep: a grid is the batch of its points, streamed alike, filtered by --where and --only."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import date
from pathlib import Path

import pytest

from chipdb.errors import UsageError
from chipdb.service import batch, sweep
from chipdb.units import parse_axis
from tests.engine.rules import RULES
from tests.helpers import run

DAY = date(2026, 12, 1)
ALL = list(RULES.values())
BASE = {"datacenter": True, "memory_bandwidth_gbps": 4000.0, "vendor": "Acme"}
AXES = [parse_axis("bf16_dense_tops=100..1000:100"), parse_axis("die_area_mm2=400..800:50")]


def _sweep(chunk: int = 10_000, fmt: str = "csv", **filters: str) -> str:
    out = io.StringIO()
    sweep.run_sweep(BASE, AXES, ALL, DAY, fmt, out, chunk_rows=chunk, fast=False, **filters)
    return out.getvalue()


def test_the_grid_is_the_batch_of_its_points(tmp_path: Path) -> None:
    path = tmp_path / "grid.csv"
    lines = ["bf16_dense_tops,die_area_mm2,datacenter,memory_bandwidth_gbps,vendor"]
    lines += [f"{t:g},{a:g},true,4000,Acme" for t, a in itertools.product(*(v for _, v in AXES))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = io.StringIO()
    batch.run_batch(path, ALL, DAY, "csv", out, fast=False)
    from_batch = list(csv.DictReader(io.StringIO(out.getvalue())))
    from_sweep = list(csv.DictReader(io.StringIO(_sweep())))
    assert len(from_sweep) == 10 * 9
    rule_columns = [h for h in from_sweep[0] if h.startswith("us-")]
    # outcome, clause, line, margin and margin % per US rule
    ids = [h for h in rule_columns if ":" not in h]
    assert {"us-2024-12", "us-2026-01"} <= set(ids)
    assert rule_columns == [f"{r}{part}" for r in ids
                            for part in ("", ":clause", ":line", ":margin", ":margin_pct")]
    for a, b in zip(from_sweep, from_batch, strict=True):
        assert {k: a[k] for k in rule_columns} == {k: b[k] for k in rule_columns}
        assert a["bf16_dense_tops"] == b["bf16_dense_tops"]


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_streamed_sweep_is_identical_to_one_chunk(fmt: str) -> None:
    assert _sweep(7, fmt) == _sweep(10_000, fmt)


def test_where_and_only_keep_the_rows_they_name() -> None:
    rows = list(csv.DictReader(io.StringIO(_sweep(where="tpp>=4800 and die_area_mm2<=600"))))
    assert rows and all(float(r["tpp"]) >= 4800 and float(r["die_area_mm2"]) <= 600
                        for r in rows)
    every = list(csv.DictReader(io.StringIO(_sweep())))
    assert len(rows) == sum(1 for r in every if float(r["tpp"]) >= 4800
                            and float(r["die_area_mm2"]) <= 600)
    only = list(csv.DictReader(io.StringIO(_sweep(only="us-2024-12=3A090.b.1"))))
    assert only and len(only) == sum(1 for r in every if r["us-2024-12"] == "3A090.b.1")
    either = list(csv.DictReader(io.StringIO(
        _sweep(where="us-2024-12==3A090.a.1 or us-2024-12==3A090.a.2"))))
    assert len(either) == sum(1 for r in every if r["us-2024-12"].startswith("3A090.a"))
    margin = list(csv.DictReader(io.StringIO(_sweep(where="us-2024-12:margin_pct>-5 and "
                                                          "us-2024-12:margin_pct<0"))))
    assert all(-5 < float(r["us-2024-12:margin_pct"]) < 0 for r in margin)


@pytest.mark.parametrize("where,text", [
    ("__import__('os')", "is not COLUMN OP VALUE"),
    ("tpp >= 1; rm", "is not COLUMN OP VALUE"),
    ("us-2024-12 > high", "compares with == or != only"),
])
def test_where_is_not_python(where: str, text: str) -> None:
    with pytest.raises(UsageError, match=text):
        sweep.parse_where(where)


def test_where_names_an_unknown_column() -> None:
    with pytest.raises(UsageError, match="no column 'colour'"):
        _sweep(where="colour==red")


def test_sweep_command(db: object) -> None:
    result = run(db, "sweep", "--vary", "tpp=4000..5600:400", "--set",  # type: ignore
                 "die_area_mm2=800", "--set", "datacenter=true", "--only",
                 "us-2024-12=3A090.a.1", "--as-of", "2026-12-01")
    assert result.code == 0, result.err
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert [r["tpp"] for r in rows] == ["4800", "5200", "5600"]
    bad = run(db, "sweep", "--vary", "tpp=5..1:1")  # type: ignore[arg-type]
    assert bad.code == 2 and "LOW <= HIGH" in bad.err
