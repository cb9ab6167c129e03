"""Source-quality checks: who published each source, and which values may rest on whom.

Each ``[[source]]`` names its publisher ``class``. A preferred value may not rest on a weak class
(a mirror, a spec database, a dealer, a generated page) while a vendor or government source for
the same chip gives that field: the primary figure is preferred, the weak one stays an
alternative. Tier ``official`` means the vendor or a government published it, so it goes only
with those classes; in the bundled seeds it also needs a document that names the chip (a value
carried over from a sibling's datasheet is a derivation, tier secondary).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from chipdb.errors import SeedError
from chipdb.spec import ChipRecord, SourceRecord

PUBLISHER_CLASSES = ("vendor", "government", "standards", "press", "analyst", "blog", "mirror",
                     "database", "dealer", "generated")
WEAK_CLASSES = ("mirror", "database", "dealer", "generated")
PRIMARY_CLASSES = ("vendor", "government")


def check_source(file: str, source: SourceRecord, origin: str) -> None:
    """A bundled source names its class; an ``official`` tier needs a primary publisher."""
    record = f"source '{source.key}'"
    if source.publisher_class is None:
        if origin == "seed":
            raise SeedError(file, record, "class",
                            f"is required: one of {', '.join(PUBLISHER_CLASSES)}")
        return
    if source.tier == "official" and source.publisher_class not in PRIMARY_CLASSES:
        raise SeedError(file, record, "tier",
                        f"'official' needs class vendor or government, not "
                        f"'{source.publisher_class}': use tier secondary")


def check_chip(chip: ChipRecord, classes: Mapping[str, str | None]) -> None:
    """No claim tiered official on a non-primary source; no preferred value on a weak source
    where a vendor or government source gives the same field."""
    file, record = chip.source_file or "-", f"chip '{chip.spec.name}'"
    by_field: dict[str, list[str]] = {}
    for claim in chip.claims:
        cls = classes.get(claim.source)
        if claim.tier == "official" and cls is not None and cls not in PRIMARY_CLASSES:
            raise SeedError(file, record, claim.field,
                            f"tier 'official' on source '{claim.source}' of class '{cls}': "
                            "official needs class vendor or government")
        by_field.setdefault(claim.field, []).append(claim.source)
    for claim in chip.claims:
        cls = classes.get(claim.source)
        if not claim.preferred or cls not in WEAK_CLASSES:
            continue
        primary = [s for s in by_field[claim.field] if classes.get(s) in PRIMARY_CLASSES]
        if primary:
            raise SeedError(file, record, claim.field,
                            f"the preferred value rests on '{claim.source}' (class {cls}) "
                            f"although '{primary[0]}' (class {classes[primary[0]]}) gives it: "
                            "prefer the primary source and keep the other as an alternative")


def _letters(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def names_the_chip(source: SourceRecord, chip: ChipRecord, field: str) -> bool:
    """Whether the document names the chip a claim is about: the chip's name, an alias or its
    family in the source's title, address or ``names``; for a die's field, the die's name too."""
    wanted = {chip.spec.name, chip.family, *chip.aliases}
    if field.startswith("die."):
        wanted.add(field.split(".")[1])
    text = _letters(" ".join((source.title, source.url, *source.names)))
    return any(_letters(name) and _letters(name) in text for name in wanted)


def check_official_names_chip(chip: ChipRecord, sources: Mapping[str, SourceRecord]) -> None:
    """A claim of tier official (its own or its source's) cites a document naming the chip."""
    for claim in chip.claims:
        source = sources.get(claim.source)
        if source is None or (claim.tier or source.tier) != "official":
            continue
        if not names_the_chip(source, chip, claim.field):
            raise SeedError(chip.source_file or "-", f"chip '{chip.spec.name}'", claim.field,
                            f"tier 'official' on '{source.key}', a document that does not name "
                            "the chip: add the chip to the source's names if the document names "
                            "it, or make the claim a derivation with tier secondary")


def check_catalogue(file_sources: Sequence[tuple[str, SourceRecord]],
                    chips: Sequence[ChipRecord], known: Mapping[str, str | None],
                    origin: str) -> None:
    """Every source-quality check over a set of files; raises on the first problem."""
    for file, source in file_sources:
        check_source(file, source, origin)
    classes = dict(known) | {s.key: s.publisher_class for _, s in file_sources}
    defined = {s.key: s for _, s in file_sources}
    for chip in chips:
        check_chip(chip, classes)
        if origin == "seed":  # a user's sources do not list the chips they name
            check_official_names_chip(chip, defined)
