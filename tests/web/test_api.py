"""The JSON API mirrors the CLI's JSON (the same provenance envelope, valid against the same
docs/schemas/COMMAND.json, the same ``data``) and CSV byte for byte, on both engines; errors are
one bare line with the right status."""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.testclient import TestClient

from chipdb.store.url import DatabaseUrl
from tests.helpers import ENVELOPE, run, schema_validator

DAY = "2026-06-01"

# (endpoint with parameters, the same question on the command line)
MIRRORS = [
    (f"/api/compare?chips=H20,H100&as_of={DAY}", ["compare", "H20", "H100", "--as-of", DAY]),
    ("/api/compare?chips=A800,H800&all_rules=yes", ["compare", "A800", "H800", "--all-rules"]),
    ("/api/compare?chips=H20&sources=yes", ["compare", "H20", "--sources"]),
    ("/api/show?chip=H100", ["show", "H100"]),
    ("/api/list", ["list"]),
    (f"/api/list?vendor=nvidia&rule=us-2024-12&verdict=3A090.a*&as_of={DAY}&sort=tpp",
     ["list", "--vendor", "nvidia", "--rule", "us-2024-12", "--verdict", "3A090.a*",
      "--as-of", DAY, "--sort", "tpp"]),
    ("/api/list?datacenter=no", ["list", "--not-datacenter"]),
    ("/api/rules", ["rules"]),
    ("/api/rules?rule=US-2023-10", ["rules", "US-2023-10"]),
    ("/api/timeline?chip=H20", ["timeline", "H20"]),
    (f"/api/check?chip=H100&as_of={DAY}", ["check", "H100", "--as-of", DAY]),
    (f"/api/check?chip=H20&to=DE&party_hq=CN&as_of={DAY}",
     ["check", "H20", "--to", "DE", "--party-hq", "CN", "--as-of", DAY]),
    (f"/api/check?chip=h100&to=D:5&as_of={DAY}", ["check", "h100", "--to", "D:5", "--as-of", DAY]),
    (f"/api/headroom?chip=H20&as_of={DAY}", ["headroom", "H20", "--as-of", DAY]),
    (f"/api/what-if?base=H20&set=fp8_dense_tops=600 TFLOPS&as_of={DAY}",
     ["what-if", "H20", "--set", "fp8_dense_tops=600 TFLOPS", "--as-of", DAY]),
    (f"/api/what-if?base=blank&set=die_area_mm2=800&set=bf16_dense_tops=1000&as_of={DAY}",
     ["what-if", "blank", "--set", "die_area_mm2=800", "--set", "bf16_dense_tops=1000",
      "--as-of", DAY]),
    ("/api/what-if?base=H20&set=tpp=5000", ["what-if", "H20", "--set", "tpp=5000"]),
    ("/api/changes?since=2025-04-01&until=2025-04-30&to=CN",
     ["changes", "--since", "2025-04-01", "--until", "2025-04-30", "--to", "CN"]),
    ("/api/changes?since=2026-01-01&include_draft=yes",
     ["changes", "--since", "2026-01-01", "--include-draft"]),
]


def same_answer(api: dict[str, Any], cli: dict[str, Any]) -> None:
    """The same envelope, key for key and in the same order; only generated_at (the clock)
    may differ."""
    assert list(api) == list(cli) and list(api)[: len(ENVELOPE)] == list(ENVELOPE)
    assert {k: v for k, v in api.items() if k != "generated_at"} == \
        {k: v for k, v in cli.items() if k != "generated_at"}


@pytest.mark.parametrize("fmt", ["json", "csv"])
@pytest.mark.parametrize(("path", "argv"), MIRRORS, ids=[m[0] for m in MIRRORS])
def test_the_api_prints_what_the_cli_prints(db: DatabaseUrl, client: TestClient, path: str,
                                            argv: list[str], fmt: str) -> None:
    cli = run(db, *argv, "-f", fmt)
    assert cli.code == 0, cli.err
    r = client.get(path + ("&" if "?" in path else "?") + f"format={fmt}")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json" if fmt == "json"
                                                else "text/csv")
    if fmt == "json":
        document = r.json()
        schema_validator(argv[0]).validate(document)
        assert document["command"] == argv[0]
        same_answer(document, cli.envelope())
    else:
        assert r.text == cli.out


def test_with_a_fixed_clock_the_api_and_the_cli_print_the_same_bytes(
        db: DatabaseUrl, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.web.conftest import client_for

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764547200")  # generated_at 2025-12-01T00:00:00Z
    with client_for(db) as fresh:
        for path, argv in (("/api/compare?chips=H20,H100", ["compare", "H20", "H100"]),
                           ("/api/rules?rule=us-2024-12", ["rules", "us-2024-12"])):
            r = fresh.get(path)
            assert r.json()["generated_at"] == "2025-12-01T00:00:00Z"
            assert r.text == run(db, *argv, "-f", "json").out


def test_an_undated_answer_has_no_as_of_and_a_dated_one_defaults_to_today(
        client: TestClient) -> None:
    from datetime import date

    assert client.get("/api/show?chip=H20").json()["as_of"] is None
    assert client.get("/api/rules").json()["as_of"] is None
    assert client.get("/api/changes?since=2025-01-01").json()["as_of"] is None
    today = date.today().isoformat()
    listed = client.get("/api/list").json()
    assert listed["as_of"] == today and listed["command"] == "list"
    assert client.get(f"/api/list?as_of={DAY}").json()["as_of"] == DAY


def test_json_is_the_default_and_csv_downloads(client: TestClient) -> None:
    r = client.get("/api/compare?chips=H100")
    assert r.json()["data"]["chips"][0]["name"] == "H100 SXM"
    r = client.get("/api/compare?chips=H100&format=csv")
    assert r.headers["content-disposition"] == 'attachment; filename="compare.csv"'
    assert r.text.splitlines()[0].startswith("name,vendor,tpp")


def test_check_gives_the_bottom_line_with_its_rule_and_clause(client: TestClient) -> None:
    data = client.get(f"/api/check?chip=h100&to=CN&as_of={DAY}").json()["data"]
    assert [a["chip"] for a in data] == ["H100 SXM"]
    answer = data[0]
    assert answer["destination"] == "China" and answer["license_required"] is True
    assert (answer["basis"][0]["rule"], answer["basis"][0]["clause"]) == (
        "us-2024-12", "3A090.a.1")
    assert answer["binding_margin"]["metric"] == "tpp" and answer["review_policy"]
    assert client.get(f"/api/check?chip=H100&as_of={DAY}&format=csv").text.startswith(
        "chip,as_of,party_hq,destination,license_required")
    before = client.get("/api/check?chip=H100&as_of=2021-01-01")
    assert before.status_code == 400 and "2022-10-07" in before.json()["error"]
    unknown = client.get("/api/check?chip=H100&to=Narnia")
    assert unknown.status_code == 404 and "did you mean" in unknown.json()["error"]


@pytest.mark.parametrize(("extra", "required"), [
    ("to=CN", True), ("to=DE&party_hq=CN", True), ("to=germany&party_hq=US", False)])
def test_destination_and_buyer_reach_the_bottom_line(
        client: TestClient, extra: str, required: bool) -> None:
    # an H100 needs a licence to the PRC and to a PRC-headquartered buyer in Germany (the
    # D:5/Macau-HQ prong), not to a US buyer there
    r = client.get(f"/api/check?chip=H100&as_of=2026-06-01&{extra}")
    assert r.status_code == 200, r.text
    assert [a["license_required"] for a in r.json()["data"]] == [required]


def test_unknown_chip_is_a_404_with_did_you_mean(client: TestClient) -> None:
    for path in ("/api/compare?chips=H2O", "/api/show?chip=H2O", "/api/timeline?chip=H2O",
                 "/api/check?chip=H2O", "/api/what-if?base=H2O", "/api/compare?chips=H20,H2O"):
        r = client.get(path)
        assert r.status_code == 404, path
        assert r.headers["content-type"].startswith("application/json")
        body = r.json()
        assert list(body) == ["error"] and "\n" not in body["error"]
        assert "unknown chip 'H2O': did you mean" in body["error"]
        assert "H20 96GB" in body["error"]
    assert client.get("/api/rules?rule=us-1999").status_code == 404


@pytest.mark.parametrize(("path", "says"), [
    ("/api/compare", "parameter 'chips' is missing"),
    ("/api/compare?chip=H20", "unknown parameter 'chip'"),
    ("/api/compare?chips=H20&as_of=June", "as_of 'June' is not a date"),
    ("/api/compare?chips=H20&format=xml", "format 'xml' is not one of json, csv"),
    ("/api/compare?chips=H20&all_rules=maybe", "all_rules 'maybe' is not yes, no or any"),
    ("/api/show", "parameter 'chip' is missing"),
    ("/api/list?sort=colour", "cannot sort by 'colour'"),
    ("/api/list?verdict=3A090.a.1", "verdict needs rule"),
    ("/api/what-if?base=H20&set=foo=1", "foo"),
    ("/api/what-if?base=H20&set=memory_bandwidth_gbps=4 furlongs", "furlongs"),
    ("/api/what-if?base=H20&set=nonsense", "nonsense"),
    ("/api/list?q=" + "x" * 600, "too long"),
    ("/api/list?q=a%00b", "NUL"),
])
def test_bad_parameters_are_a_400_in_one_line(client: TestClient, path: str, says: str) -> None:
    r = client.get(path)
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert says in error and "\n" not in error


def test_the_api_index_lists_every_endpoint(client: TestClient) -> None:
    index = client.get("/api").json()
    assert {"/api/compare", "/api/check", "/api/show", "/api/list", "/api/rules",
            "/api/timeline", "/api/what-if"} <= set(index)
    assert index["/api/check"]["parameters"] == ["chip", "as_of", "to", "party_hq", "format"]
    assert index["/api/what-if"]["command"] == "what-if"
    assert "chipdb_version" not in index  # the index is not a command's answer
    r = client.get("/api/nothing-here")
    assert r.status_code == 404 and "error" in r.json()


def test_the_server_is_read_only(client: TestClient) -> None:
    for method in ("post", "put", "delete"):
        assert getattr(client, method)("/api/compare?chips=H20").status_code == 405


def test_a_request_over_the_time_limit_is_stopped(db: DatabaseUrl) -> None:
    from tests.web.conftest import client_for

    with client_for(db, time_limit=0.001) as slow:
        r = slow.get("/api/list?rule=us-2024-12")
        assert r.status_code == 503
        assert "took longer than 0.001 s" in r.json()["error"]
        assert slow.get("/compare?chips=H20,H100").status_code == 503


def test_json_errors_are_json_even_for_hostile_input(client: TestClient) -> None:
    r = client.get("/api/show?chip=%3Cscript%3Ealert(1)%3C/script%3E")
    assert r.status_code == 404
    assert json.loads(r.text)["error"].startswith("unknown chip '<script>")
    assert r.headers["x-content-type-options"] == "nosniff"
