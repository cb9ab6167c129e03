"""Every page on both engines: content from the library, sorting and filtering on the server,
permalinks, downloads, security headers, error pages."""

from __future__ import annotations

import re
import sys

import pytest
from starlette.testclient import TestClient

DAY = "2026-06-01"

PAGES = [
    ("/", "AI accelerators and the export rules"),
    ("/chip/H100%20SXM", "Verdicts in force on"),
    ("/compare", "Compare chips"),
    ("/compare?chips=H20,H100", "H20 96GB vs H100 SXM"),
    ("/check", "Check a chip"),
    (f"/check?chip=H100&as_of={DAY}", "H100 SXM on 2026-06-01"),
    ("/what-if", "What if"),
    ("/rules", "Every rule version"),
    ("/rule/us-2024-12", "Chips by outcome"),
    ("/map?chips=H20,H100", "Threshold map"),
]


@pytest.mark.parametrize(("path", "text"), PAGES)
def test_every_page_answers_with_security_headers(client: TestClient, path: str,
                                                  text: str) -> None:
    r = client.get(path)
    assert r.status_code == 200, r.text
    assert text in r.text
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "http" not in csp  # no external source
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert '<html lang="en">' in r.text and 'href="#main"' in r.text
    assert 'style="' not in r.text and "<script" not in r.text  # the CSP would block both


def labelled(html: str) -> bool:
    """Every input, select and textarea has a <label for=...>."""
    ids = re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html)
    fields = re.findall(r'<(?:input|select|textarea)\b(?![^>]*type="hidden")', html)
    return len(ids) == len(fields) and all(f'<label for="{i}"' in html for i in ids)


@pytest.mark.parametrize("path", ["/", "/compare", "/check", "/what-if", "/map",
                                  "/chip/H100%20SXM"])
def test_every_form_field_has_a_label(client: TestClient, path: str) -> None:
    assert labelled(client.get(path).text)


def rows(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/chip/[^"]+">([^<]+)</a></th>', html)


def test_index_sorts_and_filters_on_the_server(client: TestClient) -> None:
    every = rows(client.get("/").text)
    assert len(every) > 50
    nvidia = rows(client.get("/?vendor=NVIDIA").text)
    assert nvidia and len(nvidia) < len(every) and "MI300X" not in nvidia
    assert "H100 SXM" in nvidia
    by_tpp = client.get("/?sort=tpp").text
    tpp_rows = rows(by_tpp)
    assert tpp_rows != every and 'aria-sort="descending"' in by_tpp
    assert rows(client.get("/?q=h20").text) == [c for c in every if "h20" in c.casefold()]
    caught = rows(client.get(f"/?rule=us-2024-12&verdict=3A090.a.1&as_of={DAY}").text)
    assert "H100 SXM" in caught and "H20 96GB" not in caught
    assert rows(client.get("/?datacenter=no").text) != every
    r = client.get("/?sort=colour")
    assert r.status_code == 400 and "cannot sort by" in r.text


def test_index_shows_the_verdict_under_the_chosen_rule_and_downloads_it(
        client: TestClient) -> None:
    html = client.get(f"/?rule=us-2023-10&as_of={DAY}&vendor=NVIDIA").text
    assert "verdict under us-2023-10" in html
    assert '<option value="us-2023-10" selected>' in html
    link = re.search(r'href="(/api/list\?[^"]*format=csv)"', html)
    assert link is not None
    csv = client.get(link.group(1).replace("&amp;", "&"))
    assert csv.status_code == 200
    assert csv.text.splitlines()[0].endswith(",verdict")
    assert len(csv.text.splitlines()) - 1 == len(rows(html))


def test_the_default_rule_is_the_newest_classification_rule_in_force(
        client: TestClient) -> None:
    html = client.get(f"/?as_of={DAY}").text
    assert "verdict under us-2024-12" in html
    assert "verdict under us-2022-10" in client.get("/?as_of=2023-01-01").text


def test_chip_page_has_specs_sources_layers_margins_and_timeline(client: TestClient) -> None:
    html = client.get(f"/chip/H100%20SXM?as_of={DAY}").text
    assert "<h1>H100 SXM</h1>" in html
    assert "<h3>classification</h3>" in html  # verdicts grouped by their rule's layer
    assert html.index("<h3>classification</h3>") < html.index("Specifications")
    assert "3A090.a.1: TPP 15,832 ≥ 4,800" in html
    assert "TPP 15,832 is +11,032" in html  # the binding margin
    assert "official" in html and "GH100" in html  # tiers and dies
    assert "us-2022-10" in html.split('id="timeline"')[1]
    assert 'href="/api/show?chip=H100+SXM"' in html


def test_a_chip_alias_redirects_to_its_permalink(client: TestClient) -> None:
    r = client.get("/chip/hgx%20h100?as_of=2026-06-01", follow_redirects=False)
    assert r.status_code == 302
    assert r.headers["location"] == "/chip/H100%20SXM?as_of=2026-06-01"
    assert client.get("/rule/US-2024-12", follow_redirects=False).headers["location"] == (
        "/rule/us-2024-12")


def test_compare_page_shows_both_chips_with_reasons(client: TestClient) -> None:
    html = client.get(f"/compare?chips=H20,H100&as_of={DAY}").text
    assert "H20 96GB vs H100 SXM" in html and "rules in force on 2026-06-01" in html
    assert "other variants: H20 141GB" in html
    assert 'class="o-controlled">3A090.a.1' in html and 'class="o-clear">not-controlled' in html
    assert 'href="/api/compare?chips=H20+96GB%2CH100+SXM&amp;as_of=2026-06-01&amp;format=csv"' \
        in html


def test_check_page_shows_the_bottom_line_then_the_layers(client: TestClient) -> None:
    html = client.get(f"/check?chip=H100&to=CN&as_of={DAY}").text
    assert 'value="CN"' in html  # the form keeps it
    assert 'licence required? <span class="licence licence-yes">YES</span>' in html
    for fact in ("<dt>exceptions</dt><dd>none</dd>", "<dt>review policy</dt><dd>case-by-case",
                 '<a href="/rule/us-2024-12">us-2024-12</a> 3A090.a.1:',
                 "15 CFR 742.6(a)(6)(iii)",  # the citation of the deciding rule
                 "<dt>binding margin</dt><dd>tpp 15,832 vs 4,800 (+229.8%, us-2024-12 "
                 "3A090.a.1)</dd>", "<dt>confidence</dt><dd>official",
                 "<dt>whole answer since</dt><dd>20",
                 "<dt>licence answer since</dt><dd>2022-10-07</dd>",
                 "<dt>other measures in force</dt>"):
        assert fact in html, fact
    assert "deciding clause" in html and "<h3>classification</h3>" in html  # the verdicts
    assert ('href="/api/check?chip=H100+SXM&amp;as_of=2026-06-01&amp;to=CN&amp;format=csv"'
            in html)
    # a licence-free answer says so, and every class of destination gets one, linked
    every = client.get(f"/check?chip=H100&as_of={DAY}").text
    summary = every.split("<tbody>")[1].split("</tbody>")[0]  # classes alike share a row
    assert 'class="licence-yes">YES</td>' in summary and 'class="licence-no">no</td>' in summary
    answers = client.get(f"/api/check?chip=H100&as_of={DAY}").json()["data"]
    assert len(answers) > summary.count("<tr>")  # ... and each answer has its own block
    assert f'id="answer-{len(answers)}"' in every and f'id="answer-{len(answers) + 1}"' not in every
    germany = client.get(f"/check?chip=H100&to=germany&party_hq=US&as_of={DAY}").text
    assert 'class="licence licence-no">no</span>' in germany


@pytest.mark.parametrize(("path", "status", "says"), [
    ("/check?chip=H100&as_of=2021-01-01", 400, "rules start on 2022-10-07"),
    ("/check?chip=H2O", 404, "did you mean"),
    ("/check?chip=H100&to=Narnia", 404, "unknown destination"),
    ("/check?to=CN", 400, "give a chip to check"),
])
def test_check_page_shows_a_bad_question_beside_the_form(client: TestClient, path: str,
                                                         status: int, says: str) -> None:
    r = client.get(path)
    assert r.status_code == status and says in r.text
    assert '<form class="filters noprint" method="get" action="/check">' in r.text


def test_what_if_page_classifies_a_design(client: TestClient) -> None:
    html = client.get(f"/what-if?base=H20&set=fp8_dense_tops%3D600+TFLOPS&as_of={DAY}").text
    assert "H20 96GB (modified)" in html and "3A090.a.1: TPP 4,800 ≥ 4,800" in html
    lines = client.get("/what-if?base=blank&set=die_area_mm2%3D800%0Abf16_dense_tops%3D1000"
                       f"&as_of={DAY}").text
    assert "16,000" in lines  # two values, one per line of the textarea
    bad = client.get("/what-if?base=H20&set=foo%3D1")
    assert bad.status_code == 400 and 'role="alert"' in bad.text


def test_rule_page_has_text_dates_thresholds_and_chips_by_outcome(client: TestClient) -> None:
    html = client.get("/rule/us-2023-10").text
    assert "2023-11-17" in html and "2024-12-01" in html and "superseded" in html
    assert "4,800" in html and "tpp" in html
    assert "Chips by outcome on 2024-12-01" in html  # a superseded rule: its last day
    section = html.split('class="o-controlled">3A090.a.1')[1].split("</ul>")[0]
    assert "H100 SXM" in section


def test_unknown_things_are_404_pages(client: TestClient) -> None:
    for path in ("/chip/H2O", "/rule/us-1999", "/nowhere"):
        r = client.get(path)
        assert r.status_code == 404, path
        assert r.headers["content-type"].startswith("text/html")
        assert 'role="alert"' in r.text
    assert "did you mean H20 141GB" in client.get("/chip/H2O").text
    assert client.get("/compare?chips=H2O").status_code == 404
    assert client.get("/?as_of=June").status_code == 400
    assert client.get("/rules?x=1").status_code == 400


def test_map_svg_has_hover_titles(client: TestClient) -> None:
    r = client.get(f"/map.svg?chips=H20,H100&as_of={DAY}")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("image/svg+xml")
    assert "frame-ancestors 'self'" in r.headers["content-security-policy"]
    assert "<title>H20 96GB: not-controlled</title>" in r.text
    assert "<title>H100 SXM: 3A090.a.1</title>" in r.text
    other = client.get("/map.svg?rule=us-2025-04-h20&metric=memory_bandwidth_gbps,"
                       "bidirectional_io_gbps&chips=H20")
    assert other.status_code == 200 and "us-2025-04-h20" in other.text
    assert client.get("/map.svg?rule=us-1999").status_code == 404
    assert client.get("/map.svg?metric=tpp").status_code == 400


def test_map_without_matplotlib_is_a_501(client: TestClient,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    r = client.get("/map.svg")
    assert r.status_code == 501
    assert r.json() == {"error": "the map needs matplotlib on the server: "
                                 "pip install 'chipdb[plot]'"}


def test_static_files_and_print_styles(client: TestClient) -> None:
    css = client.get("/static/style.css")
    assert css.status_code == 200 and "@media print" in css.text


@pytest.mark.parametrize("path", [
    "/", f"/chip/H100%20SXM?as_of={DAY}", f"/compare?chips=H20,H100&as_of={DAY}",
    f"/check?chip=H100&to=CN&as_of={DAY}", f"/what-if?base=H20&set=tpp%3D5000&as_of={DAY}",
    "/rules", "/rule/us-2024-12"])
def test_what_is_on_screen_downloads_as_csv_and_json(client: TestClient, path: str) -> None:
    html = client.get(path).text
    links = [href.replace("&amp;", "&") for href in
             re.findall(r'<a href="(/api/[^"]+)"', html)]
    kinds = {"csv" if "format=csv" in link else "json" for link in links}
    assert kinds == {"csv", "json"}, links
    for link in links:
        r = client.get(link)
        assert r.status_code == 200, (link, r.text)
        want = "text/csv" if "format=csv" in link else "application/json"
        assert r.headers["content-type"].startswith(want), link
