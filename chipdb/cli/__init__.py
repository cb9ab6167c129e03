"""The command line: parse, resolve names, call the library, hand the data to a renderer.

No SQL and no thresholds here. Data goes to stdout, messages to stderr.
"""

from typing import Any

from chipdb.cli.main import load_commands, main

__all__ = ["app", "main"]


def __getattr__(name: str) -> Any:
    """``chipdb.cli.app``: the Typer app with every command registered (a run of ``main``
    registers only the command it runs)."""
    if name == "app":
        from chipdb.cli.root import app

        load_commands()
        return app
    raise AttributeError(name)
