"""The web package's shape: one function writes JSON (so the envelope lands in one place),
templates escape, and the templates and static files ship inside the package."""

from __future__ import annotations

import ast
from pathlib import Path

import chipdb.web

WEB = Path(chipdb.web.__file__).parent


def test_only_respond_writes_json_or_builds_responses_from_text() -> None:
    offenders = []
    for path in WEB.glob("*.py"):
        if path.name == "respond.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            name = node.attr if isinstance(node, ast.Attribute) else \
                node.id if isinstance(node, ast.Name) else None
            if name in ("JSONResponse", "dumps", "dump", "PlainTextResponse"):
                offenders.append(f"{path.name}:{node.lineno} {name}")
    assert offenders == []


def test_templates_and_static_files_are_package_data() -> None:
    names = {p.name for p in (WEB / "templates").iterdir()}
    assert {"base.html", "index.html", "chip.html", "compare.html", "check.html",
            "what_if.html", "rules.html", "rule.html", "map.html", "error.html"} <= names
    assert (WEB / "static" / "style.css").is_file()


def test_no_template_turns_escaping_off() -> None:
    for path in (WEB / "templates").iterdir():
        text = path.read_text(encoding="utf-8")
        assert "|safe" not in text and "autoescape false" not in text, path.name
