"""The map's default rule is read from the rules' dates and layers, not named in code."""

from __future__ import annotations

import pytest

from tests.helpers import run


# each rule on the axes it tests: the 2022 rule tested TPP and I/O, its successors TPP and
# performance density
@pytest.mark.parametrize(("day", "rule", "axes"), [
    ("2022-11-01", "us-2022-10", "TPP × I/O GB/s"),
    ("2023-11-16", "us-2022-10", "TPP × I/O GB/s"),  # its last day
    ("2023-11-17", "us-2023-10", "TPP × perf. density"),  # the next rule's first day
    ("2024-06-01", "us-2023-10", "TPP × perf. density"),
    ("2024-12-02", "us-2024-12", "TPP × perf. density"),
    ("2026-06-01", "us-2024-12", "TPP × perf. density"),
])
def test_default_rule_is_the_newest_classification_rule_in_force(db: object, day: str,
                                                                 rule: str, axes: str) -> None:
    result = run(db, "plot", "H100", "--as-of", day)  # type: ignore[arg-type]
    assert result.code == 0, result.err
    assert result.out.splitlines()[0] == f"{axes}: {rule}, as of {day}"
    assert "not in force" not in result.out


def test_no_classification_rule_in_force_is_one_line(db: object) -> None:
    result = run(db, "plot", "H100", "--as-of", "2020-01-01")  # type: ignore[arg-type]
    assert result.code == 1
    assert result.err.splitlines()[-1] == ("chipdb: error: no classification rule is in force "
                                           "on 2020-01-01: name one with --rule (`chipdb rules` "
                                           "lists them)")


def test_a_named_rule_is_drawn_even_when_not_in_force(db: object) -> None:
    result = run(db, "plot", "H100", "--rule", "us-2024-12", "--as-of",  # type: ignore[arg-type]
                 "2024-01-01")
    assert result.code == 0, result.err
    assert "us-2024-12 (not in force on 2024-01-01)" in result.out
