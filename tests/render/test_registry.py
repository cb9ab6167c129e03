"""One registry of output formats; a format is one module plus one registry line."""

from __future__ import annotations

import ast
import importlib
import io
import subprocess
import sys
import types
from pathlib import Path

import pytest

import chipdb.render
from chipdb.render import FORMATS, Document, Section, render

RENDER_DIR = Path(str(chipdb.render.__file__)).parent
DOC = Document([Section("Two chips", ["chip", "tpp", "ok"],
                        [{"chip": "A", "tpp": 4800.0, "ok": True},
                         {"chip": "B", "tpp": None, "ok": False}])])


def test_every_registered_format_renders() -> None:
    assert list(FORMATS) == ["table", "json", "jsonl", "csv", "tsv", "markdown", "html"]
    outputs = {}
    for fmt in FORMATS:
        out = io.StringIO()
        render(DOC, fmt, out)
        outputs[fmt] = out.getvalue()
    assert outputs["csv"] == "chip,tpp,ok\nA,4800,true\nB,,false\n"
    assert '"tpp": 4800.0' in outputs["json"]
    assert "| A | 4,800 | yes |" in outputs["markdown"]
    assert "4,800" in outputs["table"] and "—" in outputs["table"]
    assert outputs["tsv"] == "chip\ttpp\tok\nA\t4800\ttrue\nB\t\tfalse\n"
    assert outputs["jsonl"].splitlines()[1] == '{"chip": "B", "tpp": null, "ok": false}'
    assert "<td>4,800</td>" in outputs["html"] and outputs["html"].startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("typed", ["JSON", " Json ", "jSoN"])
def test_a_format_is_any_case(typed: str) -> None:
    from chipdb.cli.options import check_format

    assert check_format(typed) == "json"


def test_a_mistyped_format_is_told_the_nearest() -> None:
    from chipdb.cli.options import check_format
    from chipdb.errors import UsageError

    with pytest.raises(UsageError, match="did you mean markdown"):
        check_format("markdwn")


def test_markdown_keeps_line_breaks_and_opens_no_tag() -> None:
    doc = Document([Section("", ["why"], [{"why": "TPP 4,750 < 4,800\nmargins: <b>x</b>"}])])
    out = io.StringIO()
    render(doc, "markdown", out)
    assert "| TPP 4,750 < 4,800<br>margins: &lt;b>x&lt;/b> |" in out.getvalue()


def test_tsv_escapes_what_a_field_cannot_hold() -> None:
    doc = Document([Section("", ["a"], [{"a": "x\ty\nz\\"}])])
    out = io.StringIO()
    render(doc, "tsv", out)
    assert out.getvalue() == "a\nx\\ty\\nz\\\\\n"


def test_a_new_format_is_one_module_and_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType("chipdb_test_tsv")

    def write(doc: Document, out: io.StringIO) -> None:
        for row in doc.sections[0].rows:
            out.write("\t".join(str(row[c]) for c in doc.sections[0].columns) + "\n")

    module.render = write  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "chipdb_test_tsv", module)
    monkeypatch.setitem(FORMATS, "tsv", "chipdb_test_tsv")
    out = io.StringIO()
    render(DOC, "tsv", out)
    assert out.getvalue() == "A\t4800.0\tTrue\nB\tNone\tFalse\n"
    from chipdb.cli.options import check_format

    assert check_format("tsv") == "tsv"


def _chipdb_imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return {n for n in found if n.startswith("chipdb")}


def test_no_format_module_imports_the_registry() -> None:
    """render/__init__ names the format modules as strings; none imports it back."""
    for name in ("document", "json", "jsonl", "csv", "tsv", "markdown", "html", "table",
                 "styles", "layouts", "output"):
        imports = _chipdb_imports(RENDER_DIR / f"{name}.py")
        assert "chipdb.render" not in imports, name
        assert all(i in ("chipdb.render.document", "chipdb.render.styles", "chipdb.safetext",
                         "chipdb.outcomes", "chipdb.units", "chipdb.metricdefs", "chipdb.spec",
                         "chipdb.render.output", "chipdb.render.csv", "chipdb.errors",
                         "chipdb.names", "chipdb.periods")
                   for i in imports), (name, imports)
    assert _chipdb_imports(RENDER_DIR / "__init__.py") == {
        "chipdb.errors", "chipdb.render.document", "chipdb.render.output", "chipdb.names",
        "chipdb.safetext"}


def test_each_format_loads_only_what_it_needs() -> None:
    code = ("import io, sys; from chipdb.render import render, Document, Section; "
            "render(Document([Section('', ['a'], [{'a': 1}])]), sys.argv[1], io.StringIO()); "
            "print(' '.join(sorted(m for m in sys.modules if m.startswith(('chipdb.render', "
            "'rich')))))")
    for fmt, absent in (("json", ("rich", "chipdb.render.table")),
                        ("csv", ("rich", "chipdb.render.table")),
                        ("table", ("chipdb.render.csv",))):
        loaded = subprocess.run([sys.executable, "-c", code, fmt], capture_output=True,
                                text=True, check=True).stdout.split()
        assert importlib.util.find_spec(FORMATS[fmt]) is not None
        assert FORMATS[fmt] in loaded
        assert not any(m == a or m.startswith(a + ".") for m in loaded for a in absent), loaded


def test_batch_writes_csv_through_the_renderer() -> None:
    source = (RENDER_DIR.parent / "service" / "batch.py").read_text(encoding="utf-8")
    assert "csv.writer" not in source and "write_columns" in source
