"""`chipdb serve` under load, on loopback only: 20 concurrent clients, a bounded number of
requests per endpoint; throughput and p50/p99 latency (target of issue 18: p99 <= 100 ms for
/api/compare on SQLite).

    pip install -e '.[web]'
    python bench/web_load.py                    # 20 clients x 2000 requests per endpoint
    python bench/web_load.py --requests 500 --clients 20 --json web.json

The server is a separate process (``python -m chipdb serve``) on a free 127.0.0.1 port, on a
SQLite database in a temporary data directory (the user's database is never touched), or on
``--db URL``. The clients are threads holding one keep-alive connection each. The machine's
load average and the server's CPU time are printed with the figures, since other work on the
machine moves them. Always exits 0: it is a report.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"  # loopback only, whatever the options
TARGET_P99_MS = 100.0
TARGET_PATH = "/api/compare?chips=H20,H100"
ENDPOINTS = (TARGET_PATH, "/api/list", "/api/show?chip=H100", "/chip/H100%20SXM", "/")


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def start_server(data_home: Path, port: int, workers: int,
                 db: str | None = None) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "CHIPDB_DATABASE_URL"}
    env["XDG_DATA_HOME"] = str(data_home)
    command = [sys.executable, "-m", "chipdb", "serve", "--host", HOST, "--port", str(port),
               "--workers", str(workers), *(["--db", db] if db else [])]
    proc = subprocess.Popen(command, env=env, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return proc
        except OSError:
            if proc.poll() is not None:
                err = proc.stderr.read().decode() if proc.stderr else ""
                raise SystemExit(f"web_load: the server did not start: {err.strip()}") from None
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("web_load: the server did not start within 120 s")


def uncached(path: str, total: int) -> list[str]:
    """``total`` URLs that ask the same as ``path`` on ``total`` different days, so that none
    is answered from the server's cache (one URL, one day, one catalogue: one answer)."""
    first = date(2023, 1, 1)
    sep = "&" if "?" in path else "?"
    return [f"{path}{sep}as_of={first + timedelta(days=i)}" for i in range(total)]


def hammer(port: int, path: str, clients: int, total: int,
           fresh: bool = False) -> dict[str, Any]:
    """``total`` GETs of ``path`` shared by ``clients`` threads (with ``fresh``, each for
    another day: see ``uncached``); latencies in ms."""
    paths = uncached(path, total) if fresh else [path] * total
    latencies: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()
    counter = iter(range(total))

    def client() -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        mine: list[float] = []
        bad: list[int] = []
        while True:
            with lock:
                index = next(counter, None)
            if index is None:
                break
            start = time.perf_counter()
            conn.request("GET", paths[index])
            response = conn.getresponse()
            response.read()
            mine.append((time.perf_counter() - start) * 1000)
            if response.status != 200:
                bad.append(response.status)
        conn.close()
        with lock:
            latencies.extend(mine)
            failures.extend(bad)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "path": path + (" (uncached)" if fresh else ""), "requests": len(latencies),
        "failures": len(failures),
        "seconds": round(elapsed, 2), "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 1),
        "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 1),
        "max_ms": round(latencies[-1], 1),
    }


def server_cpu(pid: int) -> float:
    """User + system CPU seconds of the server and its worker processes so far (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0.0
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(server_cpu(int(c)) for c in children)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--requests", type=int, default=2000, help="per endpoint")
    ap.add_argument("--workers", type=int, default=1, help="chipdb serve --workers")
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--only-target", action="store_true", help="only /api/compare")
    ap.add_argument("--uncached", action="store_true",
                    help="also each endpoint with a different as_of per request, so every "
                         "answer is computed (the cache keeps the name index only)")
    ap.add_argument("--json", help="also write the figures to this file")
    ap.add_argument("--db", help="serve this database URL instead of a new SQLite one "
                                 "(e.g. a PostgreSQL database made with `chipdb db upgrade`)")
    args = ap.parse_args()

    results = []
    with tempfile.TemporaryDirectory(prefix="chipdb-web-load-") as tmp:
        port = free_port()
        proc = start_server(Path(tmp), port, args.workers, args.db)
        try:
            load_before = os.getloadavg()
            for path in (TARGET_PATH,) if args.only_target else ENDPOINTS:
                hammer(port, path, args.clients, args.warmup)
                for fresh in (False, True) if args.uncached else (False,):
                    if fresh and path.startswith("/api/show"):
                        continue  # a chip's claims do not depend on the day
                    cpu0 = server_cpu(proc.pid)
                    row = hammer(port, path, args.clients, args.requests, fresh)
                    row["server_cpu_s"] = round(server_cpu(proc.pid) - cpu0, 2)
                    results.append(row)
            load_after = os.getloadavg()
        finally:
            proc.terminate()
            proc.wait(10)
    own = resource.getrusage(resource.RUSAGE_SELF)
    conditions = {
        "cpus": os.cpu_count(), "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in load_after], "clients": args.clients,
        "client_cpu_s": round(own.ru_utime + own.ru_stime, 2),
        "engine": args.db.split(":", 1)[0].split("+", 1)[0] if args.db else "sqlite",
        "server": f"python -m chipdb serve --workers {args.workers}",
    }
    print(f"{'endpoint':45} {'req':>6} {'fail':>4} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} "
          f"{'max ms':>7} {'srv cpu s':>9}")
    for r in results:
        print(f"{r['path']:45} {r['requests']:>6} {r['failures']:>4} {r['rps']:>7} "
              f"{r['p50_ms']:>7} {r['p99_ms']:>7} {r['max_ms']:>7} {r['server_cpu_s']:>9}")
    print(f"conditions: {json.dumps(conditions)}")
    for target in (r for r in results if r["path"].split(" ")[0] == TARGET_PATH):
        verdict = ("pass" if target["p99_ms"] <= TARGET_P99_MS and not target["failures"]
                   else "MISSED")
        print(f"target p99 <= {TARGET_P99_MS:g} ms on {target['path']}: {target['p99_ms']} ms, "
              f"{verdict}")
    if args.json:
        Path(args.json).write_text(json.dumps({"results": results, "conditions": conditions},
                                              indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
