"""The Typer application, its sub-apps and the global options (--db, --debug)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

app = typer.Typer(
    name="chipdb",
    help="AI-accelerator specs, sourced, evaluated against every public US export-threshold "
    "rule (ECCN 3A090 and after).",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
db_app = typer.Typer(help="Database location, migrations and seeding.", no_args_is_help=True)
app.add_typer(db_app, name="db")

state: dict[str, Any] = {"db": None, "debug": False}


def _version(asked: bool) -> None:
    if asked:
        from chipdb import ENGINE_VERSION, __version__
        from chipdb.store.package_data import SCHEMA_REVISION

        print(f"chipdb {__version__} (engine {ENGINE_VERSION}, schema {SCHEMA_REVISION})")
        raise typer.Exit(0)


@app.callback()
def _main(
    db: Annotated[
        str | None,
        typer.Option("--db", envvar="CHIPDB_DATABASE_URL",
                     help="SQLAlchemy URL of the database (default: SQLite in your data dir)."),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    version: Annotated[bool, typer.Option(
        "--version", "-V", is_eager=True, callback=_version,
        help="Print chipdb's version (and its engine and schema) and exit.")] = False,
) -> None:
    state["db"] = db
    state["debug"] = debug
