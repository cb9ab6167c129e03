"""Source quality: every bundled source names its publisher class, 'official' means a vendor or
a government, and no preferred value rests on a weak class where a primary source gives it."""

from __future__ import annotations

from pathlib import Path

import pytest

from chipdb.catalogue import build_catalogue, load_paths, parse_text, seed_files
from chipdb.catalogue.quality import (
    PRIMARY_CLASSES,
    PUBLISHER_CLASSES,
    WEAK_CLASSES,
    names_the_chip,
)
from chipdb.errors import SeedError
from chipdb.spec import ChipRecord
from chipdb.store.write.rebuild import parse_user_import, read_seed_catalogue

ROOT = Path(__file__).resolve().parents[2]
SEEDS = read_seed_catalogue(ROOT / "seeds")


def source(key: str, cls: str | None, tier: str = "secondary") -> str:
    # the title names chip X1, so an official tier on it passes the naming check
    line = f'class = "{cls}"\n' if cls else ""
    return (f'[[source]]\nkey = "{key}"\nurl = "https://example.org/{key}"\ntitle = "X1 t"\n'
            f'publisher = "p"\ntier = "{tier}"\n{line}')


CHIP = '[[chip]]\nname = "X1"\nvendor = "v"\nfamily = "f"\n'


def build(text: str, origin: str = "seed") -> list[ChipRecord]:
    return list(build_catalogue([("x.toml", parse_text(text, "x.toml"))], origin=origin).chips)


def problem(text: str) -> str:
    with pytest.raises(SeedError) as info:
        build(text)
    return info.value.message


def test_a_bundled_source_must_name_its_class() -> None:
    assert problem(source("s", None)) == (
        "x.toml: source 's': class: is required: one of " + ", ".join(PUBLISHER_CLASSES))
    assert "class: Input should be" in problem(source("s", "rumour-mill"))
    build(source("s", "press"))  # named: accepted


def test_a_user_import_may_leave_the_class_out() -> None:
    text = (source("my-notes", None, "estimate") + CHIP
            + 'tdp_w = { value = 300, source = "my-notes" }\n')
    [chip] = parse_user_import("u.toml", text, SEEDS).chips
    assert chip.tdp_w == 300


@pytest.mark.parametrize("cls", PUBLISHER_CLASSES)
def test_official_tier_only_with_a_vendor_or_government(cls: str) -> None:
    text = source("s", cls, tier="official")
    if cls in PRIMARY_CLASSES:
        build(text)
    else:
        assert problem(text) == (f"x.toml: source 's': tier: 'official' needs class vendor or "
                                 f"government, not '{cls}': use tier secondary")


def test_an_official_claim_tier_on_a_non_primary_source_is_refused() -> None:
    text = source("news", "press") + CHIP + (
        'tdp_w = { value = 300, source = "news", tier = "official" }\n')
    assert problem(text) == ("x.toml: chip 'X1': tdp_w: tier 'official' on source 'news' of "
                             "class 'press': official needs class vendor or government")
    build(source("sheet", "vendor", "official") + CHIP
          + 'tdp_w = { value = 300, source = "sheet", tier = "official" }\n')


VENDOR_AND_MIRROR = source("sheet", "vendor", "official") + source("copy", "mirror")


@pytest.mark.parametrize("weak", WEAK_CLASSES)
def test_a_weak_preferred_value_with_a_primary_alternative_fails_the_build(weak: str) -> None:
    text = source("sheet", "vendor", "official") + source("copy", weak) + CHIP + (
        'tdp_w = [\n  { value = 300, source = "copy", preferred = true, reason = "r" },\n'
        '  { value = 350, source = "sheet" },\n]\n')
    assert problem(text) == (
        f"x.toml: chip 'X1': tdp_w: the preferred value rests on 'copy' (class {weak}) although "
        "'sheet' (class vendor) gives it: prefer the primary source and keep the other as an "
        "alternative")


def test_the_other_side_of_the_weak_source_check() -> None:
    # the primary figure preferred, the weak one an alternative: accepted
    build(VENDOR_AND_MIRROR + CHIP + (
        'tdp_w = [\n  { value = 350, source = "sheet", preferred = true, reason = "vendor" },\n'
        '  { value = 300, source = "copy" },\n]\n'))
    # a weak source alone for a field, even with a vendor source for another field: accepted
    [chip] = build(VENDOR_AND_MIRROR + CHIP + 'source = "sheet"\ndatacenter = true\n'
                   'tdp_w = { value = 300, source = "copy" }\n')
    assert chip.tdp_w == 300
    # a press source preferred over the vendor is a judgement the check leaves to the reason
    build(source("sheet", "vendor", "official") + source("news", "press") + CHIP + (
        'tdp_w = [\n  { value = 300, source = "news", preferred = true, reason = "later" },\n'
        '  { value = 350, source = "sheet" },\n]\n'))


def test_the_check_sees_bundled_classes_from_an_import() -> None:
    weak = next(s for s in SEEDS.sources if s.publisher_class in WEAK_CLASSES)
    vendor = next(s for s in SEEDS.sources if s.publisher_class == "vendor")
    text = CHIP + (f'tdp_w = [\n  {{ value = 300, source = "{weak.key}", preferred = true, '
                   f'reason = "r" }},\n  {{ value = 350, source = "{vendor.key}" }},\n]\n')
    with pytest.raises(SeedError) as info:
        parse_user_import("u.toml", text, SEEDS)
    assert f"rests on '{weak.key}' (class {weak.publisher_class})" in info.value.message


def test_every_bundled_source_names_a_class_and_official_means_primary() -> None:
    catalogue = build_catalogue(load_paths(seed_files(ROOT / "seeds")))
    assert all(s.publisher_class in PUBLISHER_CLASSES for s in catalogue.sources)
    assert all(s.publisher_class in PRIMARY_CLASSES
               for s in catalogue.sources if s.tier == "official")


def named_chip(top: str = "") -> str:
    """Chip 'X1 SXM' of family X1 with a die XD100 whose area cites 'sheet'; ``top`` adds
    chip-level lines."""
    return ('[[chip]]\nname = "X1 SXM"\nvendor = "v"\nfamily = "X1"\n' + top
            + '[[chip.die]]\nname = "XD100"\narea_mm2 = { value = 800, source = "sheet" }\n')


TDP = 'tdp_w = { value = 300, source = "sheet" }\n'


def sheet(title: str, names: str = "") -> str:
    return (f'[[source]]\nkey = "sheet"\nurl = "https://example.org/sheet"\ntitle = "{title}"\n'
            f'publisher = "p"\ntier = "official"\nclass = "vendor"\n{names}')


def test_an_official_claim_needs_a_document_that_names_the_chip() -> None:
    # a sibling's datasheet: official by its source, but about another chip
    assert problem(sheet("Y9 datasheet", 'names = ["XD100"]\n') + named_chip(TDP)) == (
        "x.toml: chip 'X1 SXM': tdp_w: tier 'official' on 'sheet', a document that does not "
        "name the chip: add the chip to the source's names if the document names it, or make "
        "the claim a derivation with tier secondary")
    # the same value as a stated derivation at tier secondary is accepted
    build(sheet("Y9 datasheet", 'names = ["XD100"]\n') + named_chip(
        'tdp_w = { value = 300, source = "sheet", tier = "secondary", derivation = "as Y9" }\n'))


@pytest.mark.parametrize(("title", "names"), [
    ("X1 datasheet", ""),                                 # the family in the title
    ("X1 SXM datasheet", ""),                             # the chip itself
    ("Architecture whitepaper", 'names = ["X1 SXM"]\n'),  # named in the text, listed in names
])
def test_a_document_naming_the_chip_or_its_family_may_be_official(title: str,
                                                                 names: str) -> None:
    [chip] = build(sheet(title, names) + named_chip(TDP))
    assert chip.tdp_w == 300


def test_a_die_figure_may_cite_the_document_that_names_the_die() -> None:
    # die.XD100.area_mm2 from a whitepaper that names the XD100 die, not the chip
    build(sheet("Architecture whitepaper", 'names = ["XD100"]\n') + named_chip())
    assert "die.XD100.area_mm2" in problem(sheet("Architecture whitepaper") + named_chip())


def test_a_user_import_is_not_asked_to_list_names() -> None:
    [chip] = build(sheet("Y9 datasheet") + named_chip(TDP), origin="user")
    assert chip.tdp_w == 300


def test_no_bundled_official_claim_cites_a_document_that_does_not_name_its_chip() -> None:
    sources = {s.key: s for s in SEEDS.sources}
    official = [(chip, c) for chip in SEEDS.chips for c in chip.claims
                if (c.tier or sources[c.source].tier) == "official"]
    assert len(official) > 500  # the check below has something to check
    assert [(chip.spec.name, c.field, c.source) for chip, c in official
            if not names_the_chip(sources[c.source], chip, c.field)] == []
    # the A800 and H800 carry A100/H100 figures only as derivations, never as official
    assert not [c for chip, c in official if chip.family in ("A800", "H800")
                and not c.field.startswith("die.")]
