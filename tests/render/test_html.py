"""`-f html` and `chipdb report`: a self-contained, printable page that parses as HTML5, with
the provenance stamp, the bottom line, the verdicts, the reasons, the map and every source."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from chipdb.render import Document, Section, render
from chipdb.store.url import DatabaseUrl
from tests.helpers import run


def _parse(page: str) -> object:
    import html5lib

    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    return parser.parse(page)  # strict: any parse error raises


def _external(page: str) -> list[str]:
    """Every reference the page would fetch: a src, a stylesheet link, a script, an @import,
    a CSS url() or an SVG href that is not an in-page fragment."""
    found = re.findall(r"""\ssrc=|<link\b|<script\b|@import|url\((?!#)""", page)
    found += [h for h in re.findall(r'<(?!a\b)\w[^>]*\bhref="([^"]*)"', page)
              if not h.startswith("#")]
    return found


@pytest.fixture(scope="module")
def memo(sqlite_db: DatabaseUrl, tmp_path_factory: pytest.TempPathFactory) -> str:
    target = tmp_path_factory.mktemp("memo") / "memo.html"
    result = run(sqlite_db, "report", "H20", "H100", "--to", "CN", "--as-of", "2026-06-01",
                 "-o", str(target))
    assert result.code == 0, result.err
    return target.read_text(encoding="utf-8")


def test_the_report_parses_and_fetches_nothing(memo: str) -> None:
    tree = _parse(memo)
    assert tree.find(".//title").text == "chipdb report: H20 96GB, H100 SXM"  # type: ignore[attr-defined]
    assert _external(memo) == []


def test_the_report_carries_stamp_bottom_line_verdicts_reasons_map_sources(memo: str) -> None:
    from chipdb import __version__

    assert f"chipdb {__version__}; catalogue " in memo and "rules as of 2026-06-01" in memo
    assert "H20 96GB to China: is a licence required?" in memo and ">YES<" in memo
    assert "Verdicts in force on 2026-06-01" in memo and "us-2025-04-h20" in memo
    assert "margins:" in memo and "<br>" in memo  # the reasons keep their lines
    assert memo.count("<svg") == 1 and "The threshold map under us-2024-12" in memo
    sources = memo[memo.index("Sources (every published value"):]
    assert re.search(r'<a href="https://[^"]+">https://', sources)
    assert re.search(r"<td>20\d\d-\d\d-\d\d</td>", sources)  # access dates
    assert "<td>official</td>" in sources and "<th>publisher</th>" in sources


def test_every_command_prints_html(db: DatabaseUrl) -> None:
    for argv in (["compare", "H20", "H100"], ["check", "H20"], ["rules"], ["show", "H20"]):
        page = run(db, *argv, "-f", "html").out
        _parse(page)
        assert _external(page) == [] and "catalogue " in page, argv


def test_html_escapes_data_text() -> None:
    doc = Document([Section("<b>t</b>", ["name", "url"],
                            [{"name": "<script>alert(1)</script>\x1b[2J",
                              "url": "javascript:alert(1)"},
                             {"name": "x", "url": "https://example.org/?a=1&b=\"2\""}])])
    out = io.StringIO()
    render(doc, "html", out)
    page = out.getvalue()
    _parse(page)
    assert "<script>" not in page and "&lt;script&gt;" in page and "\\x1b[2J" in page
    assert "<h2>&lt;b&gt;t&lt;/b&gt;</h2>" in page
    assert 'href="javascript' not in page  # only http(s) becomes a link
    assert 'href="https://example.org/?a=1&amp;b=&quot;2&quot;"' in page


def test_report_without_matplotlib_says_the_map_is_missing(
        sqlite_db: DatabaseUrl, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import chipdb.plot.image as image
    from chipdb.errors import DataError

    def missing() -> None:
        raise DataError(image.INSTALL_HINT)

    monkeypatch.setattr(image, "_matplotlib", missing)
    result = run(sqlite_db, "report", "H20", "-f", "html")
    assert result.code == 0, result.err
    assert "<svg" not in result.out and "No threshold map" in result.out
    assert "no threshold map" in result.err
