"""Release dates known only as an upper bound ("on sale by"): parsed, stored, shown as "by",
read as a window from the announcement, counted apart by `db stats`, on both engines."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from chipdb.periods import period_end, period_text, release_window
from chipdb.store.url import DatabaseUrl
from chipdb.store.write.rebuild import read_seed_catalogue
from tests.catalogue.test_dates_links import problem, record
from tests.helpers import run

SEEDS = read_seed_catalogue(Path(__file__).resolve().parents[2] / "seeds")


@pytest.mark.parametrize("written,start,precision,shown", [
    ("2025-07-01", date(2025, 7, 1), "by-day", "by 2025-07-01"),
    ('"2024-08"', date(2024, 8, 1), "by-month", "by 2024-08"),
    ('"2024-Q3"', date(2024, 7, 1), "by-quarter", "by 2024-Q3"),
    ('"2024"', date(2024, 1, 1), "by-year", "by 2024"),
])
def test_a_bound_keeps_its_grain_and_reads_by(
        written: str, start: date, precision: str, shown: str) -> None:
    chip = record(f'released = {{ value = {written}, bound = "by", source = "news" }}\n')
    assert (chip.released, chip.released_precision) == (start, precision)
    [claim] = [c for c in chip.claims if c.field == "released"]
    assert (claim.value, claim.source) == (shown, "news")
    assert period_text(start, precision) == shown


def test_a_plain_date_is_not_a_bound() -> None:
    chip = record('released = "2024-08"\n')
    assert chip.released_precision == "month"
    assert period_text(date(2024, 8, 1), "month") == "2024-08"


@pytest.mark.parametrize("precision,end", [
    ("day", date(2024, 2, 29)), ("by-day", date(2024, 2, 29)),
    ("month", date(2024, 2, 29)), ("by-month", date(2024, 2, 29)),
    ("quarter", date(2024, 3, 31)), ("year", date(2024, 12, 31)),
])
def test_period_end_is_the_last_day_of_the_period(precision: str, end: date) -> None:
    start = date(2024, 2, 29) if precision.endswith("day") else (
        date(2024, 2, 1) if precision.endswith("month") else date(2024, 1, 1))
    assert period_end(start, precision) == end


def test_release_window_runs_from_the_announcement_to_the_end_of_the_bound() -> None:
    # a bound: the announcement is the earliest, the bound's last day the latest
    assert release_window(date(2024, 8, 1), "by-month", date(2023, 8, 8)) == (
        date(2023, 8, 8), date(2024, 8, 31))
    # a bound with no announcement: the earliest is unknown, not invented
    assert release_window(date(2025, 7, 1), "by-day", None) == (None, date(2025, 7, 1))
    # a dated release spans its own period, whatever the announcement
    assert release_window(date(2024, 2, 1), "month", date(2023, 11, 1)) == (
        date(2024, 2, 1), date(2024, 2, 29))
    assert release_window(None, None, date(2023, 11, 1)) == (None, None)


def test_a_bound_may_end_on_the_announcement_day_not_before() -> None:
    chip = record('announced = 2024-08-31\n'
                  'released = { value = "2024-08", bound = "by", source = "news" }\n')
    assert chip.released_precision == "by-month"
    assert problem('announced = 2024-09-01\n'
                   'released = { value = "2024-08", bound = "by", source = "news" }\n') == (
        "x.toml: chip 'X1': released: by 2024-08 is before the announcement (2024-09-01)")


@pytest.mark.parametrize("extra", [
    'announced = 2022-11-07\nreleased = 2022-08-11\n',           # a day before the announcement
    'announced = 2022-11-07\nreleased = "2022-10"\n',            # a month that ends before it
    'announced = "2023"\nreleased = "2022"\n',                   # a year before the year
])
def test_availability_never_precedes_the_announcement(extra: str) -> None:
    message = problem(extra)
    assert message.startswith("x.toml: chip 'X1': released: ")
    assert "is before the announcement" in message


@pytest.mark.parametrize("extra,released", [
    ('announced = 2022-11-07\nreleased = 2022-11-07\n', date(2022, 11, 7)),  # the same day
    ('announced = 2022-11-07\nreleased = "2022-11"\n', date(2022, 11, 1)),   # the month of it
    ('announced = "2022-11"\nreleased = 2022-11-03\n', date(2022, 11, 3)),   # within its month
])
def test_a_release_overlapping_the_announcement_is_kept(extra: str, released: date) -> None:
    assert record(extra).released == released


def test_the_a800_release_follows_its_announcement() -> None:
    # Epoch AI's 2022-08-11 (SXM4) and 2022-11-03 (PCIe 80GB) precede NVIDIA's first statement
    # (2022-11-07): kept as alternatives, the preferred release is the month of first sale
    for name in ("A800 SXM4 80GB", "A800 PCIe 80GB"):
        [chip] = [c for c in SEEDS.chips if c.spec.name == name]
        assert (chip.announced, chip.released, chip.released_precision) == (
            date(2022, 11, 7), date(2022, 11, 1), "month")
        claims = [c for c in chip.claims if c.field == "released"]
        assert [(c.source, c.preferred) for c in claims] == [
            ("nv-globaltimes-a800-on-sale", True), ("epoch-ml-hardware", False)]
    for chip in SEEDS.chips:  # the loader refuses the opposite; the seeds load
        if chip.released and chip.announced:
            assert period_end(chip.released, chip.released_precision) >= chip.announced, \
                chip.spec.name


@pytest.mark.parametrize("extra,expected", [
    ('announced = { value = "2024", bound = "by" }\n', "announced: only 'released' takes bound"),
    ('released = { value = "2024", bound = "before" }\n', "released.bound:"),
])
def test_a_bad_bound_is_refused(extra: str, expected: str) -> None:
    assert expected in problem(extra)


@pytest.mark.parametrize("chip,released,precision,source", [
    ("L40S", date(2024, 8, 1), "by-month", "mlperf-inf-v4.1-lenovo-l40s"),
    ("GH200 144GB", date(2024, 8, 1), "by-month", "mlperf-inf-v4.1-nvidia-gh200-144gb"),
    ("Cloud AI 100 Ultra", date(2025, 7, 1), "by-day", "arxiv-2507.00418-qaic-ultra"),
    ("Grayskull e75", date(2024, 6, 7), "by-day", "gh-tt-kmd-21-e75-purchased"),
    ("Grayskull e150", date(2024, 10, 29), "by-day", "gh-tt-smi-53-e150-installed"),
    ("Ascend 910B2", date(2025, 5, 27), "by-day", "gh-vllm-ascend-975-910b2"),
    ("DCU K100", date(2024, 11, 12), "by-day", "gh-hami-dcu-plugin-2-k100ai"),
    ("MTT S3000", date(2024, 9, 20), "by-day", "gh-llamacpp-8383-mtt-s3000"),
    ("RTX PRO 6000 Server", date(2025, 9, 7), "by-day", "gh-vllm-24383-rtx-pro-6000-server"),
    ("H800 PCIe", date(2026, 1, 5), "by-day", "gh-torch-perf-112-h800-pcie"),
    # a third party's (UC Davis Gunrock) benchmark runs, earlier than a user's 2020 machine
    ("Quadro GV100", date(2019, 10, 23), "by-day", "gunrock-io-v100-bfs-table"),
    ("V100 DGXS 16GB", date(2018, 7, 13), "by-day", "gunrock-io-v100-bfs-table"),
    ("H20 141GB", date(2025, 9, 17), "by-day", "gh-nvbandwidth-48-h20-3e"),
    ("RTX PRO 6000D", date(2026, 5, 9), "by-day", "gh-open-gpu-kmod-20-rtx-6000d"),
    ("MI308X", date(2025, 10, 14), "by-day", "gh-vllm-26769-mi308x"),
    ("RNGD", date(2026, 3, 27), "by-day", "gh-all-smi-127-rngd"),
    # a user's npu-smi listing 910B3 NPUs; a user's 910B4 run: us-2026-01's "released by
    # 2026-01-15" holds for both, so the case-by-case frontier is decided
    ("Ascend 910B3", date(2025, 2, 4), "by-day", "gh-llama-box-31-910b3"),
    ("Ascend 910B4", date(2025, 2, 22), "by-day", "gh-vllm-ascend-129-910b4"),
    # the vendor's own cloud serving on the chip, measured by a third party
    ("SN40L", date(2024, 9, 10), "by-day", "oth-sambanova-blog-sn40l-inference"),
])
def test_the_seed_bounds_keep_their_source(
        chip: str, released: date, precision: str, source: str) -> None:
    [found] = [c for c in SEEDS.chips if c.spec.name == chip]
    assert (found.released, found.released_precision) == (released, precision)
    [claim] = [c for c in found.claims if c.field == "released" and c.preferred]
    assert claim.source == source and claim.value.startswith("by ")


def test_stats_count_bounds_apart(db: DatabaseUrl) -> None:
    result = run(db, "db", "stats", "-f", "json")
    assert result.code == 0, result.err
    stats = result.json()
    shipped = [c for c in SEEDS.chips if c.status not in ("roadmap", "cancelled")]
    dated = [c for c in shipped if c.released]
    bounds = [c for c in dated if (c.released_precision or "").startswith("by-")]
    assert len(bounds) >= 14
    assert stats["chips_shipped"] == len(shipped)
    assert stats["shipped_with_release_date"] == len(dated)
    assert stats["shipped_released_by_bound_only"] == len(bounds)
    assert stats["shipped_without_release_date"] == len(shipped) - len(dated)
    assert stats["exact_release_share_of_shipped"] == round(
        (len(dated) - len(bounds)) / len(shipped), 4)


def test_show_reads_a_bound_as_by(db: DatabaseUrl) -> None:
    result = run(db, "show", "L40S")
    assert result.code == 0, result.err
    assert "by 2024-08" in result.out and "by-month" not in result.out
    result = run(db, "compare", "L40S", "-f", "json")
    [chip] = result.json()["chips"]
    assert (chip["specs"]["released"], chip["specs"]["released_precision"]) == (
        "2024-08-01", "by-month")



@pytest.mark.parametrize("chip", ["Ascend 910B3", "Ascend 910B4", "H800 PCIe",
                                  "RTX PRO 6000 Server"])
def test_a_bound_before_the_cutoff_decides_us_2026_01(db: DatabaseUrl, chip: str) -> None:
    # us-2026-01 reviews case by case only parts released by 2026-01-15; each of these was in a
    # user's hands before then (a "by" bound), so the outcome is no longer also
    # presumption-of-denial
    result = run(db, "compare", chip, "--as-of", "2026-06-01", "-f", "json")
    assert result.code == 0, result.err
    [verdict] = [v for v in result.json()["chips"][0]["verdicts"] if v["rule"] == "us-2026-01"]
    assert verdict["outcome"] == "case-by-case"
