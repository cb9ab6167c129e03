"""--fields and --fail-on on a streamed batch (service.batch_gate): the stream keeps the fields
the document keeps, in the same cells, for any chunk size; the gate trips on the same rows as
the document's, wherever in the stream they are, after the whole output is written."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from chipdb.errors import UsageError
from chipdb.render.output import OutputRun, running
from chipdb.service import batch
from chipdb.service.batch_gate import ColumnGate
from chipdb.service.chunks import Cells
from chipdb.store.url import DatabaseUrl
from tests.engine.rules import RULES
from tests.helpers import run

DAY = date(2026, 12, 1)
ALL = list(RULES.values())
BACKENDS = [False, *([True] if batch.fast_io() else [])]
FIELDS = ("us-2024-12", "name", "tpp", "us-2024-12:margin", "vendor", "performance_density")
# 40 designs under every line, then one over us-2024-12's 3A090.a.1 line (TPP >= 4,800)
SMALL = "".join(f"d{i},{1000 + i},800,true,Acme\n" for i in range(40))
DESIGNS = "name,tpp,die_area_mm2,datacenter,vendor\n" + SMALL + "last,4900,800,true,Acme\n"


def _batch(path: Path, fmt: str, chunk: int, fast: bool, fields: tuple[str, ...] = (),
           fail_on: str | None = None) -> tuple[str, bool]:
    """The output and whether the gate tripped."""
    out = io.StringIO()
    with running(OutputRun("what-if", fields, fail_on)) as out_run:
        batch.run_batch(path, ALL, DAY, fmt, out, chunk_rows=chunk, fast=fast)
    return out.getvalue(), out_run.gate_tripped


@pytest.fixture
def designs(tmp_path: Path) -> Path:
    path = tmp_path / "designs.csv"
    path.write_text(DESIGNS, encoding="utf-8")
    return path


@pytest.mark.parametrize("fast", BACKENDS)
def test_streamed_fields_are_the_documents_fields(designs: Path, fast: bool) -> None:
    document, _ = _batch(designs, "json", 10_000, fast, FIELDS)
    rows = json.loads(document)  # outside a CLI run: the bare records
    assert [list(r) for r in rows] == [list(FIELDS)] * 41
    for chunk in (7, 10_000):
        lines, _ = _batch(designs, "jsonl", chunk, fast, FIELDS)
        assert [json.loads(line) for line in lines.splitlines()] == rows
        cut, _ = _batch(designs, "csv", chunk, fast, FIELDS)
        whole, _ = _batch(designs, "csv", chunk, fast)
        table = list(csv.DictReader(io.StringIO(whole)))
        assert list(csv.reader(io.StringIO(cut))) == [
            list(FIELDS), *([r[f] for f in FIELDS] for r in table)]
        assert cut == _batch(designs, "csv", 10_000, fast, FIELDS)[0]  # any chunk size


@pytest.mark.parametrize("fast", BACKENDS)
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_an_unknown_field_is_refused_before_any_row(designs: Path, fast: bool,
                                                    fmt: str) -> None:
    out = io.StringIO()
    with running(OutputRun("what-if", ("name", "us-2024-1"))), \
            pytest.raises(UsageError, match=r"no field 'us-2024-1': did you mean us-2024-12"):
        batch.run_batch(designs, ALL, DAY, fmt, out, chunk_rows=7, fast=fast)
    assert out.getvalue() == ""


@pytest.mark.parametrize("fast", BACKENDS)
@pytest.mark.parametrize(("fail_on", "tripped"), [
    ("3A090.a.1", True), ("3a090.a*", True), ("presumption-of-denial", False),
    # the diffusion rule says license-required for the last design, but it is not enforced
    ("license-required", False),
])
def test_the_gate_reads_every_chunk_to_the_last(designs: Path, fast: bool, fail_on: str,
                                                tripped: bool) -> None:
    document, gated = _batch(designs, "json", 10_000, fast, fail_on=fail_on)
    assert gated is tripped
    last = json.loads(document)["designs"][-1]
    assert last["us-2024-12"] == "3A090.a.1"
    assert last["us-2025-01-diffusion"] == "license-required"
    for fmt in ("csv", "jsonl"):
        for chunk in (1, 7, 10_000):  # the matching row is alone in the last chunk at 1
            out, streamed = _batch(designs, fmt, chunk, fast, fail_on=fail_on)
            assert streamed is tripped, (fmt, chunk)
            assert out == _batch(designs, fmt, chunk, fast)[0]  # the whole stream, as without


def _rule(rule_id: str, status: str) -> SimpleNamespace:
    return SimpleNamespace(id=rule_id, status=status)


def _outcome(header: str, words: tuple[str, ...], codes: list[int]) -> Cells:
    return Cells(header, codes=np.array(codes, dtype=np.int64), vocab=words)


def _licence(values: list[float]) -> Cells:
    codes = [0 if v == 1.0 else 1 if v == 0.0 else -1 for v in values]
    return Cells("CN:license_required", codes=np.array(codes, dtype=np.int64),
                 vocab=("true", "false"), values=np.array(values), boolean=True)


@pytest.mark.parametrize(("fail_on", "chunk", "tripped"), [
    ("3A090.a.1", [_outcome("r", ("not-controlled", "3A090.a.1"), [0, 0, 1])], True),
    ("3A090.a.1", [_outcome("r", ("not-controlled", "3A090.a.1"), [0, 0, -1])], False),
    ("3A090.a.1", [_outcome("draft", ("3A090.a.1",), [0])], False),
    ("3A090.a.1", [_outcome("off", ("3A090.a.1",), [0])], False),
    ("3A090.a.1", [_outcome("r:clause", ("3A090.a.1",), [0])], False),
    ("license-required", [_licence([0.0, 0.0, 1.0])], True),
    ("license-required", [_licence([0.0, float("nan")])], False),
    ("undetermined", [_licence([0.0, float("nan")])], True),
    ("undetermined", [_licence([0.0, 1.0])], False),
    ("license-required", [_outcome("r", ("license-required",), [0])], True),
])
def test_the_column_gate(fail_on: str, chunk: list[Cells], tripped: bool) -> None:
    gate = ColumnGate(fail_on, [_rule("r", "in-force"), _rule("draft", "draft"),
                                _rule("off", "not-enforced")])
    gate.feed(chunk)
    assert gate.tripped is tripped


ROWS = "name,tpp,die_area_mm2,datacenter\nsmall,1000,800,true\nbig,4900,800,true\n"


@pytest.mark.parametrize(("args", "code"), [
    (["--fail-on", "3A090.a.1"], 3),
    (["--fail-on", "presumption-of-denial"], 0),
    (["--fail-on", "license-required"], 0),  # only the diffusion rule, not enforced, says so
    (["--fail-on", "license-required", "--to", "CN"], 3),
    (["--fail-on", "license-required", "--to", "DE"], 0),
])
def test_streamed_and_document_exit_alike(sqlite_db: DatabaseUrl, tmp_path: Path,
                                          args: list[str], code: int) -> None:
    path = tmp_path / "d.csv"
    path.write_text(ROWS, encoding="utf-8")
    common = ["what-if", "--batch", str(path), "--as-of", "2026-06-01", *args]
    document = run(sqlite_db, *common, "-f", "json")
    assert document.code == code, document.err
    for fmt in ("csv", "jsonl", "tsv"):
        got = run(sqlite_db, *common, "-f", fmt)
        assert got.code == code, (fmt, got.err)
        lines = got.out.splitlines()
        assert len(lines) == 2 + (fmt != "jsonl")  # every row written, the gate after them
        assert ("an answer matched (exit 3)" in got.err) is (code == 3)
    fields = run(sqlite_db, *common, "-f", "csv", "--fields", "name,us-2024-12")
    assert fields.code == code
    assert list(csv.reader(io.StringIO(fields.out))) == [
        ["name", "us-2024-12"], ["small", "not-controlled"], ["big", "3A090.a.1"]]


def test_sweep_takes_fields_and_fail_on(sqlite_db: DatabaseUrl) -> None:
    grid = ["sweep", "--vary", "tpp=4000..5000:500", "--set", "die_area_mm2=800", "--set",
            "datacenter=true", "--as-of", "2026-06-01"]
    got = run(sqlite_db, *grid, "-f", "jsonl", "--fields", "tpp,us-2024-12",
              "--fail-on", "3A090.a.1")
    assert got.code == 3, got.err
    assert [json.loads(line) for line in got.out.splitlines()] == [
        {"tpp": 4000.0, "us-2024-12": "3A090.b.1"},  # 800 mm²: a density of 5 or more
        {"tpp": 4500.0, "us-2024-12": "3A090.b.1"},
        {"tpp": 5000.0, "us-2024-12": "3A090.a.1"}]
    kept = run(sqlite_db, *grid, "--only", "us-2024-12=3A090.b.1", "--fail-on", "3A090.a.1")
    assert kept.code == 0, kept.err  # the gate reads the rows written
    wrong = run(sqlite_db, *grid, "--fields", "tppp")
    assert wrong.code == 2 and "did you mean tpp" in wrong.err and wrong.out == ""
