"""Commands that read: compare, check, show, list, rules, what-if, headroom, timeline, plot."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from chipdb.cli.options import (
    AsOfOpt,
    BatchPartyHqOpt,
    BatchToOpt,
    FormatOpt,
    as_of_date,
    check_format,
    complete_chip,
    complete_rule,
    data_command,
    examples,
    file_path,
    notify,
    open_cli_session,
    resolve_names,
    set_keys_help,
    tell_variants,
)
from chipdb.cli.root import app
from chipdb.errors import UsageError

ToOpt = Annotated[str | None, typer.Option(
    "--to", metavar="<DESTINATION>",
    help="Destination: a code (CN), a name (China, Hong Kong) or a group (D:5); "
    "leads with the bottom line.")]
PartyHqOpt = Annotated[str | None, typer.Option(
    "--party-hq", metavar="<COUNTRY>",
    help="Where the buyer, or its ultimate parent, is headquartered.")]
AllMarginsOpt = Annotated[bool, typer.Option(
    "--all-margins", help="Every line in the reasons, not only the binding (nearest) one.")]
IncludeDraftOpt = Annotated[bool, typer.Option(
    "--include-draft", help="Also evaluate draft rules (pending bills); they never change "
    "the bottom line.")]


@app.command(epilog=examples("chipdb compare H20 H100", "chipdb compare A800 H800 --as-of "
                             "2023-01-01 -f json", "chipdb compare H20 --sources -f csv -o "
                             "sources.csv", "chipdb compare H100 --fail-on '3A090.a*'"))
@data_command(gate=True)
def compare(
    names: Annotated[list[str], typer.Argument(metavar="<CHIP>...",
                                               help="Chip names, aliases or families.",
                                               autocompletion=complete_chip)],
    as_of: AsOfOpt = None,
    all_rules: Annotated[bool, typer.Option("--all-rules",
                                            help="Every rule version, not only those in force.")]
    = False,
    sources: Annotated[bool, typer.Option("--sources", help="Where each number comes from.")]
    = False,
    to: ToOpt = None,
    party_hq: PartyHqOpt = None,
    all_margins: AllMarginsOpt = False,
    include_draft: IncludeDraftOpt = False,
    fmt: FormatOpt = "table",
) -> None:
    """Chips side by side: specs, derived metrics, verdicts by layer, reasons and margins."""
    from chipdb.render import render
    from chipdb.render.layouts import compare_document
    from chipdb.service import catalogue as api
    from chipdb.service.layers import rule_layers
    from chipdb.service.results import compare_json

    fmt = check_format(fmt)
    day = as_of_date(as_of)
    if party_hq and not to:
        raise UsageError("--party-hq needs --to DESTINATION")
    with open_cli_session() as s:
        report = api.compare(s, names, None if all_rules else day, with_sources=sources,
                             include_draft=include_draft)
        layers = rule_layers(s)
        answers = None
        if to:
            from chipdb.service import bottomline

            found = bottomline.answers_for(s, [c.name for c in report.chips], to, party_hq,
                                           day)
            answers = [bottomline.answer_json(found[c.name]) for c in report.chips
                       if c.name in found]
    tell_variants(report.resolved)
    doc = compare_document(compare_json(report), sources, layers=layers,
                           all_margins=all_margins)
    if answers is not None:
        from chipdb.render.bottomline import lead_with

        doc = lead_with(doc, answers, f"the bottom line on {day.isoformat()}")
    render(doc, fmt)


@app.command(epilog=examples("chipdb check H20 --to CN", "chipdb check H100 --to DE "
                             "--party-hq CN", "chipdb check \"RTX 4090\" -f json",
                             "chipdb check H20 --to CN --fail-on license-required"))
@data_command(gate=True)
def check(
    names: Annotated[list[str], typer.Argument(metavar="<CHIP>...",
                                               help="Chip names, aliases or families.",
                                               autocompletion=complete_chip)],
    to: Annotated[str | None, typer.Option(
        "--to", metavar="<DESTINATION>",
        help="Destination: a code (CN), a name (China, Hong Kong) or a group (D:5). "
        "Without it: one answer per class of destination.")] = None,
    party_hq: PartyHqOpt = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """The bottom line: is a licence required, under which rule, how sure, what else applies."""
    from chipdb.render import render
    from chipdb.render.bottomline import check_document
    from chipdb.service import bottomline as api

    fmt = check_format(fmt)
    day = as_of_date(as_of)
    with open_cli_session() as s:
        resolved = s.resolve(names)
        reports = api.check(s, [r.chip for r in resolved], to, party_hq, day)
    tell_variants(resolved)
    render(check_document(api.check_json(reports)), fmt)


@app.command(epilog=examples("chipdb show H20", "chipdb show H800 -f csv -o claims.csv"))
@data_command()
def show(
    name: Annotated[str, typer.Argument(metavar="<CHIP>", help="Chip name.",
                                        autocompletion=complete_chip)],
    all_margins: AllMarginsOpt = False,
    fmt: FormatOpt = "table",
) -> None:
    """Every field of one chip with its source, tier and competing claims; verdicts by layer."""
    from chipdb.render import render
    from chipdb.render.layouts import show_document
    from chipdb.service import catalogue as api
    from chipdb.service.layers import rule_layers
    from chipdb.service.listings import show_json

    fmt = check_format(fmt)
    with open_cli_session() as s:
        detail = api.show(s, name)
        layers = rule_layers(s)
    tell_variants([detail.resolved])
    render(show_document(show_json(detail), layers=layers, all_margins=all_margins), fmt)


@app.command("list", epilog=examples(
    "chipdb list --vendor nvidia --region china", "chipdb list --license-required --to CN",
    "chipdb list --rule us-2024-12 --verdict '3A090.a*' --sort tpp",
    "chipdb list -f csv --fields chip,tpp,performance_density"))
@data_command(gate=True)
def list_(
    vendor: Annotated[str | None, typer.Option(metavar="<VENDOR>", help="Only this vendor.")]
    = None,
    market: Annotated[str | None, typer.Option(
        metavar="<MARKET>", help="datacenter, consumer, workstation, ...")] = None,
    region: Annotated[str | None, typer.Option(
        metavar="<REGION>", help="Only chips sold for this region (global, china).")] = None,
    datacenter: Annotated[bool | None, typer.Option("--datacenter/--not-datacenter",
                                                    help="Designed/marketed for datacenters.")]
    = None,
    rule: Annotated[str | None, typer.Option(metavar="<RULE>",
                                             help="Show the verdict under this rule.",
                                             autocompletion=complete_rule)] = None,
    verdict: Annotated[str | None, typer.Option(
        metavar="<OUTCOME>",
        help="Only chips with this outcome under --rule (3A090.a* matches a prefix).")]
    = None,
    as_of: AsOfOpt = None,
    sort: Annotated[str, typer.Option(metavar="<FIELD>",
                                      help="chip, vendor or a metric (largest first).")]
    = "vendor",
    to: ToOpt = None,
    party_hq: PartyHqOpt = None,
    license_required: Annotated[bool | None, typer.Option(
        "--license-required/--no-license-required",
        help="Only chips that need (or do not need) a licence for --to.")] = None,
    fmt: FormatOpt = "table",
) -> None:
    """The catalogue, filtered and sorted."""
    from chipdb.render import render
    from chipdb.render.layouts import list_document
    from chipdb.service import catalogue as api
    from chipdb.service.listings import list_json

    fmt = check_format(fmt)
    if verdict and not rule:
        raise UsageError("--verdict needs --rule RULE")
    if (license_required is not None or party_hq) and not to:
        raise UsageError("--license-required and --party-hq need --to DESTINATION")
    day = as_of_date(as_of)
    with open_cli_session() as s:
        rows = api.list_chips(s, vendor, market, datacenter, rule, verdict, day, sort, region)
        data = list_json(rows, rule is not None)
        if to:
            from chipdb.service import bottomline

            data = bottomline.list_rows(s, data, to, party_hq, day, license_required)
            question = bottomline.asked(s, to, party_hq, day)
    doc = list_document(data, rule)
    if to:
        from chipdb.render.bottomline import with_licence_column

        doc = with_licence_column(doc, question)
    render(doc, fmt)


@app.command(epilog=examples("chipdb rules", "chipdb rules us-2023-10", "chipdb rules "
                             "--outcomes"))
@data_command()
def rules(
    rule_id: Annotated[str | None, typer.Argument(metavar="[<RULE>]", help="A rule id.",
                                                  autocompletion=complete_rule)] = None,
    outcomes: Annotated[bool, typer.Option(
        "--outcomes", help="Every layer and every outcome word, with its layer.")] = False,
    fmt: FormatOpt = "table",
) -> None:
    """Rule versions: dates, citations and every threshold."""
    from chipdb.render import render
    from chipdb.render.layouts import rules_document
    from chipdb.service import catalogue as api
    from chipdb.service.listings import rule_json

    fmt = check_format(fmt)
    if outcomes:
        from chipdb.render.bottomline import outcomes_document
        from chipdb.service.layers import outcome_vocabulary

        with open_cli_session() as s:
            layers, words = outcome_vocabulary(s)
        render(outcomes_document(layers, words), fmt)
        return
    with open_cli_session() as s:
        data = [rule_json(r) for r in api.rules(s, rule_id)]
    render(rules_document(data, detail=rule_id is not None), fmt)


@app.command("what-if", epilog=examples(
    "chipdb what-if H20 --set fp8_dense_tops=600 --set memory_bandwidth_gbps=1.2TB/s",
    "chipdb what-if blank --set tpp=4000 --set die_area_mm2=800 --set datacenter=true",
    "chipdb what-if --batch designs.csv -f csv -o verdicts.csv"))
@data_command(gate=True)
def what_if(
    base: Annotated[str | None, typer.Argument(
        metavar="[<CHIP>|blank]", help="Chip to start from, or 'blank'. Omit with --batch.",
        autocompletion=complete_chip)] = None,
    set_: Annotated[list[str] | None, typer.Option(
        "--set", metavar="<KEY=VALUE>", help="KEY=VALUE, e.g. tpp=4000, "
        "memory_bandwidth_gbps=1.2TB/s, datacenter=false. Repeatable. " + set_keys_help())]
    = None,
    batch: Annotated[str | None, typer.Option(
        metavar="<FILE>",
        help="CSV with a header of the same keys (plus name): one design per row; - reads "
        "standard input. CSV, jsonl and parquet stream.")] = None,
    name: Annotated[str | None, typer.Option(metavar="<NAME>", help="Label for the design.")]
    = None,
    to: BatchToOpt = None,
    party_hq: BatchPartyHqOpt = None,
    as_of: AsOfOpt = None,
    include_draft: IncludeDraftOpt = False,
    fmt: FormatOpt = "table",
) -> None:
    """A modified or new design, classified by the same engine as the catalogue."""
    from chipdb.render import render
    from chipdb.render.layouts import compare_document
    from chipdb.service import designs
    from chipdb.service.results import what_if_json
    from chipdb.units import parse_assignments

    day = as_of_date(as_of)
    if batch is not None:
        from chipdb.service.batch import run_batch
        from chipdb.service.batch_to import bottom_lines

        if base not in (None, "blank") or set_:
            raise UsageError("--batch takes the designs from the file: drop BASE and --set")
        if party_hq and not to:
            raise UsageError("--party-hq needs --to DESTINATION")
        fmt = fmt.strip().casefold()  # run_batch checks the word itself
        with open_cli_session() as s:
            rules_ = designs.load_rules(s, include_draft)
            lines = bottom_lines(s, to, party_hq, day, rules_) if to else None
        run_batch(None if batch == "-" else file_path(batch), rules_, day, fmt, sys.stdout,
                  to=lines)
        return
    if to or party_hq:
        raise UsageError("--to and --party-hq go with --batch here; for one design, "
                         "`chipdb check` answers catalogued chips")
    fmt = check_format(fmt)
    if base is None:
        raise UsageError("give BASE (a chip, or 'blank') or --batch FILE")
    overrides = parse_assignments(set_ or [])
    with open_cli_session() as s:
        report = designs.what_if(s, base, overrides, day, name, include_draft)
    tell_variants([report.resolved] if report.resolved else [])
    render(compare_document(what_if_json(report), False), fmt)


@app.command(epilog=examples("chipdb headroom H20", "chipdb headroom blank --set tpp=16000 "
                             "--set die_area_mm2=800 --set datacenter=true"))
@data_command()
def headroom(
    name: Annotated[str, typer.Argument(metavar="<CHIP>|blank",
                                        help="Chip name, or 'blank' for a new design.",
                                        autocompletion=complete_chip)],
    set_: Annotated[list[str] | None, typer.Option(
        "--set", metavar="<KEY=VALUE>",
        help="KEY=VALUE on top of the chip (as for what-if). Repeatable.")] = None,
    label: Annotated[str | None, typer.Option("--name", metavar="<NAME>",
                                              help="Label for the design.")] = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """How far each metric can move before the chip (or design) crosses the next line of each
    rule."""
    from chipdb.render import render
    from chipdb.render.layouts import headroom_document
    from chipdb.service import designs
    from chipdb.service.listings import headroom_json
    from chipdb.units import parse_assignments

    fmt = check_format(fmt)
    day = as_of_date(as_of)
    overrides = parse_assignments(set_ or [])
    if name.strip().casefold() == "blank" and not overrides:
        raise UsageError("a blank design needs --set KEY=VALUE (see chipdb what-if --help)")
    with open_cli_session() as s:
        report = designs.headroom(s, name, day, overrides, label)
    if report.resolved.via != "design":
        tell_variants([report.resolved])
    render(headroom_document(report.chip, day, headroom_json(report)), fmt)


@app.command(epilog=examples("chipdb timeline H100", "chipdb timeline H20 --to CN -f csv"))
@data_command(gate=True)
def timeline(
    name: Annotated[str, typer.Argument(metavar="<CHIP>", help="Chip name.",
                                        autocompletion=complete_chip)],
    to: ToOpt = None,
    party_hq: PartyHqOpt = None,
    include_draft: IncludeDraftOpt = False,
    fmt: FormatOpt = "table",
) -> None:
    """The chip's verdicts through time, one row per rule period."""
    from chipdb.render import render
    from chipdb.render.layouts import timeline_document
    from chipdb.service import catalogue as api
    from chipdb.service.listings import timeline_events_json, timeline_json

    fmt = check_format(fmt)
    if party_hq and not to:
        raise UsageError("--party-hq needs --to DESTINATION")
    with open_cli_session() as s:
        report = api.timeline(s, name, include_draft)
        periods = None
        if to:
            from chipdb.service import bottomline

            periods = bottomline.history(s, report.chip, to, party_hq)
    tell_variants([report.resolved])
    doc = timeline_document(report.chip, timeline_json(report), timeline_events_json(report))
    if periods is not None:
        from chipdb.render.bottomline import history_document

        doc = history_document(doc, periods, f"{report.chip}: is a licence required? "
                                             "(the bottom line through time)")
    render(doc, fmt)


@app.command(epilog=examples(
    "chipdb plot H20 A800 H800 H100 --out map.png",
    "chipdb plot --rule us-2022-10 --as-of 2023-01-01 --out map.svg",
    "chipdb plot --metric tpp,memory_bandwidth_gbps",
    "chipdb plot --highlight H20 --title 'Just under the line' --out map.png"))
def plot(
    names: Annotated[list[str] | None, typer.Argument(metavar="[<CHIP>...]",
                                                      help="Chips to plot (default: all).",
                                                      autocompletion=complete_chip)] = None,
    rule: Annotated[str | None, typer.Option(
        metavar="<RULE>",
        help="Rule whose lines are drawn; default: the newest classification rule in force "
        "on --as-of.", autocompletion=complete_rule)] = None,
    metric: Annotated[str | None, typer.Option(
        metavar="<X,Y>", help="Axes as X,Y metrics, e.g. tpp,memory_bandwidth_gbps.")] = None,
    as_of: AsOfOpt = None,
    title: Annotated[str | None, typer.Option(
        metavar="<TITLE>", help="The map's heading (default: axes, rule and date).")] = None,
    highlight: Annotated[list[str] | None, typer.Option(
        metavar="<CHIP>", help="Draw this chip larger, outlined and labelled in bold. "
        "Repeatable.", autocompletion=complete_chip)] = None,
    out: Annotated[str | None, typer.Option("--out", "-o", metavar="<FILE>",
                                             help="PNG or SVG file; without it, the terminal.")]
    = None,
    to: ToOpt = None,
    party_hq: PartyHqOpt = None,
) -> None:
    """The threshold map: TPP x performance density with the 3A090 regions and the chips."""
    from chipdb.plot import data as plot_data
    from chipdb.service import catalogue as api
    from chipdb.service.plot import plot_inputs

    day = as_of_date(as_of)
    target = None if out is None else file_path(out)
    if party_hq and not to:
        raise UsageError("--party-hq needs --to DESTINATION")
    answers = None
    with open_cli_session() as s:
        chips = resolve_names(s, names) if names else None
        marked = resolve_names(s, highlight) if highlight else []
        if chips is not None:  # a highlighted chip is on the map
            chips = list(dict.fromkeys([*chips, *marked]))
        if rule is not None:  # None: plot_inputs picks the rule of the date
            rule = api.rule_id(s, rule, "`chipdb rules` lists them")  # any case; never raw
        inputs = plot_inputs(s, chips, rule, metric, day)
        if to:
            from chipdb.service import bottomline

            found = bottomline.answers_for(s, [r["chip"] for r in inputs["metrics"]], to,
                                           party_hq, day)
            answers = [bottomline.answer_json(a) for a in found.values()]
    data = plot_data.build(**inputs, highlight=marked, title=title)
    if answers is not None:
        from chipdb.plot.marks import with_bottom_line

        data = with_bottom_line(data, answers)
    if data.skipped:
        notify(plot_data.skipped_note(data))
    if target is None:
        from chipdb.plot.terminal import terminal
        from chipdb.render import write

        write(lambda stream: terminal(data, stream))
    else:
        from chipdb.plot.image import to_file

        to_file(data, target)
        notify(f"chipdb: wrote {target}")
