"""What one command run asks of its output, beyond the format: the provenance stamp, the fields
to keep (``--fields``) and the outcome that fails a CI gate (``--fail-on``).

The CLI sets one ``OutputRun`` per command (``running``); ``render`` reads it, so every writer
(documents, batch, sweep, sql) stamps, selects and gates the same way. Each web API request
runs in one too (web.api), so its JSON is the same envelope; outside one (an error, the API's
index, a Python caller rendering a Document) JSON is the bare payload.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from chipdb.errors import UsageError
from chipdb.outcomes import STATUSES
from chipdb.render.document import Document, Section

LICENSE_REQUIRED = "license-required"
UNDETERMINED = "undetermined"


@dataclass
class OutputRun:
    command: str = ""
    fields: tuple[str, ...] = ()
    fail_on: str | None = None
    as_of: date | None = None
    provenance: dict[str, Any] | None = None
    gate_tripped: bool = False  # set when a rendered answer matches fail_on
    rule_ids: frozenset[str] = frozenset()  # a batch row's outcome columns are named by rule
    notes: list[str] = field(default_factory=list)


_RUN: ContextVar[OutputRun | None] = ContextVar("chipdb_output_run", default=None)


def current() -> OutputRun | None:
    return _RUN.get()


@contextmanager
def running(run: OutputRun) -> Iterator[OutputRun]:
    token = _RUN.set(run)
    try:
        yield run
    finally:
        _RUN.reset(token)


def envelope(payload: Any, run: OutputRun | None) -> Any:
    """The JSON document: ``{chipdb_version, catalogue, generated_at, as_of, command, data}``
    in a stamped run (a CLI command, a web API request), the bare payload elsewhere."""
    if run is None or run.provenance is None:
        return payload
    return {**run.provenance, "command": run.command, "data": payload}


def parse_fields(text: str | None) -> tuple[str, ...]:
    if text is None:
        return ()
    names = tuple(dict.fromkeys(f.strip() for f in text.split(",") if f.strip()))
    if not names:
        raise UsageError("--fields names at least one field, e.g. --fields chip,tpp")
    return names


def select_fields(doc: Document, fields: tuple[str, ...]) -> Document:
    """The command's record table (the one -f csv writes) cut to ``fields``, in that order; in
    JSON, ``data`` is the list of those records. An unknown field is refused with the list."""
    section = doc.sections[doc.csv_section]
    check_fields(fields, [*section.columns, *(section.rows[0] if section.rows else {})])
    rows = [{k: row.get(k) for k in fields} for row in section.rows]
    cut = replace(section, columns=list(fields), rows=rows,
                  labels={k: v for k, v in section.labels.items() if k in fields})
    return Document([cut], payload=rows)


def check_fields(fields: tuple[str, ...], known: Sequence[str]) -> None:
    """An unknown field is one line, with the nearest names and the whole list."""
    from chipdb.names import did_you_mean

    known = list(dict.fromkeys(known))
    for name in fields:
        if name not in known:
            raise UsageError(f"--fields: no field '{name}'{did_you_mean(name, known)}; "
                             f"this command has: {', '.join(known)}")


def word_matcher(fail_on: str) -> Callable[[Any], bool]:
    """Whether an outcome word is the one ``--fail-on`` names (any case; ``3A090.a*`` a
    prefix); anything but a string never is."""
    want = fail_on.casefold()
    prefix = want.endswith("*")
    stem = want.rstrip("*")

    def hits(word: Any) -> bool:
        if not isinstance(word, str):
            return False
        w = word.casefold()
        return w.startswith(stem) if prefix else w == want

    return hits


# statuses whose answers never trip a gate (not enforced, drafts): chipdb.outcomes.STATUSES
_NOT_BINDING = frozenset(k for k, (enforced, _) in STATUSES.items() if not enforced)


def gate_matches(payload: Any, fail_on: str, rule_ids: frozenset[str] = frozenset()) -> bool:
    """Whether an answer in ``payload`` trips ``--fail-on``: ``license-required`` matches a
    bottom line that needs a licence (or a verdict of that word); any other word matches a
    verdict's outcome (``3A090.a*`` a prefix): an ``outcome`` or ``verdict`` field, or a field
    named by a rule id (a batch row). A clause or a line's name never matches."""
    outcome_keys = {"outcome", "verdict", *rule_ids}
    want = fail_on.casefold()
    word_hits = word_matcher(fail_on)

    def walk(value: Any) -> bool:
        if isinstance(value, dict):
            if value.get("status") in _NOT_BINDING:  # a measure not enforced, a draft
                return False
            if want == LICENSE_REQUIRED and value.get("license_required") is True:
                return True
            if want == UNDETERMINED and "license_required" in value \
                    and value["license_required"] is None:  # a bottom line chipdb cannot give
                return True
            if any(word_hits(v) for k, v in value.items() if k in outcome_keys):
                return True
            return any(walk(v) for v in value.values())
        if isinstance(value, list):
            return any(walk(v) for v in value)
        return False

    return walk(payload)


def flat_omissions(doc: Document) -> list[str]:
    """Sections a one-table format (csv, tsv, jsonl) does not carry: every shown section with
    rows that is neither the record table nor marked as repeated in it."""
    record = doc.sections[doc.csv_section]
    return [s.title or f"the table by {s.columns[0]}" for s in doc.shown
            if s is not record and s.rows and not s.flat]


__all__ = ["OutputRun", "Section", "current", "envelope", "running"]
