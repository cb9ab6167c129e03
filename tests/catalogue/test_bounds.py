"""Ranges and bounds as sourced claims: parsed, checked, preferred only where they may be."""

from __future__ import annotations

import math

import pytest

from chipdb.catalogue import build_catalogue, parse_text
from chipdb.catalogue.claims import spans
from chipdb.errors import SeedError
from chipdb.store.write.rebuild import read_seed_catalogue

SOURCES = """
[[source]]
key = "vendor"
url = "https://example.com/vendor"
title = "Datasheet"
publisher = "Vendor"
tier = "official"
class = "vendor"

[[source]]
key = "guess"
url = "https://example.com/guess"
title = "Blog"
publisher = "Blogger"
tier = "estimate"
class = "blog"
"""


def catalogue(chip: str) -> object:
    text = SOURCES + "\n[[chip]]\nname = \"X1\"\nvendor = \"V\"\nfamily = \"X\"\n" + chip
    return build_catalogue([("t.toml", parse_text(text, "t.toml"))])


def claims(chip: str) -> list[object]:
    built = catalogue(chip)
    return list(built.chips[0].claims)  # type: ignore[attr-defined]


def test_an_at_most_claim_is_a_bound_from_zero_with_its_source() -> None:
    (claim,) = [c for c in claims('[[chip.die]]\nname = "d"\nsource = "vendor"\n'
                                  'non_planar = true\n'
                                  'area_mm2 = { at_most = 858, source = "vendor" }\n')
                if c.field == "die.d.area_mm2"]  # type: ignore[attr-defined]
    assert (claim.value, claim.low, claim.high, claim.tier, claim.source) == (  # type: ignore
        None, 0.0, 858.0, "bound", "vendor")


def test_a_range_and_an_at_least_claim() -> None:
    found = claims('[chip.throughput]\nfp16 = { dense = [280, 400], source = "guess" }\n'
                   '[[chip.die]]\nname = "d"\narea_mm2 = { at_least = 400, source = "guess" }\n')
    got = spans(found)  # type: ignore[arg-type]
    assert got["throughput.fp16.dense_tops"] == (280.0, 400.0)
    assert got["die.d.area_mm2"] == (400.0, math.inf)


def test_a_throughput_lower_bound_is_an_open_range_to_infinity() -> None:
    # a measured sustained rate bounds the dense peak from below only (Cerebras WSE, WSE-2)
    found = claims('[chip.throughput]\nfp16 = { dense = [860, inf], source = "guess", '
                   'tier = "bound", derivation = "a sustained rate is below the peak" }\n')
    (claim,) = found
    assert (claim.low, claim.high, claim.tier) == (860.0, math.inf, "bound")  # type: ignore
    assert spans(found)["throughput.fp16.dense_tops"] == (860.0, math.inf)  # type: ignore


def test_the_cerebras_wafers_carry_a_sourced_lower_bound_on_the_dense_rate() -> None:
    seeds = read_seed_catalogue(__import__("pathlib").Path("seeds"))
    lows = {}
    for record in seeds.chips:
        if record.spec.vendor == "Cerebras":
            (rate,) = [c for c in record.claims if c.field.startswith("throughput.")]
            assert (rate.field, rate.tier) == ("throughput.fp16.dense_tops", "bound")
            assert rate.source.startswith("oth-nextbigfuture-") and rate.derivation
            lows[record.spec.name] = rate.low
    # TPP >= 16 x the bound, far above the 4,800 of 3A090.a.1 for every generation
    assert lows == {"WSE": 860.0, "WSE-2": 503.0, "WSE-3": 503.0}


@pytest.mark.parametrize("field,problem", [
    ('area_mm2 = { range = [900, 800], source = "vendor" }', "from low to high"),
    ('area_mm2 = { value = 5, at_most = 858, source = "vendor" }', "give one of"),
    ('non_planar = { at_most = 1, source = "vendor" }', "only a number"),
    ('area_mm2 = { at_most = 9e9, source = "vendor" }', "plausible range"),
])
def test_a_wrong_range_is_one_line_naming_the_field(field: str, problem: str) -> None:
    with pytest.raises(SeedError, match=problem):
        catalogue(f'[[chip.die]]\nname = "d"\n{field}\n')


def test_an_estimate_is_never_preferred_over_an_official_figure() -> None:
    with pytest.raises(SeedError, match="prefers a estimate claim over the official"):
        catalogue('[[chip.die]]\nname = "d"\narea_mm2 = [\n'
                  '  { value = 800, source = "guess", preferred = true, reason = "newer" },\n'
                  '  { value = 814, source = "vendor" },\n]\n')
    # where no vendor figure exists, it may be
    catalogue('[[chip.die]]\nname = "d"\narea_mm2 = [\n'
              '  { value = 800, source = "guess", preferred = true, reason = "only one" },\n'
              '  { at_most = 858, source = "vendor" },\n]\n')


def test_a_convention_takes_its_default_or_its_alternative() -> None:
    built = build_catalogue([("c.toml", parse_text("[conventions]\ntf32_bits = 32\n", "c.toml"))])
    assert built.conventions == (("tf32_bits", 32.0),)
    with pytest.raises(SeedError, match="takes 19"):
        build_catalogue([("c.toml", parse_text("[conventions]\ntf32_bits = 20\n", "c.toml"))])
    with pytest.raises(SeedError, match="is not a convention"):
        build_catalogue([("c.toml", parse_text("[conventions]\nfp8_bits = 8\n", "c.toml"))])


@pytest.mark.parametrize("chip", ["TPU v5e", "MI210", "Trainium1", "Inferentia2", "Ascend 910",
                                  "Ascend 910B4", "Cloud AI 100 Pro", "RNGD"])
def test_the_named_chips_carry_the_reticle_bound_as_a_sourced_claim(chip: str) -> None:
    seeds = read_seed_catalogue(__import__("pathlib").Path("seeds"))
    (record,) = [c for c in seeds.chips if c.spec.name == chip]
    bounds = [c for c in record.claims if c.field.endswith("area_mm2") and c.low is not None]
    assert [(b.high, b.tier, b.source) for b in bounds] == [(858.0, "bound", "asml-nxt-field")]


def test_the_per_ic_convention_reads_the_sourced_ics_per_card() -> None:
    built = build_catalogue([("c.toml", parse_text("[conventions]\nper_ic = 1\n", "c.toml"))])
    assert built.conventions == (("per_ic", 1.0),)
    with pytest.raises(SeedError, match="takes 0"):
        build_catalogue([("c.toml", parse_text("[conventions]\nper_ic = 2\n", "c.toml"))])
    seeds = read_seed_catalogue(__import__("pathlib").Path("seeds"))
    cards = {c.spec.name: c.spec.ics_per_card for c in seeds.chips if c.spec.ics_per_card}
    assert cards == {"MLU370-X8": 2.0, "Wormhole n300": 2.0, "Cloud AI 100 Ultra": 4.0}
    (claim,) = [c for c in next(c for c in seeds.chips if c.spec.name == "Wormhole n300").claims
                if c.field == "ics_per_card"]
    assert claim.source == "oth-tenstorrent-wormhole-specs"
