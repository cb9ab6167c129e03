"""What the threshold map needs from the database, read once and handed over as plain data.

``plot_inputs`` returns keyword arguments for ``chipdb.plot.data.build``: the rule rows, the
engine's rule definitions, the ``rule_thresholds`` rows, the chips' ``chip_metrics`` rows (in
the order asked) and their verdicts under the rule on the date. The plot package itself reads
nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, TypedDict

from chipdb.service.designs import load_rules
from chipdb.service.session import Session
from chipdb.store.read import queries


class PlotInputs(TypedDict):
    rule: str
    metric: str | None
    day: date
    rule_rows: list[dict[str, Any]]
    definitions: list[Any]
    thresholds: list[dict[str, Any]]
    metrics: list[dict[str, Any]]
    verdicts: dict[str, str]
    named: bool


def plot_inputs(s: Session, chips: Sequence[str] | None, rule: str, metric: str | None,
                as_of: date) -> PlotInputs:
    """The rows and rules a map of ``chips`` (None: all) under ``rule`` on ``as_of`` needs."""
    rule_rows = queries.rules(s.conn)  # an unknown rule is refused by plot.data.build
    metrics = queries.chip_metrics(s.conn, chips)
    if chips is not None:
        position = {c: i for i, c in enumerate(chips)}
        metrics.sort(key=lambda r: position.get(r["chip"], len(position)))
    verdicts = {v["chip"]: v["outcome"] for v in queries.verdicts(s.conn, chips, as_of)
                if v["rule"] == rule}
    return PlotInputs(
        rule=rule, metric=metric, day=as_of, rule_rows=rule_rows, definitions=load_rules(s),
        thresholds=queries.rule_thresholds(s.conn), metrics=metrics, verdicts=verdicts,
        named=chips is not None,
    )
