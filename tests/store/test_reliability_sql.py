"""`chipdb sql` is read-only for real and bounded (reliability report, area 2).

Every hostile statement of the report is refused by the engine's own fence, on both engines,
with one line; a runaway query stops at --timeout; a huge result stops at --max-rows; Ctrl-C
cancels and exits 130 without leaving a backend running.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chipdb.store.read.fenced import MAX_VALUE_BYTES
from chipdb.store.url import READER_ROLE, DatabaseUrl
from tests.conftest import PG_ADMIN
from tests.helpers import run

FOREVER = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c"


def _refused(db: DatabaseUrl, statement: str) -> str:
    result = run(db, "sql", statement, "-f", "csv", "--timeout", "2")
    assert result.code == 1, (statement, result)
    assert result.out == ""
    lines = result.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("chipdb: error: "), result.err
    return lines[0]


def _digest(db: DatabaseUrl) -> str:
    assert db.sqlite_path is not None
    return hashlib.sha256(db.sqlite_path.read_bytes()).hexdigest()


@pytest.mark.parametrize("statement", [
    "ATTACH '{tmp}/att1.db' AS x",
    "ATTACH 'file:{tmp}/att2.db?mode=rwc' AS x",
    "VACUUM INTO '{tmp}/copy.db'",
    "VACUUM INTO 'file:{tmp}/copy2.db'",
    "DETACH main",
    "CREATE TEMP TABLE t(x)",
    "CREATE TEMP TRIGGER t AFTER INSERT ON main.chip BEGIN SELECT 1; END",
    "CREATE TEMP VIEW v AS SELECT 1",
    "PRAGMA writable_schema=ON",
    "PRAGMA query_only=0",
    "PRAGMA journal_mode=DELETE",
    "PRAGMA user_version=7",
    "PRAGMA wal_checkpoint(TRUNCATE)",
    "SELECT load_extension('/tmp/nothing')",
    "BEGIN IMMEDIATE",
    "SAVEPOINT s",
    "DELETE FROM verdict",
    "INSERT INTO meta (key, value) VALUES ('a', 'b') RETURNING key",
    "DROP VIEW chip_verdict",
])
def test_sqlite_sql_refuses_every_write_and_escape(sqlite_db: DatabaseUrl, tmp_path: Path,
                                                   statement: str) -> None:
    before = _digest(sqlite_db)
    line = _refused(sqlite_db, statement.format(tmp=tmp_path))
    assert "read-only" in line
    assert list(tmp_path.iterdir()) == []  # ATTACH and VACUUM INTO created no file
    assert _digest(sqlite_db) == before


@pytest.mark.parametrize("statement", [
    "SELECT pg_read_file('/etc/passwd')",
    "SELECT count(*) FROM pg_ls_dir('/')",
    "COPY (SELECT 1) TO PROGRAM 'id > {tmp}/pg_program.txt'",
    "COPY (SELECT 'x') TO '{tmp}/pg_copy_to.txt'",
    "SELECT lo_import('/etc/hostname')",
    "SELECT set_config('transaction_read_only', 'off', true)",
    "SELECT set_config('role', 'postgres', false)",
    "CREATE TEMP TABLE t(x int)",
    "SELECT pg_reload_conf()",
    "CHECKPOINT",
    "LOCK TABLE verdict IN ACCESS EXCLUSIVE MODE",
    "DELETE FROM verdict",
    "SELECT count(*) FROM verdict",  # the tables are not granted: only the views
    "SELECT 1; SELECT 2",
])
def test_postgres_sql_runs_as_a_select_only_role(postgres_db: DatabaseUrl, tmp_path: Path,
                                                 statement: str) -> None:
    _refused(postgres_db, statement.format(tmp=tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_postgres_large_objects_do_not_persist(postgres_db: DatabaseUrl) -> None:
    """lo_from_bytea is PUBLIC's, so it runs, but in the reader's transaction, rolled back."""
    import psycopg

    assert run(postgres_db, "sql", "SELECT lo_from_bytea(0, 'x') AS oid").code == 0
    with psycopg.connect(postgres_db.libpq_url) as conn:
        row = conn.execute("SELECT count(*) FROM pg_largeobject_metadata").fetchone()
    assert row == (0,)


def test_postgres_reader_role_has_no_server_rights(postgres_db: DatabaseUrl) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN) as conn:
        row = conn.execute(
            "SELECT rolsuper, rolcreaterole, rolcreatedb, rolcanlogin, "
            "pg_has_role(%s, 'pg_read_server_files', 'MEMBER'), "
            "pg_has_role(%s, 'pg_execute_server_program', 'MEMBER'), "
            "pg_has_role(%s, 'pg_write_server_files', 'MEMBER') "
            "FROM pg_roles WHERE rolname = %s", [READER_ROLE] * 4).fetchone()
    assert row == (False, False, False, True, False, False, False)
    out = run(postgres_db, "sql", "SELECT current_user AS who, "
              "current_setting('transaction_read_only') AS ro", "-f", "csv")
    assert out.code == 0 and out.out.splitlines()[1] == f"{READER_ROLE},on"


def test_sql_reads_the_views_on_both_engines(db: DatabaseUrl) -> None:
    result = run(db, "sql", "SELECT count(*) AS n FROM chip_verdict", "-f", "csv")
    assert result.code == 0 and int(result.out.splitlines()[1]) > 100


def test_sqlite_informational_pragmas_still_work(sqlite_db: DatabaseUrl) -> None:
    result = run(sqlite_db, "sql", "PRAGMA table_info(chip)", "-f", "csv")
    assert result.code == 0 and ",name," in result.out


def test_runaway_query_stops_at_the_timeout(db: DatabaseUrl) -> None:
    started = time.monotonic()
    result = run(db, "sql", FOREVER, "--timeout", "0.5")
    assert result.code == 1 and "longer than 0.5 s" in result.err
    assert len(result.err.splitlines()) == 1
    assert time.monotonic() - started < 10


def test_row_cap_prints_a_notice(db: DatabaseUrl) -> None:
    many = ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 50) "
            "SELECT x FROM c")
    capped = run(db, "sql", many, "-f", "csv", "--max-rows", "7")
    assert capped.code == 0
    assert capped.out.splitlines()[1:] == [str(i) for i in range(1, 8)]
    assert "first 7 rows" in capped.err
    full = run(db, "sql", many, "-f", "csv", "--max-rows", "50")
    assert len(full.out.splitlines()) == 51 and full.err == ""


def test_huge_values_and_blobs(sqlite_db: DatabaseUrl) -> None:
    big = run(sqlite_db, "sql", f"SELECT zeroblob({MAX_VALUE_BYTES * 4}) AS b")
    assert big.code == 1 and "too big" in big.err
    blob = run(sqlite_db, "sql", "SELECT x'00ff' AS b", "-f", "json")
    assert blob.code == 0 and blob.json() == [{"b": "x'00ff'"}]


def _active_reader_backends(database: str) -> int:
    import psycopg

    with psycopg.connect(PG_ADMIN) as conn:
        # any user, but only in this test's database: other runs may share the server
        row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
                           "AND query = 'SELECT pg_sleep(30)' AND pid <> pg_backend_pid() "
                           "AND datname = %s", (database,)).fetchone()
    return int(row[0]) if row else 0


def test_ctrl_c_cancels_the_query_and_exits_130(db: DatabaseUrl) -> None:
    engine = db.dialect
    query = FOREVER if engine == "sqlite" else "SELECT pg_sleep(30)"
    env = {**os.environ, "CHIPDB_DATABASE_URL": db.url}
    proc = subprocess.Popen([sys.executable, "-m", "chipdb", "sql", query, "--timeout", "60"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    time.sleep(2.5)  # started, and inside the query
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=10)
    assert proc.returncode == 130
    assert err.decode().strip().splitlines() == ["chipdb: interrupted"]
    if engine == "postgresql":
        time.sleep(0.5)
        database = db.url.rsplit("/", 1)[1]
        assert _active_reader_backends(database) == 0  # the cancel request reached the server


def test_migration_0002_grants_what_create_fresh_grants() -> None:
    """0002 carries its own SQL; create_fresh and db seed use chipdb.store.write.reader's."""
    import importlib.util

    from chipdb.store.package_data import alembic_dir
    from chipdb.store.sql_views import VIEW_NAMES
    from chipdb.store.write import reader

    path = next((alembic_dir() / "versions").glob("0002_*.py"))
    spec = importlib.util.spec_from_file_location("migration_0002", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # the same statement, granting the views of its time: 0002's seven; later migrations
    # grant the views they add, and reader grants every view at head
    frozen = "chip_specs, chip_metrics, chip_verdict, chip_margin, chip_sources, " \
        "rule_thresholds, chip_names"
    assert f"'{frozen}'" in module.GRANT
    head = ", ".join(VIEW_NAMES)
    assert module.GRANT.strip().replace(f"'{frozen}'", f"'{head}'") == reader._GRANT.strip()
    assert module.REVOKE.strip() == reader._REVOKE.strip()


def test_a_killed_client_leaves_no_backend_past_the_timeout(postgres_db: DatabaseUrl) -> None:
    env = {**os.environ, "CHIPDB_DATABASE_URL": postgres_db.url}
    proc = subprocess.Popen([sys.executable, "-m", "chipdb", "sql", "SELECT pg_sleep(30)",
                             "--timeout", "2"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    time.sleep(1.5)
    proc.kill()  # kill -9: no cancel request can be sent
    proc.communicate(timeout=10)
    time.sleep(2.5)  # the statement_timeout has passed
    assert _active_reader_backends(postgres_db.url.rsplit("/", 1)[1]) == 0


def test_postgres_values_reach_every_format(postgres_db: DatabaseUrl) -> None:
    statement = ("SELECT 1.5::numeric AS n, 2::numeric AS i, date '2024-01-01' AS d, "
                 "'x'::bytea AS b, interval '1 day' AS iv, ARRAY[1, 2] AS a")
    for fmt in ("json", "csv", "table", "markdown"):
        result = run(postgres_db, "sql", statement, "-f", fmt)
        assert result.code == 0 and result.err == "", (fmt, result.err)
    row = run(postgres_db, "sql", statement, "-f", "json").json()[0]
    assert (row["n"], row["i"], row["d"], row["b"]) == (1.5, 2, "2024-01-01", "x'78'")
    assert run(postgres_db, "sql", "SET statement_timeout = 0").code == 0  # no rows, no error
