"""Shell completion of chip names and rule ids (Typer's, on Click's completion protocol).

Enabled with ``chipdb --install-completion`` (or ``eval "$(chipdb --show-completion bash)"``):
the shell runs ``chipdb`` with ``_CHIPDB_COMPLETE=complete_bash`` and the words typed in
``COMP_WORDS``/``COMP_CWORD``, and inserts the lines printed. Two things matter here:

* Names hold spaces (``H20 96GB``, ``Data Center GPU Max 1100``). Bash inserts a candidate
  as printed, so for bash each is written as a shell word: ``H20\\ 96GB``; after an opening
  quote (``"H20 9``) as the text inside that quote, which the shell then closes.
* Completion answers at once or not at all: it reads a database that is already there (never
  creates, migrates or seeds one: that takes minutes), gives up after ``TIME_LIMIT_S``, and
  says nothing on any error, so a <TAB> never hangs or prints a traceback into the prompt.
"""

from __future__ import annotations

import os
import re
import signal
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

COMPLETE_VAR = "_CHIPDB_COMPLETE"
TIME_LIMIT_S = 2.0


class _TooSlow(Exception):
    pass


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Raise _TooSlow in the main thread after ``seconds`` (a PostgreSQL server that does not
    answer, a lock); elsewhere (no SIGALRM, not the main thread) no limit."""
    try:
        previous = signal.signal(signal.SIGALRM, _raise_too_slow)
    except (AttributeError, ValueError):
        yield
        return
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _raise_too_slow(_signum: int, _frame: Any) -> None:
    raise _TooSlow


def _database(ctx: Any) -> Any:
    """The database the command line names (``chipdb --db URL show <TAB>``), else
    $CHIPDB_DATABASE_URL or the default; completion never runs the root callback."""
    from chipdb.store.url import resolve_url

    root = ctx.find_root() if ctx is not None else None
    return resolve_url(root.params.get("db") if root is not None else None)


def candidates(ctx: Any, incomplete: str, read: Callable[[Any], Iterable[str]]) -> list[str]:
    """The values ``read`` gives on a ready database that start with ``incomplete`` (as
    typed: Typer keeps only those); [] when there is no database yet, on any error, or after
    TIME_LIMIT_S."""
    from chipdb.service.session import open_session_if_ready

    try:
        with _deadline(TIME_LIMIT_S), open_session_if_ready(_database(ctx)) as s:
            if s is None:
                return []
            found = [v for v in read(s) if v.startswith(incomplete)]
    except Exception:  # completion must never fail loudly (_TooSlow included)
        return []
    return found


def bash_class() -> Any:
    """Typer's bash completion with each candidate written as a shell word (``bash_word``).

    Typer filters a callback's values by the prefix typed (unquoted) and re-registers its
    own classes each time the app is built, so the quoting is done here, on output, and
    ``register`` is called after the command is built (cli.main)."""
    from typer._completion_classes import BashComplete

    class QuotingBashComplete(BashComplete):
        def format_completion(self, item: Any) -> str:
            return bash_word(str(item.value), _open_quote())

    return QuotingBashComplete


def register() -> None:
    """Make bash completion quote its candidates (call after typer.main.get_command)."""
    if os.environ.get(COMPLETE_VAR, "").endswith("_bash"):
        from typer._click.shell_completion import add_completion_class

        add_completion_class(bash_class(), "bash")


def _open_quote() -> str:
    """The quote the word being completed opens (``"`` or ``'``), or ""."""
    words = os.environ.get("COMP_WORDS", "").split("\n")  # the script joins them by newline
    try:
        cword = int(os.environ.get("COMP_CWORD", ""))
    except ValueError:
        return ""
    word = words[cword] if 0 <= cword < len(words) else ""
    return word[:1] if word[:1] in ("'", '"') else ""


_PLAIN = re.compile(r"[^\w@%+=:,./-]", re.ASCII)


def bash_word(value: str, quote: str = "") -> str:
    """``value`` for bash to insert: each special character backslashed (as ``printf %q``),
    or inside an open ``"`` only ``"$`\\`` backslashed, inside an open ``'`` a ``'`` closed,
    escaped and reopened."""
    if quote == '"':
        return re.sub(r'(["$`\\])', r"\\\1", value)
    if quote == "'":
        return value.replace("'", "'\\''")
    return _PLAIN.sub(lambda m: "\\" + m.group(0), value)
