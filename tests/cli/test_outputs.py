"""Outputs people cite and scripts trust: --version, one JSON envelope validated against the
published schemas, -o, --fields, $CHIPDB_FORMAT, nothing dropped silently, exit codes."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from chipdb import __version__
from chipdb.store.url import DatabaseUrl
from tests.helpers import SCHEMAS, run, schema_validator

DAY = "2026-06-01"

# one question per command that prints JSON: (schema, arguments)
COMMANDS = [
    ("check", ["check", "H20", "--to", "CN", "--as-of", DAY]),
    ("check", ["check", "H100", "--as-of", DAY]),
    ("compare", ["compare", "H20", "H100", "--as-of", DAY]),
    ("compare", ["compare", "H20", "--sources", "--to", "CN"]),
    ("what-if", ["what-if", "H20", "--set", "fp8_dense_tops=600", "--as-of", DAY]),
    ("show", ["show", "H800"]),
    ("list", ["list", "--rule", "us-2024-12", "--as-of", DAY]),
    ("rules", ["rules"]),
    ("rules", ["rules", "us-2023-10"]),
    ("rules", ["rules", "--outcomes"]),
    ("headroom", ["headroom", "H20", "--as-of", DAY]),
    ("timeline", ["timeline", "H20", "--to", "CN"]),
    ("sweep", ["sweep", "--vary", "tpp=4000..5000:500", "--set", "die_area_mm2=800"]),
    ("frontier", ["frontier", "H20", "--target", "us-2024-12=not-controlled", "--scale",
                  "tpp"]),
    ("sql", ["sql", "SELECT chip, tpp FROM chip_metrics ORDER BY chip LIMIT 3"]),
    ("db-stats", ["db", "stats"]),
    ("report", ["report", "H20", "--to", "CN", "--as-of", DAY]),
    ("changes", ["changes", "--since", "2025-04-01", "--until", "2025-04-30", "--to", "CN"]),
]


def _validator(name: str) -> Any:
    return schema_validator(name)


def test_version_names_the_package() -> None:
    result = run(None, "--version")
    assert result.code == 0 and result.out.startswith(f"chipdb {__version__} (engine ")


@pytest.mark.parametrize(("schema", "argv"), COMMANDS, ids=[" ".join(a) for _, a in COMMANDS])
def test_every_json_output_is_the_envelope_its_schema_publishes(
        db: DatabaseUrl, schema: str, argv: list[str]) -> None:
    result = run(db, *argv, "-f", "json")
    assert result.code == 0, result.err
    document = result.envelope()
    _validator(schema).validate(document)  # type: ignore[attr-defined]
    assert document["chipdb_version"] == __version__
    assert len(document["catalogue"]["fingerprint"]) == 64
    assert document["catalogue"]["updated"] >= "2025-01-01"
    if "--as-of" in argv:
        assert document["as_of"] == DAY


def test_every_published_schema_is_checked_here() -> None:
    assert {p.stem for p in SCHEMAS.glob("*.json")} == {name for name, _ in COMMANDS}


def test_changes_covers_a_window_so_its_envelope_has_no_as_of(db: DatabaseUrl) -> None:
    document = run(db, "changes", "--since", "2025-04-01", "--until", "2025-04-30",
                   "-f", "json").envelope()
    assert document["as_of"] is None  # not --until's day: data carries the window
    assert (document["data"]["since"], document["data"]["until"]) == ("2025-04-01",
                                                                       "2025-04-30")
    bad = run(db, "changes", "--since", "April")
    assert bad.code == 2 and "--since 'April' is not a date" in bad.err


def test_a_schema_refuses_a_broken_answer(db: DatabaseUrl) -> None:
    import jsonschema

    document = run(db, "check", "H20", "--to", "CN", "-f", "json").envelope()
    del document["data"][0]["license_required"]
    with pytest.raises(jsonschema.ValidationError, match="license_required"):
        _validator("check").validate(document)  # type: ignore[attr-defined]


def test_check_keeps_the_bottom_line_contract_inside_data(db: DatabaseUrl) -> None:
    answer = run(db, "check", "H20", "--to", "CN", "-f", "json").json()[0]
    assert {"chip", "destination", "party_hq", "as_of", "license_required", "exceptions",
            "review_policy", "measures", "basis", "binding_margin", "confidence",
            "since"} <= set(answer)
    assert answer["license_required"] is True


def test_generated_at_follows_source_date_epoch(db: DatabaseUrl,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764547200")
    assert run(db, "rules", "-f", "json").envelope()["generated_at"] == "2025-12-01T00:00:00Z"


def test_output_file_holds_exactly_what_stdout_would(db: DatabaseUrl, tmp_path: Path) -> None:
    target = tmp_path / "list.csv"
    result = run(db, "list", "-f", "csv", "-o", str(target))
    assert result.code == 0 and result.out == ""
    assert f"wrote {target}" in result.err
    assert target.read_text(encoding="utf-8") == run(db, "list", "-f", "csv").out
    assert target.stat().st_mode & 0o044  # readable by others, as a shell redirect makes it


def test_a_failed_run_leaves_no_output_file(db: DatabaseUrl, tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    result = run(db, "compare", "NoSuchChip", "-f", "json", "-o", str(target))
    assert result.code == 1
    assert not target.exists() and list(tmp_path.iterdir()) == []


def test_fields_cut_the_record_table_in_every_format(db: DatabaseUrl) -> None:
    rows = run(db, "list", "--fields", "chip,tpp", "-f", "json").json()
    assert rows and all(list(r) == ["chip", "tpp"] for r in rows)
    lines = run(db, "list", "--fields", "tpp,chip", "-f", "csv").out.splitlines()
    assert lines[0] == "tpp,chip"
    table = run(db, "list", "--fields", "chip", "--vendor", "nvidia").out
    assert "H100 SXM" in table and "NVIDIA" not in table


def test_an_unknown_field_is_refused_with_the_nearest(db: DatabaseUrl) -> None:
    result = run(db, "list", "--fields", "chip,tppp", "-f", "csv")
    assert result.code == 2 and "no field 'tppp': did you mean tpp" in result.err
    assert result.out == ""


def test_the_format_comes_from_the_environment_in_any_case(
        db: DatabaseUrl, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHIPDB_FORMAT", "CSV")
    assert run(db, "rules").out.startswith("rule,short_title,")
    assert run(db, "rules", "-f", "Json").envelope()["command"] == "rules"


def test_compare_sources_as_csv_is_a_long_table_of_sources(db: DatabaseUrl) -> None:
    result = run(db, "compare", "H20", "H100", "--sources", "-f", "csv")
    assert result.code == 0, result.err
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert list(rows[0]) == ["chip", "field", "value", "preferred", "tier", "publisher", "url",
                             "accessed", "note"]
    assert {r["chip"] for r in rows} == {"H20 96GB", "H100 SXM"}
    assert all(r["url"].startswith("http") and r["accessed"] for r in rows)
    assert "not in it:" in result.err and "Why" in result.err  # and it says what it left


def test_a_one_table_format_says_what_it_leaves_out(db: DatabaseUrl) -> None:
    assert "not in it: Why" in run(db, "compare", "H20", "-f", "csv").err
    assert "not in it" not in run(db, "list", "-f", "csv").err  # one table: nothing left
    assert "not in it" not in run(db, "compare", "H20", "-f", "json").err


@pytest.mark.parametrize(("argv", "code"), [
    (["check", "H20", "--to", "CN", "--fail-on", "license-required"], 3),
    (["check", "H20", "--to", "DE", "--fail-on", "license-required"], 0),
    (["compare", "H100", "--as-of", DAY, "--fail-on", "3A090.a*"], 3),
    (["compare", "H20", "--as-of", DAY, "--fail-on", "3A090.a*"], 0),
    (["list", "--rule", "us-2022-10", "--as-of", "2023-01-01", "--fail-on", "3A090"], 3),
    (["what-if", "blank", "--set", "tpp=4700", "--set", "die_area_mm2=800", "--set",
      "datacenter=true", "--as-of", DAY, "--fail-on", "3A090.a.1"], 0),
    (["what-if", "blank", "--set", "tpp=4900", "--set", "die_area_mm2=800", "--set",
      "datacenter=true", "--as-of", DAY, "--fail-on", "3A090.a.1"], 3),
])
def test_fail_on_is_a_ci_gate_after_the_output(db: DatabaseUrl, argv: list[str],
                                               code: int) -> None:
    result = run(db, *argv, "-f", "csv")
    assert result.code == code, result.err
    assert result.out  # the answer is written either way
    assert ("exit 3" in result.err) == (code == 3)


def _shell(command: str, db: DatabaseUrl) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CHIPDB_DATABASE_URL": db.url}
    return subprocess.run(["bash", "-c", f"set -o pipefail; {command}"], env=env,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize("argv", [
    "list -f csv",
    "list",
    "sql 'SELECT * FROM chip_margin' -f csv --max-rows 100000",
    "compare H100 H20 A100 -f json",
])
def test_a_closed_pipe_exits_zero(sqlite_db: DatabaseUrl, argv: str) -> None:
    done = _shell(f"{sys.executable} -m chipdb {argv} | head -1", sqlite_db)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 1
    assert "Error" not in done.stderr and "Traceback" not in done.stderr


def test_ctrl_c_exits_130_with_one_line(sqlite_db: DatabaseUrl) -> None:
    """A real SIGINT while a command waits on its input (what-if --batch - on a pipe)."""
    import signal
    import time

    proc = subprocess.Popen([sys.executable, "-m", "chipdb", "--db", sqlite_db.url, "what-if",
                             "--batch", "-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdin is not None
    proc.stdin.write("name,tpp\n")
    proc.stdin.flush()
    tasks = Path(f"/proc/{proc.pid}/task")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:  # until a thread waits on it
        try:
            waits = [(t / "wchan").read_text() for t in tasks.iterdir()]
        except OSError:  # a thread ended while we looked
            continue
        if any("pipe_read" in w for w in waits):
            break
        time.sleep(0.1)
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err.strip().splitlines()[-1] == "chipdb: interrupted" and "Traceback" not in err


@pytest.mark.parametrize(("argv", "out"), [
    (["what-if", "--batch", "{designs}", "-f", "csv", "--fields", "name"], "name\nbig\nsmall\n"),
    (["what-if", "--batch", "{designs}", "-f", "JSONL", "--fields", "name"],
     '{"name": "big"}\n{"name": "small"}\n'),
    (["sweep", "--vary", "tpp=4000..5000:500", "--fields", "tpp"], "tpp\n4000\n4500\n5000\n"),
])
def test_a_streamed_batch_honours_fields(db: DatabaseUrl, tmp_path: Path, argv: list[str],
                                         out: str) -> None:
    designs = tmp_path / "d.csv"
    designs.write_text("name,tpp\nbig,4900\nsmall,4700\n", encoding="utf-8")
    result = run(db, *[a.format(designs=designs) for a in argv])
    assert result.code == 0, result.err
    got = result.out if "JSONL" in argv else result.out.replace('"', "")  # csv: quoted or not
    assert got.replace(".0\n", "\n") == out


def test_a_batch_as_a_document_is_gated(db: DatabaseUrl, tmp_path: Path) -> None:
    designs = tmp_path / "d.csv"
    designs.write_text("name,tpp,die_area_mm2,datacenter\nbig,4900,800,true\n"
                       "small,4700,800,true\n", encoding="utf-8")
    gated = run(db, "what-if", "--batch", str(designs), "-f", "json", "--as-of", DAY,
                "--fail-on", "3A090.a.1")
    assert gated.code == 3, gated.err
    assert [d["name"] for d in gated.json()["designs"]] == ["big", "small"]
    fine = run(db, "what-if", "--batch", str(designs), "-f", "JSON", "--as-of", DAY,
               "--fail-on", "presumption-of-denial")
    assert fine.code == 0, fine.err


def test_the_gate_reads_outcomes_never_clauses() -> None:
    from chipdb.render.output import gate_matches

    near = {"outcome": "not-controlled", "margins": [{"clause": "3A090.a.1", "met": False}]}
    assert not gate_matches(near, "3A090.a.1") and not gate_matches(near, "3A090*")
    assert gate_matches([{"x": 1}, {"verdict": "3A090.a.2"}], "3A090.a*")
    row = {"name": "d", "us-2024-12": "3A090.a.1", "us-2024-12:clause": "3A090.a.1"}
    assert gate_matches(row, "3A090.a.1", frozenset({"us-2024-12"}))
    assert not gate_matches(row, "3A090.a.1")  # without the rule ids, no column is an outcome
    assert gate_matches({"license_required": True}, "LICENSE-REQUIRED")
    assert not gate_matches({"license_required": None}, "license-required")  # undetermined
    assert gate_matches({"license_required": None}, "undetermined")  # ... which has a gate
