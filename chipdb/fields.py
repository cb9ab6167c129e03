"""Vocabularies shared by the seeds, the metrics, the rules engine and the CLI.

Kept free of heavy imports: the CLI's read path imports this module.
"""

from __future__ import annotations

from typing import Final

# Bit length per precision, as ECCN 3A090's technical note counts it ("bit length of the
# operation"). TF32 is a 19-bit format (1 sign, 8 exponent, 10 mantissa bits) and is counted
# as such; BIS has published no convention for it. On NVIDIA parts TF32 runs at half the FP16
# rate, so it never sets their TPP; on parts that run TF32 at the BF16 rate (AWS Trainium and
# Inferentia) it does, and the TPP says so (tpp_precision = tf32). See docs/metrics.md.
PRECISION_BITS: Final[dict[str, int]] = {
    "fp64": 64,
    "fp64_tensor": 64,
    "fp32": 32,
    "tf32": 19,
    "bf16": 16,
    "fp16": 16,
    "fp8": 8,
    "int8": 8,
    "fp6": 6,
    "fp4": 4,
    "int4": 4,
}

SOURCE_TIERS: Final[tuple[str, ...]] = ("official", "secondary", "estimate", "measured")
MARKETS: Final[tuple[str, ...]] = (
    "datacenter",
    "workstation",
    "consumer",
    "cloud",
    "edge",
    "memory",
)
REGIONS: Final[tuple[str, ...]] = ("global", "china")
DIE_KINDS: Final[tuple[str, ...]] = ("logic", "io", "memory")
IO_KINDS: Final[tuple[str, ...]] = ("chip-to-chip", "host", "network")
RULE_STATUSES: Final[tuple[str, ...]] = ("in-force", "superseded", "inactive", "draft")

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


def normalize_name(name: str) -> str:
    """The key names are matched on: case, spaces, dashes and underscores do not matter."""
    return "".join(ch for ch in name.casefold() if ch.isalnum() or ch in "+.")


def fmt_number(value: float) -> str:
    """Numbers as people read them in this field: 15,832 / 5.92 / 0.0312."""
    if value != value:  # NaN
        return "?"
    if abs(value) >= 100 or value == int(value):
        return f"{value:,.0f}" if abs(value - round(value)) < 0.05 else f"{value:,.1f}"
    if abs(value) >= 1:
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{value:.3g}"
