"""A closed pipe ends the output quietly (exit 0); a full disk is one line (exit 1)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from chipdb.store.url import DatabaseUrl

CASES = [
    ["list"],
    ["list", "-f", "csv"],
    ["list", "-f", "json"],
    ["compare", "H20", "H100", "-f", "json"],
    ["compare", "H20", "H100", "-f", "csv"],
    ["what-if", "--batch", "{batch}", "-f", "csv"],
    ["plot", "H20", "H100"],
    ["export"],
]


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("batch") / "designs.csv"
    path.write_text("name,tpp\n" + "".join(f"d{i},{i}\n" for i in range(2000)),
                    encoding="utf-8")
    return path


def _argv(db: DatabaseUrl, args: list[str], batch: Path) -> list[str]:
    return [sys.executable, "-m", "chipdb", "--db", db.url,
            *(a.format(batch=batch) for a in args)]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("args", CASES, ids=" ".join)
def test_full_disk_is_one_line(sqlite_db: DatabaseUrl, batch: Path, args: list[str]) -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run(_argv(sqlite_db, args, batch), stdout=full, stderr=subprocess.PIPE,
                              text=True, timeout=120)
    errors = [line for line in done.stderr.splitlines() if "error" in line]
    assert done.returncode == 1, done.stderr
    assert errors == ["chipdb: error: cannot write the output (No space left on device): free "
                      "some space or write somewhere else"], done.stderr


@pytest.mark.parametrize("args", CASES, ids=" ".join)
def test_closed_pipe_ends_quietly(sqlite_db: DatabaseUrl, batch: Path, args: list[str]) -> None:
    proc = subprocess.Popen(_argv(sqlite_db, args, batch), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    proc.stdout.close()  # the reader is gone before chipdb writes a byte
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "error" not in err and "Exception" not in err, err
