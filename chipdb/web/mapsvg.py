"""``/map.svg``: the CLI's threshold map (``chipdb plot --out x.svg``) with hover titles.

The plot package collects the data and draws the figure; this module only adds, over each
point, a transparent circle whose ``<title>`` names the chips and their verdict (browsers show
it on hover), the recipe of matplotlib's own SVG tooltip example. matplotlib is an optional
extra: without it the answer is a 501 with one line.
"""

from __future__ import annotations

import io
import threading
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from starlette.requests import Request
from starlette.responses import Response

from chipdb.service.database import Database, as_of_day
from chipdb.web.access import Params, Settings, run
from chipdb.web.respond import fail

INSTALL = "the map needs matplotlib on the server: pip install 'chipdb[plot]'"
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"
# plot.image.to_file's settings: text kept as text, drawn literally (no mathtext from data)
_RC: dict[str, Any] = {"svg.fonttype": "none", "svg.hashsalt": "chipdb", "font.size": 9,
                       "text.parse_math": False}
_DRAWING = threading.Lock()  # pyplot keeps global state: one figure at a time


def collect(db: Database, p: Params) -> Any:
    """The map's data, as ``chipdb plot`` collects it (service.plot) and builds it (plot)."""
    from chipdb.plot.data import build
    from chipdb.service.catalogue import rule_id
    from chipdb.service.plot import plot_inputs

    names = p.many("chips")
    chips = list(dict.fromkeys(r.chip for r in db.resolve(names))) if names else None
    typed = p.text("rule")
    rule = rule_id(db.session, typed, "/rules lists them") if typed else None
    return build(**plot_inputs(db.session, chips, rule, p.text("metric"),
                               as_of_day(p.text("as_of"))))


def svg_text(data: Any) -> str:
    """The map as SVG text, with a hover title over every point."""
    import matplotlib

    mpl: Any = matplotlib
    mpl.use("Agg")
    import matplotlib.pyplot as plt

    from chipdb.plot.image import _draw  # the figure `chipdb plot --out` saves

    with _DRAWING, mpl.rc_context(_RC):
        fig = _draw(plt, data)
        try:
            ax = fig.axes[0]
            height = fig.bbox.height
            scale = 72.0 / fig.dpi  # matplotlib writes SVG in points
            spots = []
            for point in data.points:
                px, py = ax.transData.transform((point.x, point.y))
                spots.append((px * scale, (height - py) * scale, point))
            buf = io.StringIO()
            fig.savefig(buf, format="svg", metadata={"Date": None})
        finally:
            plt.close(fig)
    tips = "".join(
        f'<circle cx="{x:.2f}" cy="{y:.2f}" r="7" fill="#000" fill-opacity="0.001">'
        f"<title>{escape(' / '.join(p.chips))}: {escape(p.outcome)}</title></circle>"
        for x, y, p in spots)
    title = f"<title>{escape(data.heading)}</title>"
    text = buf.getvalue()
    at = text.rindex("</svg>")
    head = text.index(">", text.index("<svg")) + 1
    return (text[:head] + title + text[head:at]
            + f'<g id="chipdb-hover" aria-label={quoteattr("chips")}>{tips}</g>' + text[at:])


async def map_svg(request: Request) -> Response:
    p = Params(request, ("rule", "chips", "metric", "as_of"))
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return fail(501, INSTALL)
    settings: Settings = request.app.state.settings
    text = await run(settings, lambda db: svg_text(collect(db, p)), cache_key=str(request.url))
    return Response(text, media_type="image/svg+xml",
                    headers={"content-security-policy": SVG_POLICY,
                             "x-frame-options": "SAMEORIGIN"})
