"""Shared options and the small steps every command takes: dates, paths, formats, names.

``data_command`` gives a command that prints data the options every such command has
(``-o/--output``, ``--fields``, and with ``gate=True`` ``--fail-on``) and runs it inside one
``OutputRun`` (render.output): the provenance stamp, the field selection and the CI gate.
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from chipdb.cli.root import state
from chipdb.errors import UsageError
from chipdb.render import FORMATS, format_name
from chipdb.safetext import printable

FORMAT_VARIABLE = "CHIPDB_FORMAT"
GATE_EXIT = 3  # --fail-on matched: the documented exit code of a CI gate

FormatOpt = Annotated[
    str, typer.Option("--format", "-f", envvar=FORMAT_VARIABLE, metavar="<FORMAT>",
                      help=" | ".join(FORMATS) + f" (any case; default ${FORMAT_VARIABLE} "
                      "or table).")
]


AsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", metavar="<DATE>",
                 help="Date (YYYY-MM-DD, or 'today') whose rules apply; default today."),
]
OutputOpt = Annotated[str | None, typer.Option(
    "--output", "-o", metavar="<FILE>",
    help="Write to FILE instead of standard output (replaced only when complete).")]
FieldsOpt = Annotated[str | None, typer.Option(
    "--fields", metavar="<A,B,C>",
    help="Only these fields of the record table (the one -f csv writes), in this order; "
    "with -f json, data is the list of those records.")]
FailOnOpt = Annotated[str | None, typer.Option(
    "--fail-on", metavar="<OUTCOME>",
    help="Exit 3 when an answer is OUTCOME (3A090.a* for a prefix); license-required: when "
    "a licence is required; undetermined: also when chipdb cannot tell. A CI gate; the "
    "output is written first.")]

F = TypeVar("F", bound=Callable[..., Any])


def examples(*lines: str) -> str:
    """A command's --help epilog: the example lines kept as written (Click's \\b marker)."""
    return "Examples:\n\n\b\n" + "\n".join(f"  {line}" for line in lines)


def set_keys_help() -> str:
    """Every --set key, for what-if --help (the list is never cut)."""
    from chipdb.metricdefs import INPUT_KEYS
    from chipdb.vocab import PRECISION_BITS

    plain = sorted(k for k in INPUT_KEYS if not k.endswith(("_dense_tops", "_sparse_tops")))
    return (f"Keys: {', '.join(plain)}; and PRECISION_dense_tops, PRECISION_sparse_tops for "
            f"PRECISION in {', '.join(PRECISION_BITS)}. Units allowed (1.2TB/s, 600 TFLOPS).")


def data_command(gate: bool = False) -> Callable[[F], F]:
    """Add ``-o/--output``, ``--fields`` (and ``--fail-on`` when ``gate``) to a command and
    run it in one OutputRun: the JSON envelope, the field cut and the gate's exit code 3."""

    def decorate(func: F) -> F:
        return DataCommand(func, gate)  # type: ignore[return-value]

    return decorate


class DataCommand:
    """A command function with the data options added (``data_command``).

    Its signature, which Typer reads to build the command's options, is worked out the first
    time it is asked for: that evaluates every annotation of the function, and a run builds
    only the command it runs, so the other commands of a module never pay for it."""

    def __init__(self, func: Callable[..., Any], gate: bool) -> None:
        functools.update_wrapper(self, func)
        self._func = func
        self._extra: dict[str, Any] = {"output": OutputOpt, "fields": FieldsOpt}
        if gate:
            self._extra["fail_on"] = FailOnOpt
        self.__annotations__ = {**func.__annotations__, **self._extra}
        self._signature: inspect.Signature | None = None

    @property
    def __signature__(self) -> inspect.Signature:
        if self._signature is None:
            signature = inspect.signature(self._func, eval_str=True)
            self._signature = signature.replace(parameters=[
                *signature.parameters.values(), *(
                    inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=None,
                                      annotation=a) for n, a in self._extra.items())])
        return self._signature

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from chipdb.render.output import OutputRun, parse_fields, running

        target = kwargs.pop("output", None)
        fields = parse_fields(kwargs.pop("fields", None))
        fail_on = kwargs.pop("fail_on", None)
        command = self._func.__name__.strip("_").replace("_", "-")  # what-if, list, db-stats
        with running(OutputRun(command, fields, fail_on)) as out_run, \
                _written_to(None if target is None else file_path(target)):
            result = self._func(*args, **kwargs)
        if out_run.gate_tripped:
            notify(f"chipdb: --fail-on {fail_on}: an answer matched (exit {GATE_EXIT})")
            raise typer.Exit(GATE_EXIT)
        return result


@contextmanager
def _written_to(target: Path | None) -> Iterator[None]:
    """Standard output sent to ``target``: a temporary file beside it, renamed over it only
    when the command succeeds, so a failed run never leaves half a file."""
    if target is None:
        yield
        return
    import os
    import tempfile
    from contextlib import redirect_stdout

    from chipdb.errors import DataError

    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=folder)
    except OSError as exc:
        raise DataError(f"{target}: cannot be written ({exc.strerror}): choose another "
                        "place") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as stream, \
                redirect_stdout(stream):
            yield
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(temp, 0o666 & ~mask)  # as a plain `> FILE` would make it, not mkstemp's 0600
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    notify(f"chipdb: wrote {target}")


def complete_chip(ctx: typer.Context, incomplete: str) -> list[str]:
    """Chip names starting with what was typed (bash gets them quoted: cli.completion)."""
    from chipdb.cli.completion import candidates

    return candidates(ctx, incomplete, lambda s: s.names.chips)


def complete_rule(ctx: typer.Context, incomplete: str) -> list[str]:
    """Rule ids starting with what was typed."""
    from chipdb.cli.completion import candidates
    from chipdb.service.provenance import rule_ids

    return candidates(ctx, incomplete, lambda s: sorted(rule_ids(s)))


def current_db() -> Any:
    from chipdb.store.url import resolve_url

    return resolve_url(state["db"])


def notify(message: str) -> None:
    """A note on stderr; the chip and file names in it are data, so made printable."""
    print(printable(message), file=sys.stderr)


def check_format(fmt: str) -> str:
    """The format as a FORMATS key, whatever its case; a typo is told the nearest one."""
    return format_name(fmt)


def parse_day(value: str | None, option: str = "--as-of") -> date:
    """The day ``option`` gives (YYYY-MM-DD, or 'today'; today when not given)."""
    if value is None or value.strip().casefold() == "today":
        return date.today()
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"{option} '{value}' is not a date: use YYYY-MM-DD") from None


def as_of_date(value: str | None) -> date:
    """The date of --as-of (today when not given, or 'today'); the run's stamp records it."""
    from chipdb.render.output import current

    day = parse_day(value)
    run = current()
    if run is not None:
        run.as_of = day
    return day


def file_path(text: str) -> Path:
    """A file name from the command line (Typer's own Path check crashes on a NUL byte)."""
    if not text or "\x00" in text:
        raise UsageError("a file name must be non-empty and cannot contain a NUL character")
    return Path(text)


@contextmanager
def open_cli_session() -> Iterator[Any]:
    """A session on the database; the first one a run opens stamps its output."""
    from chipdb.render.output import current
    from chipdb.service.session import open_session

    with open_session(current_db(), notify) as s:
        run = current()
        if run is not None and run.provenance is None:
            from chipdb.service.provenance import stamp

            stamp(run, s)
        yield s


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
    "--to", metavar="<DESTINATION>",
    help="A destination (code or name): adds its bottom line per design (licence "
    "required, exceptions, review policy, decided by, binding line and margin). Repeatable.")]
BatchPartyHqOpt = Annotated[str | None, typer.Option(
    "--party-hq", metavar="<COUNTRY>",
    help="With --to: where the buyer, or its ultimate parent, is headquartered "
    "(default: the United States).")]
