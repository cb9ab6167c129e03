"""Small helpers for tests: run the CLI in-process and capture its streams."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from typing import Any

from chipdb.cli import main
from chipdb.store.url import DatabaseUrl


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def run(db: DatabaseUrl | None, *args: str) -> Result:
    out, err = io.StringIO(), io.StringIO()
    argv = (["--db", db.url] if db is not None else []) + list(args)
    with redirect_stdout(out), redirect_stderr(err):
        code = main(argv)
    return Result(code, out.getvalue(), err.getvalue())
