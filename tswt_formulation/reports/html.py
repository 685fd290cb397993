"""Report sections as HTML, with every piece of staff text escaped.

Staff free text (evidence, voices, narrative, reasons, comments) may contain anything:
HTML, Markdown, script. It is only ever put into a report through :func:`text`, which
escapes it and keeps line breaks, so it always comes out as the words that were typed.
Sections are display objects (``_repr_mimebundle_``): a notebook cell that returns one
shows it, and nbconvert puts the same HTML in the report.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Iterable, Sequence
from typing import Any

META_MIME = "application/vnd.tswt.report+json"


def text(value: Any) -> str:
    """Escape any value for HTML, keeping the writer's line breaks."""
    if value is None:
        return ""
    return html.escape(str(value), quote=True).replace("\r\n", "\n").replace("\n", "<br>")


def attr(value: Any) -> str:
    return html.escape(str(value), quote=True)


class Section:
    """A piece of a report: HTML (already escaped) with a plain-text fallback."""

    def __init__(self, html_body: str, plain: str = "", meta: dict[str, Any] | None = None) -> None:
        self.html = html_body
        self.plain = plain
        self.meta = meta

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle: dict[str, Any] = {
            "text/html": self.html,
            "text/plain": self.plain or "(report section)",
        }
        if self.meta is not None:
            bundle[META_MIME] = self.meta
        return bundle

    def __repr__(self) -> str:
        return self.plain or "<Section>"


def section(title: str, body: str, css_class: str = "", plain: str = "") -> Section:
    cls = f"section {css_class}".strip()
    return Section(
        f'<section class="{attr(cls)}"><h2>{text(title)}</h2>{body}</section>', plain or title
    )


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    css_class: str = "",
    raw_columns: Iterable[int] = (),
) -> str:
    """An HTML table; every cell escaped unless its column index is in ``raw_columns``
    (for cells this module built itself, such as badges)."""
    raw = set(raw_columns)
    head = "".join(f"<th>{text(h)}</th>" for h in headers)
    rows = list(rows)
    body = "".join(
        "<tr>"
        + "".join(f"<td>{cell if i in raw else text(cell)}</td>" for i, cell in enumerate(row))
        + "</tr>"
        for row in rows
    )
    # A short table is never split across pages; a longer one may split, its header row
    # repeated on each page (thead is a table-header-group in the CSS).
    keep = " keep" if len(rows) <= 8 else ""
    wide = (
        " wide" if len(headers) >= 7 else ""
    )  # fixed layout: wraps inside the page, never past it
    return f'<table class="{attr(css_class)}{keep}{wide}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def items(values: Iterable[Any], css_class: str = "") -> str:
    lis = "".join(f"<li>{text(v)}</li>" for v in values)
    return (
        f'<ul class="{attr(css_class)}">{lis}</ul>' if lis else '<p class="none">None recorded.</p>'
    )


def definition_list(pairs: Iterable[tuple[str, Any]]) -> str:
    return "<dl>" + "".join(f"<dt>{text(k)}</dt><dd>{text(v)}</dd>" for k, v in pairs) + "</dl>"


def quote(value: str, who: str) -> str:
    """A person's own words, verbatim."""
    if not value or not str(value).strip():
        return f'<p class="none">No {text(who)} recorded.</p>'
    return f'<blockquote class="verbatim"><p>{text(value)}</p><footer>{text(who)}</footer></blockquote>'


def badge(label: str, kind: str = "") -> str:
    return f'<span class="badge {attr(kind)}">{text(label)}</span>'


def figure(fig: Any, caption: str = "", alt: str = "") -> str:
    """A matplotlib Figure embedded as a PNG data URI (no file, no network)."""
    data = base64.b64encode(_png(fig)).decode("ascii")
    # Never printed wider than drawn: a one-panel chart (3.4 in) stretched to the page's
    # width would print its labels at twice the size of every other chart's.
    width_in = float(fig.get_size_inches()[0])
    try:
        import matplotlib.pyplot as plt  # figures made with pyplot must be released

        plt.close(fig)
    except Exception:  # noqa: BLE001 # pragma: no cover - plain Figure objects need nothing
        pass
    cap = f"<figcaption>{text(caption)}</figcaption>" if caption else ""
    return (
        f'<figure><img alt="{attr(alt or caption)}" style="max-width:{width_in:.2f}in" '
        f'src="data:image/png;base64,{data}">{cap}</figure>'
    )


def _png(fig: Any, dpi: int = 150) -> bytes:
    """The figure as PNG. A figure placed by fixed margins (plots.figures) is drawn once,
    as it is; one with a layout engine is saved as it is (bbox_inches="tight" would draw
    it twice); any other is cropped to its tight box. Our charts are grey: where every
    pixel is an opaque grey the PNG is 8-bit grey, the same pixels in a quarter of the
    data (a smaller report, and quicker to encode than RGBA)."""
    buf = io.BytesIO()
    if not getattr(fig, "tswt_fixed_margins", False):
        laid_out = getattr(fig, "get_layout_engine", lambda: None)() is not None
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches=None if laid_out else "tight")
        return buf.getvalue()
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    canvas = FigureCanvasAgg(fig)
    fig.set_dpi(dpi)
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    r, g, b, a = (rgba[..., i] for i in range(4))
    grey = bool((a == 255).all() and (r == g).all() and (g == b).all())
    image = (
        Image.fromarray(np.ascontiguousarray(r))
        if grey
        else Image.fromarray(np.ascontiguousarray(rgba), "RGBA")
    )
    image.save(buf, format="png", dpi=(dpi, dpi))
    return buf.getvalue()
