"""The chip page shows a release as precise as its source: a month as a month, an upper
bound as "by", never the stored first day beside a separate precision (both engines)."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient


@pytest.mark.parametrize(("chip", "shown", "hidden"), [
    ("L40S", "<td>by 2024-08</td>", "by-month"),  # an upper bound reads "by"
    ("H20%2096GB", "<td>2024-02</td>", "2024-02-01"),  # a month is never shown as a day
])
def test_the_web_chip_page_shows_the_release_as_precise_as_its_source(
        client: TestClient, chip: str, shown: str, hidden: str) -> None:
    html = client.get(f"/chip/{chip}").text
    specs = html.split('id="specs"')[1].split("Derived metrics")[0]
    assert shown in specs and hidden not in specs and "released_precision" not in specs
