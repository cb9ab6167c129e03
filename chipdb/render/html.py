"""HTML: a self-contained, printable report of a document: one file, no external request.

The page carries its own styles (no font, script or image is fetched), the provenance stamp
(which chipdb, which catalogue, when, as of when), every section as a table, and the figures
(the threshold map) inline as SVG. Data text is escaped (``html.escape`` over ``printable``);
a cell that is an http(s) address becomes a link; line breaks inside a cell are kept.
"""

from __future__ import annotations

import html
from typing import Any, TextIO

from chipdb.render.document import Document, Section, cell_text
from chipdb.render.output import current
from chipdb.render.styles import terminal_style
from chipdb.safetext import printable

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f23;
margin:2rem auto;max-width:72rem;padding:0 1rem}
h1{font-size:1.5rem;margin:0 0 .3rem}h2{font-size:1.15rem;margin:1.6rem 0 .4rem}
.stamp{color:#555;font-size:.85rem;border-bottom:1px solid #ccc;padding-bottom:.5rem}
table{border-collapse:collapse;margin:.3rem 0 .6rem;width:100%}
th,td{border:1px solid #d0d7de;padding:.25rem .45rem;text-align:left;vertical-align:top}
th{background:#f3f4f6}td{overflow-wrap:anywhere}
.controlled{color:#a40e26;font-weight:600}.clear{color:#116329}.unknown{color:#9a6700}
.note{color:#444;font-size:.9rem}figure{margin:1rem 0}figure svg{max-width:100%;height:auto}
footer{margin-top:2rem;color:#555;font-size:.8rem;border-top:1px solid #ccc;padding-top:.5rem}
@media print{body{margin:0;max-width:none;font-size:10pt}h2{break-after:avoid}
tr{break-inside:avoid}a{color:inherit}}
"""
_STYLE_CLASS = {"red": "controlled", "green": "clear", "yellow": "unknown"}


def text(value: str) -> str:
    """Data text as HTML: escaped, control characters visible, line breaks kept."""
    return html.escape(printable(value, newlines=True)).replace("\n", "<br>")


def _cell(value: Any) -> str:
    shown = cell_text(value)
    if isinstance(value, str) and value.startswith(("https://", "http://")) \
            and not any(c.isspace() for c in value):
        return f'<a href="{html.escape(value, quote=True)}">{text(shown)}</a>'
    return text(shown)


def _cell_class(shown: str) -> str:
    style = terminal_style(shown.rsplit(" → ", 1)[-1])
    found = next((c for key, c in _STYLE_CLASS.items() if key in style), "")
    return f' class="{found}"' if found else ""


def _section(section: Section) -> str:
    parts = [f"<section><h2>{text(section.title)}</h2>" if section.title else "<section>"]
    cols = list(section.columns)
    parts.append("<table><thead><tr>" + "".join(
        f"<th>{text(section.labels.get(c, c))}</th>" for c in cols) + "</tr></thead><tbody>")
    for row in section.rows:
        cells = []
        for i, c in enumerate(cols):
            value = row.get(c)
            klass = _cell_class(cell_text(value)) if i else ""
            cells.append(f"<td{klass}>{_cell(value)}</td>")
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</tbody></table>")
    if section.note:
        parts.append(f'<p class="note">{text(section.note)}</p>')
    parts.append("</section>")
    return "".join(parts)


def stamp_text(stamp: dict[str, Any] | None) -> str:
    """The provenance stamp as one line a reader can cite."""
    if not stamp:
        return ""
    cat = stamp.get("catalogue") or {}
    fingerprint = str(cat.get("fingerprint") or "unknown")[:12]
    as_of = f"; rules as of {stamp['as_of']}" if stamp.get("as_of") else ""
    return (f"chipdb {stamp.get('chipdb_version')}; catalogue {fingerprint}, sources checked "
            f"up to {cat.get('updated') or 'unknown'}; generated {stamp.get('generated_at')}"
            f"{as_of}")


def page(doc: Document, stamp: dict[str, Any] | None, command: str) -> str:
    title = doc.title or (f"chipdb {command}" if command else "chipdb")
    body = [f"<header><h1>{text(title)}</h1>"]
    if stamp:
        body.append(f'<p class="stamp">{text(stamp_text(stamp))}</p>')
    body.append("</header>")
    body += [_section(s) for s in doc.shown]
    for caption, svg in doc.figures:
        body.append(f"<figure>{svg}<figcaption>{text(caption)}</figcaption></figure>")
    body.append("<footer>Exports from the United States; a research tool, not legal advice. "
                "Every figure is sourced (publisher, tier, access date); cite the sources and "
                "the stamp above.</footer>")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{text(title)}</title><style>{_CSS}</style></head><body>"
            + "\n".join(body) + "</body></html>\n")


def render(doc: Document, out: TextIO) -> None:
    run = current()
    out.write(page(doc, run.provenance if run else None, run.command if run else ""))
