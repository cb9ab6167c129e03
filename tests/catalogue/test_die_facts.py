"""Published die facts the foundry rule and the density test read, each with the source that
publishes it (issue 15): the value, its tier and its source, read from the bundled seeds."""

from __future__ import annotations

from pathlib import Path

import pytest

from chipdb.store.write.rebuild import read_seed_catalogue


@pytest.fixture(scope="module")
def seeds() -> object:
    return read_seed_catalogue(Path("seeds"))


def _claim(seeds: object, chip: str, field: str) -> object:
    (record,) = [c for c in seeds.chips if c.spec.name == chip]  # type: ignore[attr-defined]
    (claim,) = [c for c in record.claims if c.field == field]
    return claim


@pytest.mark.parametrize("chip,field,value,tier,source", [
    # Cambricon's mass-production announcement (2021-01-22), as China Daily reported it
    ("MLU290-M5", "die.Siyuan 290.transistors_billion", 46.0, "secondary",
     "cn-chinadaily-siyuan290"),
    # Iluvatar CoreX's first GPGPU: 7 nm, 24 billion transistors (Geektopia, 2021-01-19)
    ("BI-V100", "die.Big Island (Tiangai 100).transistors_billion", 24.0, "secondary",
     "cn-geektopia-iluvatar-7nm"),
    ("BI-V100", "die.Big Island (Tiangai 100).node_nm", 7.0, "secondary",
     "cn-geektopia-iluvatar-7nm"),
    # Groq's ISCA 2020 abstract: "a 25x29mm 14nm chip"
    ("Groq LPU", "die.Groq TSP v1.area_mm2", 725.0, "official", "oth-groq-isca-2020"),
    ("Groq LPU", "die.Groq TSP v1.node_nm", 14.0, "official", "oth-groq-isca-2020"),
    # Bow's logic die is the GC200's Colossus Mk2 (EETimes: "otherwise identical")
    ("Bow IPU", "die.Colossus Mk2 (Bow logic die).transistors_billion", 59.4, "secondary",
     "oth-tweakers-gc200"),
    # BR104 is one BR100 tile: half the BR100's 77 B, derived as its area is
    ("BR104", "die.BR100-family compute tile.transistors_billion", 38.5, "secondary",
     "cn-toms-br100"),
    # B30A: no NVIDIA figure; one B300 die (208 B / 2), an estimate
    ("B30A", "die.Blackwell die (single, reported).transistors_billion", 104.0, "estimate",
     "nv-toms-blackwell-ultra"),
])
def test_a_published_die_fact_carries_its_source(seeds: object, chip: str, field: str,
                                                 value: float, tier: str, source: str) -> None:
    claim = _claim(seeds, chip, field)
    sources = {s.key: s for s in seeds.sources}  # type: ignore[attr-defined]
    own = claim.tier  # type: ignore[attr-defined]
    assert (claim.value, claim.source) == (value, source)  # type: ignore[attr-defined]
    assert (own or sources[source].tier) == tier


def test_bi_v100_one_die_is_bounded_by_the_reticle(seeds: object) -> None:
    claim = _claim(seeds, "BI-V100", "die.Big Island (Tiangai 100).area_mm2")
    assert (claim.low, claim.high, claim.tier, claim.source) == (  # type: ignore[attr-defined]
        0.0, 858.0, "bound", "asml-nxt-field")
