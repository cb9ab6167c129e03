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

from chipdb.errors import NotFoundError
from chipdb.service.designs import load_rules
from chipdb.service.session import Session
from chipdb.store.read import queries

# the rule layer whose lines cut the default map into regions
CLASSIFICATION = "classification"


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
    overlays: dict[str, list[str]]


def plot_inputs(s: Session, chips: Sequence[str] | None, rule: str | None, metric: str | None,
                as_of: date) -> PlotInputs:
    """The rows and rules a map of ``chips`` (None: all) under ``rule`` on ``as_of`` needs;
    ``rule`` None is the newest rule of the classification layer in force on ``as_of``."""
    rule_rows = queries.rules(s.conn)  # an unknown rule is refused by plot.data.build
    if rule is None:
        rule = default_rule(rule_rows, as_of)
    metrics = queries.chip_metrics(s.conn, chips)
    if chips is not None:
        position = {c: i for i, c in enumerate(chips)}
        metrics.sort(key=lambda r: position.get(r["chip"], len(position)))
    in_force = queries.verdicts(s.conn, chips, as_of)
    verdicts = {v["chip"]: v["outcome"] for v in in_force if v["rule"] == rule}
    return PlotInputs(
        rule=rule, metric=metric, day=as_of, rule_rows=rule_rows, definitions=load_rules(s),
        thresholds=queries.rule_thresholds(s.conn), metrics=metrics, verdicts=verdicts,
        named=chips is not None, overlays=licence_overlays(rule_rows, in_force, rule),
    )


def licence_overlays(rule_rows: Sequence[dict[str, Any]], verdicts: Sequence[dict[str, Any]],
                     rule: str) -> dict[str, list[str]]:
    """chip -> the enforced rules of the licence-requirement layer (the H20 letters), other
    than the map's, whose verdict on the date requires a licence: what the map must mark."""
    from chipdb.layers import default_layers
    from chipdb.outcomes import severity

    layers = default_layers()
    notices = {r["rule"] for r in rule_rows if r["rule"] != rule
               and layers.for_rule_layer(str(r["layer"])).role == "licence-requirement"
               and layers.enforced(r["status"])}
    out: dict[str, list[str]] = {}
    for v in verdicts:
        if v["rule"] in notices and severity(str(v["outcome"])) == "controlled":
            out.setdefault(v["chip"], []).append(v["rule"])
    return out


def default_rule(rule_rows: Sequence[dict[str, Any]], as_of: date) -> str:
    """The newest rule of the classification layer in force on ``as_of`` (the map's rule):
    which rule that is comes from the rules' own dates and layers, not from a name in code."""
    day = as_of.isoformat()
    in_force = [r for r in rule_rows if r["layer"] == CLASSIFICATION
                and str(r["effective"])[:10] <= day
                and (r["ended"] is None or day <= str(r["ended"])[:10])]
    if not in_force:
        raise NotFoundError(f"no {CLASSIFICATION} rule is in force on {day}: name one with "
                            "--rule (`chipdb rules` lists them)")
    return str(max(in_force, key=lambda r: str(r["effective"]))["rule"])
