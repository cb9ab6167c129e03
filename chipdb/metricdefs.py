"""The metric registry: every metric's name, unit, kind, label and meaning, and the keys a
design may set. Models, views, the engine, the CLI help, --set parsing, docs and plots read it.
"""

from __future__ import annotations

from typing import Final

from chipdb.vocab import PRECISION_BITS

# Every metric the engine knows: name -> (unit, one-line meaning). Rules may only name these.
METRICS: Final[dict[str, tuple[str, str]]] = {
    "tpp": ("", "total processing performance: max over precisions of dense TOPS x bit length"),
    "tpp_precision": ("", "the precision whose dense rate sets the TPP"),
    "tpp_basis": ("", "'dense' when published dense; 'sparse/2' when only a sparse rate exists"),
    "applicable_die_area_mm2": ("mm2", "sum of logic dies made on a non-planar node (HBM out)"),
    "performance_density": ("/mm2", "TPP / applicable die area"),
    "bidirectional_io_gbps": ("GB/s", "all I/O to ICs other than volatile memory, both ways"),
    "interconnect_gbps": ("GB/s", "chip-to-chip (scale-up) links only, both directions"),
    "memory_bandwidth_gbps": ("GB/s", "total DRAM/HBM bandwidth"),
    "memory_capacity_gb": ("GB", "total DRAM/HBM capacity"),
    "memory_bandwidth_density": ("GB/s/mm2", "standalone HBM: bandwidth / package area"),
    "transistors_billion": ("billion", "aggregated transistor count of the logic dies"),
    "logic_node_nm": ("nm", "smallest logic process node in the package"),
    "non_planar": ("", "a logic die uses FinFET/GAA transistors"),
    "contains_hbm": ("", "the package carries HBM"),
    "datacenter": ("", "designed or marketed for use in datacenters"),
    "standalone_hbm": ("", "a high-bandwidth-memory stack sold on its own"),
    "vendor": ("", "the chip's vendor"),
    "chip_family": ("", "the chip's family name (H20, MI308X, ...), for rules that name parts"),
    "export_year": ("", "calendar year of the export (from the as-of date)"),
}


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

NUMERIC_METRICS: Final[frozenset[str]] = frozenset(
    {
        "tpp",
        "applicable_die_area_mm2",
        "performance_density",
        "bidirectional_io_gbps",
        "interconnect_gbps",
        "memory_bandwidth_gbps",
        "memory_capacity_gb",
        "memory_bandwidth_density",
        "transistors_billion",
        "logic_node_nm",
        "export_year",
    }
)


BOOLEAN_METRICS: Final[frozenset[str]] = frozenset(
    {"non_planar", "contains_hbm", "datacenter", "standalone_hbm"}
)


TEXT_METRICS: Final[frozenset[str]] = frozenset(
    {"tpp_precision", "tpp_basis", "vendor", "chip_family"}
)


# Short labels for people (tables, reasons).
METRIC_LABELS: Final[dict[str, str]] = {
    "tpp": "TPP",
    "tpp_precision": "TPP precision",
    "tpp_basis": "TPP basis",
    "applicable_die_area_mm2": "die area mm²",
    "performance_density": "perf. density",
    "bidirectional_io_gbps": "I/O GB/s",
    "interconnect_gbps": "interconnect GB/s",
    "memory_bandwidth_gbps": "memory GB/s",
    "memory_capacity_gb": "memory GB",
    "memory_bandwidth_density": "mem. BW density",
    "transistors_billion": "transistors (bn)",
    "logic_node_nm": "node nm",
    "non_planar": "non-planar",
    "contains_hbm": "HBM",
    "datacenter": "datacenter",
    "standalone_hbm": "standalone HBM",
    "vendor": "vendor",
    "chip_family": "family",
    "export_year": "export year",
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
    "logic_node_nm": "number",
    "non_planar": "bool",
    "contains_hbm": "bool",
    "standalone_hbm": "bool",
    "datacenter": "bool",
    "vendor": "text",
    "chip_family": "text",
}
for _precision in PRECISION_BITS:
    INPUT_KEYS[f"{_precision}_dense_tops"] = "number"
    INPUT_KEYS[f"{_precision}_sparse_tops"] = "number"
