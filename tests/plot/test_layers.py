"""The plot package is fed plain data: it reads no database and prints nothing itself."""

from __future__ import annotations

import ast
import io
from contextlib import redirect_stderr
from datetime import date
from pathlib import Path

import chipdb.plot
from chipdb.plot import data as plot_data
from chipdb.service.plot import plot_inputs
from chipdb.service.session import open_session
from chipdb.store.url import DatabaseUrl

PLOT_DIR = Path(str(chipdb.plot.__file__)).parent


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):  # deferred ones too
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_plot_imports_no_store_or_service_module() -> None:
    modules = sorted(PLOT_DIR.glob("*.py"))
    assert {p.name for p in modules} == {"__init__.py", "data.py", "geometry.py",
                                         "terminal.py", "image.py", "marks.py"}
    for path in modules:
        for name in _imports(path):
            assert not name.startswith(("chipdb.store", "chipdb.service", "chipdb.cli")), \
                (path.name, name)
            if name.startswith("chipdb.engine"):
                assert path.name == "data.py"  # the regions, classified by the rule's engine


def test_geometry_and_terminal_need_no_engine_or_matplotlib() -> None:
    for name in ("geometry.py", "terminal.py"):
        assert not any(n.startswith(("chipdb.engine", "matplotlib", "numpy"))
                       for n in _imports(PLOT_DIR / name))


def test_build_returns_the_skipped_chips_and_prints_nothing(sqlite_db: DatabaseUrl) -> None:
    with open_session(sqlite_db) as s:
        inputs = plot_inputs(s, ["H100 SXM", "HBM3 (SK hynix)"], "us-2024-12", None,
                             date(2026, 6, 1))
    err = io.StringIO()
    with redirect_stderr(err):
        data = plot_data.build(**inputs)
    assert err.getvalue() == ""
    assert data.skipped == ["HBM3 (SK hynix)"]
    assert [p.chips for p in data.points] == [("H100 SXM",)]
    assert plot_data.skipped_note(data) == (
        "chipdb: not plotted, no TPP or perf. density: HBM3 (SK hynix)")


def test_build_from_plain_rows_without_a_database(sqlite_db: DatabaseUrl) -> None:
    """Plain dicts in, a map out: a made-up chip needs no row in any table."""
    with open_session(sqlite_db) as s:
        inputs = plot_inputs(s, ["H20 96GB"], "us-2024-12", None, date(2026, 6, 1))
    row = dict(inputs["metrics"][0], chip="Paper Chip", tpp=6000.0, performance_density=7.0)
    inputs = {**inputs, "metrics": [row], "verdicts": {"Paper Chip": "3A090.a.1"}}
    data = plot_data.build(**inputs)  # type: ignore[arg-type]
    assert [(p.chips, p.outcome) for p in data.points] == [(("Paper Chip",), "3A090.a.1")]
    assert data.colour("3A090.a.1") != data.colour("not-controlled")
