"""The README's examples run as written (against a throwaway database)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from chipdb.store.ready import ensure_ready
from chipdb.store.url import DatabaseUrl, parse_url
from tests.helpers import run

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")

MY_CHIPS = """[[source]]
key = "my-notes"
url = "https://example.org/notes"
title = "Notes"
publisher = "Me"
tier = "estimate"

[[chip]]
name = "My Design A"
vendor = "Me"
family = "My Design A"
default = true
source = "my-notes"
datacenter = true
[chip.throughput]
fp8 = { dense = 250 }
"""


def examples() -> list[str]:
    section = README.split("## Using it", 1)[1].split("\n## ", 1)[0]
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", section, re.S):
        for line in block.splitlines():
            for part in line.split(" #", 1)[0].split("&&"):
                command = part.strip()
                if command.startswith("chipdb ") and command != "chipdb sql":
                    lines.append(command)
    return lines


@pytest.fixture(scope="module")
def readme_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[DatabaseUrl, Path]:
    work = tmp_path_factory.mktemp("readme")
    db = parse_url(f"sqlite:///{work / 'readme.sqlite3'}")
    ensure_ready(db)
    (work / "my-chips.toml").write_text(MY_CHIPS, encoding="utf-8")
    (work / "designs.csv").write_text("name,tpp,die_area_mm2,datacenter\nx,3000,800,true\n",
                                      encoding="utf-8")
    return db, work


def test_the_readme_has_examples() -> None:
    assert len(examples()) >= 12


@pytest.mark.parametrize("command", examples())
def test_readme_example_runs(command: str, readme_db: tuple[DatabaseUrl, Path],
                             monkeypatch: pytest.MonkeyPatch) -> None:
    db, work = readme_db
    monkeypatch.chdir(work)
    words = shlex.split(command)[1:]
    target = None
    if ">" in words:
        target = work / words[words.index(">") + 1]
        words = words[: words.index(">")]
    result = run(db, *words)
    assert result.code == 0, f"{command}: {result.err}"
    if target is not None:
        target.write_text(result.out, encoding="utf-8")
    elif written := [w for w in ("--out", "-o", "--output") if w in words]:
        assert (work / words[words.index(written[0]) + 1]).stat().st_size > 1000
    elif not command.startswith(("chipdb import", "chipdb db upgrade", "chipdb db seed")):
        assert result.out, f"{command} printed no data"


def typer_commands() -> list[str]:
    """Every visible command path, e.g. 'compare' and 'db upgrade' (groups and their members)."""
    import typer

    from chipdb.cli import app

    found: list[str] = []

    def walk(group: object, prefix: str) -> None:
        for name, command in sorted(getattr(group, "commands", {}).items()):
            if not getattr(command, "hidden", False):
                found.append(prefix + name)
                walk(command, f"{prefix}{name} ")

    walk(typer.main.get_command(app), "")
    return found


def documented_commands(text: str) -> set[str]:
    """Command paths the text names as `chipdb X` or `chipdb GROUP a|b REV|c` (sqlite-utils'
    test_docs pattern: a command nobody wrote down is a command nobody finds)."""
    found = set()
    for match in re.finditer(r"\bchipdb ([a-z][\w-]*)((?:(?!chipdb )[^`\n#])*)", text):
        command, rest = match.groups()
        found.add(command)
        for sub in re.findall(r"(?:^\s*|\|)([a-z][\w-]*)", rest):
            found.add(f"{command} {sub}")
    return found


def test_every_command_is_in_the_readme() -> None:
    commands = typer_commands()
    assert "compare" in commands and "db upgrade" in commands  # the walk found the tree
    missing = [c for c in commands if c not in documented_commands(README)]
    assert not missing, f"commands the README does not mention: {missing}"


def test_the_docs_check_can_fail() -> None:
    assert documented_commands("`chipdb db upgrade|downgrade REV|seed` and chipdb compare") == {
        "db", "db upgrade", "db downgrade", "db seed", "compare"}
    assert "db current" not in documented_commands("chipdb db upgrade && chipdb db path")
