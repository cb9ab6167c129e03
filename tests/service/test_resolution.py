"""The library resolves what people type: every service function, one name rule, no KeyError."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from chipdb.errors import NotFoundError, UsageError
from chipdb.service import catalogue, designs
from chipdb.service.session import Session, open_session
from chipdb.store.url import DatabaseUrl

DAY = date(2026, 6, 1)


@pytest.fixture
def s(db: DatabaseUrl) -> Iterator[Session]:
    with open_session(db) as session:
        yield session


@pytest.mark.parametrize("typed", ["H100 SXM", "h100 sxm", "H100-SXM", " h100_sxm ",
                                   "HGX H100", "hgx-h100", "H100"])
def test_compare_takes_what_people_type(s: Session, typed: str) -> None:
    report = catalogue.compare(s, [typed], DAY)
    assert [c.name for c in report.chips] == ["H100 SXM"]
    assert report.resolved[0].typed == typed


def test_the_resolution_says_how_and_what_else(s: Session) -> None:
    by_name, by_alias, by_family = s.resolve(["H100 SXM", "HGX H100", "h100"])
    assert (by_name.via, by_name.other_variants) == ("name", ())
    assert (by_alias.via, by_alias.other_variants) == ("alias", ())
    assert by_family.via == "family" and by_family.chip == "H100 SXM"
    assert set(by_family.other_variants) == {"H100 NVL", "H100 PCIe"}


def test_one_string_is_one_chip_and_repeats_collapse(s: Session) -> None:
    assert [c.name for c in catalogue.compare(s, "H20", DAY).chips] == ["H20 96GB"]
    report = catalogue.compare(s, ["H20", "h20 96gb", "H100"], DAY)
    assert [c.name for c in report.chips] == ["H20 96GB", "H100 SXM"]
    assert len(report.resolved) == 3  # every typed name keeps its resolution


@pytest.mark.parametrize("call", [
    lambda s: catalogue.compare(s, ["h20", "H2O"], DAY),
    lambda s: catalogue.show(s, "H2O"),
    lambda s: catalogue.check(s, "H2O", DAY),
    lambda s: catalogue.timeline(s, "H2O"),
    lambda s: designs.what_if(s, "H2O", {}, DAY),
    lambda s: designs.headroom(s, "H2O", DAY),
    lambda s: designs.chip_spec(s, "H2O"),
])
def test_an_unknown_name_is_not_found_with_suggestions(s: Session, call: object) -> None:
    with pytest.raises(NotFoundError) as caught:
        call(s)  # type: ignore[operator]
    assert caught.value.message.startswith("unknown chip 'H2O': did you mean ")
    assert "H20 96GB" in caught.value.message


@pytest.mark.parametrize("hostile", ["", "   ", "'; DROP TABLE chip; --", "\x00", "名前",
                                     "H100 SXM" * 50])
def test_hostile_names_are_not_found(s: Session, hostile: str) -> None:
    with pytest.raises(NotFoundError):
        catalogue.compare(s, [hostile], DAY)


def test_a_name_must_be_text(s: Session) -> None:
    with pytest.raises(UsageError, match="a chip name is text, not int"):
        catalogue.compare(s, [100], DAY)  # type: ignore[list-item]


def test_every_single_chip_function_resolves(s: Session) -> None:
    assert catalogue.show(s, "hgx h100").chip.name == "H100 SXM"
    assert catalogue.timeline(s, "h100").chip == "H100 SXM"
    assert catalogue.check(s, "H100-SXM", DAY).chip == "H100 SXM"
    assert designs.headroom(s, "h20", DAY).chip == "H20 96GB"
    assert designs.chip_spec(s, "h20").name == "H20 96GB"
    report = designs.what_if(s, "h20", {}, DAY)
    assert report.design.base == "H20 96GB" and report.resolved is not None
    assert report.resolved.other_variants == ("H20 141GB",)


@pytest.mark.parametrize("blank", [None, "blank", " Blank "])
def test_a_blank_design_resolves_nothing(s: Session, blank: str | None) -> None:
    report = designs.what_if(s, blank, {"tpp": 100}, DAY)
    assert report.resolved is None and report.design.base is None
    assert report.design.name == "design"


def test_rule_ids_any_case(s: Session) -> None:
    assert [r.rule for r in catalogue.rules(s, " US-2023-10 ")] == ["us-2023-10"]
    rows = catalogue.list_chips(s, rule="US-2024-12", as_of=DAY)
    assert {r.chip: r.verdict for r in rows}["H100 SXM"] == "3A090.a.1"
    with pytest.raises(NotFoundError, match="unknown rule 'us-1999-01': known rules are"):
        catalogue.rules(s, "us-1999-01")
    with pytest.raises(NotFoundError, match="`chipdb rules` lists them"):
        catalogue.list_chips(s, rule="us-1999-01")
