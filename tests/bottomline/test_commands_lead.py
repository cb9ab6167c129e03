"""`compare` and `show` group verdicts by layer and show the binding margin by default;
`plot --to` marks each chip with the bottom line and leads with it."""

from __future__ import annotations

from pathlib import Path

from chipdb.store.url import DatabaseUrl
from tests.helpers import run

LAYER_ORDER = ["Classification:", "us-2024-12", "Licence requirement:", "us-2025-04-h20",
               "Licence review policy:", "us-2026-01", "Other measures:", "us-2025-01-foundry"]


def _positions(text: str, words: list[str]) -> list[int]:
    return [text.index(w) for w in words]


def test_compare_groups_verdicts_by_layer(db: DatabaseUrl) -> None:
    r = run(db, "compare", "H20", "H100", "--as-of", "2026-06-01", "-f", "markdown")
    assert r.code == 0, r.err
    verdicts = r.out[r.out.index("### Verdicts"):r.out.index("### Why")]
    assert "by layer" in verdicts
    # classification → licence requirement → review policy → other measures (chipdb.outcomes)
    found = _positions(verdicts, LAYER_ORDER)
    assert found == sorted(found)
    # no licence-exception heading: no rule's verdicts belong to that layer (scopes do)
    assert "Licence exception:" not in verdicts


def test_compare_leads_with_the_bottom_line(db: DatabaseUrl) -> None:
    r = run(db, "compare", "H20", "H100", "--to", "CN", "--as-of", "2026-06-01",
            "-f", "markdown")
    assert r.code == 0, r.err
    assert r.out.index("the bottom line on 2026-06-01") < r.out.index("### Verdicts")


def test_reasons_show_the_binding_margin_by_default(db: DatabaseUrl) -> None:
    # H20 under us-2024-12 is outside 3A090 by 32 TPP: 2,368 vs the 2,400 of 3A090.b.1
    # (88 FR 73458, kept by 89 FR 96790). That is the one nearest line that would change the
    # verdict; the others (PD 2.91 vs 3.2, TPP vs 4,800 ...) show only with --all-margins
    one = run(db, "compare", "H20", "--as-of", "2026-06-01", "-f", "markdown").out
    why = next(line for line in one.splitlines() if "| H20 96GB | us-2024-12 |" in line)
    assert "binding margin: TPP 2,368 is −32 (−1.3%) from 2,400" in why
    assert "from 3.2" not in why and "margins:" not in why
    every = run(db, "compare", "H20", "--as-of", "2026-06-01", "--all-margins",
                "-f", "markdown").out
    why = next(line for line in every.splitlines() if "| H20 96GB | us-2024-12 |" in line)
    assert "margins: TPP 2,368 is −32 (−1.3%) from 2,400" in why and "from 3.2" in why
    assert "binding margin" not in why


def test_a_met_clause_binds_on_its_own_line(db: DatabaseUrl) -> None:
    # A800 is 3A090.a.1 by TPP 4,992 >= 4,800 (89 FR 96790): its binding line is that one,
    # not the nearer density line of 3A090.a.2 that does not decide it alone
    out = run(db, "compare", "A800", "--as-of", "2026-06-01", "-f", "markdown").out
    why = next(line for line in out.splitlines() if "| A800 SXM4 80GB | us-2024-12 |" in line)
    assert "binding margin: TPP 4,992 is +192 (+4.0%) from 4,800" in why


def test_show_groups_by_layer_with_binding_margins(db: DatabaseUrl) -> None:
    r = run(db, "show", "H20", "-f", "markdown")
    assert r.code == 0, r.err
    verdicts = r.out[r.out.index("### Verdicts"):]
    assert "by layer" in verdicts
    found = _positions(verdicts, ["| Classification |", "| Licence requirement |",
                                  "| Licence review policy |", "| Other measures |"])
    assert found == sorted(found)
    assert "binding margin: TPP 2,368 is −32 (−1.3%) from 2,400" in verdicts
    every = run(db, "show", "H20", "--all-margins", "-f", "markdown").out
    assert "margins: TPP 2,368 is −32 (−1.3%) from 2,400" in every


def test_plot_leads_with_the_bottom_line(db: DatabaseUrl) -> None:
    # the H20 letters of 2025-04-09 (NVIDIA 8-K of 2025-04-15): a licence for the H20 to the
    # PRC from that day, none the day before; the L2 (TPP 1,544 < 1,600) needs none either day
    after = run(db, "plot", "H20", "L2", "--to", "CN", "--as-of", "2025-04-09")
    assert after.code == 0, after.err
    lines = after.out.splitlines()
    assert lines[1].startswith("The bottom line for exports to China on 2025-04-09: "
                               "licence required: H20 96GB; no licence: L2.")
    assert "H20 96GB [licence]: not-controlled" in after.out  # the verdict stays beside it
    assert "L2 [no licence]" in after.out
    before = run(db, "plot", "H20", "L2", "--to", "CN", "--as-of", "2025-04-08").out
    assert "H20 96GB [no licence]" in before and "licence required" not in before


def test_plot_with_a_buyer_headquartered_in_china(db: DatabaseUrl, tmp_path: Path) -> None:
    # 88 FR 73458 from 2023-11-17: a buyer headquartered in D:5/Macau needs a licence for a
    # 3A090 item to any destination (H100 to Germany)
    r = run(db, "plot", "H100", "--to", "DE", "--party-hq", "CN", "--as-of", "2026-06-01")
    assert "exports to Germany, buyer headquartered in China" in r.out
    assert "H100 SXM [licence]" in r.out
    assert "H100 SXM [no licence]" in run(db, "plot", "H100", "--to", "DE").out
    image = tmp_path / "map.png"
    assert run(db, "plot", "H100", "--to", "CN", "-o", str(image)).code == 0
    assert image.stat().st_size > 0
    assert run(db, "plot", "H100", "--party-hq", "CN").code == 2  # needs --to
    assert run(db, "plot", "H100", "--to", "D:5").code == 2  # a group: use check


def _rows(markdown: str) -> list[list[str]]:
    """The first table's rows, cells stripped (header and rule line dropped)."""
    lines = [line for line in markdown.splitlines() if line.startswith("|")]
    return [[c.strip() for c in line.strip("|").split("|")] for line in lines[2:]
            if not line.startswith("|---")]


def test_check_without_to_one_row_per_differing_answer(db: DatabaseUrl) -> None:
    # The H20 letters (2025-04-09; NVIDIA 8-K 2025-04-15) reach the PRC incl. Hong Kong and
    # Macau, every D:5 country and buyers headquartered there: the PRC and other D:5 read the
    # same (one row); D:1/D:4 and everywhere else need no licence (one row, both named)
    r = run(db, "check", "H20", "--as-of", "2026-12-01", "-f", "markdown")
    assert r.code == 0, r.err
    assert "one row per class of destination whose answer differs" in r.out
    assert "share a row" in r.out  # stated explicitly
    rows = _rows(r.out)
    # (mainland China is a class of its own since China's import-side measures reach it
    # alone, and the UAE since 2026-07-10: same licence answers, so they share rows)
    assert [(row[0], row[1]) for row in rows] == [
        ("Macao, Hong Kong (as CN); other D:5 (21 destinations); China", "YES"),
        ("United States (not an export); US territories (not an export); everywhere else; "
         "D:1/D:4 not D:5/A:5/A:6 except MO; United Arab Emirates", "no"),
        ("any destination, buyer HQ in D:5 or MO", "YES")]
    # JSON keeps one object per destination class
    data = run(db, "check", "H20", "--as-of", "2026-12-01", "-f", "json").json()
    assert len(data) == 9 and len({a["destination"] for a in data}) == 9


def test_check_without_to_keeps_classes_whose_answers_differ(db: DatabaseUrl) -> None:
    # A800 on 2025-06-01: licence to D:1/D:4 (88 FR 73458, 3A090.a.1 by TPP 4,992); to the
    # PRC/D:5 also under the H20 letters' reported memory-bandwidth trigger (2,039 >= 1,400
    # GB/s; silicon.co.uk via rules.md 2.6): two rows that both say YES for different reasons;
    # everywhere else (Germany, A:1) no licence
    rows = _rows(run(db, "check", "A800", "--as-of", "2025-06-01", "-f", "markdown").out)
    by = {row[0]: (row[1], row[4]) for row in rows}
    china = "China; 24 destinations not A:1/A:5/A:6"  # D:5 and Macau, China named apart
    assert by[china][0] == "YES"
    assert by[china][1].startswith("us-2024-12 3A090.a.1; us-2025-04-h20 reported trigger")
    assert by["D:1/D:4 not D:5/A:5/A:6 except MO"] == ("YES", "us-2024-12 3A090.a.1")
    assert by["United States (not an export); everywhere else"][0] == "no"


def test_a_verdict_decided_without_a_line_has_no_binding_margin(db: DatabaseUrl) -> None:
    # the H20 is named in the 2025-04-09 notices (NVIDIA 8-K 2025-04-15): no bandwidth line
    # would change that, so the nearer I/O line (1,028 vs 1,100 GB/s) is not its binding one
    out = run(db, "compare", "H20", "--as-of", "2026-06-01", "-f", "markdown").out
    why = next(line for line in out.splitlines() if "| H20 96GB | us-2025-04-h20 |" in line)
    assert "binding margin: none: decided by a name" in why and "1,100" not in why
    # the L2 is below the reported trigger (300 vs 1,400 GB/s memory): that line binds
    out = run(db, "compare", "L2", "--as-of", "2026-06-01", "-f", "markdown").out
    why = next(line for line in out.splitlines() if "| L2 | us-2025-04-h20 |" in line)
    assert "binding margin: memory GB/s 300 is −1,100 (−78.6%) from 1,400" in why


def test_list_to_names_the_question_and_each_deciding_rule_once(db: DatabaseUrl) -> None:
    r = run(db, "list", "--to", "HK", "--party-hq", "CN", "--as-of", "2026-06-01",
            "-f", "markdown")
    assert r.code == 0, r.err
    assert "licence?: exports to Hong Kong, buyer headquartered in China on 2026-06-01." in r.out
    rows = run(db, "list", "--to", "HK", "--party-hq", "CN", "--as-of", "2026-06-01",
               "-f", "json").json()
    for row in rows:
        parts = (row["decided_by"] or "").split("; ")
        assert len(parts) == len(set(parts)), row
    # the H20 to Hong Kong (treated as the PRC under the EAR): named in the 2025-04-09 notices
    h20 = next(row for row in rows if row["chip"] == "H20 96GB")
    assert (h20["license_required"], h20["decided_by"]) == (
        True, "us-2025-04-h20 named in the notices")
