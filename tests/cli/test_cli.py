"""The CLI through its entry point: formats, names, errors, exit codes, read-only SQL."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chipdb.cli import app
from tests.helpers import run

COMPARE_KEYS = {"name", "vendor", "specs", "metrics", "verdicts"}
METRIC_KEYS = {"tpp", "tpp_precision", "performance_density", "bidirectional_io_gbps",
               "memory_bandwidth_gbps", "datacenter"}


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("compare", "show", "list", "rules", "what-if", "headroom", "timeline",
                    "sql", "import", "export", "plot", "db"):
        assert command in result.output


def test_command_modules_name_where_each_command_is_registered() -> None:
    """A run imports only the module chipdb.cli.main.COMMAND_MODULES names for its command:
    the map must hold every command, and the right module."""
    import typer.main

    from chipdb.cli.main import COMMAND_MODULES

    group = typer.main.get_command(app)
    found = {}
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        sub = getattr(command, "commands", None)
        callbacks = [c.callback for c in sub.values()] if sub else [command.callback]
        modules = {f.__module__.rsplit(".", 1)[-1] for f in callbacks if f is not None}
        assert len(modules) == 1, (name, modules)
        found[name] = modules.pop()
    assert found == COMMAND_MODULES


@pytest.mark.parametrize("argv", [["--db", "compare", "nosuch"], ["--db=compare", "nosuch"]])
def test_an_unknown_command_after_global_options_is_a_usage_error(argv: list[str]) -> None:
    result = subprocess.run([sys.executable, "-m", "chipdb", *argv], capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 2
    assert "No such command 'nosuch'" in result.stderr


def test_compare_json_shape(db: object) -> None:
    result = run(db, "compare", "MI300X", "MI250", "--as-of", "2026-06-01",  # type: ignore
                 "-f", "json")
    assert result.code == 0, result.err
    data = result.json()
    assert data["as_of"] == "2026-06-01"
    assert [c["name"] for c in data["chips"]] == ["MI300X", "MI250"]
    for chip in data["chips"]:
        assert set(chip) >= COMPARE_KEYS
        assert set(chip["metrics"]) >= METRIC_KEYS
        assert {v["rule"] for v in chip["verdicts"]} >= {"us-2024-12", "us-2026-01"}
        for v in chip["verdicts"]:
            assert {"rule", "outcome", "reason", "margins"} <= set(v)


def test_compare_csv_is_one_row_per_chip(db: object) -> None:
    result = run(db, "compare", "MI300X", "MI250", "-f", "csv")  # type: ignore
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert [r["name"] for r in rows] == ["MI300X", "MI250"]
    assert rows[0]["us-2024-12"] == "3A090.a.1"


def test_names_ignore_case_and_spacing(db: object) -> None:
    a = run(db, "compare", "mi 300x", "-f", "json").json()  # type: ignore
    assert a["chips"][0]["name"] == "MI300X"


def test_unknown_chip_suggests_and_exits_1(db: object) -> None:
    result = run(db, "compare", "MI300Z")  # type: ignore[arg-type]
    assert result.code == 1
    assert "did you mean" in result.err and "MI300X" in result.err
    assert result.out == "" and result.err.count("\n") == 1


@pytest.mark.parametrize("args,code,text", [
    (["compare", "MI250", "--as-of", "2026-13-45"], 2, "not a date"),
    (["compare", "MI250", "-f", "yaml"], 2, "unknown format"),
    (["compare"], 2, "Missing argument"),
    (["compare", "MI250", "--frobnicate"], 2, "No such option"),
    (["what-if", "MI250", "--set", "colour=red"], 2, "unknown key 'colour'"),
    (["what-if", "MI250", "--set", "tpp=lots"], 2, "takes a number"),
    (["what-if", "MI250", "--set", "tpp=nan"], 2, "takes a number"),
    (["what-if", "MI250", "--set", "tpp=-5"], 2, "finite number"),
    (["what-if", "MI250", "--set", "tpp=1e308"], 2, "beyond any real chip"),
    (["what-if", "MI250", "--set", "memory_bandwidth_gbps=3 furlongs"], 2, "not understood"),
    (["what-if", "MI250", "--set", "tpp"], 2, "KEY=VALUE"),
    (["what-if", "MI250", "--set", "datacenter=maybe"], 2, "true or false"),
    (["rules", "us-1999-01"], 1, "unknown rule"),
    (["list", "--sort", "colour"], 2, "cannot sort"),
])
def test_bad_input_is_one_line_with_the_right_exit(db: object, args: list[str],
                                                   code: int, text: str) -> None:
    result = run(db, *args)  # type: ignore[arg-type]
    assert result.code == code, result.err
    assert text in result.err
    assert "Traceback" not in result.err and result.err.strip().count("\n") == 0


def test_what_if_recomputes_density_and_verdicts(db: object) -> None:
    data = run(db, "what-if", "blank", "--set", "tpp=4000",  # type: ignore[arg-type]
               "--set", "die_area_mm2=800", "--set", "datacenter=true",
               "--set", "memory_bandwidth_gbps=1.2TB/s", "-f", "json").json()
    chip = data["chips"][0]
    assert chip["metrics"]["performance_density"] == 5.0
    outcomes = {v["rule"]: v["outcome"] for v in chip["verdicts"]}
    assert outcomes["us-2024-12"] == "3A090.b.1"


def test_what_if_batch_csv(db: object, tmp_path: Path) -> None:
    path = tmp_path / "designs.csv"
    path.write_text("name,tpp,die_area_mm2,datacenter,memory_bandwidth_gbps\n"
                    "a,4800,800,true,1000\nb,2399,800,true,1000\nc,2000,,false,\n",
                    encoding="utf-8")
    result = run(db, "what-if", "--batch", str(path), "-f", "csv",  # type: ignore
                 "--as-of", "2026-06-01")
    assert result.code == 0, result.err
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(result.out))}
    assert rows["a"]["us-2024-12"] == "3A090.a.1"
    assert rows["b"]["us-2024-12"] == "not-controlled"
    assert rows["c"]["us-2024-12"] == "not-controlled"  # Note 2


@pytest.mark.parametrize("content,text", [
    ("name,colour\nx,red\n", "unknown column 'colour'"),
    ("name,tpp\nx,1,2\n", "line 2 has 3 fields"),
    ("name,tpp\nx,lots\n", "takes a number"),
    ("", "is empty"),
])
def test_batch_errors(db: object, tmp_path: Path, content: str, text: str) -> None:
    path = tmp_path / "designs.csv"
    path.write_text(content, encoding="utf-8")
    result = run(db, "what-if", "--batch", str(path))  # type: ignore[arg-type]
    assert result.code == 1 and text in result.err


def test_headroom_names_the_next_line(db: object) -> None:
    data = run(db, "what-if", "blank", "-f", "json").json()  # type: ignore[arg-type]
    assert data["chips"][0]["name"] == "design"
    result = run(db, "headroom", "MI300X", "-f", "json")  # type: ignore[arg-type]
    assert result.code == 0, result.err
    rows = result.json()["headroom"]
    down = [r for r in rows if r["rule"] == "us-2026-01" and r["metric"] == "tpp"
            and r["direction"] == "up"]
    assert down and down[0]["crosses_at"] == 21000


def test_timeline_rows_are_dated(db: object) -> None:
    rows = run(db, "timeline", "MI250", "-f", "json").json()["timeline"]  # type: ignore
    first = rows[0]
    assert first["rule"] == "us-2022-10" and first["from"] == "2022-10-07"
    assert first["outcome"] == "3A090"


def test_rules_lists_versions(db: object) -> None:
    rows = run(db, "rules", "-f", "json").json()  # type: ignore[arg-type]
    assert next(r["rule"] for r in rows) == "us-2022-10"
    one = run(db, "rules", "us-2026-01-s232", "-f", "json").json()  # type: ignore
    assert {t["threshold"] for t in one["thresholds"]} >= {14000, 17500, 20800, 21100}


def test_sql_query_and_formats(db: object) -> None:
    result = run(db, "sql", "SELECT chip, tpp FROM chip_metrics WHERE chip = 'MI250'",  # type: ignore
                 "-f", "json")
    assert result.code == 0, result.err
    assert result.json()[0]["chip"] == "MI250"


@pytest.mark.parametrize("statement", [
    "DELETE FROM chip",
    "UPDATE chip SET name = 'x'",
    "DROP TABLE verdict",
    "INSERT INTO meta (key, value) VALUES ('a', 'b')",
])
def test_sql_cannot_change_data(db: object, statement: str) -> None:
    before = run(db, "sql", "SELECT COUNT(*) AS n FROM chip_specs", "-f", "json").json()  # type: ignore
    result = run(db, "sql", statement)  # type: ignore[arg-type]
    assert result.code == 1
    assert "read-only" in result.err or "query failed" in result.err
    after = run(db, "sql", "SELECT COUNT(*) AS n FROM chip_specs", "-f", "json").json()  # type: ignore
    assert before == after


def test_injection_through_names_is_inert(db: object) -> None:
    result = run(db, "compare", "x'); DROP TABLE chip; --")  # type: ignore[arg-type]
    assert result.code == 1 and "unknown chip" in result.err
    assert run(db, "compare", "MI250", "-f", "json").code == 0  # type: ignore


def test_no_colour_codes_when_piped(db: object) -> None:
    result = run(db, "compare", "MI250")  # type: ignore[arg-type]
    assert "\x1b[" not in result.out


def test_compare_does_not_import_heavy_modules(sqlite_db: object) -> None:
    run(sqlite_db, "list")  # type: ignore[arg-type]  # database current: a plain read follows
    code = (
        "import sys\n"
        "from chipdb.cli import main\n"
        f"rc = main(['--db', '{sqlite_db.url}', 'compare', 'MI250', 'MI300X', '-f', 'json'])\n"  # type: ignore
        "bad = [m for m in ('alembic', 'matplotlib', 'sqlalchemy', 'numpy', 'pydantic', "
        "'chipdb.catalogue') "
        "if m in sys.modules]\n"
        "print(rc, bad, file=sys.stderr)\n"
        "sys.exit(1 if bad or rc else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
