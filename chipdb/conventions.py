"""The conventions the rules leave open, as named parameters with a default and an alternative.

docs/metrics.md ("Conventions") gives the reasons for each default. A verdict is evaluated under
every alternative too and says when it would read otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping

CONVENTIONS: dict[str, tuple[float, float, str | Mapping[float, str]]] = {
    # name: (default, alternative, how a verdict reads under a value: "if TF32 counts 32 bits")
    "tf32_bits": (19.0, 32.0, "if TF32 counts {value:g} bits"),
    # 0: a multi-chip card's figures are the card's totals; 1: per packaged IC (totals / ICs)
    "per_ic": (0.0, 1.0, {0.0: "if counted per card", 1.0: "if counted per packaged IC"}),
}
# Card totals that a per-IC reading divides by the ICs on the card (densities are ratios of
# two such totals, so they do not change).
PER_CARD_INPUTS = ("tpp", "applicable_die_area_mm2", "die_area_mm2", "bidirectional_io_gbps",
                   "interconnect_gbps", "host_io_gbps", "memory_bandwidth_gbps",
                   "memory_capacity_gb", "transistors_billion")


def other_readings(chosen: Mapping[str, float]) -> list[tuple[dict[str, float], str]]:
    """For each convention, the choices with it flipped, and how a verdict then reads."""
    out = []
    for name, (default, alternative, wording) in CONVENTIONS.items():
        now = chosen.get(name, default)
        other = alternative if now == default else default
        text = wording[other] if isinstance(wording, Mapping) else wording.format(value=other)
        out.append(({**chosen, name: other}, text))
    return out
