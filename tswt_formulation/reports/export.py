"""Executed notebook -> one self-contained HTML file (our template, no code, no network
reference), and HTML -> PDF with WeasyPrint (the optional ``pdf`` extra), which is
allowed to load nothing but the data: URIs already in the page."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ..errors import ReportError
from .html import META_MIME
from .resources import TEMPLATE, report_css, templates_dir


@lru_cache(maxsize=1)
def _exporter() -> Any:
    from .reserialize import exporter_class

    # nbconvert's HTMLExporter, its closing BeautifulSoup pass streamed (reserialize.py).
    exporter = exporter_class()(
        template_name=TEMPLATE, extra_template_basedirs=[str(templates_dir())]
    )
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.exclude_markdown = (
        True  # the notebooks' prose is for people running them, not the report
    )
    exporter.exclude_raw = True
    exporter.embed_images = True
    exporter.optimistic_validation = (
        True  # the notebook validated once, not after each of its preprocessors
    )
    return exporter


def report_meta(nb: Any) -> dict[str, Any]:
    """The header facts the first section published (case, date, author, reviewer)."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if META_MIME in data:
                return dict(data[META_MIME])
    return {}


def to_html(nb: Any) -> str:
    meta = report_meta(nb)
    if not meta:
        raise ReportError(
            "the notebook produced no report header (its first section must be report.header())"
        )
    body, _resources = _exporter().from_notebook_node(
        nb, resources={"tswt": meta, "tswt_css": report_css()}
    )
    return body


def _deny_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """Fetcher for WeasyPrint before 70: data: URIs only."""
    if url.startswith("data:"):
        from weasyprint.urls import default_url_fetcher

        return default_url_fetcher(url, *args, **kwargs)
    raise ReportError(f"the report tried to load {url!r}; reports load nothing from outside")


def _fetcher() -> Any:
    """Only data: URIs (the embedded charts): a report never reaches a network or a file."""
    from weasyprint import urls

    if hasattr(urls, "URLFetcher"):  # WeasyPrint 70+
        return urls.URLFetcher(allowed_protocols={"data"}, fail_on_errors=False, timeout=1)
    return _deny_fetch


def pdf_available() -> tuple[bool, str]:
    """(True, "") if WeasyPrint and its system libraries load, else (False, why)."""
    try:
        import weasyprint  # noqa: F401
    except ImportError:
        return False, "WeasyPrint is not installed: pip install 'tswt-formulation[pdf]'"
    except OSError as exc:  # pango/cairo system libraries missing
        return (
            False,
            f"WeasyPrint cannot load the system's pango libraries ({exc}); on Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0",
        )
    return True, ""


def to_pdf(html: str) -> bytes:
    ok, why = pdf_available()
    if not ok:
        raise ReportError(why)
    import weasyprint

    return weasyprint.HTML(string=html, base_url=None, url_fetcher=_fetcher()).write_pdf()
