"""Which published fields each metric is computed from, and the weakest tier among them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

# A metric reads the claims whose field starts with one of these (claim fields are
# "throughput.fp8.dense_tops", "die.<name>.area_mm2", "memory.<type>.bandwidth_gbps", ...).
CLAIM_PREFIXES: dict[str, tuple[str, ...]] = {
    "tpp": ("throughput.", "published.tpp"),
    "performance_density": ("throughput.", "published.tpp", "die."),
    "applicable_die_area_mm2": ("die.",),
    "bidirectional_io_gbps": ("io.",),
    "interconnect_gbps": ("io.",),
    "memory_bandwidth_gbps": ("memory.",),
    "memory_bandwidth_density": ("memory.",),
    "memory_capacity_gb": ("memory.",),
    "transistors_billion": ("die.",),
    "logic_node_nm": ("die.",),
    "non_planar": ("die.",),
    "datacenter": ("datacenter", "market"),
    "contains_hbm": ("memory.",),
}


def metric_tiers(claims: Iterable[tuple[str, str]], strongest_first: Sequence[str]
                 ) -> dict[str, str]:
    """For each metric, the weakest tier among the (preferred) claims it is computed from."""
    claims = list(claims)
    out: dict[str, str] = {}
    for metric, prefixes in CLAIM_PREFIXES.items():
        tiers = [t for f, t in claims if f.startswith(prefixes) and t in strongest_first]
        if tiers:
            out[metric] = max(tiers, key=strongest_first.index)
    return out
