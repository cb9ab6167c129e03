"""`chipdb db metadata`: Datasette's metadata.json, served by Datasette itself (`--get`): the
descriptions show, the internal tables are hidden, the canned queries answer."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from chipdb.store.url import DatabaseUrl
from tests.helpers import run


@pytest.fixture(scope="module")
def served(sqlite_db: DatabaseUrl, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("meta") / "metadata.json"
    result = run(sqlite_db, "db", "metadata", "-o", str(target))
    assert result.code == 0, result.err
    return target


def _get(db: DatabaseUrl, metadata: Path, path: str) -> str:
    exe = shutil.which("datasette") or str(Path(sys.executable).with_name("datasette"))
    if not Path(exe).exists():
        pytest.skip("datasette is not installed (pip install -e '.[test]')")
    assert db.sqlite_path is not None
    done = subprocess.run([exe, str(db.sqlite_path), "-m", str(metadata), "--get", path],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_metadata_is_datasettes_documented_shape(served: Path,
                                                     sqlite_db: DatabaseUrl) -> None:
    meta = json.loads(served.read_text(encoding="utf-8"))
    assert {"title", "description", "license", "license_url", "source", "databases"} <= set(
        meta)
    assert sqlite_db.sqlite_path is not None
    tables = meta["databases"][sqlite_db.sqlite_path.stem]["tables"]
    assert all(isinstance(v, str) for v in tables["chip_metrics"]["columns"].values())
    assert tables["claim"] == {"hidden": True, "description": tables["claim"]["description"]}


def test_datasette_shows_the_descriptions(served: Path, sqlite_db: DatabaseUrl) -> None:
    page = _get(sqlite_db, served, "/-/metadata.json")
    assert "total processing performance" in page and "CC BY 4.0" in page
    html = _get(sqlite_db, served, f"/{sqlite_db.sqlite_path.stem}/chip_metrics")  # type: ignore[union-attr]
    assert "One row per chip: the derived metrics" in html


def test_datasette_hides_the_internal_tables(served: Path, sqlite_db: DatabaseUrl) -> None:
    name = sqlite_db.sqlite_path.stem  # type: ignore[union-attr]
    listing = json.loads(_get(sqlite_db, served, f"/{name}.json"))
    hidden = {t["name"]: t["hidden"] for t in listing["tables"]}
    assert hidden and all(hidden.values()), [t for t, h in hidden.items() if not h]
    assert {"chip_metrics", "chip_status"} <= {v["name"] for v in listing["views"]}


def test_the_canned_queries_answer(served: Path, sqlite_db: DatabaseUrl) -> None:
    name = sqlite_db.sqlite_path.stem  # type: ignore[union-attr]
    caught = json.loads(_get(sqlite_db, served,
                             f"/{name}/caught_by_the_h20_letters.json?_shape=array"))
    chips = {r["chip"] for r in caught}
    assert {"H20 96GB", "H20 141GB", "MI308X"} <= chips  # undetermined before: counted
    assert "H100 SXM" not in chips  # already controlled under us-2023-10
    china = json.loads(_get(sqlite_db, served, f"/{name}/china_skus_by_rule.json?_shape=array"))
    a800 = next(r for r in china if r["chip"] == "A800 SXM4 80GB")
    assert a800["us-2022-10"] == "not-controlled" and a800["us-2023-10"].startswith("3A090")
    assert "H100 SXM" not in {r["chip"] for r in china}
    near = json.loads(_get(sqlite_db, served, f"/{name}/near_a_line.json?within_pct=1.5"
                                              "&_shape=array"))
    assert near and all(abs(r["margin_pct"]) <= 1.5 for r in near)
    assert any(r["chip"] == "H20 96GB" and r["metric"] == "tpp" for r in near)
