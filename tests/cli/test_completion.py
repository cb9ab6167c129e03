"""Shell completion: chip names with spaces come back as bash must insert them, through the
protocol the installed script speaks (COMP_WORDS, COMP_CWORD, _CHIPDB_COMPLETE) and in a real
bash; a missing or unreachable database gives nothing at once, never a seeding or a
traceback."""

from __future__ import annotations

import io
import os
import re
import select
import shutil
import subprocess
import sys
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from chipdb.cli import completion, main
from chipdb.store.url import DatabaseUrl

BIN = Path(sys.executable).parent  # where this environment's `chipdb` script is


def complete(monkeypatch: pytest.MonkeyPatch, *words: str, db: DatabaseUrl | None = None,
             instruction: str = "complete_bash") -> tuple[list[str], str]:
    """What `chipdb` prints for <TAB> after ``words`` (the last one is being completed), as
    the script of `chipdb --show-completion bash` asks: the words joined by newlines."""
    line = ["chipdb", *words]
    monkeypatch.setenv("_CHIPDB_COMPLETE", instruction)
    monkeypatch.setenv("COMP_WORDS", "\n".join(line))
    monkeypatch.setenv("COMP_CWORD", str(len(line) - 1))
    if db is not None:
        monkeypatch.setenv("CHIPDB_DATABASE_URL", db.url)
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err), pytest.raises(SystemExit) as stop:
        main([])
    assert stop.value.code == 0, err.getvalue()
    return [line for line in out.getvalue().splitlines() if line], err.getvalue()


def test_the_installed_script_speaks_this_protocol() -> None:
    script = subprocess.run([sys.executable, "-m", "chipdb", "--show-completion", "bash"],
                            capture_output=True, text=True, timeout=60, check=True).stdout
    assert "_CHIPDB_COMPLETE=complete_bash" in script
    assert 'COMP_WORDS="${COMP_WORDS[*]}"' in script and "IFS=$'\n'" in script


@pytest.mark.parametrize(("words", "expected"), [
    (["show", "Data"], ["Data\\ Center\\ GPU\\ Max\\ 1100", "Data\\ Center\\ GPU\\ Max\\ 1350",
                        "Data\\ Center\\ GPU\\ Max\\ 1550"]),
    (["show", "Data\\ Center\\ GPU\\ Max\\ 11"], ["Data\\ Center\\ GPU\\ Max\\ 1100"]),
    (["show", '"Data Center GPU Max 1'], ["Data Center GPU Max 1100",
                                          "Data Center GPU Max 1350",
                                          "Data Center GPU Max 1550"]),  # inside the quote
    (["show", "'H20 9"], ["H20 96GB"]),
    (["compare", "H20\\ 96GB", "H100\\ "], ["H100\\ NVL", "H100\\ PCIe", "H100\\ SXM"]),
    (["list", "--rule", "us-2025-0"], ["us-2025-01-diffusion", "us-2025-01-foundry",
                                        "us-2025-04-h20", "us-2025-05-guidance"]),
])
def test_bash_gets_each_name_as_one_shell_word(db: DatabaseUrl, monkeypatch: pytest.MonkeyPatch,
                                               words: list[str], expected: list[str]) -> None:
    got, err = complete(monkeypatch, *words, db=db)
    assert got == expected and err == ""


def test_every_candidate_is_one_word_that_names_the_chip(
        db: DatabaseUrl, monkeypatch: pytest.MonkeyPatch) -> None:
    import shlex

    from chipdb.service.session import open_session_if_ready

    got, _ = complete(monkeypatch, "show", "", db=db)
    with open_session_if_ready(db) as s:
        assert s is not None
        chips = list(s.names.chips)
    assert [shlex.split(word) for word in got] == [[c] for c in chips]
    assert any(" " in c for c in chips)


def test_db_on_the_command_line_is_the_one_completed(
        db: DatabaseUrl, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))  # the default database: none
    monkeypatch.delenv("CHIPDB_DATABASE_URL", raising=False)
    assert complete(monkeypatch, "show", "H20\\ 9")[0] == []
    assert complete(monkeypatch, "--db", db.url, "show", "H20\\ 9")[0] == ["H20\\ 96GB"]


@pytest.mark.parametrize("url", [None, "postgresql://nobody@127.0.0.1:9/chipdb"])
def test_no_database_yet_completes_nothing_at_once_and_creates_none(
        tmp_path: Path, url: str | None) -> None:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path), "_CHIPDB_COMPLETE": "complete_bash",
           "COMP_WORDS": "chipdb\nshow\nH2", "COMP_CWORD": "2"}
    env.pop("CHIPDB_DATABASE_URL", None)
    if url is not None:
        env["CHIPDB_DATABASE_URL"] = url
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "chipdb"], env=env, capture_output=True,
                          text=True, timeout=60)
    took = time.monotonic() - started
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "", "")
    assert list(tmp_path.iterdir()) == []  # nothing created, nothing seeded
    assert took < 15, took  # seeding takes minutes; this is an import and a look


def test_a_slow_read_is_given_up(db: DatabaseUrl, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(completion, "TIME_LIMIT_S", 0.3)
    monkeypatch.setenv("CHIPDB_DATABASE_URL", db.url)
    started = time.monotonic()
    assert completion.candidates(None, "", lambda _s: time.sleep(5) or ["never"]) == []
    assert time.monotonic() - started < 3


@pytest.mark.parametrize(("value", "quote", "word"), [
    ("H20 96GB", "", "H20\\ 96GB"),
    ("RTX 4090 D", "", "RTX\\ 4090\\ D"),
    ("it's $HOME `x`", "", "it\\'s\\ \\$HOME\\ \\`x\\`"),
    ('a "b" $c', '"', 'a \\"b\\" \\$c'),
    ("it's", "'", "it'\\''s"),
    ("MI300X", "", "MI300X"),
])
def test_bash_word_quotes_like_the_shell_reads(value: str, quote: str, word: str) -> None:
    assert completion.bash_word(value, quote) == word
    if quote == "":
        assert subprocess.run(["bash", "-c", f"printf %s {word}"], capture_output=True,
                              text=True).stdout == value


def _bash_tab(typed: str, env: dict[str, str]) -> list[str]:
    """Type ``typed`` and <TAB> in an interactive bash with chipdb's completion installed,
    then run the line as ``printf '<%s>\\n' ...``: the words bash would have passed."""
    import pty

    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover  (the child)
        os.execvpe("bash", ["bash", "--norc", "--noprofile", "-i"], env)

    def read_until(pattern: bytes, timeout: float = 60) -> bytes:
        buf, end = b"", time.monotonic() + timeout
        while time.monotonic() < end:
            if select.select([fd], [], [], 0.2)[0]:
                try:
                    buf += os.read(fd, 4096)
                except OSError:
                    break
                if re.search(pattern, buf, re.S):
                    return buf
        raise AssertionError(f"bash did not answer: {buf!r}")

    try:
        os.write(fd, b'PS1="$ "; eval "$(chipdb --show-completion bash)"; echo READY\n')
        read_until(rb"READY\r?\n")
        os.write(fd, typed.encode() + b"\t")
        time.sleep(0.3)
        os.write(fd, b"\x01printf '<%s>\\n' \r")  # Ctrl-A: print the words, not run them
        out = read_until(rb"<chipdb>\r?\n.*\$ ")
        os.write(fd, b"exit\n")
    finally:
        os.waitpid(pid, 0)
        os.close(fd)
    words = re.findall(rb"<([^>\r\n]*)>\r?\n", out.split(b"<chipdb>", 1)[1])
    return [w.decode() for w in words]


@pytest.mark.parametrize(("typed", "words"), [
    ("chipdb show Data\\ Center\\ GPU\\ Max\\ 11", ["show", "Data Center GPU Max 1100"]),
    ('chipdb show "Data Center GPU Max 13', ["show", "Data Center GPU Max 1350"]),
    ("chipdb show 'H20 9", ["show", "H20 96GB"]),
    ("chipdb compare H20\\ 9", ["compare", "H20 96GB"]),
])
def test_in_a_real_bash_a_name_with_spaces_completes_to_one_argument(
        sqlite_db: DatabaseUrl, typed: str, words: list[str]) -> None:
    if shutil.which("bash") is None or not (BIN / "chipdb").exists():
        pytest.skip("needs bash and the chipdb script")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
           "CHIPDB_DATABASE_URL": sqlite_db.url, "TERM": "dumb", "INPUTRC": "/dev/null"}
    assert _bash_tab(typed, env) == words
