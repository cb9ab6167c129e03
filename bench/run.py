"""chipdb's performance targets (issues 8 and 19), measured: one command, one table.

    pip install -e '.[bench]'
    python bench/run.py            # full: 15 cold compares, 3 runs of the rest
    python bench/run.py --quick    # fewer repetitions, for CI-like use

Every measurement is a fresh process of the installed ``chipdb`` console script, in a
temporary data directory (``XDG_DATA_HOME``) with ``CHIPDB_DATABASE_URL`` removed, so the
user's database is never touched. Bytecode is cached in a temporary ``PYTHONPYCACHEPREFIX``
that warm-up runs fill, as it is after ``pip install`` (``PYTHONDONTWRITEBYTECODE`` is
dropped for the children). Wall time runs from fork to exit; peak RSS is the command's own
``ru_maxrss``, taken by a small spawning interpreter (see SPAWN) per run.

PostgreSQL is used when reachable (``--pg-admin``, default
postgresql://postgres@127.0.0.1:5432/postgres): a database ``chipdb_bench_<random>`` is
created for the run and dropped after it.

The command always exits 0: it is a report. Its last line says which targets were missed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from designs import write_file  # bench/designs.py, beside this script

# Targets of issues 8 and 19.
COMPARE_VS_REFERENCE = 0.6  # chipdb compare median / sqlite-utils query "select 1" median
COMPARE_RSS_MIB = 40.0
BATCH_1M_S = 3.0  # what-if --batch - -f csv, 1 M designs on standard input
BATCH_RSS_MIB = 250.0  # its peak RSS, at 1 M and at the larger size (flat)
BATCH_SCALING = 11.0  # larger size / 1 M, scaled to 10 M / 1 M (linear)
# disk per design while a batch is measured: ~70 B of input, ~710 B of verdicts (18 rules)
BATCH_BYTES_PER_ROW = 800
SWEEP_1M_S = 3.0
FRONTIER_S = 0.5
HEADROOM_SET_S = 0.5
FIRST_RUN_S = 1.5
FRESHNESS_VS_STATE = 1.5  # ensure_ready (nothing changed) / reading the stored state
POSTGRES_VS_SQLITE = 1.5

# Top-level packages the cold compare path must not import (tests/test_importtime.py too).
DENY = ("alembic", "sqlalchemy", "pydantic", "pydantic_core", "matplotlib", "numpy",
        "psycopg", "rich")

COMPARE_ARGS = ("compare", "H20", "H100", "-f", "json")
PG_ADMIN_DEFAULT = "postgresql://postgres@127.0.0.1:5432/postgres"

# The measuring parent of every run. Linux records the RSS of the process that forks (or
# vforks) a command in the command's ru_maxrss, so a large parent (this script, once it has
# imported psycopg) would show as the command's peak. A small interpreter started for the
# purpose forks the command, times it, and reports its peak, its own (the floor under any
# figure) and its exit code.
SPAWN = """
import os, resource, sys, time
out = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
cmd = sys.argv[2:]
try:  # this interpreter's own peak (ru_maxrss would carry the RSS of whoever spawned it)
    with open("/proc/self/status") as proc_status:
        own = [int(line.split()[1]) for line in proc_status if line.startswith("VmHWM:")][0]
except OSError:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.dup2(out, 1)
        os.execvp(cmd[0], cmd)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - start
print(seconds, usage.ru_maxrss, own, os.waitstatus_to_exitcode(status))
"""
RSS_FLOOR: list[float] = []  # the spawning interpreter's own peak RSS, per run

FRESHNESS_PROBE = """
import json, statistics, sys, time
from chipdb.store.ready import ensure_ready
from chipdb.store.state import database_state
from chipdb.store.url import resolve_url
db = resolve_url()
ensure_ready(db)
ready, state = [], []
for _ in range(int(sys.argv[1])):
    t = time.perf_counter(); ensure_ready(db); ready.append(time.perf_counter() - t)
    t = time.perf_counter(); database_state(db); state.append(time.perf_counter() - t)
print(json.dumps({"ready": statistics.median(ready), "state": statistics.median(state),
                  "heavy": sorted(m for m in ("chipdb.store.write", "sqlalchemy", "alembic")
                                  if m in sys.modules)}))
"""


@dataclass
class Sample:
    seconds: float
    rss_mib: float
    code: int
    stderr: str


@dataclass
class Row:
    name: str
    runs: int | None
    value: str
    reference: str = ""
    ratio: float | None = None
    ok: bool | None = None  # None: information, not a target


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    def add(self, *args: Any, **kwargs: Any) -> None:
        self.rows.append(Row(*args, **kwargs))


def run_once(cmd: Sequence[str], env: dict[str, str], out: Path | None = None,
             stdin: Path | None = None) -> Sample:
    """One fresh process: wall time from fork to exit, and its own peak RSS (see SPAWN);
    ``stdin``: a file the command reads as its standard input."""
    with tempfile.TemporaryFile() as err, \
            (stdin.open("rb") if stdin else open(os.devnull, "rb")) as source:
        proc = subprocess.run(
            [sys.executable, "-I", "-S", "-c", SPAWN, str(out or os.devnull), *cmd],
            stdin=source, stdout=subprocess.PIPE, stderr=err, env=env, check=False,
        )
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    try:
        seconds, rss, floor, code = proc.stdout.split()
    except ValueError:
        raise BenchError(f"could not run {cmd[0]}: {stderr.strip()[-300:]}") from None
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes or KiB
    RSS_FLOOR.append(int(floor) / scale)
    return Sample(float(seconds), int(rss) / scale, int(code), stderr)


def checked(sample: Sample, what: str) -> Sample:
    if sample.code != 0:
        last = sample.stderr.strip().splitlines()[-1:] or ["(no message)"]
        raise BenchError(f"{what} exited {sample.code}: {last[0]}")
    return sample


class BenchError(Exception):
    pass


def median(samples: Sequence[Sample]) -> float:
    return statistics.median(s.seconds for s in samples)


def peak(samples: Sequence[Sample]) -> float:
    return max(s.rss_mib for s in samples)


def record(report: Report, key: str, samples: Sequence[Sample]) -> None:
    """Median time and peak RSS into the --json figures."""
    report.data[f"{key}_s"] = median(samples)
    report.data[f"{key}_rss_mib"] = peak(samples)


def secs(value: float) -> str:
    return f"{value:.3f} s"


def limit_row(report: Report, name: str, runs: int, value: float, limit: float,
              unit: str = "s") -> None:
    shown = secs(value) if unit == "s" else f"{value:.1f} {unit}"
    limit_text = f"{limit:.2f} s" if unit == "s" else f"{limit:.1f} {unit}"
    report.add(name, runs, shown, f"≤ {limit_text}", value / limit, value <= limit)


def ratio_row(report: Report, name: str, runs: int, value: float, ref_name: str,
              ref: float, limit: float) -> None:
    ratio = value / ref
    report.add(name, runs, secs(value), f"{ref_name} {secs(ref)}, ≤ {limit:.2f}×", ratio,
               ratio <= limit)


def chipdb_command() -> list[str]:
    script = Path(sys.executable).with_name("chipdb")
    return [str(script)] if script.exists() else [sys.executable, "-m", "chipdb"]


def sqlite_utils_command() -> list[str] | None:
    script = Path(sys.executable).with_name("sqlite-utils")
    if script.exists():
        return [str(script)]
    found = shutil.which("sqlite-utils")
    return [found] if found else None


def version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def child_env(work: Path, data_home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("CHIPDB_DATABASE_URL", "PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
    env["XDG_DATA_HOME"] = str(data_home)
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    env["NO_COLOR"] = "1"
    return env


# --- phases ----------------------------------------------------------------------------------


def wheel_site(work: Path) -> Path | None:
    """The project built as a wheel and unpacked into a folder: what `pip install .` gives
    (the bundled database included). Dependencies come from this venv."""
    root = Path(__file__).resolve().parent.parent
    wheels, site = work / "wheel", work / "site"
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                            str(wheels), str(root)], capture_output=True, text=True)
    if built.returncode != 0:
        print(f"note: wheel build failed, first run measured from the checkout only:\n"
              f"{built.stderr[-500:]}", file=sys.stderr)
        return None
    wheel = next(wheels.glob("chipdb-*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(site), str(wheel)], check=True, capture_output=True)
    return site


def first_runs(report: Report, chipdb: list[str], work: Path, runs: int) -> None:
    """Create, migrate, seed and compute verdicts: a fresh data directory per run.

    Measured as a user meets it (the installed wheel, which carries the database its build
    seeded) and, for information, from the source checkout (which seeds on first run)."""
    site = wheel_site(work)
    variants: list[tuple[str, list[str], dict[str, str]]] = []
    if site is not None:
        variants.append(("first run: installed wheel (create, seed, verdicts)",
                         [sys.executable, "-P", "-m", "chipdb"], {"PYTHONPATH": str(site)}))
    variants.append(("first run: source checkout, seeding (information)" if site else
                     "first run: create, migrate, seed, verdicts", chipdb, {}))
    for name, command, extra in variants:
        samples = []
        for i in range(runs + 1):  # the first fills the bytecode cache for the write path
            home = work / f"first-{i}"
            env = {**child_env(work, home), **extra}
            sample = checked(run_once([*command, "list", "-f", "json"], env), "first run")
            if i:
                samples.append(sample)
            shutil.rmtree(home, ignore_errors=True)
        if name.endswith("(information)"):
            report.add(name, runs, secs(median(samples)))
        else:
            report.data["first_run_s"] = median(samples)
            limit_row(report, name, runs, median(samples), FIRST_RUN_S)


def freshness(report: Report, chipdb: list[str], env: dict[str, str], runs: int,
              probes: int) -> None:
    samples = [checked(run_once([*chipdb, "list", "-f", "json"], env), "no-change run")
               for _ in range(runs)]
    report.data["no_change_list_s"] = median(samples)
    report.add("no-change run: list -f json (information)", runs, secs(median(samples)))
    proc = subprocess.run([sys.executable, "-c", FRESHNESS_PROBE, str(probes)], env=env,
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        report.notes.append(f"freshness probe failed: {proc.stderr.strip()[-300:]}")
        return
    probe = json.loads(proc.stdout)
    ready, state = probe["ready"] * 1000, probe["state"] * 1000
    report.data["freshness_ms"] = {"ensure_ready": ready, "state": state}
    ratio = ready / state
    report.add("no-change run: freshness check (in-process)", probes, f"{ready:.2f} ms",
               f"stored-state read {state:.2f} ms, ≤ {FRESHNESS_VS_STATE:.2f}×", ratio,
               ratio <= FRESHNESS_VS_STATE)
    if probe["heavy"]:
        report.add("no-change run imports the write path", 1, ", ".join(probe["heavy"]),
                   "nothing", None, False)


def imports(report: Report, env: dict[str, str], db_args: Sequence[str]) -> None:
    """Which deny-listed packages a cold compare imports, and where its import time goes."""
    cmd = [sys.executable, "-X", "importtime", "-m", "chipdb", *db_args, *COMPARE_ARGS]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        report.notes.append(f"-X importtime compare failed: {proc.stderr.strip()[-300:]}")
        return
    modules: list[tuple[str, int, int]] = []  # (module, cumulative µs, nesting depth)
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line)
        if m:
            modules.append((m.group(3), int(m.group(1)), len(m.group(2)) // 2))
    found = sorted({name.split(".")[0] for name, _, _ in modules} & set(DENY))
    report.data["denied_imports"] = found
    report.add("compare imports none of the deny-list", 1, ", ".join(found) or "none",
               "none", None, not found)
    top = sorted((m for m in modules if m[2] == 0), key=lambda m: -m[1])[:6]
    total = sum(m[1] for m in modules if m[2] == 0) / 1000
    report.notes.append(
        f"compare import time {total:.0f} ms; largest top-level imports: "
        + ", ".join(f"{name} {us / 1000:.0f} ms" for name, us, _ in top)
    )


def compares(report: Report, chipdb: list[str], sqlite_utils: list[str] | None,
             env: dict[str, str], db_file: Path, pg_url: str | None, runs: int) -> None:
    """Cold compares on SQLite, the sqlite-utils reference and PostgreSQL, interleaved."""
    jobs: dict[str, tuple[list[str], str]] = {"sqlite": ([*chipdb, *COMPARE_ARGS], "compare")}
    if sqlite_utils is not None:
        jobs["reference"] = ([*sqlite_utils, "query", str(db_file), "select 1"], "sqlite-utils")
    if pg_url is not None:
        jobs["postgres"] = ([*chipdb, "--db", pg_url, *COMPARE_ARGS], "compare (PostgreSQL)")
    out = db_file.parent / "compare.json"
    for key, (cmd, what) in jobs.items():  # warm-up: bytecode cache, page cache; check output
        for _ in range(2):
            checked(run_once(cmd, env, out), what)
        if key != "reference":
            chips = json.loads(out.read_text(encoding="utf-8"))["data"]["chips"]  # the envelope
            if len(chips) != 2:
                raise BenchError(f"{what} returned {len(chips)} chips, expected 2")
    samples: dict[str, list[Sample]] = {k: [] for k in jobs}
    for _ in range(runs):
        for key, (cmd, what) in jobs.items():
            samples[key].append(checked(run_once(cmd, env, out), what))
    sqlite = samples["sqlite"]
    record(report, "compare_sqlite", sqlite)
    if "reference" in samples:
        ref = samples["reference"]
        record(report, "sqlite_utils", ref)
        ratio_row(report, "compare H20 H100 -f json (SQLite, cold)", runs, median(sqlite),
                  "sqlite-utils", median(ref), COMPARE_VS_REFERENCE)
    else:
        report.add("compare H20 H100 -f json (SQLite, cold)", runs, secs(median(sqlite)),
                   "sqlite-utils not installed: pip install -e '.[bench]'", None, False)
    limit_row(report, "compare peak RSS (largest of the runs)", runs, peak(sqlite),
              COMPARE_RSS_MIB, "MiB")
    if "reference" in samples:
        ref = samples["reference"]
        report.add('reference: sqlite-utils query DB "select 1"', runs, secs(median(ref)),
                   f"peak RSS {peak(ref):.1f} MiB")
    if "postgres" in samples:
        pg = samples["postgres"]
        record(report, "compare_postgres", pg)
        ratio_row(report, "compare H20 H100 -f json (PostgreSQL)", runs, median(pg),
                  "SQLite compare", median(sqlite), POSTGRES_VS_SQLITE)


def batches(report: Report, chipdb: list[str], env: dict[str, str], work: Path,
            runs: int, large: int) -> None:
    """what-if --batch - -f csv on 100 k (information: its peak RSS, for flatness), 1 M and
    ``large`` designs (2 M with --quick, else 10 M). Each input and its verdicts are deleted
    once counted, so the disk holds one size at a time (about 8 GB at 10 M)."""
    timings: dict[int, float] = {}
    warm = write_file(work / "designs-10k.csv", 10_000)
    cmd = [*chipdb, "what-if", "--batch", "-", "-f", "csv", "--as-of", "2026-12-01"]
    checked(run_once(cmd, env, None, warm), "what-if --batch")  # bytecode, NumPy, pyarrow
    for rows in (100_000, 1_000_000, large):
        need = rows * BATCH_BYTES_PER_ROW
        free = shutil.disk_usage(work).free
        if free < need * 1.2:  # the input and the verdicts, each deleted once counted
            raise BenchError(f"what-if --batch at {rows / 1e6:g} M needs about "
                             f"{need / 1e9:.1f} GB in {work.parent}, {free / 1e9:.1f} GB free: "
                             "set TMPDIR to a larger disk or give a smaller --large")
        csv_in = write_file(work / f"designs-{rows}.csv", rows)
        csv_out = work / f"verdicts-{rows}.csv"
        samples = [checked(run_once(cmd, env, csv_out, csv_in), "what-if --batch")
                   for _ in range(runs if rows == 1_000_000 else 1)]
        with csv_out.open(encoding="utf-8") as handle:
            lines = sum(1 for _ in handle)
        if lines != rows + 1:
            raise BenchError(f"what-if --batch wrote {lines - 1} rows for {rows} designs")
        csv_in.unlink()
        csv_out.unlink()
        timings[rows] = median(samples)
        report.data[f"batch_{rows}_s"] = median(samples)
        report.data[f"batch_{rows}_rss_mib"] = peak(samples)
        label = f"what-if --batch - -f csv, {rows / 1e6:g} M designs"
        if rows == 1_000_000:
            limit_row(report, label, len(samples), median(samples), BATCH_1M_S)
        else:
            report.add(label + " (information)", 1, secs(median(samples)))
        if rows < 1_000_000:
            report.add(f"  its peak RSS at {rows / 1e6:g} M (information)", 1,
                       f"{peak(samples):.1f} MiB")
        else:
            limit_row(report, f"  its peak RSS at {rows / 1e6:g} M", len(samples),
                      peak(samples), BATCH_RSS_MIB, "MiB")
    flat = report.data[f"batch_{large}_rss_mib"] / report.data["batch_100000_rss_mib"]
    report.add(f"what-if --batch peak RSS {large / 1e6:g} M / 0.1 M (information)", 1,
               f"{flat:.2f}×")
    scaling = timings[large] / timings[1_000_000]
    allowed = BATCH_SCALING * (large / 1_000_000) / 10  # linear: 11x for 10x the rows
    report.data["batch_scaling"] = scaling
    report.add(f"what-if --batch time {large / 1e6:g} M / 1 M", 1, f"{scaling:.2f}×",
               f"≤ {allowed:.2f}× (linear)", scaling / allowed, scaling <= allowed)


# released before 2026-01-15, so us-2026-01 can answer case-by-case (a design with no release
# date reads "case-by-case or presumption-of-denial" and has no frontier to keep)
DESIGN = ["--set", "die_area_mm2=800", "--set", "memory_bandwidth_gbps=4TB/s", "--set",
          "interconnect_gbps=900", "--set", "datacenter=true", "--set", "released=2025-06-01",
          "--as-of", "2026-12-01"]


def design_space(report: Report, chipdb: list[str], env: dict[str, str], runs: int) -> None:
    """sweep of 1 M grid points, frontier and headroom --set, each a cold process."""
    sweep = [*chipdb, "sweep", "--vary", "bf16_dense_tops=1..1000:1", "--vary",
             "die_area_mm2=101..1100:1", "--set", "memory_bandwidth_gbps=4TB/s", "--set",
             "datacenter=true", "--as-of", "2026-12-01", "-f", "csv"]
    frontier = [*chipdb, "frontier", "blank", "--set", "bf16_dense_tops=1000", *DESIGN,
                "--target", "us-2026-01=case-by-case", "--scale",
                "bf16_dense_tops,memory_bandwidth_gbps", "-f", "json"]
    headroom = [*chipdb, "headroom", "blank", "--set", "bf16_dense_tops=1000", *DESIGN,
                "-f", "json"]
    checked(run_once(frontier, env), "frontier")  # warm-up
    for name, cmd, limit, key in (("sweep of 1 M grid points -f csv", sweep, SWEEP_1M_S, "sweep"),
                                  ("frontier (blank --set ...)", frontier, FRONTIER_S,
                                   "frontier"),
                                  ("headroom blank --set ...", headroom, HEADROOM_SET_S,
                                   "headroom_set")):
        samples = [checked(run_once(cmd, env), name) for _ in range(runs)]
        record(report, key, samples)
        limit_row(report, name, runs, median(samples), limit)


# --- PostgreSQL ------------------------------------------------------------------------------


def pg_database(admin: str) -> tuple[str, str, Callable[[], None]] | str:
    """(name, SQLAlchemy URL, drop) of a new database, or why PostgreSQL is not used."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed: pip install -e '.[bench]'"
    try:
        with psycopg.connect(admin, connect_timeout=3, autocommit=True) as conn:
            name = f"chipdb_bench_{uuid.uuid4().hex[:10]}"
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return f"not reachable at {admin}: {first}"

    def drop() -> None:
        with psycopg.connect(admin, connect_timeout=5, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    rest = admin.split("://", 1)[1].rsplit("/", 1)[0]
    return name, f"postgresql+psycopg://{rest}/{name}", drop


# --- output ----------------------------------------------------------------------------------


def table(rows: Sequence[Row]) -> str:
    head = ("measurement", "runs", "median", "reference / target", "ratio", "result")
    body = [
        (r.name, "" if r.runs is None else str(r.runs), r.value, r.reference,
         "" if r.ratio is None else f"{r.ratio:.2f}",
         "" if r.ok is None else ("pass" if r.ok else "FAIL"))
        for r in rows
    ]
    widths = [max(len(line[i]) for line in (head, *body)) for i in range(len(head))]
    right = {1, 2, 4}

    def fmt(cells: Sequence[str]) -> str:
        return " | ".join(c.rjust(w) if i in right else c.ljust(w)
                          for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    rule = "-+-".join("-" * w for w in widths)
    return "\n".join([fmt(head), rule, *(fmt(line) for line in body)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Measure chipdb against the targets of "
                                     "issues 8 and 19.")
    parser.add_argument("--quick", action="store_true",
                        help="fewer repetitions (5 compares, 1 run of the rest)")
    parser.add_argument("--runs", type=int, help="cold compares per command (default 15)")
    parser.add_argument("--pg-admin", default=os.environ.get("CHIPDB_BENCH_PG", PG_ADMIN_DEFAULT),
                        help="PostgreSQL URL allowed to CREATE/DROP DATABASE "
                        f"(default {PG_ADMIN_DEFAULT}, or $CHIPDB_BENCH_PG)")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures here")
    parser.add_argument("--only", choices=("design-space",),
                        help="only the issue 19 measurements (batch, sweep, frontier, headroom "
                        "and the cold compare)")
    parser.add_argument("--large", type=int, help="the second batch size (default 10 M; "
                        "2 M with --quick)")
    args = parser.parse_args(argv)
    compare_runs = args.runs or (5 if args.quick else 15)
    runs = 1 if args.quick else 3

    chipdb = chipdb_command()
    sqlite_utils = sqlite_utils_command()
    report = Report()
    started = time.perf_counter()
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} at the start", flush=True)
    print(f"chipdb {version('chipdb')} | Python {platform.python_version()} | "
          f"typer {version('typer')} | pydantic {version('pydantic')} | "
          f"sqlite-utils {version('sqlite-utils')} | {platform.system()} {platform.machine()}, "
          f"{os.cpu_count()} CPUs", flush=True)
    with tempfile.TemporaryDirectory(prefix="chipdb-bench-") as tmp:
        work = Path(tmp)
        env = child_env(work, work / "data")
        db_file = work / "data" / "chipdb" / "chipdb.sqlite3"
        pg: tuple[str, str, Callable[[], None]] | str = "skipped (--no-postgres)"
        large = args.large or (2_000_000 if args.quick else 10_000_000)
        try:
            if args.only is None:
                first_runs(report, chipdb, work, runs)
            checked(run_once([*chipdb, "list", "-f", "json"], env), "chipdb list")  # prepare
            if not db_file.exists():
                raise BenchError(f"the embedded default database is not at {db_file}")
            if args.only is not None:
                compares(report, chipdb, sqlite_utils, env, db_file, None, compare_runs)
                batches(report, chipdb, env, work, runs, large)
                design_space(report, chipdb, env, runs)
                raise BenchError("")  # the rest is not asked for
            freshness(report, chipdb, env, compare_runs, 50 if args.quick else 200)
            if not args.no_postgres:
                pg = pg_database(args.pg_admin)
            pg_url = None
            if isinstance(pg, tuple):
                pg_url = pg[1]
                sample = checked(run_once([*chipdb, "--db", pg_url, "list", "-f", "json"], env),
                                 "first run on PostgreSQL")
                report.add("first run on PostgreSQL (information)", 1, secs(sample.seconds))
            compares(report, chipdb, sqlite_utils, env, db_file, pg_url, compare_runs)
            if isinstance(pg, str):
                report.add("compare H20 H100 -f json (PostgreSQL)", None, "not measured",
                           f"PostgreSQL {pg}")
            imports(report, env, ())
            batches(report, chipdb, env, work, runs, large)
            design_space(report, chipdb, env, runs)
        except BenchError as exc:
            if str(exc):
                report.notes.append(f"stopped early: {exc}")
        finally:
            if isinstance(pg, tuple):
                try:
                    pg[2]()
                except Exception as exc:  # a report, not a crash: say what is left behind
                    report.notes.append(f"could not drop PostgreSQL database {pg[0]}: {exc}")

    print()
    print(table(report.rows))
    print()
    print("ratio: measured / reference or limit; at most 1.00 (or the × shown) passes.")
    if RSS_FLOOR:
        report.notes.append(f"peak RSS is measured from a spawning interpreter of "
                            f"{max(RSS_FLOOR):.1f} MiB: no figure can read lower than that")
    for note in report.notes:
        print(f"note: {note}")
    targets = [r for r in report.rows if r.ok is not None]
    missed = [r.name for r in targets if not r.ok]
    if args.json is not None:
        report.data["missed"] = missed
        args.json.write_text(json.dumps(report.data, indent=2) + "\n", encoding="utf-8")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} at the end")
    report.data["load_average_end"] = os.getloadavg()
    elapsed = time.perf_counter() - started
    if missed:
        print(f"chipdb bench: {len(missed)} of {len(targets)} targets missed "
              f"({elapsed:.0f} s): {'; '.join(missed)}")
    else:
        print(f"chipdb bench: all {len(targets)} targets met ({elapsed:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
