"""Batch what-if: each row equals the single what-if of that design, for any chunk size.

The reference for a row is the engine's one-design path (``evaluate`` + ``explain``): its
outcome, its deciding clause, and, for the binding line, a brute force over the explanation's
own margins: each line's metric moved just across it in a one-row table, the rule (with the
rules it reads) evaluated again, and the nearest line whose crossing changes the outcome kept.
"""

from __future__ import annotations

import csv
import io
import math
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chipdb.engine import MetricTable, Part, evaluate, explain, order_rules
from chipdb.errors import DataError
from chipdb.metrics import metrics_from_inputs
from chipdb.service import batch
from chipdb.service.classify import Classifier
from chipdb.service.leaves import crossing, line_name
from chipdb.store.url import DatabaseUrl
from tests.engine.rules import RULES
from tests.helpers import run

DAY = date(2026, 12, 1)
ALL = list(RULES.values())
LINES = sorted({c.value for r in ALL for cl in (*r.exclusions, *r.clauses)
                for c in cl.when.comparisons() if isinstance(c.value, float)})


def _near(values: list[float]) -> st.SearchStrategy[float]:
    return st.one_of(st.sampled_from([v * f for v in values for f in (0.999, 1.0, 1.001)]),
                     st.floats(min_value=0.0, max_value=40000.0, allow_nan=False))


DESIGN = st.fixed_dictionaries({
    "tpp": st.one_of(st.none(), _near([1600, 2400, 4800, 14000, 17500, 20800, 21000, 21100])),
    "die_area_mm2": st.one_of(st.none(), st.floats(min_value=50.0, max_value=900.0)),
    "datacenter": st.one_of(st.none(), st.booleans()),
    "memory_bandwidth_gbps": st.one_of(st.none(), _near([1400, 1700, 4500, 5000, 5800, 6200,
                                                          6500])),
    "bidirectional_io_gbps": st.one_of(st.none(), _near([600, 1100, 1700])),
    "transistors_billion": st.one_of(st.none(), _near([30, 35, 40])),
    "logic_node_nm": st.one_of(st.none(), st.sampled_from([3.0, 7.0, 16.0, 28.0])),
    "non_planar": st.one_of(st.none(), st.booleans()),
    "standalone_hbm": st.one_of(st.none(), st.booleans()),
    "package_area_mm2": st.one_of(st.none(), st.floats(min_value=50.0, max_value=200.0)),
    "vendor": st.one_of(st.none(), st.sampled_from(["NVIDIA", "Acme", "AMD"])),
})


def _columns(designs: list[dict[str, Any]]) -> dict[str, Any]:
    import numpy as np

    cols: dict[str, Any] = {}
    for key in designs[0]:
        values = [d[key] for d in designs]
        if key == "vendor":
            cols[key] = np.array(values, dtype=object)
        else:
            cols[key] = np.array([math.nan if v is None else float(v) for v in values])
    return cols


def _one(metrics: dict[str, Any], i: int) -> dict[str, Any]:
    return {k: v[i:i + 1] for k, v in metrics.items()}


def reference(metrics: dict[str, Any], i: int, rule_id: str) -> tuple[Any, ...]:
    """(outcome, clause, line, margin, margin %) of row i by the one-design path."""
    rule = RULES[rule_id]
    row = _one(metrics, i)
    ev = evaluate(ALL, MetricTable(row, 1), DAY)
    res = ev.results[rule_id]
    decision = res.decision(0)
    clause = ("" if not decision.determined or decision.part is Part.DEFAULT
              else decision.clause(rule).head)
    outcome = str(res.outcome[0])
    verdict = explain(rule, ev, 0)
    own = {(c.subject, c.op, c.value) for p in (*rule.exclusions, *rule.clauses)
           for c in p.when.comparisons()}
    best: tuple[Any, ...] = ("", math.nan, math.nan)
    best_distance = math.inf
    comps = dict(((c.subject, c.op, c.value), c) for _, c in rule.comparisons())
    for m in verdict.margins:
        key = (m.metric, m.op, m.threshold)
        if key not in own or m.value is None or m.met is None:
            continue
        comp = comps[key]
        moved = dict(row)
        first = comp.metrics[0]
        target = crossing(comp.op, m.threshold, bool(m.met))
        moved[first] = target - (m.value - row[first])  # exact for one metric
        again = evaluate(order_rules(ALL), MetricTable(moved, 1), DAY).results[rule_id]
        distance = abs(m.margin_pct) if m.margin_pct is not None else abs(m.margin or 0)
        if str(again.outcome[0]) != outcome and distance < best_distance:
            best_distance = distance
            best = (line_name(comp), m.margin, m.margin_pct)
    return (outcome, clause, *best)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(DESIGN, min_size=1, max_size=4))
def test_batch_rows_equal_the_single_what_if(designs: list[dict[str, Any]]) -> None:
    metrics = metrics_from_inputs(_columns(designs), len(designs))
    classifier = Classifier(ALL, DAY)
    got = classifier.classify(metrics, len(designs))
    for rule in classifier.in_force:
        lookup, cols = classifier.lookups[rule.id], got[rule.id]
        for i in range(len(designs)):
            line = int(cols.line[i])
            mine = (lookup.outcomes[int(cols.outcome[i])], lookup.clauses[int(cols.clause[i])],
                    lookup.line_names[line] if line >= 0 else "", float(cols.margin[i]),
                    float(cols.margin_pct[i]))
            want = reference(metrics, i, rule.id)
            assert mine[:3] == want[:3], (rule.id, designs[i])
            for a, b in zip(mine[3:], want[3:], strict=True):
                assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b)


CSV_TEXT = ("name,tpp,die_area_mm2,datacenter,memory_bandwidth_gbps,vendor,transistors_billion\n"
            + "".join(f"d{i},{(i * 977) % 30000},{200 + (i * 37) % 700},"
                      f"{'true' if i % 3 else 'no'},{(i * 331) % 8000 if i % 11 else ''},"
                      f"{'NVIDIA' if i % 2 else 'Acme'},{(i * 7) % 90}\n" for i in range(200))
            + "unit,4.8k,800,yes,1.2TB/s,=HYPERLINK(1),12\n\n,,,,,,\n")


def _run(path: Path | None, fmt: str, chunk: int, fast: bool) -> str:
    out = io.StringIO()
    batch.run_batch(path, ALL, DAY, fmt, out, chunk_rows=chunk, fast=fast)
    return out.getvalue()


BACKENDS = [False, *([True] if batch.fast_io() else [])]


@pytest.mark.parametrize("fast", BACKENDS)
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_streamed_output_is_identical_to_one_chunk(tmp_path: Path, fast: bool,
                                                  fmt: str) -> None:
    path = tmp_path / "designs.csv"
    path.write_text(CSV_TEXT.replace("4.8k", "4800"), encoding="utf-8")
    whole = _run(path, fmt, 10_000, fast)
    assert _run(path, fmt, 7, fast) == whole
    assert len(whole.splitlines()) == 201 + (fmt == "csv")  # the blank lines are skipped


def test_the_two_backends_give_the_same_cells(tmp_path: Path) -> None:
    if not batch.fast_io():
        pytest.skip("pyarrow is not installed")
    path = tmp_path / "designs.csv"
    path.write_text(CSV_TEXT.replace("4.8k", "4800"), encoding="utf-8")
    plain = list(csv.reader(io.StringIO(_run(path, "csv", 64, False))))
    fast = list(csv.reader(io.StringIO(_run(path, "csv", 64, True))))
    assert plain[0] == fast[0]
    for a, b in zip(plain[1:], fast[1:], strict=True):
        assert [float(x) if _num(x) else x for x in a] == [float(x) if _num(x) else x
                                                           for x in b]
    formula = next(r for r in fast if r[0] == "unit")
    assert formula[plain[0].index("vendor")] == "'=HYPERLINK(1)"  # made inert in both


def test_the_two_backends_write_the_same_bytes(tmp_path: Path) -> None:
    """Header, quoting (only where a cell needs it) and number spelling alike: a script's
    output does not depend on whether pyarrow is installed."""
    if not batch.fast_io():
        pytest.skip("pyarrow is not installed")
    path = tmp_path / "designs.csv"
    path.write_text(CSV_TEXT.replace("4.8k", "4800") + '"a, ""b""",0.00001,800,no,,"x\ny",12\n',
                    encoding="utf-8")
    plain = _run(path, "csv", 64, False)
    assert _run(path, "csv", 64, True) == plain
    assert '"a, ""b"""' in plain and '"x\ny"' in plain and ",not-controlled," in plain
    # a density past the cast's range, spelled as Python spells it
    assert ",1.2500000000000001e-08," in plain


def _num(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("fast", BACKENDS)
def test_a_unit_cell_that_is_wrong_names_its_line(tmp_path: Path, fast: bool) -> None:
    path = tmp_path / "designs.csv"
    path.write_text(CSV_TEXT, encoding="utf-8")
    with pytest.raises(DataError, match=r"line 202: tpp: unit 'k' not understood"):
        _run(path, "csv", 50, fast)


@pytest.mark.parametrize("fast", BACKENDS)
def test_a_header_alone_writes_the_header(tmp_path: Path, fast: bool) -> None:
    path = tmp_path / "designs.csv"
    path.write_text("name,tpp\n", encoding="utf-8")
    text = _run(path, "csv", 50, fast)
    assert text.splitlines()[0].startswith("name,tpp,tpp_precision")
    assert len(text.splitlines()) == 1


def test_binding_line_of_a_known_design() -> None:
    # TPP 4,750 on a datacenter die of 1,000 mm² (density 4.75): 3A090.b.1; of its lines
    # TPP 4,800 is the nearest (-1 %), and crossing it makes the design 3A090.a.1
    cols = _columns([{"tpp": 4750.0, "die_area_mm2": 1000.0, "datacenter": True}])
    metrics = metrics_from_inputs(cols, 1)
    classifier = Classifier(ALL, DAY)
    got = classifier.classify(metrics, 1)["us-2024-12"]
    lookup = classifier.lookups["us-2024-12"]
    assert lookup.outcomes[int(got.outcome[0])] == "3A090.b.1"
    assert lookup.line_names[int(got.line[0])] in ("tpp >= 4800", "tpp < 4800")
    assert float(got.margin[0]) == -50.0
    assert float(got.margin_pct[0]) == pytest.approx(-50 / 48)


def test_a_leaf_kind_patterns_do_not_know_is_asked_of_the_engine() -> None:
    from collections.abc import Iterator
    from typing import ClassVar

    import numpy as np

    from chipdb.engine import Clause, Criterion, RuleDefinition, Truth

    class BigDie(Criterion):  # a kind of leaf the classifier has never heard of
        key: ClassVar[str] = "big"
        shape: ClassVar[str] = "{big}"

        @classmethod
        def parse(cls, raw: Any, params: Any, where: str) -> Criterion:
            return cls()

        def truth(self, table: Any, outcomes: Any) -> Truth:
            area = table.numeric("applicable_die_area_mm2")
            return Truth(area > 500, area <= 500)

        def explain(self, row: Any, truth: Any, want: Any) -> str:
            return "big"

        def missing(self, row: Any, truth: Any) -> list[str]:
            return []

        def lines(self, context: Any) -> Iterator[Any]:
            return iter(())

    rule = RuleDefinition(id="big-rule", title="t", citation="c", url="u",
                          effective=date(2026, 1, 1), status="in-force", layer="tariff",
                          clauses=(Clause("big", BigDie(), label="big die"),),
                          default_outcome="small")
    metrics = metrics_from_inputs({"die_area_mm2": np.array([400.0, 600.0])}, 2)
    classifier = Classifier([rule], DAY)
    got = classifier.classify(metrics, 2)["big-rule"]
    lookup = classifier.lookups["big-rule"]
    assert lookup.opaque
    assert [lookup.outcomes[int(c)] for c in got.outcome] == ["small", "big"]
    assert [lookup.clauses[int(c)] for c in got.clause] == ["", "big die"]


def test_a_summed_line_moves_its_first_metric_past_the_others() -> None:
    # found by the property test: crossing memory + I/O >= 1700 moves the memory bandwidth
    # to 1,100.6, which also leaves memory >= 1400 false: the H20 letter then cannot apply,
    # and the vendor's being unknown no longer matters
    cols = _columns([{"memory_bandwidth_gbps": 1398.6, "bidirectional_io_gbps": 599.4,
                      "vendor": None}])
    metrics = metrics_from_inputs(cols, 1)
    want = reference(metrics, 0, "us-2025-04-h20")
    classifier = Classifier(ALL, DAY)
    got = classifier.classify(metrics, 1)["us-2025-04-h20"]
    lookup = classifier.lookups["us-2025-04-h20"]
    assert want[2] == "memory_bandwidth_gbps + bidirectional_io_gbps >= 1700"
    assert lookup.line_names[int(got.line[0])] == want[2]
    assert float(got.margin[0]) == pytest.approx(want[3])


@pytest.mark.parametrize(("cells", "message"), [
    ("tpp\nx,1e12", "tpp = 1e+12 is beyond any real chip"),
    ("memory_bandwidth_gbps\nx,1e15", "is beyond any real chip"),
    ("die_area_mm2\nx,1e12", "is beyond any real chip"),
    ("datacenter,tpp\nx,2,2000", "datacenter takes true or false, not '2'"),
    ("datacenter,tpp\nx,0.5,2000", "datacenter takes true or false, not '0.5'"),
    ("vendor,tpp\nx," + "a" * 100_000 + ",100", "vendor takes a name of 1 to 200 characters"),
])
def test_batch_refuses_what_set_refuses(sqlite_db: DatabaseUrl, tmp_path: Path, cells: str,
                                        message: str) -> None:
    """A1.5: a batch cell is held to the limits of `what-if --set`, on either reader."""
    path = tmp_path / "designs.csv"
    path.write_text(f"name,{cells}\n", encoding="utf-8")
    result = run(sqlite_db, "what-if", "--batch", str(path), "-f", "csv")
    assert result.code == 1 and result.out == ""
    assert message in result.err and "line 2" in result.err
