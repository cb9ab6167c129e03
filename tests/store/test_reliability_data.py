"""Data safety under concurrency, hijack attempts, foreign and damaged databases, paths
(reliability report, areas 1.1-1.2, 3 and 4)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from chipdb.service import manage
from chipdb.store.url import DatabaseUrl, parse_url
from tests.helpers import run
from tests.store.reliability_helpers import chip_file, one_error


@pytest.mark.parametrize(("name", "family", "extra", "clash"), [
    ("H100-SXM", "RelChip", "", "the bundled chip 'H100 SXM'"),
    ("h100_sxm", "RelChip", "", "the bundled chip 'H100 SXM'"),
    ("H20 96 GB", "RelChip", "", "the bundled chip 'H20 96GB'"),
    ("Evil H100", "H100", "", "the bundled family 'H100'"),
    ("Evil Alias", "RelChip", '\naliases = ["H100", "A100"]', "the bundled family 'H100'"),
    ("H100", "RelChip", "", "the bundled family 'H100'"),
])
def test_an_import_cannot_take_a_bundled_name(sqlite_db: DatabaseUrl, tmp_path: Path,
                                              name: str, family: str, extra: str,
                                              clash: str) -> None:
    path = chip_file(tmp_path, name, family, extra=extra)
    result = run(sqlite_db, "import", str(path))
    assert result.code == 1
    assert clash in one_error(result) and "--override" in result.err
    assert run(sqlite_db, "export", "--list").out == ""


@pytest.mark.parametrize("fresh_db", ["sqlite", "postgresql"], indirect=True)
def test_override_replaces_a_bundled_chip_on_purpose(fresh_db: DatabaseUrl,
                                                     tmp_path: Path) -> None:
    path = chip_file(tmp_path, "H100-SXM")
    result = run(fresh_db, "import", str(path), "--override")
    assert result.code == 0, result.err
    assert "shadows the bundled one" in result.err
    assert run(fresh_db, "compare", "H100 SXM", "-f", "json").json()["chips"][0]["vendor"] == \
        "RelCo"


def test_duplicate_and_empty_keys_are_one_line_errors(sqlite_db: DatabaseUrl,
                                                      tmp_path: Path) -> None:
    bundled_source = run(sqlite_db, "import",
                         str(chip_file(tmp_path, "Dup Src", source="nv-h100-page")))
    assert "already defined" in one_error(bundled_source)
    punct = run(sqlite_db, "import", str(chip_file(tmp_path, "---", family="---")))
    assert "letter or digit" in one_error(punct)
    first = chip_file(tmp_path, "First Chip", family="FirstFam", file="first.toml")
    second = chip_file(tmp_path, "Second Chip", family="SecondFam", file="second.toml")
    try:
        assert run(sqlite_db, "import", str(first)).code == 0
        again = run(sqlite_db, "import", str(second))  # the same key 'rel-src' again
        assert "source 'rel-src'" in one_error(again)
    finally:
        manage.remove_import(sqlite_db, "first.toml")


# --- A3.1 / A3.2 / A3.3: no lost writes, one snapshot per read, concurrent first runs -------

def _objects(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return sorted(r[0] for r in conn.execute("SELECT name FROM sqlite_master"))
    finally:
        conn.close()


@pytest.mark.parametrize("command", [["db", "seed"], ["db", "upgrade"], ["compare", "H20"]])
def test_foreign_sqlite_database_is_never_written(tmp_path: Path, command: list[str]) -> None:
    path = tmp_path / "ff.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE moz_places(id INTEGER PRIMARY KEY, url TEXT)")
    conn.commit()
    conn.close()
    result = run(parse_url(f"sqlite:///{path}"), *command)
    assert result.code == 1 and "not chipdb's" in one_error(result)
    assert _objects(path) == ["moz_places"]


@pytest.mark.parametrize("fresh_db", ["postgresql"], indirect=True)
def test_foreign_postgres_database_is_never_written(fresh_db: DatabaseUrl) -> None:
    import psycopg

    with psycopg.connect(fresh_db.libpq_url) as conn:
        conn.execute("CREATE TABLE customers (id int)")
    for command in (["db", "upgrade"], ["db", "seed"]):
        assert "not chipdb's" in one_error(run(fresh_db, *command))
    with psycopg.connect(fresh_db.libpq_url) as conn:
        tables = conn.execute("SELECT table_name FROM information_schema.tables "
                              "WHERE table_schema = 'public'").fetchall()
    assert tables == [("customers",)]


def test_failed_sqlite_migration_leaves_no_objects(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from chipdb.store.package_data import SCHEMA_REVISION, alembic_dir
    from chipdb.store.write import migrate

    scripts = tmp_path / "alembic"
    shutil.copytree(alembic_dir(), scripts, ignore=shutil.ignore_patterns("__pycache__"))
    nxt = f"{int(SCHEMA_REVISION) + 1:04d}"
    (scripts / "versions" / f"{nxt}_broken.py").write_text(
        f'revision = "{nxt}"\ndown_revision = "{SCHEMA_REVISION}"\nbranch_labels = None\n'
        "depends_on = None\n\n\ndef upgrade() -> None:\n"
        "    raise RuntimeError('this migration fails after the others ran')\n", "utf-8")
    monkeypatch.setattr(migrate, "alembic_dir", lambda: scripts)
    path = tmp_path / "half.sqlite3"
    with pytest.raises(RuntimeError):
        migrate.upgrade(parse_url(f"sqlite:///{path}"))
    assert _objects(path) == []  # 0001's tables and views went with the failed transaction


# --- A4.2 / A4.6: tampered views and rows; a stored import that no longer validates -------

def test_a_stored_import_that_no_longer_validates_is_skipped(fresh_sqlite: DatabaseUrl,
                                                             tmp_path: Path) -> None:
    db = fresh_sqlite
    assert run(db, "import", str(chip_file(tmp_path, "Good Chip", file="good.toml"))).code == 0
    assert db.sqlite_path is not None
    conn = sqlite3.connect(db.sqlite_path)
    conn.execute("INSERT INTO user_import (name, content, imported_at) VALUES "
                 "('evil.toml', '[[chip]]\nname = 1', 'x')")
    conn.execute("UPDATE meta SET value = 'old' WHERE key = 'seed_fingerprint'")
    conn.commit()
    conn.close()
    compare = run(db, "compare", "Good Chip", "-f", "csv")
    assert compare.code == 0 and "evil.toml no longer validates" in compare.err
    assert "chipdb export" in compare.err
    assert "evil.toml" in run(db, "export", "--list").out
    assert run(db, "export", "--remove", "evil.toml").code == 0
    seeded = run(db, "db", "seed")
    assert seeded.code == 0 and "no longer validates" not in seeded.err


# --- A4.7 / paths -------------------------------------------------------------------------

def test_a_missing_folder_is_an_error_not_a_new_tree(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/no/such/folder/x.sqlite3"
    result = run(None, "--db", url, "compare", "H20")
    assert result.code == 2 and "does not exist" in one_error(result)
    assert not (tmp_path / "no").exists()


def test_unwritable_files_are_read_immutable(sqlite_db: DatabaseUrl,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from chipdb.store.read import connect

    assert sqlite_db.sqlite_path is not None
    assert "immutable" not in connect.sqlite_uri(sqlite_db.sqlite_path)
    monkeypatch.setattr(os, "access", lambda _p, _m: False)  # a read-only medium
    assert connect.sqlite_uri(sqlite_db.sqlite_path).endswith("mode=ro&immutable=1")
    assert run(sqlite_db, "compare", "H20", "-f", "csv").code == 0
    assert run(sqlite_db, "sql", "SELECT 1 AS one", "-f", "csv").out == "one\n1\n"


def test_unusable_data_directory_is_one_line(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHIPDB_DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", "/dev/null")
    monkeypatch.setenv("HOME", "/dev/null")
    result = run(None, "compare", "H20")
    assert result.code == 1 and "data directory" in one_error(result)


def test_an_import_clashing_with_a_newly_bundled_source_is_skipped(
        fresh_sqlite: DatabaseUrl, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A4.6 scenario 1: a later chipdb bundles a source key an import defines."""
    import shutil

    from chipdb.store.package_data import seeds_dir
    from chipdb.store.write import migrate

    db = fresh_sqlite
    assert run(db, "import", str(chip_file(tmp_path, "Mine X", file="mine.toml"))).code == 0
    seeds = tmp_path / "seeds"
    shutil.copytree(seeds_dir(), seeds)
    (seeds / "zz-future.toml").write_text(
        '[[source]]\nkey = "rel-src"\nurl = "https://example.com/future"\ntitle = "t"\n'
        'publisher = "p"\ntier = "official"\nclass = "vendor"\n', encoding="utf-8")
    monkeypatch.setattr(migrate, "seeds_dir", lambda: seeds)
    warnings: list[str] = []
    report = migrate.reseed(db, warnings.append)
    assert report.user_chips == 0
    assert any("mine.toml no longer validates" in w and "rel-src" in w for w in warnings)
    assert "mine.toml" in run(db, "export", "--list").out  # the text is kept, exportable
    assert "Mine X" in run(db, "export").out


def test_ctrl_c_during_a_write_command_exits_130(sqlite_db: DatabaseUrl,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(manage, "seed", interrupted)
    result = run(sqlite_db, "db", "seed")
    assert result.code == 130 and result.err == "chipdb: interrupted\n"


def test_first_run_on_a_full_or_read_only_medium_is_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from chipdb.store import ready

    def full(*_args: object, **_kwargs: object) -> bool:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ready, "install_template", full)
    result = run(parse_url(f"sqlite:///{tmp_path / 'first.sqlite3'}"), "compare", "H20")
    assert result.code == 1 and "No space left on device" in one_error(result)


@pytest.fixture
def read_only_mount(sqlite_db: DatabaseUrl, tmp_path: Path) -> Iterator[Path]:
    """A copy of the seeded database on a read-only tmpfs (needs root; skipped otherwise)."""
    import shutil
    import subprocess

    mount = tmp_path / "mnt"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mount)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        assert sqlite_db.sqlite_path is not None
        source = sqlite3.connect(sqlite_db.sqlite_path)
        source.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        source.close()
        shutil.copy(sqlite_db.sqlite_path, mount / "ro.sqlite3")
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        yield mount / "ro.sqlite3"
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)


def test_a_database_on_read_only_media_is_read(read_only_mount: Path, tmp_path: Path) -> None:
    """A4.7: every read works; every write is one line saying why."""
    db = parse_url(f"sqlite:///{read_only_mount}")
    for command in (["compare", "H20", "-f", "csv"], ["list", "-f", "csv"],
                    ["sql", "SELECT count(*) AS n FROM chip_specs", "-f", "csv"],
                    ["what-if", "H20", "-f", "csv"], ["export", "--list"]):
        result = run(db, *command)
        assert result.code == 0, (command, result.err)
    for command in (["import", str(chip_file(tmp_path, "RO Chip"))], ["db", "seed"]):
        assert "is read-only here" in one_error(run(db, *command))
    new = run(parse_url(f"sqlite:///{read_only_mount.parent / 'new.sqlite3'}"), "compare", "H20")
    assert new.code == 1 and "internal error" not in new.err


def test_a_tampered_metrics_table_is_one_line_not_an_internal_error(fresh_sqlite: DatabaseUrl
                                                                    ) -> None:
    """A4.3: rows deleted behind chipdb's back: compare says so and how to repair it."""
    import sqlite3

    db = fresh_sqlite
    assert run(db, "list", "-f", "json").code == 0
    assert db.sqlite_path is not None
    with sqlite3.connect(db.sqlite_path) as conn:
        conn.execute("DELETE FROM chip_metric")
    result = run(db, "compare", "H20", "-f", "json")
    assert result.code == 1 and "internal error" not in result.err
    assert "chipdb db seed" in result.err and len(result.err.strip().splitlines()) == 1
    assert run(db, "db", "seed").code == 0
    assert run(db, "compare", "H20", "-f", "json").code == 0
