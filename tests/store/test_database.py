"""Schema, migrations, loader, user rows and data safety, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from chipdb.errors import DatabaseError, SeedError
from chipdb.service import manage as maintenance
from chipdb.store.package_data import SCHEMA_REVISION, data_root
from chipdb.store.read.connect import reading
from chipdb.store.ready import ensure_ready
from chipdb.store.state import database_state
from chipdb.store.url import DatabaseUrl, parse_url
from chipdb.store.write import migrate
from tests.helpers import run

ROOT = Path(__file__).resolve().parents[2]

USER_CHIP = """
[[source]]
key = "my-lab-notes"
url = "https://example.org/lab/notes"
title = "Lab measurements"
publisher = "Example Lab"
tier = "measured"

[[chip]]
name = "Lab Accelerator X1"
vendor = "Example Lab"
family = "X1"
default = true
source = "my-lab-notes"
datacenter = true

[[chip.die]]
name = "x1"
area_mm2 = 600
non_planar = true

[[chip.memory]]
type = "HBM3"
bandwidth_gbps = 2000

[chip.throughput]
fp8 = { dense = 250 }
"""


def counts(db: object) -> dict[str, int]:
    with reading(db) as conn:  # type: ignore[arg-type]
        return {
            t: conn.rows(f"SELECT COUNT(*) AS n FROM {t}")[0]["n"]
            for t in ("chip", "claim", "verdict", "margin", "rule", "source", "user_import")
        }


def test_head_revision_matches_the_code() -> None:
    versions = sorted(p.name for p in (ROOT / "alembic" / "versions").glob("*.py"))
    assert versions[-1].startswith(SCHEMA_REVISION)


def test_alembic_check_reports_no_drift(tmp_path: Path) -> None:
    db = tmp_path / "check.db"
    env = {"CHIPDB_DATABASE_URL": f"sqlite:///{db}", "PATH": str(Path(sys.executable).parent)}
    up = subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=ROOT, env=env,
                        capture_output=True, text=True)
    assert up.returncode == 0, up.stderr
    check = subprocess.run([sys.executable, "-m", "alembic", "check"], cwd=ROOT, env=env,
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.parametrize("fresh_db", ["sqlite", "postgresql"], indirect=True)
def test_first_run_creates_migrates_and_seeds(fresh_db: object) -> None:
    result = run(fresh_db, "list", "-f", "json")  # type: ignore[arg-type]
    assert result.code == 0, result.err
    assert "creating the database" in result.err
    assert len(result.json()) >= 1
    state = database_state(fresh_db)  # type: ignore[arg-type]
    assert state.revision == SCHEMA_REVISION


@pytest.mark.parametrize("fresh_db", ["sqlite", "postgresql"], indirect=True)
def test_user_rows_survive_reseed_and_downgrade_upgrade(fresh_db: object,
                                                        tmp_path: Path) -> None:
    db = fresh_db
    ensure_ready(db)  # type: ignore[arg-type]
    path = tmp_path / "mine.toml"
    path.write_text(USER_CHIP, encoding="utf-8")
    maintenance.import_file(db, path)  # type: ignore[arg-type]
    before = counts(db)
    migrate.reseed(db)  # type: ignore[arg-type]
    assert counts(db) == before  # idempotent, user chip kept
    maintenance.downgrade(db, "base")  # type: ignore[arg-type]
    maintenance.upgrade(db)  # type: ignore[arg-type]
    ensure_ready(db)  # type: ignore[arg-type]
    assert counts(db) == before
    exported = run(db, "export")  # type: ignore[arg-type]
    assert exported.out == USER_CHIP
    with reading(db) as conn:  # type: ignore[arg-type]
        rows = conn.rows("SELECT outcome FROM chip_verdict WHERE chip = 'Lab Accelerator X1' "
                         "AND rule = 'us-2024-12'")
    assert [r["outcome"] for r in rows] == ["3A090.b.2"]  # TPP 2000, PD 3.33


def test_bad_seed_names_file_record_field_and_writes_nothing(sqlite_db: object,
                                                             tmp_path: Path) -> None:
    before = counts(sqlite_db)
    bad = tmp_path / "bad.toml"
    bad.write_text(USER_CHIP.replace("area_mm2 = 600", "area_mm2 = -5"), encoding="utf-8")
    with pytest.raises(SeedError) as info:
        maintenance.import_file(sqlite_db, bad)  # type: ignore[arg-type]
    assert str(bad) in info.value.message
    assert "chip 'Lab Accelerator X1'" in info.value.message
    assert "die.x1.area_mm2" in info.value.message
    assert counts(sqlite_db) == before


@pytest.mark.parametrize("mutation,field", [
    (("tier = \"measured\"", "tier = \"rumour\""), "tier"),
    (("fp8 = { dense = 250 }", "fp9 = { dense = 250 }"), "throughput"),
    (("source = \"my-lab-notes\"\ndatacenter", "datacenter"), "datacenter: has no source"),
    (("bandwidth_gbps = 2000", "bandwidth_gbps = \"fast\""), "bandwidth_gbps"),
    (("name = \"x1\"", "name = \"x1\"\ncolour = \"red\""), "colour"),
])
def test_loader_messages_name_the_field(mutation: tuple[str, str], field: str,
                                        sqlite_db: object, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(USER_CHIP.replace(*mutation), encoding="utf-8")
    result = run(sqlite_db, "import", str(bad))  # type: ignore[arg-type]
    assert result.code == 1
    assert result.err.count("\n") == 1 and "Traceback" not in result.err
    assert field in result.err and "bad.toml" in result.err


def test_corrupted_sqlite_file_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    result = run(parse_url(f"sqlite:///{path}"), "compare", "H20")
    assert result.code == 1
    assert "not a usable chipdb database" in result.err
    assert path.read_bytes() == b"this is not a database" * 100


def test_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER)")
    conn.commit()
    conn.close()
    result = run(parse_url(f"sqlite:///{path}"), "list")
    assert result.code == 1 and "not chipdb's" in result.err


def test_newer_schema_revision_is_refused(seeded_sqlite: DatabaseUrl) -> None:
    db = seeded_sqlite
    conn = sqlite3.connect(db.sqlite_path)  # type: ignore[arg-type]
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    result = run(db, "list")
    assert result.code == 1 and "newer than this chipdb" in result.err
    with pytest.raises(DatabaseError):
        ensure_ready(db)


def test_unreachable_postgres_is_one_line() -> None:
    result = run(parse_url("postgresql+psycopg://nobody@127.0.0.1:1/none"), "list")
    assert result.code == 1
    assert "cannot reach PostgreSQL" in result.err and result.err.count("\n") == 1


@pytest.mark.parametrize("fresh_db", ["sqlite", "postgresql"], indirect=True)
def test_kill_during_load_keeps_old_data(fresh_db: object) -> None:
    """A reseed killed half-way leaves the previous catalogue, and the next run recovers."""
    db = fresh_db
    ensure_ready(db)  # type: ignore[arg-type]
    before = counts(db)
    script = (
        "import os, sys\n"
        "from chipdb.store.write import migrate as maintenance\n"
        "from chipdb.store.write import rebuild as loader\n"
        "from chipdb.store.url import parse_url\n"
        "def killed(*a, **k):\n"
        "    os._exit(9)  # die mid-transaction, after the deletes and inserts\n"
        "loader._store_metrics_and_verdicts = killed\n"
        f"maintenance.reseed(parse_url('{db.url}'))\n"  # type: ignore[attr-defined]
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == 9, proc.stderr
    assert counts(db) == before
    assert run(db, "compare", "MI300X", "-f", "json").code == 0  # type: ignore[arg-type]


def test_package_upgrade_refreshes_seeds_and_keeps_user_rows(
        tmp_path: Path, seeded_sqlite: DatabaseUrl) -> None:
    """A new chipdb (different seed fingerprint) reseeds by itself; imports survive."""
    db = seeded_sqlite
    path = tmp_path / "mine.toml"
    path.write_text(USER_CHIP, encoding="utf-8")
    maintenance.import_file(db, path)
    before = counts(db)
    conn = sqlite3.connect(db.sqlite_path)  # type: ignore[arg-type]
    conn.execute("UPDATE meta SET value = 'from-an-older-release' WHERE key = 'seed_fingerprint'")
    conn.execute("DELETE FROM verdict")  # an older release's stale figures
    conn.commit()
    conn.close()
    result = run(db, "compare", "Lab Accelerator X1", "-f", "json")
    assert result.code == 0 and "refreshing" in result.err
    assert counts(db) == before


def test_wheel_carries_seeds_and_migrations() -> None:
    assert (data_root() / "seeds" / "rules").is_dir()
    assert (data_root() / "alembic" / "versions").is_dir()


def _schema(db: object) -> dict[str, object]:
    from sqlalchemy import create_engine, inspect

    engine = create_engine(db.url)  # type: ignore[attr-defined]
    try:
        insp = inspect(engine)
        return {
            "tables": {t: sorted((c["name"], str(c["type"]), c["nullable"])
                                 for c in insp.get_columns(t))
                       for t in insp.get_table_names()},
            "views": sorted(insp.get_view_names()),
            "indexes": {t: sorted(i["name"] or "" for i in insp.get_indexes(t))
                        for t in insp.get_table_names()},
        }
    finally:
        engine.dispose()


@pytest.mark.parametrize("fresh_db", ["sqlite", "postgresql"], indirect=True)
def test_upgrade_downgrade_upgrade_gives_the_same_schema(fresh_db: object) -> None:
    maintenance.upgrade(fresh_db)  # type: ignore[arg-type]
    first = _schema(fresh_db)
    maintenance.downgrade(fresh_db, "base", drop_user_data=True)  # type: ignore[arg-type]
    emptied = _schema(fresh_db)
    assert set(emptied["tables"]) <= {"alembic_version"}  # type: ignore[arg-type]
    assert emptied["views"] == []
    maintenance.upgrade(fresh_db)  # type: ignore[arg-type]
    assert _schema(fresh_db) == first
    assert set(first["views"]) >= {"chip_specs", "chip_metrics", "chip_verdict",  # type: ignore
                                   "chip_margin", "chip_sources"}


def test_reader_during_reseed_sees_consistent_data(seeded_sqlite: DatabaseUrl) -> None:
    """A reader that opened before a reseed keeps one snapshot while the writer rebuilds."""
    db = seeded_sqlite
    before = counts(db)
    reader = sqlite3.connect(f"file:{db.sqlite_path}?mode=ro", uri=True)
    reader.execute("BEGIN")
    n_before = reader.execute("SELECT COUNT(*) FROM verdict").fetchone()[0]
    migrate.reseed(db)
    # same snapshot inside the reader's transaction, and never an empty (mid-rebuild) table
    assert reader.execute("SELECT COUNT(*) FROM verdict").fetchone()[0] == n_before > 0
    reader.execute("COMMIT")
    reader.close()
    assert counts(db) == before
