"""The threshold map. Placeholder until the plot issue lands: says what is missing."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TextIO

from chipdb.errors import DataError


def collect(s: Any, chips: list[str] | None, rule: str, metric: str | None, day: Any) -> Any:
    raise DataError("plotting is not available in this version yet")


def terminal(data: Any, out: TextIO) -> None:
    raise DataError("plotting is not available in this version yet")


def to_file(data: Any, out: Path) -> None:
    raise DataError("plotting is not available in this version yet")
