"""The layout of ``chipdb check``: one screen per chip, one row per destination class."""

from __future__ import annotations

from typing import Any

from chipdb.outcomes import SEVERAL
from chipdb.policy import decided_by
from chipdb.render import Document, Section
from chipdb.render.layouts import confidence_text
from chipdb.units import fmt_number

_WORD = {True: "YES", False: "no", None: "undetermined"}


def licence_word(value: bool | None) -> str:
    return _WORD[value]


def binding_text(b: dict[str, Any] | None) -> str:
    if not b:
        return ""
    value = "?" if b["value"] is None else fmt_number(b["value"])
    return (f"{b['metric']} {value} vs {fmt_number(b['threshold'])} "
            f"({b['margin_pct']:+.1f}%, {b['rule']} {b['clause']})")


def basis_text(basis: list[dict[str, Any]]) -> str:
    parts = []
    for b in basis:
        clause = f" {b['clause']}" if b.get("clause") else ""
        span = f"{b.get('effective') or '?'}–{b.get('ended') or ''}"
        note = f"; {b['note']}" if b.get("note") else ""
        parts.append(f"{b['rule']}{clause}: {b['outcome']} ({b['citation']}; in force {span}"
                     f"{note})")
    return "\n".join(parts)


def measures_text(measures: list[dict[str, Any]]) -> str:
    out = []
    for m in measures:
        extra = [x for x in (m.get("status"), m.get("note")) if x]
        out.append(f"{m['rule']}: {m['outcome']} [{m['layer']}]"
                   + (f" ({'; '.join(extra)})" if extra else ""))
    return "\n".join(out)


def _open_basis(a: dict[str, Any]) -> bool:
    """Whether a deciding clause is several a range leaves possible ("3A090.a.2 or ...")."""
    return any(SEVERAL in (b.get("clause") or b.get("outcome") or "") for b in a["basis"])


def answer_row(a: dict[str, Any]) -> dict[str, Any]:
    """One answer's cells as the table shows them (the web's check page reads the same)."""
    needed = a["license_required"]
    if needed is False:
        exceptions = review = "- (no licence needed)"
    else:
        exceptions = ", ".join(a["exceptions"]) or "none"
        review = a["review_policy"] or "none set by a rule chipdb models"
    binding = binding_text(a["binding_margin"]) or (
        ("none: every clause the ranges leave possible requires one" if _open_basis(a)
         else "none: decided by a name or a flag, not a line") if needed else "none")
    return {
        "destination": a["destination"], "party_hq": a["party_hq"] or "",
        "license_required": licence_word(needed), "exceptions": exceptions,
        "review_policy": review, "basis": basis_text(a["basis"]), "binding_margin": binding,
        "confidence": confidence_text(a["confidence"]), "since": a["since"],
        "license_required_since": a["license_required_since"],
        "measures": measures_text(a["measures"]) or "none",
    }


_COLUMNS = ["destination", "license_required", "license_required_since", "exceptions",
            "review_policy", "basis", "binding_margin", "confidence", "since", "measures"]
_LABELS = {"license_required": "licence required?", "review_policy": "review policy",
           "license_required_since": "licence answer since",
           "since": "whole answer since",
           "binding_margin": "binding margin", "basis": "deciding rule and clause",
           "measures": "other measures in force"}
_SHORT = ["destination", "license_required", "exceptions", "review_policy", "decided_by",
          "since"]
_SHORT_LABELS = {"license_required": "licence?", "review_policy": "review policy",
                 "decided_by": "decided by"}


def _decided_by(a: dict[str, Any]) -> str:
    return decided_by(a["basis"])


def _detail(a: dict[str, Any]) -> list[dict[str, Any]]:
    """One answer read top to bottom, in the order of the layers."""
    row = answer_row(a)
    return [{"question": _LABELS.get(k, k.replace("_", " ")), "answer": row[k]}
            for k in _COLUMNS if k != "destination"]


_MERGED = (" Classes of destination with the same answer share a row (since: the latest "
           "of theirs); -f json and -f csv list each class.")


def _differing(rows: list[dict[str, Any]], answers: list[dict[str, Any]]
               ) -> list[dict[str, Any]]:
    """One row per answer that differs: destination classes (for the same buyer) whose
    answer reads the same are named together in one row, in the order of their first."""
    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row, a in zip(rows, answers, strict=True):
        key = (a["buyer_hq_class"], *(row[k] for k in _SHORT if k not in ("destination",
                                                                           "since")))
        found = merged.get(key)
        if found is None:
            merged[key] = dict(row)
            continue
        found["destination"] += f"; {row['destination']}"
        found["since"] = max(found["since"], row["since"])
    return list(merged.values())


def check_document(answers: list[dict[str, Any]]) -> Document:
    """Per chip one screen: one answer read top to bottom, or, for several destination
    classes, one row each. The JSON payload is the contract (a list, one object per chip ×
    destination); CSV carries one flat table of every answer."""
    chips = list(dict.fromkeys(a["chip"] for a in answers))
    sections = []
    for chip in chips:
        mine = [a for a in answers if a["chip"] == chip]
        hq = mine[0]["party_hq"]
        note = (f"as of {mine[0]['as_of']}; buyer headquartered in "
                f"{hq or 'a country outside D:5/Macau (not given)'}; exports from the US. "
                "`chipdb check CHIP --to CC` shows one answer in full.")
        if len(mine) == 1:
            a = mine[0]
            sections.append(Section(f"{chip} to {a['destination']}: is a licence required?",
                                    ["question", "answer"], _detail(a), note=note, flat=True))
            continue
        rows = _differing([{**answer_row(a), "decided_by": _decided_by(a)} for a in mine],
                          mine)
        sections.append(Section(f"{chip}: is a licence required? (one row per class of "
                                "destination whose answer differs)", _SHORT, rows,
                                labels=_SHORT_LABELS, note=note + _MERGED, flat=True))
    flat = [{"chip": a["chip"], "as_of": a["as_of"], **answer_row(a)} for a in answers]
    sections.append(Section("bottom line", ["chip", "as_of", "party_hq", *_COLUMNS], flat))
    return Document(sections, payload=answers, csv_section=len(chips),
                    table_sections=len(chips))


def outcomes_document(layers: list[dict[str, Any]], words: list[dict[str, Any]]) -> Document:
    """`chipdb rules --outcomes`: the layers in order, then every outcome word."""
    return Document([
        Section("layers, in the order the bottom line composes them",
                ["layer", "role", "title", "meaning"], layers),
        Section("outcome words", ["outcome", "layer", "severity", "meaning", "used_by"], words,
                labels={"used_by": "used by"}),
    ], payload={"layers": layers, "outcomes": words}, csv_section=1)


def bottom_line_rows(answers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One short row per answer, for the commands that lead with the bottom line."""
    return [{"chip": a["chip"], "destination": a["destination"],
             "license_required": licence_word(a["license_required"]),
             "exceptions": ", ".join(a["exceptions"]), "review_policy": a["review_policy"] or "",
             "decided_by": _decided_by(a), "binding_margin": binding_text(a["binding_margin"]),
             "since": a["since"]} for a in answers]


def _leading(doc: Document, section: Section, bottom_line: list[dict[str, Any]]) -> Document:
    """``doc`` with ``section`` first in the table and markdown and a ``bottom_line`` key
    first in a JSON object (CSV keeps the command's own table)."""
    payload = doc.payload
    if isinstance(payload, dict):
        payload = {"bottom_line": bottom_line, **payload}
    return Document([section, *doc.sections], payload=payload,
                    csv_section=doc.csv_section + 1,
                    table_sections=None if doc.table_sections is None
                    else doc.table_sections + 1)


def lead_with(doc: Document, answers: list[dict[str, Any]], title: str) -> Document:
    """The same document with the bottom line first: a section in the table and markdown,
    a ``bottom_line`` key in a JSON object (CSV keeps the command's own table)."""
    section = Section(title, ["chip", "license_required", "exceptions", "review_policy",
                              "decided_by", "binding_margin", "since"],
                      bottom_line_rows(answers), labels={**_SHORT_LABELS,
                                                         "binding_margin": "binding margin"})
    return _leading(doc, section, answers)


def history_document(doc: Document, rows: list[dict[str, Any]], title: str) -> Document:
    """`timeline --to`: the bottom line's periods first, then the verdicts."""
    section = Section(title, ["from", "to", "license_required", "exceptions", "review_policy",
                              "decided_by"],
                      [{**r, "license_required": licence_word(r["license_required"]),
                        "exceptions": ", ".join(r["exceptions"])} for r in rows],
                      labels=_SHORT_LABELS)
    return _leading(doc, section, rows)


def with_licence_column(doc: Document, asked: str = "") -> Document:
    """`list --to`: the licence answer right after the chip's name (the word in ``licence``,
    the JSON value stays ``license_required`` true / false / null); ``asked`` says for which
    destination, buyer and day (the table's note)."""
    for section in doc.sections:
        if asked:
            section.note = " ".join(x for x in (f"licence?: {asked}.", section.note) if x)
        cols = list(section.columns)
        section.columns = [cols[0], "licence", "decided_by", *cols[1:]]
        section.labels = {**section.labels, "licence": "licence?", "decided_by": "decided by"}
        section.rows = [{**row, "licence": licence_word(row.get("license_required"))}
                        for row in section.rows]
    return doc
