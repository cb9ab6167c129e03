"""The one name rule (names.normalize_name) in the catalogue and the import guard: a user chip
may not take a name, alias or family that already reaches a chip, however it is spelled."""

from __future__ import annotations

from pathlib import Path

import pytest

from chipdb.catalogue import Catalogue, check_import
from chipdb.errors import SeedError
from chipdb.store.url import DatabaseUrl
from chipdb.store.write.rebuild import parse_user_import, read_seed_catalogue
from tests.helpers import run

ROOT = Path(__file__).resolve().parents[2]
SEEDS = read_seed_catalogue(ROOT / "seeds")

SOURCE = """
[[source]]
key = "lab"
url = "https://example.org/lab"
title = "Lab notes"
publisher = "Example Lab"
tier = "measured"
class = "press"
"""


def chip(name: str, family: str = "Lab", extra: str = "") -> str:
    return f"""
[[chip]]
name = "{name}"
vendor = "Example Lab"
family = "{family}"
source = "lab"
datacenter = true
{extra}
[[chip.die]]
name = "d"
area_mm2 = 600
"""


def user(text: str, file: str = "user.toml") -> Catalogue:
    return parse_user_import(file, SOURCE + text, SEEDS)


def guard_error(text: str, others: tuple[Catalogue, ...] = ()) -> SeedError:
    with pytest.raises(SeedError) as info:
        check_import(user(text), SEEDS, others)
    return info.value


@pytest.mark.parametrize("typed,bundled", [
    ("H100-SXM", "H100 SXM"), ("h100 sxm", "H100 SXM"), ("h20 96gb", "H20 96GB"),
    ("H20_96GB", "H20 96GB"),
])
def test_a_bundled_name_however_spelled_is_refused(typed: str, bundled: str) -> None:
    err = guard_error(chip(typed))
    assert (err.file, err.record, err.field) == ("user.toml", f"chip '{typed}'", "name")
    assert err.problem == (f"'{typed}' is already the name of the bundled chip '{bundled}': "
                           "choose another name (or try a variant with `chipdb what-if`)")


def test_a_bundled_alias_is_refused_naming_its_chip() -> None:
    err = guard_error(chip("hgx-h100"))
    assert (err.field, err.problem) == (
        "name", "'hgx-h100' is already an alias of the bundled chip 'H100 SXM': "
                "choose another name")


def test_a_bundled_family_is_refused_naming_its_default() -> None:
    err = guard_error(chip("H20"))
    assert (err.field, err.problem) == (
        "name", "'H20' is already the bundled family 'H20' (default 'H20 96GB'): "
                "choose another name")


def test_an_alias_or_a_family_default_of_the_import_is_checked_too() -> None:
    err = guard_error(chip("Lab X1", extra='aliases = ["H100 SXM5"]'))
    assert (err.field, err.problem) == (
        "aliases", "'H100 SXM5' is already an alias of the bundled chip 'H100 SXM': "
                   "choose another name")
    err = guard_error(chip("Lab X1", family="h100", extra="default = true"))
    assert (err.field, err.problem) == (
        "default", "family 'h100' is already the bundled family 'H100' (default 'H100 SXM'): "
                   "choose another name")


def test_a_new_variant_in_a_bundled_family_is_fine_when_it_is_not_the_default() -> None:
    check_import(user(chip("H100 Lab Edition", family="H100")), SEEDS)
    check_import(user(chip("Lab X1", family="Lab", extra="default = true")), SEEDS)


def test_another_imports_names_are_refused_naming_that_import() -> None:
    other = user(chip("Lab X1", extra='aliases = ["X1 Card"]'), file="first.toml")
    err = guard_error(chip("lab-x1"), (other,))
    assert err.problem == ("'lab-x1' is already the name of the imported chip 'Lab X1': "
                           "choose another name (or replace the import first.toml)")
    err = guard_error(chip("Lab X2", extra='aliases = ["x1 card"]'), (other,))
    assert err.field == "aliases" and "an alias of the imported chip 'Lab X1'" in err.problem


@pytest.mark.parametrize("text,field,problem", [
    (chip("Lab X1") + chip("lab-x1"), "name", "duplicates chip 'Lab X1'"),
    (chip("Lab X1", extra='aliases = ["Lab X2"]') + chip("Lab X2"), "aliases",
     "'Lab X2' is already the name of chip 'Lab X2'"),
    (chip("Lab X1", extra='aliases = ["Card"]') + chip("Lab X2", extra='aliases = ["card"]'),
     "aliases", "'card' is already an alias of chip 'Lab X1'"),
    (chip("Lab X1", extra="default = true") + chip("Lab X2", extra="default = true"),
     "default", "family 'Lab' already defaults to 'Lab X1'"),
    (chip("Lab X1", extra='aliases = ["LAB"]') + chip("Lab X2", extra="default = true"),
     "default", "family 'Lab' is already an alias of chip 'Lab X1'"),
])
def test_within_one_catalogue_each_key_reaches_one_chip(text: str, field: str,
                                                        problem: str) -> None:
    with pytest.raises(SeedError) as info:
        user(text)
    assert (info.value.field, info.value.problem) == (field, problem)


def test_a_chip_may_repeat_its_own_name_as_alias_and_family() -> None:
    [only] = user(chip("Lab", family="LAB", extra='default = true\naliases = ["lab"]')).chips
    assert only.aliases == ()


def test_importing_h100_sxm_spelled_otherwise_leaves_the_bundled_chip(
    sqlite_db: DatabaseUrl, tmp_path: Path
) -> None:
    before = run(sqlite_db, "show", "H100 SXM", "-f", "json")
    path = tmp_path / "shadow.toml"
    path.write_text(SOURCE + chip("H100-SXM", family="H100"), encoding="utf-8")
    result = run(sqlite_db, "import", str(path))
    assert result.code == 1
    assert result.err.count("\n") == 1 and "Traceback" not in result.err
    assert f"{path}: chip 'H100-SXM': name: 'H100-SXM' is already the name of the bundled chip " \
           "'H100 SXM'" in result.err
    # the data, not the envelope: its generated_at moves with the clock
    assert run(sqlite_db, "show", "H100 SXM", "-f", "json").json() == before.json()
    assert "H100-SXM" not in run(sqlite_db, "export").out
