"""The document of `chipdb changes`: what changed between two days, one section per kind."""

from __future__ import annotations

from typing import Any

from chipdb.render.document import Document, Section


def changes_document(data: dict[str, Any]) -> Document:
    """``data`` is ``service.changes.changes_json``; CSV carries the verdict changes."""
    window = f"{data['since'] or 'the start'} to {data['until'] or 'today'}"
    where = f" for {data['to']}" if data["to"] else ""
    bottom = [{**r, "licence": f"{_yes(r['license_before'])} → {_yes(r['license_after'])}",
               "review": f"{r['review_before'] or '—'} → {r['review_after'] or '—'}"}
              for r in data["bottom_lines"]]
    verdicts = [{**r, "change": f"{r['before']} → {r['after']}"} for r in data["verdicts"]]
    return Document([
        Section(f"Rules entering or leaving force, {window}",
                ["day", "rule", "change", "status", "title", "citation"], data["rules"]),
        Section("Country Group changes", ["day", "code", "name", "group", "change"],
                data["groups"]),
        Section("Policy events", ["day", "event", "kind", "jurisdiction", "title", "evidence",
                                  "rule"], data["events"],
                note="unverified events say what is missing in JSON (-f json)"),
        Section(f"Bottom lines that changed{where}",
                ["day", "chip", "destination", "buyer_hq", "licence", "review", "decided_by"],
                bottom, labels={"licence": "licence required", "review": "review policy"}),
        Section("Verdicts that changed", ["day", "chip", "rule", "change"], verdicts),
    ], payload=data, csv_section=4)


def _yes(v: bool | None) -> str:
    return "?" if v is None else "yes" if v else "no"
