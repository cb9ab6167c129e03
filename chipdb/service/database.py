"""The public Python API: ``chipdb.open()`` gives a Database; each method returns one report.

Every method takes what a person types: chip names, aliases and families in any case or
spacing, dates as ``date`` or ``"YYYY-MM-DD"`` (``as_of`` defaults to today), and what-if
values as numbers or unit strings (``"4TB/s"``, ``"600 TFLOPS"``). Unknown names raise
``NotFoundError`` with suggestions; bad values raise ``UsageError``.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from types import TracebackType
from typing import Any

from chipdb.errors import UsageError
from chipdb.service import catalogue
from chipdb.service.check_results import CheckReport
from chipdb.service.listings import ChipDetail, ChipRow, HeadroomReport, RuleReport, TimelineReport
from chipdb.service.results import CompareReport, Resolution, WhatIfReport
from chipdb.service.session import Session


def as_of_day(value: date | str | None) -> date:
    """A day: a date, an ISO ``"YYYY-MM-DD"`` text, or None for today."""
    if value is None:
        return date.today()
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise UsageError(f"as_of {value!r} is not a date: give a date or 'YYYY-MM-DD'")


class Database:
    """An open, ready, read-only chipdb database. Close it, or use it in a ``with`` block."""

    def __init__(self, session: Session) -> None:
        self._session: Session | None = session

    @property
    def session(self) -> Session:
        """The service-layer session (for ``chipdb.service`` functions)."""
        if self._session is None:
            raise UsageError("this chipdb database is closed: chipdb.open() opens it again")
        return self._session

    @property
    def url(self) -> str:
        """Where the database is (without a password)."""
        return self.session.db.display

    def close(self) -> None:
        """Close the connection; closing twice is harmless."""
        if self._session is not None:
            self._session.conn.close()
            self._session = None

    def __enter__(self) -> Database:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<chipdb.Database {self.url if self._session else 'closed'}>"

    def resolve(self, names: str | Sequence[str]) -> builtins.list[Resolution]:
        """What each typed name stands for: the chip, how it matched, other variants."""
        return self.session.resolve(names)

    def compare(self, chips: str | Sequence[str], as_of: date | str | None = None, *,
                all_rules: bool = False, sources: bool = False,
                include_draft: bool = False) -> CompareReport:
        """Chips side by side: specs, metrics, and the verdicts in force on ``as_of``
        (every rule version with ``all_rules``), with the claims behind them (``sources``);
        draft rules (bills) only with ``include_draft``."""
        day = None if all_rules else as_of_day(as_of)
        return catalogue.compare(self.session, chips, day, with_sources=sources,
                                 include_draft=include_draft)

    def show(self, chip: str) -> ChipDetail:
        """One chip: every sourced claim, its dies, memory, I/O, aliases and all verdicts."""
        return catalogue.show(self.session, chip)

    def check(self, chip: str, to: str | None = None, party_hq: str | None = None,
              as_of: date | str | None = None, include_draft: bool = False) -> CheckReport:
        """The bottom line on ``as_of``: per destination class (only those ``to`` spans,
        a code, name or group), for a buyer headquartered in ``party_hq``, is a licence
        required, under which rule and clause, how sure, what else applies (``answers``);
        and each verdict in force with the clause that decided it (``verdicts``). Before
        2022-10-07, when chipdb's rules start, ``answers`` is empty. Draft rules (bills)
        are listed among the verdicts only with ``include_draft``; they never change an
        answer."""
        import dataclasses

        from chipdb.service import bottomline

        day = as_of_day(as_of)
        report = catalogue.check(self.session, chip, day, include_draft)
        answers = bottomline.check(self.session, [report.chip], to, party_hq, day,
                                   before_data="empty")
        return dataclasses.replace(report, answers=answers[0].answers)

    def what_if(self, base: str | None = None, set: Mapping[str, Any] | None = None,
                as_of: date | str | None = None, name: str | None = None,
                include_draft: bool = False) -> WhatIfReport:
        """A chip with some values changed, or a new design (``base`` None), classified by
        the engine that classified the catalogue. ``set`` maps keys of ``chipdb what-if
        --set`` to numbers or unit strings, e.g. ``{"memory_bandwidth_gbps": "4TB/s"}``."""
        from chipdb.service import designs

        return designs.what_if(self.session, base, set or {}, as_of_day(as_of), name,
                               include_draft)

    def headroom(self, chip: str, as_of: date | str | None = None) -> HeadroomReport:
        """How far each metric can move before a verdict in force on ``as_of`` changes."""
        from chipdb.service import designs

        return designs.headroom(self.session, chip, as_of_day(as_of))

    def timeline(self, chip: str, include_draft: bool = False) -> TimelineReport:
        """The chip's verdicts through time, one row per rule period (draft rules only with
        ``include_draft``)."""
        return catalogue.timeline(self.session, chip, include_draft)

    def list(self, vendor: str | None = None, market: str | None = None,
             datacenter: bool | None = None, rule: str | None = None,
             outcome: str | None = None, as_of: date | str | None = None,
             sort: str = "vendor") -> builtins.list[ChipRow]:
        """The catalogue, filtered; with ``rule``, each row carries its verdict on ``as_of``
        and ``outcome`` keeps one outcome (a trailing ``*`` matches a prefix)."""
        return catalogue.list_chips(self.session, vendor, market, datacenter, rule, outcome,
                                    as_of_day(as_of), sort)

    def rules(self, rule: str | None = None) -> builtins.list[RuleReport]:
        """Every rule version, or the one named, with its thresholds."""
        return catalogue.rules(self.session, rule)


def open(url: str | None = None, notify: Callable[[str], None] | None = None) -> Database:
    """Open the database at ``url`` (else ``CHIPDB_DATABASE_URL``, else the user's SQLite
    file), creating or upgrading it first when needed; ``notify`` hears what that does."""
    from chipdb.store.read.connect import connect_readonly
    from chipdb.store.ready import ensure_ready
    from chipdb.store.url import resolve_url

    db = resolve_url(url)
    ensure_ready(db, notify)
    return Database(Session(db, connect_readonly(db)))
