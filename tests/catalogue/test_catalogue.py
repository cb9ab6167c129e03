"""The bundled catalogue: every value sourced and plausible, TPPs agree with published ones,
and the verdicts that were published for the mission's chips come out of the engine."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from chipdb.catalogue import build_catalogue, load_paths, seed_files
from chipdb.metrics import compute_metrics
from chipdb.spec import ChipRecord
from tests.helpers import run

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = build_catalogue(load_paths(seed_files(ROOT / "seeds")))
CHIPS = {c.spec.name: c for c in CATALOGUE.chips}


def test_catalogue_is_large_enough() -> None:
    assert len(CHIPS) >= 170
    assert sum(1 for c in CHIPS.values() if c.spec.standalone_hbm) >= 3


def _numeric_fields(record: ChipRecord) -> set[str]:
    spec = record.spec
    fields: set[str] = set()
    for d in spec.dies:
        for attr in ("area_mm2", "transistors_billion", "node_nm"):
            if getattr(d, attr) is not None:
                fields.add(f"die.{d.name}.{attr}")
    for t in spec.throughputs:
        if t.dense_tops is not None:
            fields.add(f"throughput.{t.precision}.dense_tops")
        if t.sparse_tops is not None:
            fields.add(f"throughput.{t.precision}.sparse_tops")
    published_as = {"bidirectional": "bidirectional_gbps", "per-direction": "per_direction_gbps",
                    "unstated": "gbps"}
    for link in spec.io_links:
        if link.bidirectional_gbps is not None:
            fields.add(f"io.{link.name}.{published_as[link.direction]}")
    return fields


@pytest.mark.parametrize("name", sorted(CHIPS))
def test_every_numeric_value_has_a_preferred_sourced_claim(name: str) -> None:
    record = CHIPS[name]
    sources = {s.key for s in CATALOGUE.sources}
    claimed = {c.field for c in record.claims if c.preferred}
    missing = _numeric_fields(record) - claimed
    assert not missing, f"{name}: values without a source: {sorted(missing)}"
    assert all(c.source in sources for c in record.claims)


PUBLISHED_TPP = sorted(n for n, c in CHIPS.items()
                       if any(cl.field == "published.tpp" for cl in c.claims))


def test_some_chips_carry_a_published_tpp() -> None:
    assert {"H200 SXM", "RTX 4090"} <= set(PUBLISHED_TPP)


@pytest.mark.parametrize("name", PUBLISHED_TPP)
def test_computed_tpp_matches_published_tpp_within_one_percent(name: str) -> None:
    record = CHIPS[name]
    published = [c.value for c in record.claims if c.field == "published.tpp" and c.preferred]
    tpp = compute_metrics(record.spec).values["tpp"]
    assert tpp is not None
    assert math.isclose(tpp, float(published[0]), rel_tol=0.01), (tpp, published[0])


def test_mission_chips_are_present_with_defaults() -> None:
    for name in ("A800 SXM4 80GB", "H800 SXM", "H20 96GB", "H20 141GB", "H100 SXM"):
        assert name in CHIPS


# Published statements, each cited; the engine must agree (rule, date, chip, outcome).
CITED = [
    # NVIDIA 8-K 2022-08-31 / 87 FR 62186: A100 and H100 caught by the 2022 test
    ("us-2022-10", "2023-01-01", "A100", "3A090"),
    ("us-2022-10", "2023-01-01", "H100", "3A090"),
    # A800/H800 cut NVLink to 400 GB/s to stay under 600 (NVIDIA product pages; Reuters)
    ("us-2022-10", "2023-01-01", "A800", "not-controlled"),
    ("us-2022-10", "2023-01-01", "H800", "not-controlled"),
    # NVIDIA 8-K 2023-10-17: A100, A800, H100, H800, L40S, RTX 4090 covered by the 2023 rule
    ("us-2023-10", "2024-01-01", "A800", "3A090.a.1"),
    ("us-2023-10", "2024-01-01", "H800", "3A090.a.1"),
    ("us-2023-10", "2024-01-01", "H100", "3A090.a.1"),
    ("us-2023-10", "2024-01-01", "L40S", "3A090.a.1"),
    ("us-2023-10", "2024-01-01", "RTX 4090", "3A090.a.1"),
    # H20 (TPP 2,368, PD 2.9) and RTX 4090 D (TPP < 4,800, consumer) designed to pass
    # (Tom's Hardware; SemiAnalysis via smbom; tomshw.it)
    ("us-2023-10", "2024-06-01", "H20", "not-controlled"),
    ("us-2023-10", "2024-06-01", "RTX 4090 D", "not-controlled"),
    # NVIDIA 8-K 2025-04-15: licence required for the H20
    ("us-2025-04-h20", "2025-06-01", "H20", "license-required"),
    ("us-2025-04-h20", "2025-06-01", "H20 141GB", "license-required"),
    # 91 FR 1684 names H200 and MI325X as case-by-case
    ("us-2026-01", "2026-06-01", "H200", "case-by-case"),
    ("us-2026-01", "2026-06-01", "MI325X", "case-by-case"),
    # NVIDIA 10-Q (quarter to 2026-04-26): H200 imported for testing pays the 232 duty
    ("us-2026-01-s232", "2026-06-01", "H200", "tariff-25"),
    # B200 above 21,000 TPP: presumption of denial (rule text does not name Blackwell)
    ("us-2026-01", "2026-06-01", "B200", "presumption-of-denial"),
    # RTX 5090 D V2 cut to 1,344 GB/s "to comply with U.S. export restrictions" (Tom's)
    ("us-2025-04-h20", "2025-09-01", "RTX 5090 D V2", "not-covered"),
]


@pytest.mark.parametrize("rule,day,chip,expected", CITED)
def test_published_verdicts(db: object, rule: str, day: str, chip: str,
                            expected: str) -> None:
    data = run(db, "compare", chip, "--as-of", day, "-f", "json")  # type: ignore
    assert data.code == 0, data.err
    outcomes = {v["rule"]: v["outcome"] for v in data.json()["chips"][0]["verdicts"]}
    assert outcomes[rule] == expected


@pytest.mark.parametrize("chip", ["A800", "H800", "H20", "H20 141GB"])
def test_mission_chips_are_determined_under_every_rule(db: object, chip: str) -> None:
    data = run(db, "compare", chip, "--all-rules", "-f", "json").json()  # type: ignore
    undetermined = [v["rule"] for v in data["chips"][0]["verdicts"]
                    if v["outcome"] == "undetermined"]
    assert not undetermined, undetermined


# Chips added for issue 16 that fall in 3A090 on their published numbers (crosscheck-2026-12
# §5.2), each on the last day of the 2022 text and the first day of the 2023 one (2023-11-17).
NEW_CHIPS_AT_THE_2023_LINE = [
    # Hanguang 800: TPP 6,600 (825 TOPS INT8 x 8); under the 2022 text its 64 GB/s PCIe I/O
    # is far below the 600 GB/s line, so it was not controlled
    ("Hanguang 800", "us-2022-10", "2023-11-16", "not-controlled"),
    ("Hanguang 800", "us-2023-10", "2023-11-17", "3A090.a.1"),
    # MLU290-M5: TPP 4,096 < 4,800 but performance density 7.31 >= 5.92
    ("MLU290-M5", "us-2023-10", "2023-11-17", "3A090.a.2"),
    # TPU v4i: TPP 2,208 >= 1,600 with density 5.52 between 3.2 and 5.92: the .b.2 band
    ("TPU v4i", "us-2023-10", "2023-11-17", "3A090.b.2"),
    ("RTX 6000 Ada", "us-2023-10", "2023-11-17", "3A090.a.1"),  # TPP 5,828, non-datacenter
]


@pytest.mark.parametrize("chip,rule,day,expected", NEW_CHIPS_AT_THE_2023_LINE)
def test_new_chips_fall_where_their_published_numbers_put_them(
        db: object, chip: str, rule: str, day: str, expected: str) -> None:
    data = run(db, "compare", chip, "--as-of", day, "-f", "json")  # type: ignore
    assert data.code == 0, data.err
    outcomes = {v["rule"]: v["outcome"] for v in data.json()["chips"][0]["verdicts"]}
    assert outcomes[rule] == expected


def test_the_910b_skus_are_named_by_the_bis_guidance(db: object) -> None:
    # BIS's 2025-05-13 guidance names the Ascend 910B, 910C and 910D: every 910B SKU in the
    # catalogue (a variant of the family) is named, other PRC Ascend parts that meet 3A090
    # are only presumed, and the day before nothing is in force
    query = ("SELECT c.chip, v.outcome FROM chip_specs c JOIN chip_verdict v ON v.chip = c.chip "
             "WHERE v.rule = 'us-2025-05-guidance' AND c.family IN ('Ascend 910B', 'Ascend 910') "
             "ORDER BY c.chip")
    result = run(db, "sql", query, "-f", "json")  # type: ignore[arg-type]
    assert result.code == 0, result.err
    outcomes = {r["chip"]: r["outcome"] for r in result.json()}
    skus = {"Ascend 910B", "Ascend 910B Pro", "Ascend 910B1", "Ascend 910B2", "Ascend 910B3",
            "Ascend 910B4"}
    assert {c: o for c, o in outcomes.items() if c in skus} == dict.fromkeys(
        skus, "named-prc-3a090")
    assert outcomes["Ascend 910"] == "presumed-prc-3a090"
    data = run(db, "compare", "Ascend 910B1", "--as-of", "2025-05-12", "-f",  # type: ignore
               "json").json()
    assert "us-2025-05-guidance" not in {v["rule"] for v in data["chips"][0]["verdicts"]}
