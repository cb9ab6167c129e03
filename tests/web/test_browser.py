"""A real browser (headless Chromium, Debian's package, driven by Playwright) uses the pages:
index, filter, chip, compare, what-if, check and the map; and opens `chipdb report`'s HTML
file from disk, on screen and as printed, with every request outside the file refused.
Screenshots go to the test's tmp dir (and, with CHIPDB_DOCS_SCREENSHOT=1, the compare page to
docs/web-compare.png).

Locally the test skips without Chromium; on CI (CI=true) it fails, so a missing install step
in .ci/run shows.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chipdb.store.url import DatabaseUrl

DAY = "2026-06-01"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "web-compare.png"


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} on CI: .ci/run should install it")
    pytest.skip(what)


def _chromium() -> str:
    path = os.environ.get("CHIPDB_CHROMIUM") or shutil.which("chromium") \
        or shutil.which("chromium-browser")
    if path is None:
        _missing("Chromium is not installed (apt-get install chromium)")
    assert path is not None
    return path


@pytest.fixture(scope="module")
def server(sqlite_db: DatabaseUrl) -> Iterator[str]:
    """`chipdb serve` on a free loopback port, in a thread, for the module."""
    import uvicorn

    from chipdb.web import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(create_app(sqlite_db.url), host="127.0.0.1", port=port,
                            log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = _chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright's Python package is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, tmp_path: Path) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield pg
    context.close()
    assert not errors, errors  # e.g. a CSP violation


def shot(page: Any, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    return path


def test_a_reader_filters_opens_compares_designs_checks_and_maps(
        server: str, page: Any, tmp_path: Path) -> None:
    page.goto(server + "/")
    page.keyboard.press("Tab")  # the first stop is the skip link
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    assert page.locator("table.chips tbody tr").count() > 50
    page.get_by_label("Name contains").fill("H100")
    page.get_by_label("Vendor").select_option("NVIDIA")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/?q=H100*")
    names = page.locator("table.chips tbody th").all_inner_texts()
    assert "H100 SXM" in names and all("H100" in n for n in names)
    shot(page, tmp_path, "index-filtered")

    page.get_by_role("link", name="H100 SXM", exact=True).click()
    page.wait_for_url("**/chip/H100%20SXM")
    assert page.locator("h1").inner_text() == "H100 SXM"
    assert page.get_by_role("heading", name="classification").count() == 1
    shot(page, tmp_path, "chip")

    page.goto(server + "/compare")
    page.get_by_label("Chips").fill("H20, H100")
    page.get_by_label("In force on").fill(DAY)
    page.get_by_label("In force on").press("Enter")  # the keyboard submits the form
    page.wait_for_url("**/compare?chips=*")
    assert "H20 96GB vs H100 SXM" in page.locator("p.lede").inner_text()
    assert page.locator("td.o-controlled", has_text="3A090.a.1").count() >= 1
    compare = shot(page, tmp_path, "compare")
    if os.environ.get("CHIPDB_DOCS_SCREENSHOT"):
        page.set_viewport_size({"width": 1280, "height": 1000})
        page.screenshot(path=str(DOCS))
    assert compare.exists()

    page.goto(server + "/what-if")
    page.get_by_label("Start from").fill("H20")
    page.get_by_label("Values").fill("fp8_dense_tops=600 TFLOPS")
    page.get_by_label("Rules in force on").fill(DAY)
    page.get_by_role("button", name="Classify").click()
    page.wait_for_url("**/what-if?base=H20*")
    assert "H20 96GB (modified)" in page.locator("h2").first.inner_text()
    assert page.get_by_text("3A090.a.1: TPP 4,800 ≥ 4,800").count() >= 1
    shot(page, tmp_path, "what-if")

    page.goto(server + "/check")
    page.get_by_label("Chip").fill("H100")
    page.get_by_label("Destination").fill("CN")
    page.get_by_label("On", exact=True).fill(DAY)
    page.get_by_role("button", name="Check").click()
    page.wait_for_url("**/check?chip=H100*")
    assert page.locator("h2").first.inner_text() == f"H100 SXM on {DAY}"
    assert "licence required? YES" in page.locator("#answer-1-title").inner_text()
    assert page.get_by_role("columnheader", name="deciding clause").count() >= 1
    shot(page, tmp_path, "check")

    page.goto(server + f"/map?chips=H20,H100&as_of={DAY}")
    frame = page.locator("object#map")
    frame.wait_for()
    page.wait_for_function("() => { const o = document.querySelector('object#map');"
                           " return o.contentDocument && o.contentDocument.querySelector("
                           "'#chipdb-hover circle'); }", timeout=30_000)
    titles = page.evaluate("() => Array.from(document.querySelector('object#map')"
                           ".contentDocument.querySelectorAll('#chipdb-hover title'))"
                           ".map(t => t.textContent)")
    assert "H100 SXM: 3A090.a.1" in titles and "H20 96GB: not-controlled" in titles
    shot(page, tmp_path, "map")


def test_the_compare_page_prints(server: str, page: Any, tmp_path: Path) -> None:
    page.goto(server + f"/compare?chips=H20,H100&as_of={DAY}")
    page.emulate_media(media="print")
    assert page.locator("form").first.is_hidden()  # the print CSS drops the forms
    assert page.locator("table").first.is_visible()
    pdf = tmp_path / "compare.pdf"
    page.pdf(path=str(pdf))
    assert pdf.stat().st_size > 10_000


def test_the_html_report_renders_offline_on_screen_and_in_print(
        sqlite_db: DatabaseUrl, page: Any, tmp_path: Path) -> None:
    from tests.helpers import run

    memo = tmp_path / "memo.html"
    result = run(sqlite_db, "report", "H20", "H100", "--as-of", DAY, "-o", str(memo))
    assert result.code == 0, result.err
    url = memo.as_uri()
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url))

    def only_the_file(route: Any) -> None:  # anything else would be a leak: refuse it
        if route.request.url == url:
            route.continue_()
        else:
            route.abort()

    page.route("**/*", only_the_file)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    assert asked == [url]  # the page itself and nothing else: no font, script, image, CSS

    def visible_parts() -> None:
        assert page.locator("h1").inner_text() == "chipdb report: H20 96GB, H100 SXM"
        assert "rules as of 2026-06-01" in page.locator("p.stamp").inner_text()
        line = page.locator("section", has=page.get_by_role(
            "heading", name="H100 SXM: is a licence required?"))
        assert line.is_visible()
        assert line.get_by_role("cell", name="YES", exact=True).first.is_visible()
        sources = page.locator("section", has=page.get_by_role("heading", name="Sources"))
        assert sources.get_by_role("columnheader", name="publisher").is_visible()
        links = sources.locator("a[href^='https://']")
        assert links.count() > 10 and links.first.is_visible()
        svg = page.locator("figure svg")
        assert svg.count() == 1 and svg.is_visible()
        box = svg.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 200
        assert "The threshold map under us-2024-12" in page.locator("figcaption").inner_text()

    visible_parts()
    assert page.evaluate("getComputedStyle(document.body).fontSize") == "14px"
    shot(page, tmp_path, "report")

    page.emulate_media(media="print")
    assert page.evaluate("matchMedia('print').matches")
    assert page.evaluate("getComputedStyle(document.body).fontSize") == "13.3333px"  # 10pt
    visible_parts()
    shot(page, tmp_path, "report-print")
    pdf = tmp_path / "memo.pdf"
    page.pdf(path=str(pdf))
    assert pdf.stat().st_size > 20_000
    assert asked == [url]
