"""Shared options and the small steps every command takes: dates, paths, formats, names."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from chipdb.cli.root import state
from chipdb.errors import UsageError

FormatOpt = Annotated[
    str, typer.Option("--format", "-f", help="table | json | csv | markdown")
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
            return [r["rule"] for r in api.rules(s) if r["rule"].startswith(incomplete)]
    except Exception:
        return []


def current_db() -> Any:
    from chipdb.store.url import resolve_url

    return resolve_url(state["db"])


def notify(message: str) -> None:
    print(message, file=sys.stderr)


def check_format(fmt: str) -> str:
    from chipdb.render import FORMATS

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


def resolve_names(s: Any, names: list[str]) -> list[str]:
    out = []
    for r in s.resolve(names):
        others = s.other_variants(r)
        if others:
            notify(f"chipdb: '{r.typed}' is {r.chip}; other variants: {', '.join(others)}")
        out.append(r.chip)
    return list(dict.fromkeys(out))


def one_chip(name: str, fmt: str, fetch: Any, document: Any) -> None:
    """The shape of every single-chip command: resolve, read, render."""
    from chipdb.render import render

    fmt = check_format(fmt)
    with open_cli_session() as s:
        chip = resolve_names(s, [name])[0]
        data = fetch(s, chip)
    render(document(chip, data), fmt)
