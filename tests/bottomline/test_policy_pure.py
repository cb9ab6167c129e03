"""chipdb.policy over plain values, and the strict destination loaders."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from chipdb.catalogue.build import seed_files
from chipdb.catalogue.destinations import read_destinations
from chipdb.errors import SeedError
from chipdb.layers import default_layers
from chipdb.policy import ChipFacts, RuleFacts, StoredMargin, StoredVerdict, answer
from chipdb.policy.places import answer_scopes, classes_on, skipped_scopes
from chipdb.policy.types import PlaceSet, Scope
from chipdb.store.package_data import seeds_dir

LAYERS = default_layers()
DAY = date(2025, 6, 1)
SEEDS = seeds_dir()


def _scope(**kw: object) -> Scope:
    base: dict[str, object] = dict(
        id="r.destination", rule="r", kind="licence-requirement", regime="US-EAR",
        direction="export", items=("3A090.a",), destinations=PlaceSet(plus=("CN",)),
        outcome="license-required", citation="c", evidence="official",
        valid_from=date(2024, 1, 1))
    base.update(kw)
    return Scope(**base)  # type: ignore[arg-type]


def _chip(outcome: str, determined: bool = True, rule: str = "r") -> ChipFacts:
    line = StoredMargin("3A090.a.1", "tpp", 4800.0, 5000.0, 4.2, True)
    return ChipFacts("X", "NVIDIA", (StoredVerdict(rule, outcome, determined, date(2024, 1, 1),
                                                   None, (), (line,), "3A090.a.1"),), {})


RULES = {"r": RuleFacts("r", "classification", "in-force", "cite")}


def test_a_caught_chip_needs_a_licence_where_the_scope_reaches() -> None:
    s = _scope()
    a = answer(_chip("3A090.a.1"), DAY, RULES, [s], frozenset({s.id}), frozenset(), LAYERS)
    assert a.license_required is True and a.basis[0].clause == "3A090.a.1"
    elsewhere = answer(_chip("3A090.a.1"), DAY, RULES, [s], frozenset(), frozenset(), LAYERS)
    assert elsewhere.license_required is False


def test_undetermined_is_never_no() -> None:
    s = _scope()
    a = answer(_chip("undetermined", False), DAY, RULES, [s], frozenset({s.id}), frozenset(),
               LAYERS)
    assert a.license_required is None


def _open(possible: tuple[str, ...]) -> ChipFacts:
    return ChipFacts("X", "NVIDIA", (StoredVerdict(
        "r", "undetermined", False, date(2024, 1, 1), None, (), (), None,
        possible=possible),), {})


@pytest.mark.parametrize(("items", "possible", "expected"), [
    # every possibility inside the scope's items: a licence whichever clause it is
    (("3A090",), ("3A090.a.2", "3A090.b.1"), True),
    (("3A090.a",), ("3A090.a.1", "3A090.a.2"), True),
    # one possibility outside: undetermined, never "no"
    (("3A090.a",), ("3A090.a.2", "3A090.b.1"), None),
    (("3A090",), ("3A090.b.2", "not-controlled"), None),
    # no possibility inside: no licence from this scope
    (("3A090.a",), ("3A090.b.1", "3A090.b.2"), False),
    # nothing bounds it: undetermined
    (("3A090",), (), None),
])
def test_an_open_verdict_decides_where_every_possible_outcome_agrees(
        items: tuple[str, ...], possible: tuple[str, ...], expected: bool | None) -> None:
    s = _scope(items=items)
    a = answer(_open(possible), DAY, RULES, [s], frozenset({s.id}), frozenset(), LAYERS)
    assert a.license_required is expected


@pytest.mark.parametrize("status", ["not-enforced", "draft", "dropped"])
def test_a_scope_not_enforced_never_requires_a_licence(status: str) -> None:
    s = _scope(status=status)
    a = answer(_chip("3A090.a.1"), DAY, RULES, [s], frozenset({s.id}), frozenset(), LAYERS)
    assert a.license_required is False
    assert [(m.rule, m.status) for m in a.measures] == [("r", status)]


def test_a_rule_not_enforced_never_requires_a_licence() -> None:
    rules = {"r": RuleFacts("r", "classification", "not-enforced", "cite")}
    s = _scope()
    a = answer(_chip("3A090.a.1"), DAY, rules, [s], frozenset({s.id}), frozenset(), LAYERS)
    assert a.license_required is False and a.measures[0].status == "not-enforced"


def test_the_hq_prong_needs_the_buyer_there() -> None:
    s = _scope(id="r.hq", destinations=PlaceSet(worldwide=True),
               buyer_hq=PlaceSet(any_of_groups=("D:5",)))
    chip = _chip("3A090.a.1")
    assert answer(chip, DAY, RULES, [s], frozenset({s.id}), frozenset(), LAYERS
                  ).license_required is False
    assert answer(chip, DAY, RULES, [s], frozenset({s.id}), frozenset({s.id}), LAYERS
                  ).license_required is True


def test_scopes_of_rules_not_loaded_are_skipped_not_fatal() -> None:
    places = read_destinations(SEEDS / "destinations")
    loaded = {"us-2024-12"}
    skipped = skipped_scopes(places.scopes, loaded)
    assert skipped and all(s.rule != "us-2024-12" for s in skipped)
    kept = answer_scopes(places.scopes, date(2026, 12, 1), loaded, LAYERS)
    assert kept and {s.rule for s in kept} == {"us-2024-12"}


def test_the_uae_changes_class_on_2026_07_10() -> None:
    # 91 FR 43034: out of D:3/D:4, into A:5; the 3A090.a/.b destination set drops it
    places = read_destinations(SEEDS / "destinations")
    loaded = {"us-2024-12"}

    def with_china(day: date) -> bool:
        dest, _ = classes_on(places.geography, answer_scopes(places.scopes, day, loaded,
                                                             LAYERS), day)
        ae = next(c for c in dest if "AE" in c.members)
        return "us-2024-12.destination" in ae.signature

    assert with_china(date(2026, 7, 9)) and not with_china(date(2026, 7, 10))


def test_hong_kong_is_treated_as_china_under_the_ear_only() -> None:
    geo = read_destinations(SEEDS / "destinations").geography
    assert geo.treated("HK", "US-EAR", DAY) == "CN"
    assert geo.treated("HK", "CN", DAY) == "HK"  # China's own customs: a separate territory


def test_seed_files_skip_destinations_and_events() -> None:
    parts = {p.relative_to(SEEDS).parts[0] for p in seed_files(SEEDS)}
    assert parts == {"chips", "rules"}


@pytest.mark.parametrize(("file", "old", "new", "words"), [
    ("groups.toml", 'code = "CN", source', 'code = "CN", colour = "red", source',
     "is not a known field"),
    ("scopes.toml", 'plus = ["CN"] }', 'plus = ["XX"] }', "'xx' is not a known country code"),
    ("countries.toml", 'code = "DE"', 'code = "de"', "string should match"),
])
def test_the_loaders_are_strict(tmp_path: Path, file: str, old: str, new: str,
                                words: str) -> None:
    folder = tmp_path / "destinations"
    shutil.copytree(SEEDS / "destinations", folder)
    text = (folder / file).read_text(encoding="utf-8")
    assert old in text
    (folder / file).write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(SeedError) as err:
        read_destinations(folder)
    assert file in str(err.value) and words in str(err.value).lower()


def test_every_destination_source_names_its_publisher_class() -> None:
    sources = read_destinations(SEEDS / "destinations").sources
    assert sources and all(s.publisher_class is not None for s in sources)
    assert all(s.publisher_class in ("government", "vendor")
               for s in sources if s.tier == "official")
    # a Federal Register document read on a third-party site is a mirror, not an official page
    justia = next(s for s in sources if s.key == "fr-88-2821")
    assert (justia.publisher_class, justia.tier) == ("mirror", "secondary")
    assert next(s for s in sources if s.key == "fr-88-73458").publisher_class == "government"


@pytest.mark.parametrize(("old", "new", "words"), [
    ('tier = "official"\nclass = "government"\n', 'tier = "official"\n',
     "source 'fr-85-83765': class: is required"),
    ('tier = "official"\nclass = "government"\n', 'tier = "official"\nclass = "press"\n',
     "source 'fr-85-83765': tier: 'official' needs class vendor or government, not 'press'"),
    ('tier = "official"\nclass = "government"\n', 'tier = "official"\nclass = "agency"\n',
     "class: input should be"),
])
def test_a_destination_source_without_a_sound_class_is_refused(
        tmp_path: Path, old: str, new: str, words: str) -> None:
    folder = tmp_path / "destinations"
    shutil.copytree(SEEDS / "destinations", folder)
    text = (folder / "sources.toml").read_text(encoding="utf-8")
    assert text.count(old) > 1  # the first one is fr-85-83765's
    (folder / "sources.toml").write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(SeedError) as err:
        read_destinations(folder)
    message = str(err.value)
    assert "sources.toml" in message and words in message.lower()
    assert "\n" not in message
