"""Generated bad input: the CLI and the loader answer with one line, never a traceback, and
never write half of anything."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chipdb.errors import ChipdbError
from chipdb.store.package_data import seeds_dir
from chipdb.store.url import DatabaseUrl
from chipdb.store.write.rebuild import parse_user_import, read_seed_catalogue
from tests.helpers import run

SETTINGS = settings(max_examples=int(os.environ.get("CHIPDB_FUZZ_EXAMPLES", "120")),
                    deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

junk = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1000, max_size=3000),
    st.sampled_from(["", " ", "nan", "inf", "-inf", "1e308", "-1", "0", "NaN", "H20", "h100",
                     "2026-02-30", "9999-99-99", "us-2024-12", "tpp=1", "tpp=", "=5",
                     "x=1e400", "datacenter=perhaps", "memory_bandwidth_gbps=5 parsecs",
                     "--", "-f", "json", "\x00", "💥", "'; DROP TABLE chip; --",
                     "\udcff"]),
)
option = st.sampled_from(["--as-of", "-f", "--set", "--rule", "--verdict", "--sort",
                          "--vendor", "--market", "--batch", "--name", "--metric"])


@st.composite
def argv(draw: st.DrawFn) -> list[str]:
    command = draw(st.sampled_from([
        ["compare"], ["show"], ["list"], ["rules"], ["what-if"], ["headroom"], ["timeline"],
        ["sql"], ["import"], ["db", "current"], ["db", "path"], ["db", "url"], ["plot"],
    ]))
    args = list(command)
    for _ in range(draw(st.integers(0, 5))):
        if draw(st.booleans()):
            args.append(draw(option))
        args.append(draw(junk))
    if command == ["sql"]:
        args.insert(1, draw(junk) or "SELECT 1")  # never the interactive shell
    return args


@SETTINGS
@given(args=argv())
def test_cli_never_crashes(sqlite_db: DatabaseUrl, args: list[str]) -> None:
    result = run(sqlite_db, *args)
    assert result.code in (0, 1, 2), (args, result.err)
    assert "Traceback" not in result.err and "internal error" not in result.err, (
        args, result.err)
    if result.code != 0:
        one_line = bool(result.err.strip()) and result.err.strip().count("\n") == 0
        assert one_line or result.err.lstrip().startswith("Usage"), (args, result.err)


# --- the loader ------------------------------------------------------------------------------

SEEDS = read_seed_catalogue(seeds_dir())
BASE: dict[str, Any] = {
    "name": "Fuzz Chip", "vendor": "Fuzz", "family": "Fuzz", "default": True,
    "source": "fuzz-src", "datacenter": True, "tdp_w": 300,
}
values = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30),
    st.lists(st.integers(), max_size=3),
    st.fixed_dictionaries({"value": st.floats(allow_nan=True, allow_infinity=True),
                           "source": st.sampled_from(["fuzz-src", "nope", ""])}),
)
fields = st.sampled_from(["name", "vendor", "family", "default", "source", "datacenter",
                          "tdp_w", "market", "region", "aliases", "released", "colour",
                          "published_tpp", "standalone_hbm"])


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(value)


def render(chip: dict[str, Any], extra: str) -> str:
    lines = ['[[source]]', 'key = "fuzz-src"', 'url = "https://example.org/x"',
             'title = "t"', 'publisher = "p"', 'tier = "official"', "", "[[chip]]"]
    lines += [f"{k} = {_toml_value(v)}" for k, v in chip.items() if v is not None]
    return "\n".join(lines) + "\n" + extra


extras = st.sampled_from([
    "", "[[chip.die]]\nname = \"d\"\narea_mm2 = -1\n",
    "[[chip.die]]\nname = \"d\"\narea_mm2 = 1e9\n",
    "[[chip.memory]]\nbandwidth_gbps = \"fast\"\n",
    "[chip.throughput]\nfp8 = { dense = 1e400 }\n",
    "[chip.throughput]\nfp8 = { sparse = 10, dense = 20 }\n",
    "[chip.throughput]\nfp9 = { dense = 2 }\n",
    "[[chip.io]]\nname = \"x\"\nkind = \"warp\"\n",
    "[[chip]]\nname = \"Fuzz Chip\"\nvendor = \"v\"\nfamily = \"f\"\n",
    "[[rule]]\nid = \"r\"\n", "[[rule]]\nextends = \"us-9999\"\n",
    "this is not toml = = =\n",
])


@SETTINGS
@given(field=fields, value=values, extra=extras)
def test_loader_rejects_bad_records_with_a_located_message(field: str, value: Any,
                                                           extra: str) -> None:
    chip = dict(BASE)
    chip[field] = value
    text = render(chip, extra)
    try:
        parse_user_import("fuzz.toml", text, SEEDS)
    except ChipdbError as exc:
        assert exc.message.startswith("fuzz.toml"), exc.message
        assert "\n" not in exc.message
    # success is fine too: the record happened to be valid


def test_a_rejected_import_writes_nothing(sqlite_db: DatabaseUrl, tmp_path: Path) -> None:
    before = run(sqlite_db, "sql", "SELECT COUNT(*) AS n FROM claim", "-f", "json").json()
    for i, extra in enumerate(["[chip.throughput]\nfp8 = { dense = -5 }\n",
                               "[[rule]]\nid = \"x\"\n", "not toml = = \n"]):
        path = tmp_path / f"bad{i}.toml"
        path.write_text(render(dict(BASE), extra), encoding="utf-8")
        result = run(sqlite_db, "import", str(path))
        assert result.code == 1 and str(path) in result.err
    assert run(sqlite_db, "sql", "SELECT COUNT(*) AS n FROM claim", "-f", "json").json() == before


@pytest.mark.parametrize("raw", [b"\xff\xfe not utf-8", b"[[chip]]\nname = \"\xc3\x28\"\n"])
def test_non_utf8_files_are_refused(sqlite_db: DatabaseUrl, tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "latin.toml"
    path.write_bytes(raw)
    result = run(sqlite_db, "import", str(path))
    assert result.code == 1 and "UTF-8" in result.err
    batch = tmp_path / "latin.csv"
    batch.write_bytes(b"name,tpp\n\xff,1\n")
    result = run(sqlite_db, "what-if", "--batch", str(batch))
    assert result.code == 1 and "UTF-8" in result.err
