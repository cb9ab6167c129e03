"""Closed word lists shared by the seeds, the metrics, the engine and the CLI.

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
# The same tiers, strongest first: an answer is as sure as the weakest tier it reads.
TIERS_STRONGEST_FIRST: Final[tuple[str, ...]] = ("official", "measured", "secondary",
                                                 "estimate")


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

