"""Every command through Typer's test runner, and the shell integration."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from chipdb.cli import app
from chipdb.cli import options as cli_options
from chipdb.service import sql as sqlshell
from chipdb.store.package_data import SCHEMA_REVISION
from chipdb.store.url import DatabaseUrl

runner = CliRunner()


def invoke(db: DatabaseUrl, *args: str) -> Any:
    result = runner.invoke(app, ["--db", db.url, *args])
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def test_show_lists_sources_claims_and_structure(db: DatabaseUrl) -> None:
    data = json.loads(invoke(db, "show", "H20", "-f", "json").stdout)["data"]
    assert data["name"] == "H20 96GB"
    assert data["dies"][0]["area_mm2"] == 814
    assert {s["tier"] for s in data["sources"]} <= {"official", "secondary", "estimate",
                                                    "measured"}
    shown = json.loads(invoke(db, "show", "H800", "-f", "json").stdout)["data"]
    assert any(not s["preferred"] for s in shown["sources"])  # competing claims kept


def test_show_table_names_every_section(db: DatabaseUrl) -> None:
    out = invoke(db, "show", "H100").stdout
    for title in ("Dies", "Memory", "I/O", "Metrics", "Sources and claims", "Verdicts"):
        assert title in out


def test_list_filters_and_sorts(db: DatabaseUrl) -> None:
    rows = json.loads(invoke(db, "list", "--vendor", "nvidia", "--sort", "tpp", "-f",
                             "json").stdout)["data"]
    assert rows and all(r["vendor"] == "NVIDIA" for r in rows)
    tpps = [r["tpp"] for r in rows if r["tpp"] is not None]
    assert tpps == sorted(tpps, reverse=True)
    consumer = json.loads(invoke(db, "list", "--not-datacenter", "-f", "json").stdout)["data"]
    assert consumer and all(r["datacenter"] is False for r in consumer)
    caught = json.loads(invoke(db, "list", "--rule", "us-2023-10", "--verdict", "3A090.a*",
                               "--as-of", "2024-06-01", "-f", "json").stdout)["data"]
    assert {"H100 SXM", "A800 SXM4 80GB"} <= {r["chip"] for r in caught}
    assert all(r["verdict"].startswith("3A090.a") for r in caught)


def test_rules_table_and_detail(db: DatabaseUrl) -> None:
    assert "us-2026-01-s232" in invoke(db, "rules").stdout
    detail = invoke(db, "rules", "us-2025-04-h20").stdout
    assert "unverified" in detail and "1,400" in detail


def test_headroom_and_timeline_tables(db: DatabaseUrl) -> None:
    assert "2,400" in invoke(db, "headroom", "H20", "--as-of", "2026-06-01").stdout
    out = invoke(db, "timeline", "A800").stdout
    assert "us-2022-10" in out and "3A090.a.1" in out


def test_db_commands(db: DatabaseUrl) -> None:

    assert invoke(db, "db", "current").stdout.strip() == SCHEMA_REVISION
    url = invoke(db, "db", "url").stdout
    assert url.splitlines()[0].startswith(db.url.split("://")[0])
    if db.dialect == "sqlite":
        assert invoke(db, "db", "path").stdout.strip() == str(db.sqlite_path)


def test_export_list_is_empty_on_a_fresh_catalogue(db: DatabaseUrl) -> None:
    assert invoke(db, "export", "--list").stdout == ""


def test_completion_of_chip_names_and_rules(db: DatabaseUrl,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHIPDB_DATABASE_URL", db.url)  # no context: the variable's database
    assert "H20 96GB" in cli_options.complete_chip(None, "H20")  # type: ignore[arg-type]
    assert sorted(cli_options.complete_rule(None, "us-2026")) == [  # type: ignore[arg-type]
                                                    "us-2026-01", "us-2026-01-s232",
                                                    "us-2026-04-icdesigner",
                                                    "us-2026-05-guidance", "us-2026-07-uae"]


def test_sql_shell_is_opened_read_only(db: DatabaseUrl, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []
    envs: list[dict[str, str]] = []

    def fake_exec(exe: str, argv: list[str], env: dict[str, str]) -> None:
        seen.append(argv)
        envs.append(env)
        raise SystemExit(0)

    monkeypatch.setattr(sqlshell, "_exec", fake_exec)
    monkeypatch.setattr(sqlshell.shutil, "which",
                        lambda tool: f"/usr/bin/{tool}" if tool in ("sqlite3", "psql") else None)
    with pytest.raises(SystemExit):
        sqlshell.open_shell(db, lambda _m: None)
    if db.dialect == "sqlite":
        assert seen[0][:3] == ["sqlite3", "-safe", "-readonly"]
    else:
        assert seen[0][0] == "psql"
        assert seen[0][1].startswith("postgresql://chipdb_reader@")
        assert "default_transaction_read_only=on" in envs[0]["PGOPTIONS"]


def test_import_replace_and_remove(tmp_path: Path) -> None:
    from chipdb.store.url import parse_url

    db = parse_url(f"sqlite:///{tmp_path / 'imports.sqlite3'}")
    chip = (Path(__file__).parent / "test_readme.py").read_text(encoding="utf-8")
    body = chip.split('MY_CHIPS = """', 1)[1].split('"""', 1)[0]
    path = tmp_path / "mine.toml"
    path.write_text(body, encoding="utf-8")
    invoke(db, "import", str(path))
    again = runner.invoke(app, ["--db", db.url, "import", str(path)])
    assert again.exit_code != 0  # needs --replace
    invoke(db, "import", str(path), "--replace")
    assert "mine.toml" in invoke(db, "export", "--list").stdout
    invoke(db, "export", "--remove", "mine.toml")
    assert invoke(db, "export", "--list").stdout == ""


@pytest.mark.parametrize("args", [
    ["compare", "H20", "H100", "-f", "json"],
    ["what-if", "H20", "--set", "tpp=5000", "-f", "csv"],
    ["sql", "SELECT COUNT(*) AS n FROM chip_verdict", "-f", "csv"],
    ["plot", "H20", "H100"],
])
def test_remaining_commands_through_the_runner(db: DatabaseUrl, args: list[str]) -> None:
    assert invoke(db, *args).stdout


def test_wheel_carries_seeds_and_migrations(tmp_path: Path) -> None:
    import subprocess
    import sys
    import zipfile

    root = Path(__file__).resolve().parents[2]
    build_tmp = tmp_path / "tmp"  # the build's system temp dir: the hook must leave it clean
    build_tmp.mkdir()
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                           str(tmp_path), str(root)], capture_output=True, text=True,
                          env={**os.environ, "TMPDIR": str(build_tmp)})
    assert proc.returncode == 0, proc.stderr
    assert not list(build_tmp.rglob("chipdb-template-*"))
    wheel = next(tmp_path.glob("chipdb-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "chipdb/_data/seeds/rules/us-2023-10.toml" in names
    assert "chipdb/_data/seeds/chips/nvidia.toml" in names
    assert "chipdb/_data/alembic/versions/0001_initial_schema.py" in names
    assert "chipdb/_data/alembic/env.py" in names
    assert "chipdb/_data/template.sqlite3" in names  # the seeded database (hatch_build.py)
