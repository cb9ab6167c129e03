"""Commands over design spaces: sweep (a grid of designs) and frontier (how far a design scales)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from chipdb.cli.options import (
    AsOfOpt,
    as_of_date,
    check_format,
    complete_chip,
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
    as_of: AsOfOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv | jsonl (streamed) | json | "
                                     "table | markdown")] = "csv",
) -> None:
    """Every point of a grid of designs, classified and written as batch what-if writes it."""
    from chipdb.service import designs
    from chipdb.service.batch import STREAMED
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
    overrides = parse_assignments(set_ or [])
    with open_cli_session() as s:
        resolved, inputs = designs.design_inputs_of(s, base, overrides)
        rules_ = designs.load_rules(s)
    tell_variants([resolved] if resolved else [])
    run_sweep(inputs, axes, rules_, day, fmt, sys.stdout, where, only)
