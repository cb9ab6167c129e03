"""Golden outputs for scripts: JSON and CSV must not change without a reviewed diff.

Regenerate after a deliberate change with:  UPDATE_GOLDEN=1 pytest tests/cli/test_golden.py
The same goldens are checked on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.helpers import run

GOLDEN = Path(__file__).resolve().parents[1] / "golden"

CASES = {
    "compare-h20-h100.json": ["compare", "H20", "H100", "--as-of", "2026-06-01", "-f", "json"],
    "compare-h20-h100.csv": ["compare", "H20", "H100", "--as-of", "2026-06-01", "-f", "csv"],
    "compare-a800-h800-all.csv": ["compare", "A800", "H800", "--all-rules", "-f", "csv"],
    "compare-mission.md": ["compare", "A800", "H800", "H20", "H20 141GB", "--as-of",
                           "2026-06-01", "-f", "markdown"],
    "what-if-h20.json": ["what-if", "H20", "--set", "fp8_dense_tops=600", "--as-of",
                         "2026-06-01", "-f", "json"],
    "timeline-h100.csv": ["timeline", "H100", "-f", "csv"],
    "rules.csv": ["rules", "-f", "csv"],
    "rules-us-2023-10.json": ["rules", "us-2023-10", "-f", "json"],
    "list-us-2024-12.csv": ["list", "--rule", "us-2024-12", "--as-of", "2026-06-01", "-f",
                            "csv"],
    "headroom-h20.csv": ["headroom", "H20", "--as-of", "2026-06-01", "-f", "csv"],
}


def _stable(name: str, out: str) -> str:
    """The output with what changes on every run or seed edit pinned: the generation time
    and the catalogue's fingerprint (the data under them is compared byte for byte)."""
    if not name.endswith(".json"):
        return out
    document = json.loads(out)
    document["generated_at"] = "<generated_at>"
    document["catalogue"]["fingerprint"] = "<fingerprint>"
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_output(name: str, db: object) -> None:
    result = run(db, *CASES[name])  # type: ignore[arg-type]
    assert result.code == 0, result.err
    out = _stable(name, result.out)
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(out, encoding="utf-8")
    assert path.exists(), f"missing golden {path}: run UPDATE_GOLDEN=1 pytest {__file__}"
    assert out == path.read_text(encoding="utf-8")
