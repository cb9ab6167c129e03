"""chipdb: a typed, sourced database of AI-accelerator specs and the export-threshold rules.

The Python API (docs/python-api.md)::

    import chipdb
    with chipdb.open() as db:
        report = db.compare(["H20", "H100"])

Everything but the version numbers loads on first use, so ``import chipdb`` stays cheap (and
the façade reaches the layers below only from inside ``__getattr__``, after it has loaded).
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

# Bump when the metrics or the engine change how a stored figure is computed, so that every
# existing database recomputes its metrics and verdicts on the next run.
ENGINE_VERSION = "2"  # 2: reasons quote every export year, written 2026

_API = ("open", "Database")
_ERRORS = ("ChipdbError", "DatabaseError", "DataError", "NotFoundError", "UsageError")
_CHECK_RESULTS = ("BottomLine", "CheckReport", "CheckRow")
_RESULTS = ("ChipReport", "CompareReport", "MarginRow", "Resolution", "VerdictReport",
            "WhatIfReport")
_LISTINGS = ("ChipDetail", "ChipRow", "HeadroomReport", "HeadroomRow", "RuleReport",
             "TimelineReport", "TimelineRow")

__all__ = [
    "ENGINE_VERSION",
    "BottomLine",
    "CheckReport",
    "CheckRow",
    "ChipDetail",
    "ChipReport",
    "ChipRow",
    "ChipdbError",
    "CompareReport",
    "DataError",
    "Database",
    "DatabaseError",
    "HeadroomReport",
    "HeadroomRow",
    "MarginRow",
    "NotFoundError",
    "Resolution",
    "RuleReport",
    "TimelineReport",
    "TimelineRow",
    "UsageError",
    "VerdictReport",
    "WhatIfReport",
    "__version__",
    "open",
]


def __getattr__(name: str) -> Any:
    """The public names, imported when first asked for (the CLI's cold path needs none)."""
    if name in _API:
        from chipdb.service import database

        value = getattr(database, name)
    elif name in _ERRORS:
        from chipdb import errors

        value = getattr(errors, name)
    elif name in _CHECK_RESULTS:
        from chipdb.service import check_results

        value = getattr(check_results, name)
    elif name in _RESULTS:
        from chipdb.service import results

        value = getattr(results, name)
    elif name in _LISTINGS:
        from chipdb.service import listings

        value = getattr(listings, name)
    else:
        raise AttributeError(f"module 'chipdb' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
