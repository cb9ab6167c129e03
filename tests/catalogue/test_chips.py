"""Chip tables → records through the per-part field tables: every sourced field is in a table,
lands on its record, and an error names the file, the chip and the field."""

from __future__ import annotations

import dataclasses

import pytest
from pydantic import BaseModel

from chipdb.catalogue import build_catalogue, parse_text
from chipdb.catalogue.chips import (
    CHIP_FIELDS,
    DIE_FIELDS,
    IO_BASES,
    IO_FIELDS,
    MEMORY_FIELDS,
    RATE_BOUNDS,
    FieldRow,
)
from chipdb.catalogue.claims import BOUNDS
from chipdb.catalogue.schema import ChipModel, DieModel, IoModel, MemoryModel, Sourced
from chipdb.errors import SeedError
from chipdb.spec import ChipRecord, ChipSpec, Die, IoLink, Memory

TABLES: list[tuple[type[BaseModel], tuple[FieldRow, ...], tuple[type, ...]]] = [
    (ChipModel, CHIP_FIELDS, (ChipSpec, ChipRecord)),
    (DieModel, DIE_FIELDS, (Die,)),
    (MemoryModel, MEMORY_FIELDS, (Memory,)),
    (IoModel, IO_FIELDS, (IoLink,)),
]
PUBLISHED_ONLY = {"published_tpp", "published_performance_density"}  # claims, not spec values
PUBLISHED_BASES = set(IO_BASES)  # folded into IoLink.bidirectional_gbps by their basis


@pytest.mark.parametrize("model,table,targets", TABLES)
def test_every_sourced_field_of_a_part_is_in_its_table(
    model: type[BaseModel], table: tuple[FieldRow, ...], targets: tuple[type, ...]
) -> None:
    sourced = {name for name, info in model.model_fields.items()
               if info.annotation == Sourced | None}
    assert sourced == {row.attr for row in table if row.kind != "count"}


@pytest.mark.parametrize("model,table,targets", TABLES)
def test_every_row_lands_on_a_record_attribute_and_has_fitting_bounds(
    model: type[BaseModel], table: tuple[FieldRow, ...], targets: tuple[type, ...]
) -> None:
    attributes = {f.name for target in targets for f in dataclasses.fields(target)}
    for row in table:
        assert row.attr in model.model_fields
        assert row.attr in attributes or row.attr in PUBLISHED_ONLY | PUBLISHED_BASES, row
        if row.kind == "bool":
            assert row.bounds is None
        else:
            assert row.bounds in BOUNDS, row
    assert RATE_BOUNDS in BOUNDS


SOURCE = """
[[source]]
key = "sheet"
url = "https://example.org/sheet"
title = "Datasheet"
publisher = "Example"
tier = "official"
class = "vendor"

[[source]]
key = "shot"
url = "https://example.org/shot"
title = "Die shot"
publisher = "Example"
tier = "estimate"
class = "press"
"""

CHIP = SOURCE + """
[[chip]]
name = "Test X1"
vendor = "Example"
family = "X"
source = "sheet"
datacenter = true
tdp_w = 700
published_tpp = { value = 8000, source = "shot" }

[[chip.die]]
name = "d1"
count = 2
node_nm = 4
non_planar = true
transistors_billion = 80
area_mm2 = [
  { value = 750, preferred = true, reason = "vendor" },
  { value = 761.5, source = "shot", note = "measured" },
]

[[chip.memory]]
type = "HBM3"
stacks = 5
capacity_gb = 80
bandwidth_gbps = 3350

[[chip.io]]
name = "link"
bidirectional_gbps = 900

[chip.throughput]
fp8 = { sparse = 4000, dense = 2000 }
fp16 = [ { sparse = 1979, preferred = true, reason = "datasheet" },
         { dense = 900, source = "shot" } ]
"""


def record(text: str = CHIP) -> ChipRecord:
    return build_catalogue([("x.toml", parse_text(text, "x.toml"))]).chips[0]


def test_a_full_chip_lands_on_its_record() -> None:
    chip = record()
    assert (chip.spec.datacenter, chip.tdp_w) == (True, 700.0)
    [die] = chip.spec.dies
    assert (die.count, die.node_nm, die.non_planar, die.transistors_billion, die.area_mm2) == (
        2, 4.0, True, 80.0, 750.0)
    [memory] = chip.spec.memories
    assert (memory.type, memory.stacks, memory.capacity_gb, memory.bandwidth_gbps) == (
        "HBM3", 5, 80.0, 3350.0)
    assert chip.spec.io_links[0].bidirectional_gbps == 900.0
    rates = {t.precision: (t.dense_tops, t.sparse_tops) for t in chip.spec.throughputs}
    assert rates == {"fp8": (2000.0, 4000.0), "fp16": (None, 1979.0)}


def test_claims_follow_the_tables_in_order_with_their_sources() -> None:
    assert [(c.field, c.source, c.preferred) for c in record().claims] == [
        ("datacenter", "sheet", True),
        ("tdp_w", "sheet", True),
        ("published.tpp", "shot", True),
        ("die.d1.non_planar", "sheet", True),
        ("die.d1.area_mm2", "sheet", True),
        ("die.d1.area_mm2", "shot", False),
        ("die.d1.transistors_billion", "sheet", True),
        ("die.d1.node_nm", "sheet", True),
        ("memory.HBM3.capacity_gb", "sheet", True),
        ("memory.HBM3.bandwidth_gbps", "sheet", True),
        ("io.link.bidirectional_gbps", "sheet", True),
        ("throughput.fp8.dense_tops", "sheet", True),
        ("throughput.fp8.sparse_tops", "sheet", True),
        ("throughput.fp16.sparse_tops", "sheet", True),
        ("throughput.fp16.dense_tops", "shot", False),
    ]


def error(text: str) -> SeedError:
    with pytest.raises(SeedError) as info:
        record(text)
    return info.value


@pytest.mark.parametrize("old,new,field,problem", [
    ("transistors_billion = 80", "transistors_billion = 8000", "die.d1.transistors_billion",
     "8000 is outside the plausible range 0.001..5000 for its unit"),
    ("count = 2", "count = 2000", "die.d1.count", "outside the plausible range"),
    ("stacks = 5", "stacks = 0", "memory.HBM3.stacks", "outside the plausible range"),
    ("source = \"shot\", note", "source = \"nope\", note", "die.d1.area_mm2",
     "names unknown source 'nope'"),
    ("fp8 = { sparse = 4000, dense = 2000 }", "fp8 = { sparse = 4000, source = \"x\" }",
     "throughput.fp8.sparse_tops", "names unknown source 'x'"),
    ("name = \"link\"", "name = \"d1\"", "io.d1.bidirectional_gbps", None),
    ("[[chip.io]]", "[[chip.die]]\nname = \"d1\"\n\n[[chip.io]]", "die[1].name",
     "'d1' appears twice"),
    ("datacenter = true", "datacenter = 1", "datacenter", "must be true or false, not 1.0"),
    ("tdp_w = 700", "tdp_w = \"hot\"", "tdp_w", "must be a number in canonical units"),
    ("name = \"Test X1\"", "name = \"--\"", "name", "needs at least one letter or digit"),
])
def test_errors_name_file_chip_and_field(old: str, new: str, field: str,
                                         problem: str | None) -> None:
    assert old in CHIP
    text = CHIP.replace(old, new, 1)
    if problem is None:  # a valid change: io links and dies have separate names
        assert record(text).spec.io_links[0].name == "d1"
        return
    err = error(text)
    assert (err.file, err.field) == ("x.toml", field), err.message
    assert err.record in ("chip 'Test X1'", "chip '--'")
    assert problem in err.problem
    assert err.message == f"x.toml: {err.record}: {field}: {err.problem}"


def test_a_standalone_hbm_stack_has_no_throughput() -> None:
    text = CHIP.replace("datacenter = true", "datacenter = true\nstandalone_hbm = true")
    assert error(text).field == "standalone_hbm"


def test_aliases_are_kept_once_under_the_name_rule() -> None:
    text = CHIP.replace('family = "X"', 'family = "X"\n'
                        'aliases = ["X1 SXM", "x1-sxm", "TEST-X1", "", "X1 Card"]')
    assert record(text).aliases == ("X1 SXM", "X1 Card")
    assert error(CHIP.replace('family = "X"', 'family = "X"\naliases = ["- -"]')).field == (
        "aliases")
