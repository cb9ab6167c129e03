"""Entry point: run the app; every error becomes one line on stderr and an exit code.

Exit 1 for not found or bad data, 2 for usage, 130 on Ctrl-C; never a traceback unless --debug.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import sys
from typing import Any

from chipdb.cli.root import app
from chipdb.errors import ChipdbError

# The module that registers each command, in the order `chipdb --help` lists them. A run
# imports and builds only the module of the command it was given (Typer builds a Click
# command for every registered function: with all of them, 20 ms of a 150 ms cold compare);
# help, completion and an unknown word load all. tests/cli/test_cli.py holds this equal to
# what the modules register.
COMMAND_MODULES: dict[str, str] = {
    "sql": "admin", "import": "admin", "export": "admin", "db": "admin",
    "changes": "changes",
    "sweep": "design", "frontier": "design",
    "compare": "read", "check": "read", "show": "read", "list": "read", "rules": "read",
    "what-if": "read", "headroom": "read", "timeline": "read", "plot": "read",
    "report": "report",
    "serve": "serve",
}
_MODULE_ORDER = ("admin", "changes", "design", "read", "report", "serve")
# global options (chipdb.cli.root) that take a value: the command word is not their value
_VALUED = ("--db",)


def _command_word(args: list[str]) -> str | None:
    """The subcommand a command line names, skipping the global options before it."""
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in _VALUED:
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def _named_command(args: list[str] | None) -> str | None:
    """The known command ``args`` run, or None when a run needs them all (no command, an
    unknown word, shell completion)."""
    if args is None or os.environ.get("_CHIPDB_COMPLETE"):
        return None
    word = _command_word(args)
    return word if word in COMMAND_MODULES else None


def _name_of(command: Any) -> str:
    """A registered command's name as Typer gives it (``what_if`` -> ``what-if``)."""
    return str(command.name or command.callback.__name__.lower().replace("_", "-"))


def load_commands(args: list[str] | None = None) -> None:
    """Register the commands a run needs: the named command's module, else every module."""
    word = _named_command(args)
    wanted = [COMMAND_MODULES[word]] if word is not None else _MODULE_ORDER
    for module in _MODULE_ORDER:
        if module in wanted:
            importlib.import_module(f"chipdb.cli.{module}")
    # a process that ran one command and then loads the rest (the tests, a Python caller)
    # lists them in the same order as a fresh one
    position = {f"chipdb.cli.{m}": i for i, m in enumerate(_MODULE_ORDER)}
    app.registered_commands.sort(key=lambda c: position.get(
        getattr(c.callback, "__module__", ""), len(position)))


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
        code = _run(argv)
    finally:
        if collecting:
            gc.enable()
    if code == 130 and argv is None:
        _leave_interrupted()
    return code


def _leave_interrupted() -> None:
    """Exit 130 now: a batch read-ahead thread may still block on stdin, and interpreter
    shutdown would then abort the process (SIGABRT) waiting for the stdin buffer's lock."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing to say there
            stream.flush()
    os._exit(130)


def _command(args: list[str] | None = None) -> Any:
    """The Click command of the app (what ``app(...)`` runs) holding the commands ``args``
    need (all of them without ``args``), with bash completion set to quote names with
    spaces (cli.completion)."""
    import typer.main

    from chipdb.cli import completion

    load_commands(args)
    word = _named_command(args)
    every = app.registered_commands
    if word is not None and word != "db":
        # build only the command that runs: Click never looks at the others
        app.registered_commands = [c for c in every if _name_of(c) == word]
    try:
        command = typer.main.get_command(app)
    finally:
        app.registered_commands = every
    completion.register()
    return command


def _run(argv: list[str] | None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        code = _command(args)(args=args, prog_name="chipdb", standalone_mode=False)
        if code == 130:  # Typer turns Ctrl-C into Exit(130) and, not standalone, returns it
            print("chipdb: interrupted", file=sys.stderr)
            return 130
        if isinstance(code, int) and code:  # typer.Exit(n), e.g. the --fail-on gate's 3
            return code
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
