"""The command that reads what changed between two days: `chipdb changes`."""

from __future__ import annotations

from typing import Annotated

import typer

from chipdb.cli.options import (
    FormatOpt,
    check_format,
    data_command,
    open_cli_session,
    parse_day,
)
from chipdb.cli.read import IncludeDraftOpt, PartyHqOpt
from chipdb.cli.root import app


@app.command()
@data_command()
def changes(
    since: Annotated[str | None, typer.Option(
        "--since", help="First day (YYYY-MM-DD) of the window; default: the start.")] = None,
    until: Annotated[str | None, typer.Option(
        "--until", help="Last day (YYYY-MM-DD) of the window; default: no end.")] = None,
    to: Annotated[str | None, typer.Option(
        "--to", help="Only the bottom lines (and group changes) for this destination.")]
    = None,
    party_hq: PartyHqOpt = None,
    include_draft: IncludeDraftOpt = False,
    fmt: FormatOpt = "table",
) -> None:
    """What changed between two days: rules and policy events entering or leaving force, and
    every chip whose verdict or bottom line changed, with the rule that changed it."""
    from chipdb.render import render
    from chipdb.render.changes import changes_document
    from chipdb.service import changes as api

    fmt = check_format(fmt)
    # a window, not one day's rules: the envelope's as_of stays null (data has since, until)
    first = parse_day(since, "--since") if since is not None else None
    last = parse_day(until, "--until") if until is not None else None
    with open_cli_session() as s:
        report = api.changes(s, first, last, to, party_hq, include_draft)
    render(changes_document(api.changes_json(report)), fmt)
