"""Headroom for a design that does not exist equals headroom for the same chip imported."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import chip_toml, run, source_toml

CHIP = (source_toml("acme-sheet", "https://example.com/acme", "Acme A800 sheet", "Acme")
        + chip_toml("Acme A800mm", "Acme", "A800mm", "acme-sheet", bandwidth_gbps=4000,
                    throughput="bf16 = { dense = 1000 }"))

SETS = ["die_area_mm2=800", "non_planar=true", "logic_node_nm=5", "transistors_billion=50",
        "memory_bandwidth_gbps=4TB/s", "memory_capacity_gb=80", "contains_hbm=true",
        "bf16_dense_tops=1000", "datacenter=true", "vendor=Acme", "chip_family=A800mm"]


@pytest.fixture
def fresh(seeded_sqlite: object) -> object:
    return seeded_sqlite


def test_headroom_of_a_design_equals_the_imported_chip(fresh: object, tmp_path: Path) -> None:
    args = [a for s in SETS for a in ("--set", s)]
    design = run(fresh, "headroom", "blank", *args, "--as-of", "2026-12-01",  # type: ignore
                 "-f", "json")
    assert design.code == 0, design.err
    source = tmp_path / "acme.toml"
    source.write_text(CHIP, encoding="utf-8")
    imported = run(fresh, "import", str(source))  # type: ignore[arg-type]
    assert imported.code == 0, imported.err
    chip = run(fresh, "headroom", "Acme A800mm", "--as-of", "2026-12-01",  # type: ignore
               "-f", "json")
    assert chip.code == 0, chip.err
    rows = design.json()["headroom"]
    assert rows == chip.json()["headroom"]
    # the designer's reading of section 3.3: TPP down to 4,800 leaves 3A090.a.1
    assert {"rule": "us-2024-12", "metric": "tpp", "direction": "down", "current": 16000,
            "crosses_at": 4800, "change": -11200, "change_pct": -70, "from": "3A090.a.1",
            "to": "3A090.a.2"} in rows


def test_headroom_on_top_of_a_chip(db: object) -> None:
    plain = run(db, "headroom", "H20", "-f", "json").json()["headroom"]  # type: ignore
    moved = run(db, "headroom", "H20", "--set", "tpp=5000", "-f", "json")  # type: ignore
    assert moved.code == 0, moved.err
    rows = moved.json()["headroom"]
    assert rows != plain
    assert any(r["metric"] == "tpp" and r["current"] == 5000 and r["crosses_at"] == 4800
               for r in rows)
    assert moved.json()["chip"] == "H20 96GB (modified)"


def test_a_blank_headroom_needs_values(db: object) -> None:
    result = run(db, "headroom", "blank")  # type: ignore[arg-type]
    assert result.code == 2 and "--set" in result.err
