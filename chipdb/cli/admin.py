"""Commands that manage: sql, import, export and db (upgrade, downgrade, seed, ...)."""

from __future__ import annotations

from typing import Annotated

import typer

from chipdb.cli.options import (
    FormatOpt,
    check_format,
    current_db,
    data_command,
    file_path,
    notify,
    open_cli_session,
)
from chipdb.cli.root import app, db_app
from chipdb.errors import ChipdbError, UsageError
from chipdb.safetext import printable


@app.command()
@data_command()
def sql(
    statement: Annotated[str | None, typer.Argument(
        help="One query; without it, open sqlite3 or psql read-only.")] = None,
    fmt: FormatOpt = "table",
    timeout: Annotated[float, typer.Option(
        help="Stop the query after this many seconds.")] = 5.0,
    max_rows: Annotated[int, typer.Option(
        help="Print at most this many rows (a note on stderr says when there were more).")]
    = 10_000,
) -> None:
    """Query the views read-only (chip_specs, chip_metrics, chip_verdict, chip_margin, ...)."""
    from chipdb.service import sql as sqlshell

    fmt = check_format(fmt)
    db = current_db()
    if statement is None:
        sqlshell.open_shell(db, notify)
        return
    with open_cli_session():  # the output's stamp: which chipdb and catalogue answered
        pass
    sqlshell.run_query(db, statement, fmt, notify, timeout, max_rows)


@app.command("import")
def import_(
    file: Annotated[str, typer.Argument(help="A TOML file in the seed format.")],
    replace: Annotated[bool, typer.Option(help="Replace an earlier import of the same name.")]
    = False,
    override: Annotated[bool, typer.Option(
        help="Allow a chip name, alias or family of a bundled chip (replaces it on purpose).")]
    = False,
) -> None:
    """Add your own chips, sources or rules; they survive reseeds and upgrades."""
    from chipdb.service import manage

    path = file_path(file)
    report = manage.import_file(current_db(), path, replace, override)
    notify(f"chipdb: imported {path.name}: {report.user_chips} chip(s) of yours, "
            f"{report.rules} rules, {report.verdicts} verdicts recomputed")


@app.command()
def export(
    out: Annotated[str | None, typer.Option("--out", "-o", help="Write to this file.")] = None,
    list_only: Annotated[bool, typer.Option("--list", help="Only list the imports.")] = False,
    remove: Annotated[str | None, typer.Option(help="Remove the import with this name.")]
    = None,
) -> None:
    """Write your imports back out in the import format (or list or remove them)."""
    from chipdb.service import manage

    db = current_db()
    if remove is not None:
        manage.remove_import(db, remove)
        notify(f"chipdb: removed import {remove}")
        return
    imports = manage.user_imports(db)
    if list_only:
        for name, when, _content in imports:
            print(f"{printable(name)}\t{when}")  # a file name is data too
        return
    text = "".join(
        (f"# chipdb import: {printable(name)} ({when})\n" if len(imports) > 1 else "") + content
        + ("" if content.endswith("\n") else "\n")
        for name, when, content in imports
    )
    if out is None:
        from chipdb.render import write

        write(lambda stream: stream.write(text))  # a closed pipe or a full disk: one line
    else:
        target = file_path(out)
        try:
            target.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise ChipdbError(f"{target}: cannot be written: {exc.strerror}") from None
        notify(f"chipdb: wrote {len(imports)} import(s) to {target}")


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Migrate the schema up (default: to the newest revision)."""
    from chipdb.service import manage

    db = current_db()
    manage.upgrade(db, revision)
    notify(f"chipdb: {db.display} at revision {manage.current(db)}")


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision, e.g. base.")],
    drop_user_data: Annotated[bool, typer.Option(
        help="Also drop your imports (kept by default).")] = False,
) -> None:
    """Migrate the schema down. Your imports are kept unless --drop-user-data."""
    from chipdb.service import manage

    db = current_db()
    manage.downgrade(db, revision, drop_user_data)
    notify(f"chipdb: {db.display} at revision {manage.current(db) or 'base'}")


@db_app.command("current")
def db_current() -> None:
    """The schema revision of the database."""
    from chipdb.service import manage

    print(manage.current(current_db()) or "base")


@db_app.command("seed")
def db_seed() -> None:
    """Reload the bundled seeds (your imports are kept) and recompute every verdict."""
    from chipdb.service import manage

    db = current_db()
    report = manage.seed(db, notify)
    notify(f"chipdb: {report.seed_chips} bundled + {report.user_chips} imported chips, "
            f"{report.rules} rules, {report.verdicts} verdicts, {report.bottom_lines} "
            f"bottom lines ({report.scopes_skipped} scopes name a rule not loaded: skipped)")


@db_app.command("verify")
def db_verify() -> None:
    """Check the views and derived rows against what the code and seeds give (exit 1: drift)."""
    from chipdb.errors import DataError
    from chipdb.service import manage

    drift, compared = manage.verify(current_db())
    if drift:
        parts = ", ".join(f"{d.view} ({d.missing} missing, {d.extra} unexpected, e.g. "
                          f"{d.example})" for d in drift)
        raise DataError(f"the database differs from what chipdb computes: {parts}; "
                        "`chipdb db seed` rebuilds the views and rows")
    notify(f"chipdb: verified: {compared} rows in every view match the code and seeds")


@db_app.command("stats")
@data_command()
def db_stats(fmt: FormatOpt = "table") -> None:
    """Catalogue size, release-date coverage and the share of values on weak sources."""
    from chipdb.cli.options import as_of_date
    from chipdb.render import Document, Section, render
    from chipdb.service.stats import catalogue_stats
    from chipdb.service.verdict_stats import UNDETERMINED_TARGET, undetermined_stats

    fmt = check_format(fmt)
    with open_cli_session() as s:
        data = catalogue_stats(s)
        today = as_of_date(None)
        undetermined = undetermined_stats(s, today)
    summary = [{"figure": k, "value": v} for k, v in data.items()
               if k not in ("by_class", "weak_classes")]  # catalogue_updated among them
    render(Document([
        Section("Catalogue", ["figure", "value"], summary),
        Section("Sources by publisher class", ["class", "sources", "claims", "preferred"],
                data["by_class"],
                note=f"weak classes: {', '.join(data['weak_classes'])}"),
        Section(f"Undetermined verdicts in force on {today}",
                ["rule", "chips", "undetermined", "share"], undetermined,
                note=f"target: at most {UNDETERMINED_TARGET:.0%} under the classification "
                     "rule in force"),
    ], payload=data | {"undetermined": undetermined,
                       "undetermined_target": UNDETERMINED_TARGET}), fmt)


@db_app.command("metadata", epilog="Examples:\n\n\b\n"
                "  chipdb db metadata -o metadata.json && datasette $(chipdb db path) "
                "-m metadata.json\n"
                "  datasette $(chipdb db path) -m $(chipdb db metadata --path)")
def db_metadata(
    output: Annotated[str | None, typer.Option(
        "--output", "-o", metavar="<FILE>", help="Write to FILE instead of standard output.")]
    = None,
    beside: Annotated[bool, typer.Option(
        "--path", help="Write metadata.json beside the SQLite file and print its path.")]
    = False,
    name: Annotated[str | None, typer.Option(
        metavar="<NAME>", help="The database's name in Datasette (default: the file's stem).")]
    = None,
) -> None:
    """Datasette metadata.json: title, licence, source, every view and column described, the
    internal tables hidden, canned queries (caught by the H20 letters, China SKUs × rules,
    near a line)."""
    import json

    from chipdb.render import write
    from chipdb.service.metadata import datasette_metadata

    db = current_db()
    database = name or (db.sqlite_path.stem if db.sqlite_path is not None else "chipdb")
    with open_cli_session() as s:
        text = json.dumps(datasette_metadata(s, database), indent=2, ensure_ascii=False) + "\n"
    if beside:
        if db.sqlite_path is None:
            raise UsageError("--path needs a SQLite database: use -o FILE")
        output = str(db.sqlite_path.with_name("metadata.json"))
    if output is None:
        write(lambda stream: stream.write(text))
        return
    target = file_path(output)
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ChipdbError(f"{target}: cannot be written: {exc.strerror}") from None
    if beside:
        print(target)


@db_app.command("path")
def dbfile_path() -> None:
    """The SQLite file (for sqlite3, datasette)."""
    db = current_db()
    if db.sqlite_path is None:
        raise UsageError(f"{db.display} is not a SQLite database: use `chipdb db url`")
    from chipdb.service.provenance import catalogue_of

    with open_cli_session() as s:
        facts = catalogue_of(s)
    print(db.sqlite_path)
    notify(f"chipdb: catalogue updated {facts['updated'] or 'unknown'} (the newest source "
           f"access date), fingerprint {str(facts['fingerprint'] or 'unknown')[:12]}")


@db_app.command("url")
def db_url() -> None:
    """The database URL (for psql use the libpq form printed second)."""
    db = current_db()
    print(db.display)
    if db.dialect == "postgresql":
        print(db.libpq_url)
