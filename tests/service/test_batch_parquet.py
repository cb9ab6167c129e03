"""Parquet out (the ``fast`` extra): the same rows as JSON lines, typed, for any chunk size."""

from __future__ import annotations

import io
import json
import math
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from chipdb.errors import UsageError
from chipdb.service import batch, sweep
from tests.engine.rules import RULES

pq = pytest.importorskip("pyarrow.parquet")

DAY = date(2026, 12, 1)
ALL = list(RULES.values())
CSV = ("name,tpp,die_area_mm2,datacenter,memory_bandwidth_gbps,vendor\n"
       + "".join(f"d{i},{(i * 977) % 30000},{200 + (i * 37) % 700},"
                 f"{'true' if i % 3 else 'no'},{(i * 331) % 8000 if i % 11 else ''},"
                 f"{'NVIDIA' if i % 2 else 'Acme'}\n" for i in range(120))
       + "ranged,4000..5000,600,true,1TB/s,Acme\n")


class Binary(io.TextIOWrapper):
    def isatty(self) -> bool:
        return False


def _parquet(path: Path, chunk: int) -> Any:
    raw = io.BytesIO()
    out = Binary(raw, encoding="utf-8")
    batch.run_batch(path, ALL, DAY, "parquet", out, chunk_rows=chunk)
    out.flush()
    return pq.read_table(io.BytesIO(raw.getvalue()))


def test_parquet_rows_are_the_json_rows(tmp_path: Path) -> None:
    path = tmp_path / "designs.csv"
    path.write_text(CSV, encoding="utf-8")
    table = _parquet(path, 16)
    assert table.equals(_parquet(path, 10_000))  # streamed = one chunk
    text = io.StringIO()
    batch.run_batch(path, ALL, DAY, "jsonl", text)
    rows = [json.loads(line) for line in text.getvalue().splitlines()]
    assert table.num_rows == len(rows) == 121
    inputs = {"tpp", "die_area_mm2", "datacenter", "memory_bandwidth_gbps", "vendor"}
    for got, want in zip(table.to_pylist(), rows, strict=True):
        for key, value in want.items():
            if key in inputs:  # echoed as typed: the JSON has the values
                continue
            mine = got[key]
            if isinstance(value, float):
                assert mine is not None and math.isclose(mine, value), key
            else:
                assert mine == value, key
    assert table.schema.field("us-2024-12:margin").type == "double"
    assert table.to_pylist()[-1]["tpp"] == "4000..5000"


def test_sweep_writes_parquet() -> None:
    raw = io.BytesIO()
    out = Binary(raw, encoding="utf-8")
    n = sweep.run_sweep({"die_area_mm2": 800.0}, [("tpp", [1000.0, 4800.0, 6000.0])], ALL, DAY,
                        "parquet", out, chunk_rows=2)
    out.flush()
    table = pq.read_table(io.BytesIO(raw.getvalue()))
    assert n == table.num_rows == 3
    assert table.column("tpp").to_pylist() == ["1000", "4800", "6000"]


def test_parquet_is_not_for_a_terminal(tmp_path: Path) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    path = tmp_path / "designs.csv"
    path.write_text(CSV, encoding="utf-8")
    with pytest.raises(UsageError, match="Parquet is binary"):
        batch.run_batch(path, ALL, DAY, "parquet", Terminal())
