"""Commands over design spaces: sweep (a grid of designs) and frontier (how far a design scales)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from chipdb.cli.options import (
    FORMAT_VARIABLE,
    AsOfOpt,
    BatchPartyHqOpt,
    BatchToOpt,
    FormatOpt,
    as_of_date,
    check_format,
    complete_chip,
    data_command,
    open_cli_session,
    tell_variants,
)
from chipdb.cli.root import app
from chipdb.errors import UsageError

SetOpt = Annotated[list[str] | None, typer.Option(
    "--set", help="KEY=VALUE on top of the base (as for what-if). Repeatable.")]
BaseArg = Annotated[str, typer.Argument(help="Chip to start from, or 'blank'.",
                                        autocompletion=complete_chip)]


@app.command()
@data_command(gate=True)
def sweep(
    base: BaseArg = "blank",
    vary: Annotated[list[str] | None, typer.Option(
        help="KEY=LOW..HIGH:STEP (ends included) or KEY=A,B,C; units allowed. Repeatable: "
        "the grid is every combination.")] = None,
    set_: SetOpt = None,
    where: Annotated[str | None, typer.Option(
        help="Keep rows where e.g. 'tpp>=4800 and us-2024-12==not-controlled' holds "
        "(COLUMN OP VALUE, ops >= <= == != > <, joined by and / or).")] = None,
    only: Annotated[str | None, typer.Option(
        help="Keep rows where any rule gives OUTCOME, or RULE=OUTCOME.")] = None,
    to: BatchToOpt = None,
    party_hq: BatchPartyHqOpt = None,
    as_of: AsOfOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", envvar=FORMAT_VARIABLE,
                                     metavar="<FORMAT>", help="csv | jsonl | parquet (streamed) "
                                     "| json | tsv | table | markdown | html")] = "csv",
) -> None:
    """Every point of a grid of designs, classified and written as batch what-if writes it."""
    from chipdb.service import designs
    from chipdb.service.batch import STREAMED
    from chipdb.service.batch_to import bottom_lines
    from chipdb.service.sweep import parse_where, run_sweep
    from chipdb.units import parse_assignments, parse_axis

    if fmt not in STREAMED:
        fmt = check_format(fmt)
    day = as_of_date(as_of)
    axes = [parse_axis(v) for v in vary or []]
    if not axes:
        raise UsageError("give at least one --vary KEY=LOW..HIGH:STEP")
    if len({k for k, _ in axes}) != len(axes):
        raise UsageError("--vary: a key is varied twice")
    if where:
        parse_where(where)  # a typo is refused before the database is opened
    if party_hq and not to:
        raise UsageError("--party-hq needs --to DESTINATION")
    overrides = parse_assignments(set_ or [])
    with open_cli_session() as s:
        resolved, inputs = designs.design_inputs_of(s, base, overrides)
        rules_ = designs.load_rules(s)
        lines = bottom_lines(s, to, party_hq, day, rules_) if to else None
    tell_variants([resolved] if resolved else [])
    run_sweep(inputs, axes, rules_, day, fmt, sys.stdout, where, only, to=lines)


@app.command()
@data_command()
def frontier(
    base: BaseArg,
    target: Annotated[str, typer.Option(
        help="RULE=OUTCOME to keep, e.g. us-2024-12=not-controlled (OUTCOME* for a prefix).")],
    scale: Annotated[str, typer.Option(
        help="Inputs to scale together, comma-separated, e.g. bf16_dense_tops,"
        "memory_bandwidth_gbps.")],
    set_: SetOpt = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """The largest factor the chosen inputs can scale by and keep the target outcome, and the
    nearest factor that loses it, solved from the rule's own lines."""
    from chipdb.render import Document, Section, render
    from chipdb.service import designs
    from chipdb.service.frontier import frontier as solve
    from chipdb.service.frontier import frontier_rows
    from chipdb.units import parse_assignments

    fmt = check_format(fmt)
    day = as_of_date(as_of)
    keys = [k.strip() for k in scale.split(",") if k.strip()]
    if not keys:
        raise UsageError("--scale names at least one input")
    overrides = parse_assignments(set_ or [])
    with open_cli_session() as s:
        resolved, inputs = designs.design_inputs_of(s, base, overrides)
        rules_ = designs.load_rules(s)
    result = solve(rules_, inputs, target, keys, day)
    tell_variants([resolved] if resolved else [])  # after the answer: an error stays one line
    rows = frontier_rows(result)
    title = (f"Scaling {', '.join(keys)} keeps {result.rule} = {result.target} "
             + ("at any factor" if result.keeps_up_to is None
                else f"up to ×{result.keeps_up_to:.9g}; ×{result.crosses_at:.9g} crosses "
                     f"{result.line} → {result.becomes}"))
    cols = ["input", "base", "keeps_up_to", "kept", "crosses_at", "crossed", "line", "becomes"]
    render(Document([Section(title, cols, rows)],
                    payload={"as_of": day.isoformat(), "frontier": rows}), fmt)
