"""The command line: parse, resolve names, call chipdb.api, hand the data to a renderer.

No SQL and no thresholds here. Errors are one line on stderr; exit 1 for not found or bad
data, 2 for usage. Data goes to stdout, messages to stderr.
"""

from __future__ import annotations

import gc
import os
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from chipdb.errors import ChipdbError, UsageError

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

_state: dict[str, Any] = {"db": None, "debug": False}

FormatOpt = Annotated[
    str, typer.Option("--format", "-f", help="table | json | csv | markdown")
]
AsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", help="Date (YYYY-MM-DD) whose rules apply; default today."),
]


def _complete_chip(incomplete: str) -> list[str]:
    try:
        from chipdb.api import open_session

        with open_session(_db()) as s:
            return [c for c in s.names.chips if c.casefold().startswith(incomplete.casefold())]
    except Exception:  # completion must never fail loudly
        return []


def _complete_rule(incomplete: str) -> list[str]:
    try:
        from chipdb import api

        with api.open_session(_db()) as s:
            return [r["rule"] for r in api.rules(s) if r["rule"].startswith(incomplete)]
    except Exception:
        return []


def _db() -> Any:
    from chipdb.db import resolve_url

    return resolve_url(_state["db"])


def _notify(message: str) -> None:
    print(message, file=sys.stderr)


def _format(fmt: str) -> str:
    from chipdb.render import FORMATS

    if fmt not in FORMATS:
        raise UsageError(f"unknown format '{fmt}': use one of {', '.join(FORMATS)}")
    return fmt


def _as_of(value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"--as-of '{value}' is not a date: use YYYY-MM-DD") from None


def _path(text: str) -> Path:
    """A file name from the command line (Typer's own Path check crashes on a NUL byte)."""
    if not text or "\x00" in text:
        raise UsageError("a file name must be non-empty and cannot contain a NUL character")
    return Path(text)


def _session() -> Any:
    from chipdb.api import open_session

    return open_session(_db(), _notify)


def _resolve(s: Any, names: list[str]) -> list[str]:
    out = []
    for r in s.resolve(names):
        others = s.other_variants(r)
        if others:
            _notify(f"chipdb: '{r.typed}' is {r.chip}; other variants: {', '.join(others)}")
        out.append(r.chip)
    return list(dict.fromkeys(out))


@app.callback()
def _main(
    db: Annotated[
        str | None,
        typer.Option("--db", envvar="CHIPDB_DATABASE_URL",
                     help="SQLAlchemy URL of the database (default: SQLite in your data dir)."),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    _state["db"] = db
    _state["debug"] = debug


@app.command()
def compare(
    names: Annotated[list[str], typer.Argument(help="Chip names, aliases or families.",
                                               autocompletion=_complete_chip)],
    as_of: AsOfOpt = None,
    all_rules: Annotated[bool, typer.Option("--all-rules",
                                            help="Every rule version, not only those in force.")]
    = False,
    sources: Annotated[bool, typer.Option("--sources", help="Where each number comes from.")]
    = False,
    fmt: FormatOpt = "table",
) -> None:
    """Chips side by side: specs, derived metrics, verdicts, reasons and margins."""
    from chipdb import api
    from chipdb.render import render
    from chipdb.render.views import compare_document

    fmt = _format(fmt)
    day = _as_of(as_of)
    with _session() as s:
        chips = _resolve(s, names)
        data = api.compare(s, chips, None if all_rules else day, with_sources=sources)
    if all_rules:
        data["as_of"] = None
    render(compare_document(data, sources), fmt)


def _one_chip(name: str, fmt: str, fetch: Any, document: Any) -> None:
    """The shape of every single-chip command: resolve, read, render."""
    from chipdb.render import render

    fmt = _format(fmt)
    with _session() as s:
        chip = _resolve(s, [name])[0]
        data = fetch(s, chip)
    render(document(chip, data), fmt)


@app.command()
def show(
    name: Annotated[str, typer.Argument(help="Chip name.", autocompletion=_complete_chip)],
    fmt: FormatOpt = "table",
) -> None:
    """Every field of one chip with its source, tier and competing claims."""
    from chipdb import api
    from chipdb.render.views import show_document

    _one_chip(name, fmt, api.show, lambda _chip, data: show_document(data))


@app.command("list")
def list_(
    vendor: Annotated[str | None, typer.Option(help="Only this vendor.")] = None,
    market: Annotated[str | None, typer.Option(help="datacenter, consumer, workstation, ...")]
    = None,
    datacenter: Annotated[bool | None, typer.Option("--datacenter/--not-datacenter",
                                                    help="Designed/marketed for datacenters.")]
    = None,
    rule: Annotated[str | None, typer.Option(help="Show the verdict under this rule.",
                                             autocompletion=_complete_rule)] = None,
    verdict: Annotated[str | None, typer.Option(
        help="Only chips with this outcome under --rule (3A090.a* matches a prefix).")] = None,
    as_of: AsOfOpt = None,
    sort: Annotated[str, typer.Option(help="chip, vendor or a metric (largest first).")]
    = "vendor",
    fmt: FormatOpt = "table",
) -> None:
    """The catalogue, filtered and sorted."""
    from chipdb import api
    from chipdb.render import render
    from chipdb.render.views import list_document

    fmt = _format(fmt)
    if verdict and not rule:
        raise UsageError("--verdict needs --rule RULE")
    with _session() as s:
        rows = api.list_chips(s, vendor, market, datacenter, rule, verdict, _as_of(as_of), sort)
    render(list_document(rows, rule), fmt)


@app.command()
def rules(
    rule_id: Annotated[str | None, typer.Argument(help="A rule id.",
                                                  autocompletion=_complete_rule)] = None,
    fmt: FormatOpt = "table",
) -> None:
    """Rule versions: dates, citations and every threshold."""
    from chipdb import api
    from chipdb.render import render
    from chipdb.render.views import rules_document

    fmt = _format(fmt)
    with _session() as s:
        data = api.rules(s, rule_id)
    render(rules_document(data, detail=rule_id is not None), fmt)


@app.command("what-if")
def what_if(
    base: Annotated[str | None, typer.Argument(
        help="Chip to start from, or 'blank'. Omit with --batch.",
        autocompletion=_complete_chip)] = None,
    set_: Annotated[list[str] | None, typer.Option(
        "--set", help="KEY=VALUE, e.g. tpp=4000, memory_bandwidth_gbps=1.2TB/s, "
        "datacenter=false. Repeatable.")] = None,
    batch: Annotated[str | None, typer.Option(
        help="CSV with a header of the same keys (plus name): one design per row.")] = None,
    name: Annotated[str | None, typer.Option(help="Label for the design.")] = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """A modified or new design, classified by the same engine as the catalogue."""
    from chipdb import api, designs
    from chipdb.render import render
    from chipdb.render.views import compare_document

    fmt = _format(fmt)
    day = _as_of(as_of)
    if batch is not None:
        if base not in (None, "blank") or set_:
            raise UsageError("--batch takes the designs from the file: drop BASE and --set")
        with _session() as s:
            rules_ = api.load_rules(s)
        designs.run_batch(_path(batch), rules_, day, fmt, sys.stdout)
        return
    if base is None:
        raise UsageError("give BASE (a chip, or 'blank') or --batch FILE")
    overrides = designs.parse_assignments(set_ or [])
    with _session() as s:
        chip = None if base.strip().casefold() == "blank" else _resolve(s, [base])[0]
        data = api.what_if(s, chip, overrides, day, name)
    render(compare_document(data, False), fmt)


@app.command()
def headroom(
    name: Annotated[str, typer.Argument(help="Chip name.", autocompletion=_complete_chip)],
    as_of: AsOfOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """How far each metric can move before the chip crosses the next line of each rule."""
    from chipdb import api
    from chipdb.render import render
    from chipdb.render.views import headroom_document

    fmt = _format(fmt)
    day = _as_of(as_of)
    with _session() as s:
        chip = _resolve(s, [name])[0]
        rows = api.headroom(s, chip, day)
    render(headroom_document(chip, day, rows), fmt)


@app.command()
def timeline(
    name: Annotated[str, typer.Argument(help="Chip name.", autocompletion=_complete_chip)],
    fmt: FormatOpt = "table",
) -> None:
    """The chip's verdicts through time, one row per rule period."""
    from chipdb import api
    from chipdb.render.views import timeline_document

    _one_chip(name, fmt, api.timeline, timeline_document)


@app.command()
def sql(
    statement: Annotated[str | None, typer.Argument(
        help="One query; without it, open sqlite3 or psql read-only.")] = None,
    fmt: FormatOpt = "table",
) -> None:
    """Query the views read-only (chip_specs, chip_metrics, chip_verdict, chip_margin, ...)."""
    from chipdb import sqlshell

    fmt = _format(fmt)
    db = _db()
    if statement is None:
        sqlshell.open_shell(db, _notify)
        return
    sqlshell.run_query(db, statement, fmt, _notify)


@app.command("import")
def import_(
    file: Annotated[str, typer.Argument(help="A TOML file in the seed format.")],
    replace: Annotated[bool, typer.Option(help="Replace an earlier import of the same name.")]
    = False,
) -> None:
    """Add your own chips, sources or rules; they survive reseeds and upgrades."""
    from chipdb import maintenance

    path = _path(file)
    report = maintenance.import_file(_db(), path, replace)
    _notify(f"chipdb: imported {path.name}: {report.user_chips} chip(s) of yours, "
            f"{report.rules} rules, {report.verdicts} verdicts recomputed")


@app.command()
def export(
    out: Annotated[str | None, typer.Option("--out", "-o", help="Write to this file.")] = None,
    list_only: Annotated[bool, typer.Option("--list", help="Only list the imports.")] = False,
    remove: Annotated[str | None, typer.Option(help="Remove the import with this name.")]
    = None,
) -> None:
    """Write your imports back out in the import format (or list or remove them)."""
    from chipdb import maintenance

    db = _db()
    if remove is not None:
        maintenance.remove_import(db, remove)
        _notify(f"chipdb: removed import {remove}")
        return
    imports = maintenance.user_imports(db)
    if list_only:
        for name, when, _content in imports:
            print(f"{name}\t{when}")
        return
    text = "".join(
        (f"# chipdb import: {name} ({when})\n" if len(imports) > 1 else "") + content
        + ("" if content.endswith("\n") else "\n")
        for name, when, content in imports
    )
    if out is None:
        sys.stdout.write(text)
    else:
        target = _path(out)
        try:
            target.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise ChipdbError(f"{target}: cannot be written: {exc.strerror}") from None
        _notify(f"chipdb: wrote {len(imports)} import(s) to {target}")


@app.command()
def plot(
    names: Annotated[list[str] | None, typer.Argument(help="Chips to plot (default: all).",
                                                      autocompletion=_complete_chip)] = None,
    rule: Annotated[str, typer.Option(help="Rule whose lines are drawn.")] = "us-2024-12",
    metric: Annotated[str | None, typer.Option(
        help="Axes as X,Y metrics, e.g. tpp,memory_bandwidth_gbps.")] = None,
    as_of: AsOfOpt = None,
    out: Annotated[str | None, typer.Option("--out", "-o",
                                             help="PNG or SVG file; without it, the terminal.")]
    = None,
) -> None:
    """The threshold map: TPP x performance density with the 3A090 regions and the chips."""
    from chipdb import plotting

    day = _as_of(as_of)
    target = None if out is None else _path(out)
    with _session() as s:
        chips = _resolve(s, names) if names else None
        data = plotting.collect(s, chips, rule, metric, day)
    if target is None:
        plotting.terminal(data, sys.stdout)
    else:
        plotting.to_file(data, target)
        _notify(f"chipdb: wrote {target}")


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Migrate the schema up (default: to the newest revision)."""
    from chipdb import maintenance

    db = _db()
    maintenance.upgrade(db, revision)
    _notify(f"chipdb: {db.display} at revision {maintenance.current(db)}")


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision, e.g. base.")],
    drop_user_data: Annotated[bool, typer.Option(
        help="Also drop your imports (kept by default).")] = False,
) -> None:
    """Migrate the schema down. Your imports are kept unless --drop-user-data."""
    from chipdb import maintenance

    db = _db()
    maintenance.downgrade(db, revision, drop_user_data)
    _notify(f"chipdb: {db.display} at revision {maintenance.current(db) or 'base'}")


@db_app.command("current")
def db_current() -> None:
    """The schema revision of the database."""
    from chipdb import maintenance

    print(maintenance.current(_db()) or "base")


@db_app.command("seed")
def db_seed() -> None:
    """Reload the bundled seeds (your imports are kept) and recompute every verdict."""
    from chipdb import maintenance

    db = _db()
    maintenance.upgrade(db)
    report = maintenance.reseed(db, _notify)
    _notify(f"chipdb: {report.seed_chips} bundled + {report.user_chips} imported chips, "
            f"{report.rules} rules, {report.verdicts} verdicts")


@db_app.command("path")
def db_path() -> None:
    """The SQLite file (for sqlite3, datasette)."""
    db = _db()
    if db.sqlite_path is None:
        raise UsageError(f"{db.display} is not a SQLite database: use `chipdb db url`")
    print(db.sqlite_path)


@db_app.command("url")
def db_url() -> None:
    """The database URL (for psql use the libpq form printed second)."""
    db = _db()
    print(db.display)
    if db.dialect == "postgresql":
        print(db.libpq_url)


def _one_line(message: str, limit: int = 400) -> str:
    """A message as one printable line: control characters (and undecodable bytes, which
    Python hands over as surrogates) escaped, overlong echoes of user input cut."""
    text = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in message)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _error(message: str) -> None:
    print(f"chipdb: error: {_one_line(message)}", file=sys.stderr)


def _click_kind(exc: BaseException) -> str | None:
    """Click's exception kinds by name: Typer may vendor its own copy of Click."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    for kind in ("NoArgsIsHelpError", "UsageError", "Abort", "Exit", "ClickException"):
        if kind in names:
            return kind
    return None


def main(argv: list[str] | None = None) -> int:
    """Entry point: one line on stderr for every error, never a traceback (unless --debug)."""
    # One command is a short-lived process: cyclic garbage collection would only walk, again
    # and again, the objects a run builds (ORM, seeds, batch rows) and frees none that matter.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run(argv)
    finally:
        if collecting:
            gc.enable()


def _run(argv: list[str] | None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        app(args=args, prog_name="chipdb", standalone_mode=False)
    except ChipdbError as exc:
        if debug:
            raise
        _error(exc.message)
        return exc.exit_code
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("chipdb: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        kind = _click_kind(exc)
        ctx = getattr(exc, "ctx", None)
        if kind == "NoArgsIsHelpError":
            print(ctx.get_help() if ctx else "", file=sys.stderr)
            return 2
        if kind == "UsageError" and not debug:
            command = ctx.command_path if ctx is not None else "chipdb"
            message = exc.format_message()  # type: ignore[attr-defined]
            _error(f"{message} (see {command} --help)")
            return 2
        if kind == "Exit":
            return int(getattr(exc, "exit_code", 0))
        if kind == "Abort":
            print("chipdb: aborted", file=sys.stderr)
            return 1
        if kind == "ClickException" and not debug:
            _error(exc.format_message())  # type: ignore[attr-defined]
            return int(getattr(exc, "exit_code", 1))
        if debug:
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        print(f"chipdb: internal error: {type(exc).__name__}: {_one_line(first)} "
              "(run again with --debug for details and report it)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
