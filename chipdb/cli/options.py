"""Shared options and the small steps every command takes: dates, paths, formats, names."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from chipdb.cli.root import state
from chipdb.errors import UsageError
from chipdb.render import FORMATS
from chipdb.safetext import printable

FormatOpt = Annotated[
    str, typer.Option("--format", "-f", help=" | ".join(FORMATS))
]


AsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", help="Date (YYYY-MM-DD) whose rules apply; default today."),
]


def complete_chip(incomplete: str) -> list[str]:
    try:
        from chipdb.service.session import open_session

        with open_session(current_db()) as s:
            return [c for c in s.names.chips if c.casefold().startswith(incomplete.casefold())]
    except Exception:  # completion must never fail loudly
        return []


def complete_rule(incomplete: str) -> list[str]:
    try:
        from chipdb.service import catalogue as api
        from chipdb.service.session import open_session

        with open_session(current_db()) as s:
            return [r.rule for r in api.rules(s) if r.rule.startswith(incomplete)]
    except Exception:
        return []


def current_db() -> Any:
    from chipdb.store.url import resolve_url

    return resolve_url(state["db"])


def notify(message: str) -> None:
    """A note on stderr; the chip and file names in it are data, so made printable."""
    print(printable(message), file=sys.stderr)


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise UsageError(f"unknown format '{fmt}': use one of {', '.join(FORMATS)}")
    return fmt


def as_of_date(value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"--as-of '{value}' is not a date: use YYYY-MM-DD") from None


def file_path(text: str) -> Path:
    """A file name from the command line (Typer's own Path check crashes on a NUL byte)."""
    if not text or "\x00" in text:
        raise UsageError("a file name must be non-empty and cannot contain a NUL character")
    return Path(text)


def open_cli_session() -> Any:
    from chipdb.service.session import open_session

    return open_session(current_db(), notify)


def tell_variants(resolved: Any) -> None:
    """On stderr: which chip a family name picked, and its other variants."""
    for r in resolved:
        if r.other_variants:
            notify(f"chipdb: '{r.typed}' is {r.chip}; other variants: "
                   f"{', '.join(r.other_variants)}")


def resolve_names(s: Any, names: list[str]) -> list[str]:
    resolved = s.resolve(names)
    tell_variants(resolved)
    return list(dict.fromkeys(r.chip for r in resolved))


BatchToOpt = Annotated[list[str] | None, typer.Option(
    "--to", help="A destination (code or name): adds its bottom line per design (licence "
    "required, exceptions, review policy, decided by, binding line and margin). Repeatable.")]
BatchPartyHqOpt = Annotated[str | None, typer.Option(
    "--party-hq", help="With --to: where the buyer, or its ultimate parent, is headquartered "
    "(default: the United States).")]
