"""The command line of batch, sweep and frontier: stdin, formats, one-line errors."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from chipdb.store.url import DatabaseUrl
from tests.helpers import run

DESIGNS = "name,tpp,die_area_mm2,datacenter\na,4750,1000,true\nb,5000,800,false\n"


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))


@pytest.mark.parametrize("io_mode", ["fast", "stdlib"])
def test_batch_reads_standard_input(db: object, monkeypatch: pytest.MonkeyPatch,
                                    io_mode: str) -> None:
    if io_mode == "stdlib":
        monkeypatch.setenv("CHIPDB_BATCH_IO", "stdlib")
    _stdin(monkeypatch, DESIGNS)
    result = run(db, "what-if", "--batch", "-", "-f", "csv", "--as-of", "2026-12-01")  # type: ignore
    assert result.code == 0, result.err
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(result.out))}
    assert rows["a"]["us-2024-12"] == "3A090.b.1"
    assert rows["a"]["us-2024-12:line"] in ("tpp >= 4800", "tpp < 4800")  # one line, two ops
    assert float(rows["a"]["us-2024-12:margin"]) == -50
    assert rows["a"]["die_area_mm2"] == "1000" and rows["a"]["datacenter"] == "true"
    assert rows["b"]["us-2024-12"] == "3A090.a.1"
    assert rows["b"]["us-2024-12:clause"] == "3A090.a.1"


def test_batch_jsonl(db: object, monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, DESIGNS)
    result = run(db, "what-if", "--batch", "-", "-f", "jsonl", "--as-of", "2026-12-01")  # type: ignore
    assert result.code == 0, result.err
    rows = [json.loads(line) for line in result.out.splitlines()]
    assert [r["name"] for r in rows] == ["a", "b"]
    assert rows[0]["datacenter"] is True and rows[0]["tpp"] == 4750
    assert rows[0]["us-2024-12:margin_pct"] == -1.0417  # -50 / 4800, in % to 1e-4


def test_jsonl_is_the_record_table_one_object_a_line(db: object) -> None:
    result = run(db, "compare", "H20", "H100", "-f", "jsonl")  # type: ignore[arg-type]
    assert result.code == 0, result.err
    rows = [json.loads(line) for line in result.out.splitlines()]
    assert [r["name"] for r in rows] == ["H20 96GB", "H100 SXM"]
    assert "not in it: Why" in result.err  # the reasons are not carried, and it says so


def test_a_real_pipe(sqlite_db: DatabaseUrl) -> None:
    done = subprocess.run([sys.executable, "-m", "chipdb", "--db", sqlite_db.url, "what-if",
                           "--batch", "-", "-f", "csv"], input=DESIGNS, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 3


@pytest.mark.parametrize("args,text", [
    (["sweep"], "--vary"),
    (["sweep", "--vary", "vendor=1..2:1"], "only numeric keys"),
    (["sweep", "--vary", "tpp=1..2"], "needs a step"),
    (["sweep", "--vary", "tpp=1..2:1", "--where", "tpp >>= 3"], "COLUMN OP VALUE"),
    (["frontier", "H200", "--target", "us-2099=x", "--scale", "tpp"], "unknown rule"),
    (["frontier", "H200", "--target", "us-2026-01=case-by-case", "--scale", "vendor"],
     "not a numeric key"),
])
def test_usage_errors_are_one_line(db: object, args: list[str], text: str) -> None:
    result = run(db, *args)  # type: ignore[arg-type]
    assert result.code == 2, result.err
    assert text in result.err and len(result.err.strip().splitlines()) == 1
