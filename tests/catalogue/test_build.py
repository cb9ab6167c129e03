"""Reading files and the cross-file checks: TOML and UTF-8 errors, duplicate sources and rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from chipdb.catalogue import build_catalogue, check_import, parse_text, read_file
from chipdb.errors import SeedError
from chipdb.store.url import DatabaseUrl
from chipdb.store.write.rebuild import parse_user_import, read_seed_catalogue
from tests.helpers import run

ROOT = Path(__file__).resolve().parents[2]
SEEDS = read_seed_catalogue(ROOT / "seeds")
BUNDLED_KEY = SEEDS.sources[0].key


def source(key: str) -> str:
    return (f'[[source]]\nkey = "{key}"\nurl = "https://example.org/{key}"\ntitle = "t"\n'
            'publisher = "p"\ntier = "official"\nclass = "vendor"\n')


def test_a_source_defined_twice_across_files_is_refused() -> None:
    files = [("a.toml", parse_text(source("lab"), "a.toml")),
             ("b.toml", parse_text(source("lab"), "b.toml"))]
    with pytest.raises(SeedError) as info:
        build_catalogue(files)
    assert info.value.message == "b.toml: source 'lab': key: is defined twice"


def test_an_import_may_cite_a_bundled_source_but_not_redefine_it() -> None:
    chip = ('[[chip]]\nname = "Lab X1"\nvendor = "v"\nfamily = "f"\n'
            f'tdp_w = {{ value = 300, source = "{BUNDLED_KEY}" }}\n')
    [record] = parse_user_import("u.toml", chip, SEEDS).chips
    assert record.claims[0].source == BUNDLED_KEY
    with pytest.raises(SeedError) as info:
        parse_user_import("u.toml", source(BUNDLED_KEY), SEEDS)
    assert (info.value.record, info.value.field) == (f"source '{BUNDLED_KEY}'", "key")
    assert "already defined" in info.value.problem


def test_redefining_a_bundled_source_is_a_one_line_error_not_a_crash(
    sqlite_db: DatabaseUrl, tmp_path: Path
) -> None:
    path = tmp_path / "dup.toml"
    path.write_text(source(BUNDLED_KEY), encoding="utf-8")
    result = run(sqlite_db, "import", str(path))
    assert result.code == 1, result.err
    assert result.err.count("\n") == 1 and "internal error" not in result.err
    assert f"{path}: source '{BUNDLED_KEY}': key: is already defined" in result.err


@pytest.mark.parametrize("raw,problem", [
    (b"not toml = = =\n", "is not valid TOML"),
    (b"\xff\xfe", "is not UTF-8 text"),
])
def test_unreadable_files_name_the_file(tmp_path: Path, raw: bytes, problem: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_bytes(raw)
    with pytest.raises(SeedError) as info:
        read_file(path)
    assert info.value.message.startswith(f"{path}: file: -: {problem}")


RULE = """
[[rule]]
id = "draft-x"
title = "A draft"
citation = "draft"
url = "https://example.org/draft"
effective = 2027-01-01
default_outcome = "not-covered"
[[rule.clause]]
outcome = "license-required"
when = { metric = "tpp", op = ">=", value = 3000 }
"""


def test_another_imports_rule_id_is_refused_but_a_bundled_one_may_be_replaced() -> None:
    first = parse_user_import("first.toml", RULE, SEEDS)
    second = parse_user_import("second.toml", RULE, SEEDS, [first])
    with pytest.raises(SeedError) as info:
        check_import(second, SEEDS, [first])
    assert info.value.message == (
        "second.toml: rule 'draft-x': id: is already defined by the import first.toml: "
        "replace that import, or give this rule its own id")
    override = parse_user_import(
        "override.toml", '[[rule]]\nextends = "us-2025-04-h20"\n', SEEDS, [first])
    check_import(override, SEEDS, [first])


def test_the_same_rule_in_two_imports_is_a_one_line_error_not_a_crash(
        tmp_path: Path, seeded_sqlite: DatabaseUrl) -> None:
    db = seeded_sqlite
    for name in ("first.toml", "second.toml"):
        (tmp_path / name).write_text(RULE, encoding="utf-8")
    assert run(db, "import", str(tmp_path / "first.toml")).code == 0
    result = run(db, "import", str(tmp_path / "second.toml"))
    assert result.code == 1 and result.err.count("\n") == 1, result.err
    assert "rule 'draft-x': id: is already defined by the import first.toml" in result.err
    assert [line.split()[0] for line in run(db, "export", "--list").out.splitlines()] == [
        "first.toml"]
