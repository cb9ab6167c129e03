"""/changes and /api/changes: `chipdb changes` on the web, on both engines."""

from __future__ import annotations

import html as markup
import re

import pytest
from starlette.testclient import TestClient

from chipdb.store.url import DatabaseUrl
from tests.helpers import run, schema_validator

APRIL = "since=2025-04-01&until=2025-04-30"


@pytest.mark.parametrize("fmt", ["json", "csv"])
@pytest.mark.parametrize(("path", "argv"), [
    (f"/api/changes?{APRIL}", ["changes", "--since", "2025-04-01", "--until", "2025-04-30"]),
    (f"/api/changes?{APRIL}&to=CN&party_hq=CN",
     ["changes", "--since", "2025-04-01", "--until", "2025-04-30", "--to", "CN",
      "--party-hq", "CN"]),
    ("/api/changes?since=2026-01-01&include_draft=yes",
     ["changes", "--since", "2026-01-01", "--include-draft"]),
])
def test_the_api_prints_what_chipdb_changes_prints(db: DatabaseUrl, client: TestClient,
                                                   path: str, argv: list[str],
                                                   fmt: str) -> None:
    cli = run(db, *argv, "-f", fmt)
    assert cli.code == 0, cli.err
    r = client.get(f"{path}&format={fmt}")
    assert r.status_code == 200, r.text
    if fmt == "csv":
        assert r.text == cli.out
        return
    # the same envelope as the CLI's; the order is the service's
    document = r.json()
    schema_validator("changes").validate(document)
    assert document["data"] == cli.json()
    assert {k: v for k, v in document.items() if k != "generated_at"} == \
        {k: v for k, v in cli.envelope().items() if k != "generated_at"}


def test_the_page_shows_each_kind_of_change_with_links(client: TestClient) -> None:
    html = client.get(f"/changes?{APRIL}&to=CN").text
    assert "<h2>Rules entering or leaving force, 2025-04-01 to 2025-04-30</h2>" in html
    # a linked cell: the row's header cell when it is the first column, else a data cell
    cell = r'<t([hd])[^>]*>{}</t\1>'
    assert re.search(cell.format(re.escape('<a href="/rule/us-2025-04-h20">us-2025-04-h20</a>')),
                     html)
    assert re.search(cell.format(re.escape('<a href="/chip/H20%2096GB">H20 96GB</a>')),
                     html)  # its bottom line
    assert "False → True" not in html and "no → yes" in html
    assert "<h2>Country Group changes</h2>\n<p class=\"muted\">None in this window.</p>" in html
    assert ('href="/api/changes?since=2025-04-01&amp;until=2025-04-30&amp;to=CN&amp;'
            'format=csv"' in html)
    assert '<a href="/changes">Changes</a>' in html  # in the navigation


@pytest.mark.parametrize(("query", "says"), [
    ("since=June", "since 'June' is not a date"),
    ("since=2025-05-01&until=2025-04-01", "is before"),
    ("party_hq=CN", "needs --to"),
    ("to=Narnia", "unknown destination"),
    ("include_draft=maybe", "is not yes, no or any"),
])
def test_a_bad_window_is_a_400_or_404_beside_the_form(client: TestClient, query: str,
                                                      says: str) -> None:
    api = client.get(f"/api/changes?{query}")
    assert api.status_code in (400, 404) and says in api.json()["error"]
    page = client.get(f"/changes?{query}")
    assert page.status_code == api.status_code and says in markup.unescape(page.text)
    assert 'action="/changes"' in page.text
