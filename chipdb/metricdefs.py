"""The metric registry: every metric's name, unit, kind, label and meaning, and the keys a
design may set. Models, views, the engine, the CLI help, --set parsing, docs and plots read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from chipdb.vocab import PRECISION_BITS

DATE: Final = "date"  # the unit of a metric that is a day (a day number in the engine)


@dataclass(frozen=True)
class Metric:
    """One metric: what rules may name, what a chip stores, what compare shows."""

    name: str
    kind: str  # number | bool | text
    unit: str
    meaning: str  # one line, for docs and `chipdb rules`
    label: str  # short, for tables and reasons
    stored: bool = False  # a column of chip_metric (and of the chip_metrics view)
    shown: bool = False  # in every compare/what-if report's `metrics`
    row: str | None = None  # compare's table row label (None: no row of its own)
    row_at: int = 0  # where that row goes (ties keep registry order)


def _m(name: str, kind: str, unit: str, meaning: str, label: str, *, stored: bool = False,
       shown: bool = False, row: str | None = None, row_at: int | None = None) -> Metric:
    position = len(_ORDER) if row_at is None else row_at
    _ORDER.append(name)
    return Metric(name, kind, unit, meaning, label, stored, shown, row, position)


_ORDER: list[str] = []


# Every metric the engine knows, in the order reports list them. Rules may only name these.
REGISTRY: Final[tuple[Metric, ...]] = (
    _m("tpp", "number", "",
       "total processing performance: max over precisions of dense TOPS x bit length",
       "TPP", stored=True, shown=True, row="TPP"),
    _m("tpp_precision", "text", "", "the precision whose dense rate sets the TPP",
       "TPP precision", stored=True, shown=True, row="TPP set by"),
    _m("tpp_basis", "text", "",
       "'dense' when published dense; 'sparse/2' when only a sparse rate exists",
       "TPP basis", stored=True, shown=True),
    _m("applicable_die_area_mm2", "number", "mm2",
       "sum of logic dies made on a non-planar node (HBM out)",
       "die area mm²", stored=True, shown=True, row="applicable die area mm²"),
    _m("performance_density", "number", "/mm2", "TPP / applicable die area",
       "perf. density", stored=True, shown=True, row="performance density",
       row_at=2),
    _m("bidirectional_io_gbps", "number", "GB/s",
       "all I/O to ICs other than volatile memory, both ways",
       "I/O GB/s", stored=True, shown=True, row="I/O GB/s (bidir.)"),
    _m("interconnect_gbps", "number", "GB/s",
       "chip-to-chip (scale-up) links only, both directions",
       "interconnect GB/s", stored=True, shown=True, row="interconnect GB/s"),
    _m("memory_bandwidth_gbps", "number", "GB/s", "total DRAM/HBM bandwidth",
       "memory GB/s", stored=True, shown=True, row="memory GB/s"),
    _m("memory_capacity_gb", "number", "GB", "total DRAM/HBM capacity", "memory GB",
       stored=True),
    _m("memory_bandwidth_density", "number", "GB/s/mm2",
       "standalone HBM: bandwidth / package area", "mem. BW density", stored=True,
       shown=True, row="mem. BW density GB/s/mm²"),
    _m("transistors_billion", "number", "billion",
       "aggregated transistor count of the logic dies", "transistors (bn)", stored=True),
    _m("logic_node_nm", "number", "nm", "smallest logic process node in the package",
       "node nm", stored=True),
    _m("non_planar", "bool", "", "a logic die uses FinFET/GAA transistors", "non-planar",
       stored=True),
    _m("contains_hbm", "bool", "", "the package carries HBM", "HBM", stored=True),
    _m("datacenter", "bool", "", "designed or marketed for use in datacenters", "datacenter",
       shown=True, row="datacenter"),
    _m("standalone_hbm", "bool", "", "a high-bandwidth-memory stack sold on its own",
       "standalone HBM"),
    _m("vendor", "text", "", "the chip's vendor", "vendor"),
    _m("chip_family", "text", "",
       "the chip's family name (H20, MI308X, ...), for rules that name parts", "family"),
    _m("export_year", "number", "", "calendar year of the export (from the as-of date)",
       "export year"),
    # A date is a day number (date.toordinal) inside the engine, so it compares and takes a
    # range like any number: a release known to the month is the range of that month.
    _m("released", "number", DATE,
       "the day the chip was first commercially available (released), as published",
       "released"),
)
BY_NAME: Final[dict[str, Metric]] = {m.name: m for m in REGISTRY}

# Views of the registry, for the readers that want one facet of it.
METRICS: Final[dict[str, tuple[str, str]]] = {m.name: (m.unit, m.meaning) for m in REGISTRY}
NUMERIC_METRICS: Final[frozenset[str]] = frozenset(m.name for m in REGISTRY if m.kind == "number")
BOOLEAN_METRICS: Final[frozenset[str]] = frozenset(m.name for m in REGISTRY if m.kind == "bool")
TEXT_METRICS: Final[frozenset[str]] = frozenset(m.name for m in REGISTRY if m.kind == "text")
DATE_METRICS: Final[frozenset[str]] = frozenset(m.name for m in REGISTRY if m.unit == DATE)
METRIC_LABELS: Final[dict[str, str]] = {m.name: m.label for m in REGISTRY}
STORED_METRICS: Final[tuple[str, ...]] = tuple(m.name for m in REGISTRY if m.stored)
SHOWN_METRICS: Final[tuple[str, ...]] = tuple(m.name for m in REGISTRY if m.shown)
COMPARE_ROWS: Final[tuple[tuple[str, str], ...]] = tuple(
    (m.name, m.row) for m in sorted(REGISTRY, key=lambda m: m.row_at) if m.row is not None)


# A numeric metric that is a range carries two more columns (and row keys): name + LOW, name + HIGH.
LOW: Final = "_low"
HIGH: Final = "_high"

# Metrics stored with their range (chip_metric.<name>_low / _high): the ones bounds and ranged
# claims move. Every numeric metric may be a range inside the engine.
RANGED_STORED: Final[tuple[str, ...]] = ("tpp", "applicable_die_area_mm2", "performance_density")

# A derived metric that is a ratio of two others: a line on it reads as a line on the
# denominator when the numerator is a point (PD 5.92 at TPP 3,152 is a die area of 532 mm²).
RATIOS: Final[dict[str, tuple[str, str]]] = {
    "performance_density": ("tpp", "applicable_die_area_mm2"),
}

# Keys a design may set (what-if --set, batch CSV columns) besides the throughput rates
# "<precision>_dense_tops" / "<precision>_sparse_tops".
INPUT_KEYS: dict[str, str] = {
    "tpp": "number",
    "performance_density": "number",
    "applicable_die_area_mm2": "number",
    "die_area_mm2": "number",  # alias of applicable_die_area_mm2 for a single-die design
    "bidirectional_io_gbps": "number",
    "interconnect_gbps": "number",
    "host_io_gbps": "number",
    "memory_bandwidth_gbps": "number",
    "memory_capacity_gb": "number",
    "memory_bandwidth_density": "number",
    "package_area_mm2": "number",
    "transistors_billion": "number",
    "ics_per_card": "number",
    "logic_node_nm": "number",
    "non_planar": "bool",
    "contains_hbm": "bool",
    "standalone_hbm": "bool",
    "datacenter": "bool",
    "vendor": "text",
    "chip_family": "text",
    "released": DATE,  # YYYY-MM-DD, or a range YYYY-MM-DD..YYYY-MM-DD
}
for _precision in PRECISION_BITS:
    INPUT_KEYS[f"{_precision}_dense_tops"] = "number"
    INPUT_KEYS[f"{_precision}_sparse_tops"] = "number"
