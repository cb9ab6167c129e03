"""Every "internal error" reproduction of the reliability report is now one line with the
right exit code (A1.6-A1.9, A1.11, A1.12, A4.3, A4.5), on both engines where it applies."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from chipdb.store.url import DatabaseUrl, parse_url
from tests.helpers import run
from tests.store.reliability_helpers import OK_CHIP

_RULE = """
[[rule]]
id = "{id}"
title = "t"
citation = "c"
url = "https://example.com"
effective = 2025-01-01
default_outcome = "no"
[[rule.clause]]
outcome = "yes"
when = {when}
"""

FILES: dict[str, str] = {
    "cyc.toml": _RULE.format(id="cyc-a", when='{ rule = "cyc-b", outcome_in = ["yes"] }')
    + _RULE.format(id="cyc-b", when='{ rule = "cyc-a", outcome_in = ["yes"] }'),
    "dep.toml": _RULE.format(id="dep-x", when='{ rule = "nope-rule", outcome_in = ["yes"] }'),
    "deep.toml": "a = " + "[" * 1000 + "]" * 1000 + "\n",
    "deep_tables.toml": "a = " + "{b = " * 5000 + "1" + "}" * 5000 + "\n",
    "deep_when.toml": _RULE.format(
        id="deep-w", when="{ all = [ " * 400 + '{ metric = "tpp", op = ">=", value = 1 }'
        + " ] }" * 400),
    "dupsrc.toml": OK_CHIP.replace('"rel-src"', '"nv-h100-page"'),
}

CASES = [
    (["db", "upgrade", "zzz"], 2, "revision 'zzz'"),
    (["db", "upgrade", ""], 2, "revision is empty"),
    (["db", "upgrade", "+1"], 2, "revision '+1'"),
    (["db", "upgrade", "9999"], 2, "revision '9999'"),
    (["db", "downgrade", "zzz"], 2, "revision 'zzz'"),
    (["db", "downgrade", ""], 2, "revision is empty"),
    (["import", "{tmp}/cyc.toml"], 1, "depends on itself"),
    (["import", "{tmp}/dep.toml"], 1, "unknown rule nope-rule"),
    (["import", "{tmp}/deep.toml"], 1, "nests too deeply"),
    (["import", "{tmp}/deep_tables.toml"], 1, "nests too deeply"),
    (["import", "{tmp}/deep_when.toml"], 1, "nests too deeply"),
    (["import", "{tmp}/dupsrc.toml"], 1, "source 'nv-h100-page'"),
    (["import", "/dev/zero"], 1, "larger than 64 MB"),
    (["what-if", "--batch", "/dev/zero"], 1, "longer than 1 MB"),  # streamed: a line is bounded
    (["rules", "\udcff\udcfe"], 1, "unknown rule"),  # argv bytes ff fe, as Python gets them
    (["export", "--remove", "\udcff"], 1, "no import named"),
]


def _one_line(result: object, code: int, text: str) -> None:
    err = str(result.err)  # type: ignore[attr-defined]
    assert result.code == code, err  # type: ignore[attr-defined]
    lines = err.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("chipdb: error: ") and "internal error" not in err
    assert text in lines[0], lines[0]


@pytest.mark.parametrize(("args", "code", "text"), CASES,
                         ids=[" ".join(c[0]).encode("ascii", "replace").decode()
                              for c in CASES])
def test_report_reproduction_is_one_line(db: DatabaseUrl, tmp_path: Path, args: list[str],
                                         code: int, text: str) -> None:
    for name, content in FILES.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    before = run(db, "export", "--list").out
    _one_line(run(db, *(a.format(tmp=tmp_path) for a in args)), code, text)
    assert run(db, "export", "--list").out == before  # nothing was stored
    assert run(db, "compare", "H20", "-f", "csv").code == 0  # and everything still works


def _copy(sqlite_db: DatabaseUrl, tmp_path: Path, *edits: str) -> DatabaseUrl:
    assert sqlite_db.sqlite_path is not None
    target = tmp_path / "copy.sqlite3"
    source = sqlite3.connect(sqlite_db.sqlite_path)
    dest = sqlite3.connect(target)
    source.backup(dest)
    source.close()
    for statement in edits:
        dest.execute(statement)
    dest.commit()
    dest.close()
    return parse_url(f"sqlite:///{target}")


@pytest.mark.parametrize("command", [["db", "seed"], ["db", "upgrade"], ["compare", "H20"],
                                     ["db", "downgrade", "base"]])
def test_a_newer_revision_is_refused_by_every_command(sqlite_db: DatabaseUrl, tmp_path: Path,
                                                      command: list[str]) -> None:
    db = _copy(sqlite_db, tmp_path, "UPDATE alembic_version SET version_num = '0999'")
    _one_line(run(db, *command), 1, "newer than this chipdb knows")


@pytest.mark.parametrize(("edit", "command"), [
    ("DROP VIEW chip_margin", ["compare", "H100 SXM"]),
    ("DROP VIEW chip_names", ["compare", "H100 SXM"]),
])
def test_a_damaged_schema_is_one_line_and_seed_repairs_it(sqlite_db: DatabaseUrl,
                                                          tmp_path: Path, edit: str,
                                                          command: list[str]) -> None:
    db = _copy(sqlite_db, tmp_path, edit)
    _one_line(run(db, *command), 1, "db seed")
    assert run(db, "db", "seed").code == 0
    assert run(db, *command).code == 0


def test_a_hostile_view_cannot_hang_every_read(sqlite_db: DatabaseUrl, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from chipdb.store.read import connect

    db = _copy(sqlite_db, tmp_path, "DROP VIEW chip_names",
               "CREATE VIEW chip_names AS WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL "
               "SELECT x+1 FROM r) SELECT c.name_key AS name_key, c.name AS chip, "
               "'name' AS kind FROM chip c, (SELECT count(*) FROM r)")
    monkeypatch.setattr(connect, "READ_TIMEOUT_S", 1)
    _one_line(run(db, "compare", "H100 SXM"), 1, "db seed")
    assert run(db, "db", "seed").code == 0
    assert run(db, "compare", "H100 SXM", "-f", "csv").code == 0


def test_a_damaged_rule_definition_is_one_line(sqlite_db: DatabaseUrl, tmp_path: Path) -> None:
    db = _copy(sqlite_db, tmp_path, "UPDATE rule SET definition = '{not json'")
    _one_line(run(db, "what-if", "H100 SXM"), 1, "db seed")
    assert run(db, "db", "seed").code == 0
    assert run(db, "what-if", "H100 SXM", "-f", "csv").code == 0


def test_a_truncated_file_is_one_line_for_seed_too(sqlite_db: DatabaseUrl,
                                                   tmp_path: Path) -> None:
    db = _copy(sqlite_db, tmp_path)
    assert db.sqlite_path is not None
    data = db.sqlite_path.read_bytes()
    db.sqlite_path.write_bytes(data[: len(data) * 95 // 100])
    for command in (["db", "seed"], ["compare", "H20"]):
        result = run(db, *command)
        assert result.code == 1 and "internal error" not in result.err
        assert len(result.err.strip().splitlines()) == 1, result.err


@pytest.mark.parametrize("args", [["list"], ["list", "-f", "json"], ["export"],
                                  ["compare", "H20", "-f", "csv"]])
def test_a_full_disk_or_a_closed_pipe_on_stdout(sqlite_db: DatabaseUrl,
                                                args: list[str]) -> None:
    """A1.13: ENOSPC is one line, exit 1; a reader that stops reading (| head) is exit 0."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "CHIPDB_DATABASE_URL": sqlite_db.url}
    command = [sys.executable, "-m", "chipdb", *args]
    with open("/dev/full", "w") as full:
        proc = subprocess.run(command, stdout=full, stderr=subprocess.PIPE, env=env, text=True)
    assert proc.returncode == 1
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("chipdb: error: ") and "No space left on device" in last
    if args[0] == "export":
        return  # a fresh catalogue exports nothing: no pipe to break
    reader = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert reader.stdout is not None
    reader.stdout.read(1)
    reader.stdout.close()  # like `| head -c 1`
    reader.wait(timeout=30)
    assert reader.returncode == 0
