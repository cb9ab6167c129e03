"""--fields and --fail-on on a batch's columns: what a CLI run asks of batch what-if and sweep
beyond the format, honoured chunk by chunk, so a streamed batch (csv, jsonl, parquet) keeps them
as the document formats do, without holding the rows.

* ``--fields a,b`` keeps those output columns, in that order; an unknown name is refused (with
  the nearest names) before the first row is written.
* ``--fail-on WORD`` reads every row that is written (after ``--where`` / ``--only``), whatever
  ``--fields`` keeps: a rule's outcome column (``RULE``) whose word matches, for a rule whose
  status is enforced (``chipdb.outcomes.STATUSES``: not a measure that is not enforced, nor a
  draft); ``license-required`` also matches a destination's ``DEST:license_required`` that is
  true, and ``undetermined`` one chipdb cannot give (empty). The clause and line columns never
  match. The exit code (3) comes after the whole output, from the CLI (render.output).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from chipdb.outcomes import STATUSES
from chipdb.render.output import (
    LICENSE_REQUIRED,
    UNDETERMINED,
    OutputRun,
    check_fields,
    current,
    word_matcher,
)
from chipdb.service.chunks import Cells

_LICENCE_SUFFIX = ":license_required"


class ColumnGate:
    """Whether any row of the chunks fed so far trips ``fail_on``."""

    def __init__(self, fail_on: str, rules: Sequence[Any]) -> None:
        self.want = fail_on.casefold()
        self.hits = word_matcher(fail_on)
        # the outcome columns that count: rules whose status is enforced
        self.outcome_headers = frozenset(r.id for r in rules
                                         if STATUSES.get(r.status, (True, ''))[0])
        self.tripped = False

    def feed(self, chunk: Sequence[Cells]) -> None:
        if self.tripped:
            return
        for c in chunk:
            if c.header in self.outcome_headers and c.codes is not None:
                self.tripped = _codes_hit(c, [i for i, w in enumerate(c.vocab) if self.hits(w)])
            elif c.header.endswith(_LICENCE_SUFFIX) and c.values is not None:
                if self.want == LICENSE_REQUIRED:
                    self.tripped = bool((c.values == 1.0).any())
                elif self.want == UNDETERMINED:
                    self.tripped = bool(np.isnan(c.values).any())
            if self.tripped:
                return


def _codes_hit(cells: Cells, codes: list[int]) -> bool:
    assert cells.codes is not None
    return bool(codes) and bool(np.isin(cells.codes, codes).any())


def cut(chunk: list[Cells], fields: Sequence[str]) -> list[Cells]:
    """The chunk's columns named in ``fields``, in that order (each name checked before)."""
    by_header = {c.header: c for c in chunk}
    return [by_header[name] for name in fields]


def shaped(columns: Iterator[list[Cells]], rules: Sequence[Any], streamed: bool,
           run: OutputRun | None = None) -> Iterator[list[Cells]]:
    """``columns`` as the run asks (``run``: the CLI's, ``current()`` by default): every chunk
    fed to the --fail-on gate (its answer set on the run), and, when ``streamed``, cut to
    --fields (a document format cuts its own records: render.output.select_fields)."""
    run = current() if run is None else run
    if run is None or not (run.fail_on or (streamed and run.fields)):
        yield from columns
        return
    gate = ColumnGate(run.fail_on, rules) if run.fail_on else None
    fields = run.fields if streamed else ()
    first = True
    for chunk in columns:
        if gate is not None:
            gate.feed(chunk)
            run.gate_tripped |= gate.tripped
        if fields:
            if first:
                check_fields(fields, [c.header for c in chunk])
            chunk = cut(chunk, fields)
        first = False
        yield chunk
