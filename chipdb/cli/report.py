"""The ``report`` command: a citable memo of chips (self-contained HTML by default)."""

from __future__ import annotations

from typing import Annotated

import typer

from chipdb.cli.options import (
    FORMAT_VARIABLE,
    AsOfOpt,
    as_of_date,
    check_format,
    complete_chip,
    data_command,
    notify,
    open_cli_session,
    tell_variants,
)
from chipdb.cli.root import app
from chipdb.errors import ChipdbError, UsageError


@app.command(epilog="Examples:\n\n  chipdb report H20 H100 -o memo.html\n\n"
             "  chipdb report \"RTX 5090 D V2\" --to CN --as-of 2026-06-01 -o memo.html")
@data_command(gate=True)
def report(
    names: Annotated[list[str], typer.Argument(metavar="<CHIP>...",
                                               help="Chip names, aliases or families.",
                                               autocompletion=complete_chip)],
    to: Annotated[str | None, typer.Option(
        "--to", metavar="<DESTINATION>",
        help="One destination; without it, one answer per class of destination.")] = None,
    party_hq: Annotated[str | None, typer.Option(
        "--party-hq", metavar="<COUNTRY>",
        help="Where the buyer, or its ultimate parent, is headquartered.")] = None,
    as_of: AsOfOpt = None,
    fmt: Annotated[str, typer.Option(
        "--format", "-f", metavar="<FORMAT>", envvar=f"{FORMAT_VARIABLE}_REPORT",
        help="html (default: a self-contained printable page), or any other format.")]
    = "html",
) -> None:
    """A citable report: the bottom line, verdicts, reasons, the threshold map and every source
    (URL, publisher, tier, access date), stamped with chipdb's version and the catalogue's."""
    from chipdb.render import render
    from chipdb.render.report import report_document
    from chipdb.service import bottomline
    from chipdb.service import catalogue as api
    from chipdb.service.results import compare_json

    fmt = check_format(fmt)
    day = as_of_date(as_of)
    if party_hq and not to:
        raise UsageError("--party-hq needs --to DESTINATION")
    with open_cli_session() as s:
        compared = api.compare(s, names, day, with_sources=True)
        chips = [c.name for c in compared.chips]
        answers = bottomline.check_json(bottomline.check(s, chips, to, party_hq, day))
        svg, note = _map(s, chips, day) if fmt == "html" else (None, "")
    tell_variants(compared.resolved)
    render(report_document(answers, compare_json(compared), svg, note), fmt)


def _map(s: object, chips: list[str], day: object) -> tuple[str | None, str]:
    """The threshold map of the chips as SVG and its caption, or None and why not."""
    from chipdb.plot import data as plot_data
    from chipdb.service.plot import plot_inputs

    try:
        data = plot_data.build(**plot_inputs(s, chips, None, None, day))  # type: ignore[arg-type]
        from chipdb.plot.image import svg_text

        svg = svg_text(data)
    except ChipdbError as exc:
        notify(f"chipdb: the report has no threshold map: {exc.message}")
        return None, f"No threshold map: {exc.message}"
    return svg, (f"The threshold map under {data.rule} ({data.title}) on {data.day}: "
                 f"{data.citation}. " + " ".join(data.notes))
