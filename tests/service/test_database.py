"""chipdb.open(): a Database that opens, answers and closes; `import chipdb` stays cheap."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime

import pytest

import chipdb
from chipdb.errors import UsageError
from chipdb.store.url import DatabaseUrl

HEAVY = ("sqlalchemy", "pydantic", "pydantic_core", "numpy", "alembic", "rich", "matplotlib")


def _imported_after(code: str, env_url: str | None = None) -> list[str]:
    script = (f"import sys\n{code}\nimport json\n"
              "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    env = {"PATH": "/usr/bin:/bin"} | ({"CHIPDB_DATABASE_URL": env_url} if env_url else {})
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    modules: list[str] = json.loads(proc.stdout.splitlines()[-1])
    return modules


def test_import_chipdb_imports_nothing_heavy() -> None:
    modules = _imported_after("import chipdb; chipdb.__version__; chipdb.ENGINE_VERSION")
    assert "chipdb" in modules
    assert not [m for m in HEAVY if m in modules]


def test_chipdb_open_and_compare_stay_light(sqlite_db: DatabaseUrl) -> None:
    modules = _imported_after("import chipdb\nchipdb.open().compare(['H20', 'H100'])",
                              sqlite_db.url)
    assert not [m for m in HEAVY if m in modules]


def test_open_uses_the_environment_and_closes(sqlite_db: DatabaseUrl,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHIPDB_DATABASE_URL", sqlite_db.url)
    with chipdb.open() as db:
        assert db.url == sqlite_db.url
        assert db.compare(["H20"]).chips[0].name == "H20 96GB"
    with pytest.raises(UsageError, match="closed"):
        db.compare(["H20"])
    db.close()  # twice is harmless
    assert "closed" in repr(db)


def test_open_takes_a_url(db: DatabaseUrl) -> None:
    opened = chipdb.open(db.url)
    try:
        assert [c.name for c in opened.compare(["H20", "H100"]).chips] == ["H20 96GB",
                                                                           "H100 SXM"]
    finally:
        opened.close()


def test_as_of_defaults_to_today_and_takes_text(sqlite_db: DatabaseUrl) -> None:
    with chipdb.open(sqlite_db.url) as db:
        assert db.compare("H100").as_of == date.today()
        assert db.check("H100").as_of == date.today()
        assert db.headroom("H100").as_of == date.today()
        assert db.what_if("H100").as_of == date.today()
        assert db.compare("H100", as_of="2023-01-01").as_of == date(2023, 1, 1)
        assert db.compare("H100", as_of=datetime(2023, 1, 1, 12)).as_of == date(2023, 1, 1)
        assert db.compare("H100", all_rules=True).as_of is None
        for bad in ("2023-13-01", "soon", 20230101):
            with pytest.raises(UsageError, match="is not a date"):
                db.compare("H100", as_of=bad)  # type: ignore[arg-type]


def test_the_facade_answers_what_the_cli_answers(sqlite_db: DatabaseUrl) -> None:
    from tests.helpers import run

    with chipdb.open(sqlite_db.url) as db:
        rows = db.timeline("H100").rows
        cli = run(sqlite_db, "timeline", "H100", "-f", "json").json()["timeline"]
        assert [(str(r.valid_from), r.rule, r.outcome) for r in rows] == \
            [(r["from"], r["rule"], r["outcome"]) for r in cli]
        listed = db.list(rule="us-2024-12", outcome="3A090.a*", as_of="2026-06-01")
        cli_list = run(sqlite_db, "list", "--rule", "us-2024-12", "--verdict", "3A090.a*",
                       "--as-of", "2026-06-01", "-f", "json").json()
        assert [r.chip for r in listed] == [r["chip"] for r in cli_list]
        # a glob also matches "inside either way" outcomes that start with 3A090.a
        assert all((r.verdict or "").startswith("3A090.a") for r in listed)


def test_dir_lists_the_public_names() -> None:
    assert {"open", "Database", "CompareReport", "NotFoundError"} <= set(dir(chipdb))
