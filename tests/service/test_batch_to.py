"""Batch and sweep ``--to``: a design's bottom line per destination equals the stored bottom line
of the same chip in the catalogue (``chipdb check CHIP --to D``), on both engines.

Each catalogue chip below is written as a batch row of its own base quantities (the inputs
``design_inputs`` gives, as ``what-if`` starts from them), so the design and the chip have the
same verdicts and the answers must agree: licence required, exceptions, review policy and the
basis (rule and clause) it was decided on.
"""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from chipdb.errors import NotFoundError
from chipdb.metricdefs import INPUT_KEYS
from chipdb.service import designs
from chipdb.service.session import open_session
from chipdb.store.url import DatabaseUrl
from tests.helpers import run

CHIPS = ["H100 SXM", "H20", "A100 SXM4 80GB", "RTX 4090", "MI300X", "Gaudi 3", "L40S"]
PLACES = ["CN", "DE", "AE", "US"]
DAY = date(2026, 12, 1)


def _rows(db: DatabaseUrl) -> tuple[list[str], list[dict[str, Any]]]:
    """The chips (those in this catalogue) and their base quantities, without ranges."""
    found: list[str] = []
    rows: list[dict[str, Any]] = []
    with open_session(db) as s:
        for chip in CHIPS:
            try:
                resolved, inputs = designs.design_inputs_of(s, chip, {})
            except NotFoundError:  # a chip this catalogue does not hold
                continue
            if resolved is None or any(k.endswith(("_low", "_high")) for k in inputs):
                continue
            found.append(resolved.chip)
            rows.append({k: v for k, v in inputs.items() if k in INPUT_KEYS})
    return found, rows


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def test_a_design_answers_as_the_same_chip_in_the_catalogue(db: DatabaseUrl,
                                                            tmp_path: Path) -> None:
    chips, inputs = _rows(db)
    assert len(chips) >= 4, chips
    keys = sorted({k for r in inputs for k in r})
    path = tmp_path / "designs.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["name", *keys])
        for chip, row in zip(chips, inputs, strict=True):
            w.writerow([chip, *(_cell(row.get(k)) for k in keys)])
    args = [a for p in PLACES for a in ("--to", p)]
    got = run(db, "what-if", "--batch", str(path), *args, "--as-of", DAY.isoformat(),
              "-f", "jsonl")
    assert got.code == 0, got.err
    designed = {r["name"]: r for r in map(json.loads, got.out.splitlines())}
    seen_required = set()
    for chip in chips:
        for place in PLACES:
            stored = run(db, "check", chip, "--to", place, "--as-of", DAY.isoformat(),
                         "-f", "json")
            assert stored.code == 0, stored.err
            answer = stored.json()[0]
            mine = designed[chip]
            assert mine[f"{place}:license_required"] == answer["license_required"], (chip, place)
            seen_required.add(answer["license_required"])
            assert (mine[f"{place}:exceptions"] or "") == "; ".join(answer["exceptions"])
            assert mine[f"{place}:review_policy"] == answer["review_policy"], (chip, place)
            basis = {f"{b['rule']} {b['clause'] or b['outcome']}" for b in answer["basis"]}
            assert set((mine[f"{place}:decided_by"] or "").split("; ")) == basis, (chip, place)
    assert {True, False} <= seen_required  # both sides of the answer were compared


def test_the_binding_line_of_a_licence_required(sqlite_db: DatabaseUrl, tmp_path: Path) -> None:
    # TPP 5,000 on a datacenter die: 3A090.a.1 for China, caught by us-2024-12 alone, whose
    # nearest line that changes it is TPP 4,800 (+200, +4.1667 %)
    path = tmp_path / "one.csv"
    path.write_text("name,tpp,die_area_mm2,datacenter,vendor\n"
                    "x,5000,800,true,Acme\n", encoding="utf-8")
    got = run(sqlite_db, "what-if", "--batch", str(path), "--to", "China", "--as-of",
              DAY.isoformat(), "-f", "csv")
    assert got.code == 0, got.err
    row = dict(zip(*csv.reader(io.StringIO(got.out)), strict=True))
    assert row["us-2024-12"] == "3A090.a.1"
    assert row["CN:license_required"] == "true"
    assert row["CN:binding"] in ("us-2024-12: tpp >= 4800", "us-2024-12: tpp < 4800")
    assert float(row["CN:margin"]) == 200.0
    assert float(row["CN:margin_pct"]) == pytest.approx(4.1667)


def test_sweep_takes_to(sqlite_db: DatabaseUrl) -> None:
    got = run(sqlite_db, "sweep", "--vary", "tpp=4000..5600:800", "--set", "die_area_mm2=800",
              "--set", "datacenter=true", "--to", "CN", "--as-of", DAY.isoformat(),
              "--only", "us-2024-12=3A090.a.1")
    assert got.code == 0, got.err
    rows = list(csv.DictReader(io.StringIO(got.out)))
    assert [r["tpp"] for r in rows] == ["4800", "5600"]
    assert {r["CN:license_required"] for r in rows} == {"true"}


@pytest.mark.parametrize(("args", "text"), [
    (["--party-hq", "CN"], "--party-hq needs --to"),
    (["--to", "D:5"], "is a group"),
    (["--to", "Atlantis"], "unknown destination"),
])
def test_to_mistakes_are_one_line(sqlite_db: DatabaseUrl, tmp_path: Path, args: list[str],
                                  text: str) -> None:
    path = tmp_path / "one.csv"
    path.write_text("name,tpp\nx,5000\n", encoding="utf-8")
    got = run(sqlite_db, "what-if", "--batch", str(path), *args)
    assert got.code != 0 and got.out == ""
    assert text in got.err and len(got.err.strip().splitlines()) == 1


def test_the_bottom_lines_are_the_same_for_any_chunk_size(sqlite_db: DatabaseUrl,
                                                         tmp_path: Path) -> None:
    from chipdb.service.batch import run_batch
    from chipdb.service.batch_to import bottom_lines

    path = tmp_path / "designs.csv"
    path.write_text("name,tpp,die_area_mm2,datacenter,memory_bandwidth_gbps,vendor\n" + "".join(
        f"d{i},{(i * 977) % 30000},{200 + (i * 37) % 700},{'true' if i % 3 else 'no'},"
        f"{(i * 331) % 8000},{'NVIDIA' if i % 2 else 'Acme'}\n" for i in range(300)),
        encoding="utf-8")
    with open_session(sqlite_db) as s:
        rules = designs.load_rules(s)
        lines = bottom_lines(s, ["CN", "DE"], None, DAY, rules)
    texts = []
    for chunk in (7, 10_000):
        out = io.StringIO()
        run_batch(path, rules, DAY, "csv", out, chunk_rows=chunk, to=lines)
        texts.append(out.getvalue())
    assert texts[0] == texts[1]
    rows = list(csv.DictReader(io.StringIO(texts[0])))
    assert {"true", "false"} <= {r["CN:license_required"] for r in rows}
