"""The database bundled in the wheel is exactly what seeding produces, and is used only when
it matches the installed seeds."""

from __future__ import annotations

from pathlib import Path

import pytest

from chipdb.store import bundled, package_data
from chipdb.store.package_data import seed_fingerprint, seed_signature
from chipdb.store.read.connect import reading
from chipdb.store.ready import ensure_ready
from chipdb.store.sql_views import VIEW_NAMES
from chipdb.store.url import DatabaseUrl, parse_url
from chipdb.store.write import bundle
from tests.helpers import run


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bundle.build_template(tmp_path_factory.mktemp("tpl") / package_data.TEMPLATE_NAME)


def _rows(db: DatabaseUrl, view: str) -> list[tuple[object, ...]]:
    with reading(db) as conn:
        _, rows = conn.raw(f"SELECT * FROM {view}")
    return sorted(rows, key=repr)


def test_template_is_one_self_contained_file(built: Path) -> None:
    assert built.stat().st_size > 100_000
    assert not Path(f"{built}-wal").exists() and not Path(f"{built}-shm").exists()


def test_first_run_from_the_template_equals_seeding(built: Path, tmp_path: Path,
                                                    sqlite_db: DatabaseUrl,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bundled, "template_path", lambda: built)
    db = parse_url(f"sqlite:///{tmp_path / 'from-template.sqlite3'}")
    result = run(db, "compare", "H20", "-f", "json")
    assert result.code == 0 and "created the database" in result.err
    for view in VIEW_NAMES:
        assert _rows(db, view) == _rows(sqlite_db, view), view
    # the copy is current: the next run neither reseeds nor rehashes
    again = run(db, "compare", "H20", "-f", "json")
    assert again.code == 0 and again.err.count("chipdb:") == 1  # only the variant note


def test_a_stale_template_is_ignored(built: Path, tmp_path: Path) -> None:
    target = tmp_path / "stale.sqlite3"
    assert not bundled.install_template(target, lambda: "another-release", seed_signature,
                                         built)
    assert not target.exists()
    assert bundled.install_template(target, seed_fingerprint, seed_signature, built)
    ensure_ready(parse_url(f"sqlite:///{target}"))  # already current: nothing to do


def test_no_template_in_a_checkout_seeds_as_before(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bundled, "template_path", lambda: tmp_path / "absent.sqlite3")
    result = run(parse_url(f"sqlite:///{tmp_path / 'seeded.sqlite3'}"), "list", "-f", "json")
    assert result.code == 0 and "creating the database" in result.err
