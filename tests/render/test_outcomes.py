"""Outcome meanings are one table; styles and plot colours follow severity, not spelling."""

from __future__ import annotations

import ast
from pathlib import Path

import chipdb.plot
import chipdb.render
from chipdb.outcomes import OUTCOMES, SEVERITIES, meaning
from chipdb.render.styles import (
    AMBER,
    CONTROLLED_SHADES,
    GREEN,
    GREY,
    TERMINAL_STYLES,
    plot_colours,
    terminal_style,
)
from chipdb.render.table import outcome_style
from chipdb.service.designs import load_rules
from chipdb.service.session import open_session
from chipdb.store.url import DatabaseUrl


def test_every_bundled_outcome_word_has_a_meaning(sqlite_db: DatabaseUrl) -> None:
    with open_session(sqlite_db) as s:
        rules = load_rules(s)
    words = {r.default_outcome for r in rules}
    words |= {c.outcome for r in rules for c in (*r.clauses, *r.exclusions)}
    assert words, "no rules loaded"
    missing = sorted(w for w in words if w not in OUTCOMES)
    assert not missing, f"add these outcome words to chipdb/outcomes.py: {missing}"


def test_every_severity_has_a_terminal_style_and_the_table_is_consistent() -> None:
    assert set(TERMINAL_STYLES) == set(SEVERITIES)
    for word, o in OUTCOMES.items():
        assert o.word == word and o.severity in SEVERITIES and o.short


def test_styles_come_from_severity_not_from_the_spelling() -> None:
    assert terminal_style("3A090.a.1") == "bold red"
    assert terminal_style("presumption-of-denial") == "bold red"
    assert terminal_style("rebutted") == terminal_style("not-controlled") == "green"
    assert terminal_style("tariff-25") == "yellow"
    assert terminal_style("undetermined") == "magenta"
    # a word no table lists is not a control because it starts with 3A090
    assert meaning("3A090.z.9").severity == "unknown"
    assert terminal_style("3A090.z.9") == ""
    assert terminal_style("4,800") == ""
    # every-rule-version cells ("a → b") take the style of the latest outcome
    assert outcome_style("presumed-3A090.a → rebutted") == "green"


def test_plot_colours_follow_severity() -> None:
    colours = plot_colours(["3A090.a.1", "3A090.a.2", "not-controlled", "tariff-25",
                            "case-by-case", "undetermined", "tariff-99"])
    assert colours["3A090.a.1"] == CONTROLLED_SHADES[0]
    assert colours["3A090.a.2"] == CONTROLLED_SHADES[1]
    assert colours["not-controlled"] == GREEN
    assert colours["tariff-25"] == colours["case-by-case"] == AMBER  # not painted as a control
    assert colours["undetermined"] == colours["tariff-99"] == GREY


def test_no_renderer_looks_inside_an_outcome_word() -> None:
    for package in (chipdb.render, chipdb.plot):
        for path in Path(str(package.__file__)).parent.glob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    assert not node.value.startswith("3A090"), (path.name, node.value)
