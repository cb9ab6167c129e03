"""docs/python-api.md is a contract: its examples run, and it documents every public name."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

import chipdb
from chipdb.service.database import Database
from chipdb.store.url import DatabaseUrl

DOC = Path(__file__).resolve().parent.parent / "docs" / "python-api.md"
BLOCK = re.compile(r"^```pycon\n(.*?)^```$", re.S | re.M)
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def test_python_api_examples_run(db: DatabaseUrl, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every ```pycon block, in order and sharing names, as a reader would type them."""
    monkeypatch.setenv("CHIPDB_DATABASE_URL", db.url)
    text = DOC.read_text(encoding="utf-8")
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    globs: dict[str, object] = {}
    blocks = list(BLOCK.finditer(text))
    assert len(blocks) >= 10
    for match in blocks:
        line = text.count("\n", 0, match.start(1))
        test = parser.get_doctest(match.group(1), globs, f"python-api.md:{line + 1}", str(DOC),
                                  line)
        assert test.examples, f"an empty example block at line {line + 1}"
        runner.run(test, clear_globs=False)
        globs.update(test.globs)  # a DocTest runs on a copy: carry its names to the next block
    globs.clear()
    assert runner.failures == 0, f"{runner.failures} example(s) in {DOC.name} failed (see above)"


def test_every_public_name_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [n for n in chipdb.__all__ if not n.startswith("__")
               and f"chipdb.{n}" not in text]
    assert not missing, f"docs/python-api.md does not document {missing}"


def test_every_database_method_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    public = [n for n in vars(Database) if not n.startswith("_")
              and n not in ("url", "session", "close")]
    assert {"compare", "show", "check", "what_if", "headroom", "timeline", "list",
            "rules"} <= set(public)
    missing = [n for n in public if f"### `{n}(" not in text]
    assert not missing, f"docs/python-api.md has no section for Database.{missing}"


def test_every_public_name_resolves() -> None:
    for name in chipdb.__all__:
        assert getattr(chipdb, name) is not None
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        chipdb.nope  # noqa: B018


def test_the_pandas_example_runs(sqlite_db: DatabaseUrl, monkeypatch: pytest.MonkeyPatch) -> None:
    """The ```python block of "With pandas", when pandas is installed (it is not a dependency)."""
    pandas = pytest.importorskip("pandas")
    monkeypatch.setenv("CHIPDB_DATABASE_URL", sqlite_db.url)
    text = DOC.read_text(encoding="utf-8")
    code = re.search(r"^## With pandas\n.*?^```python\n(.*?)^```$", text, re.S | re.M)
    assert code is not None
    names: dict[str, object] = {}
    exec(compile(code.group(1), f"{DOC.name}: With pandas", "exec"), names)
    chips, h100, room, lines = (names[k] for k in ("chips", "h100", "room", "lines"))
    assert all(isinstance(f, pandas.DataFrame) for f in (chips, h100, room, lines))
    assert chips.set_index("chip").loc["H100 SXM", "tpp"] == 15832.0  # type: ignore[attr-defined]
    assert "to_outcome" in room.columns and "margin" in lines.columns  # type: ignore[attr-defined]
    assert list(h100["rule"])[:1] == ["us-2022-10"]  # type: ignore[index]
