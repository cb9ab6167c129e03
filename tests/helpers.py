"""Small helpers for tests: run the CLI in-process and capture its streams."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from chipdb.cli import main
from chipdb.store.url import DatabaseUrl


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        """The answer: the ``data`` of the provenance envelope every JSON output is."""
        document = self.envelope()
        return document["data"]

    def envelope(self) -> dict[str, Any]:
        document = json.loads(self.out)
        assert isinstance(document, dict), document
        assert set(ENVELOPE) <= set(document), sorted(document)
        return document


ENVELOPE = ("chipdb_version", "catalogue", "generated_at", "as_of", "command", "data")
SCHEMAS = Path(__file__).resolve().parent.parent / "docs" / "schemas"


@cache
def schema_validator(command: str) -> Any:
    """A validator for docs/schemas/COMMAND.json (checked itself first), formats checked."""
    import jsonschema

    schema = json.loads((SCHEMAS / f"{command}.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def run(db: DatabaseUrl | None, *args: str) -> Result:
    out, err = io.StringIO(), io.StringIO()
    argv = (["--db", db.url] if db is not None else []) + list(args)
    with redirect_stdout(out), redirect_stderr(err):
        code = main(argv)
    return Result(code, out.getvalue(), err.getvalue())


def toml_string(text: str) -> str:
    """A TOML basic string holding ``text`` exactly (control characters as \\uXXXX)."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or 0x7f <= ord(ch) < 0xa0 or ch == "\u202e":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def source_toml(key: str, url: str, title: str, publisher: str, tier: str = "estimate") -> str:
    """One ``[[source]]`` block of an import file."""
    return f"""
[[source]]
key = {toml_string(key)}
url = {toml_string(url)}
title = {toml_string(title)}
publisher = {toml_string(publisher)}
tier = {toml_string(tier)}
"""


def chip_toml(name: str, vendor: str, family: str, source: str, *, extra: str = "",
              bandwidth_gbps: int = 3000, throughput: str = "fp8 = { dense = 700 }") -> str:
    """One datacenter ``[[chip]]`` block of an import file: one 800 mm² 5 nm logic die with
    HBM3, and the given throughput line; ``extra`` is TOML added after the name."""
    return f"""
[[chip]]
name = {toml_string(name)}{extra}
vendor = {toml_string(vendor)}
family = {toml_string(family)}
default = true
source = {toml_string(source)}
market = "datacenter"
datacenter = true
[[chip.die]]
name = "D1"
kind = "logic"
area_mm2 = 800
non_planar = true
node_nm = 5
transistors_billion = 50
[[chip.memory]]
type = "HBM3"
capacity_gb = 80
bandwidth_gbps = {bandwidth_gbps}
[chip.throughput]
{throughput}
"""
