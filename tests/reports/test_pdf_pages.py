"""Visual regression of the printed formulation report: a fixed synthetic case rendered to
PDF pages by WeasyPrint must keep its page count and the page each section heading
starts on (tests/data/layout/formulation.json). A layout change that moves a heading, or
strands one at the foot of a page, fails here.

After a deliberate layout change, rewrite the expectation and review the diff:
``TSWT_UPDATE_LAYOUT=1 pytest tests/reports/test_pdf_pages.py``.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import nbformat

from tswt_formulation.demo import generate_caseload
from tswt_formulation.reports.export import _fetcher, pdf_available, to_html
from tswt_formulation.reports.formulation import FormulationReport

from ..conftest import AS_OF, DATA, skip_or_fail

EXPECTED = DATA / "layout" / "formulation.json"
CASE = "TSW-900002"  # generate_caseload(24, seed=3): signed off, a stage override, risks and a long rule trace
STRANDED_PX = 120  # a heading starting within ~16 mm of the bottom margin: nothing of its section fits under it
FONT = Path(
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
)  # Debian fonts-dejavu-core: the layout depends on it


def _notebook(report: FormulationReport) -> nbformat.NotebookNode:
    """The report's sections as the executed notebook's outputs (what papermill produces)."""
    cells = []
    for sec in report.sections():
        cell = nbformat.v4.new_code_cell("")
        cell.outputs = [nbformat.v4.new_output("display_data", data=sec._repr_mimebundle_())]
        cells.append(cell)
    return nbformat.v4.new_notebook(cells=cells)


def _layout(html: str) -> dict[str, object]:
    import weasyprint

    titles: list[str] = []

    def tag(m: re.Match[str]) -> str:
        titles.append(re.sub(r"<[^>]+>", "", m.group(1)))
        return f'<h2 id="h{len(titles) - 1}">{m.group(1)}</h2>'

    html = re.sub(r"<h2>(.*?)</h2>", tag, html)
    pages = weasyprint.HTML(string=html, base_url=None, url_fetcher=_fetcher()).render().pages
    where, low = {}, []
    for number, page in enumerate(pages, start=1):
        for anchor, position in page.anchors.items():
            y = position[1]  # (x, y, ...) in CSS pixels from the top of the page
            if anchor.startswith("h"):
                where[titles[int(anchor[1:])]] = number
                if y > page.height - STRANDED_PX:
                    low.append(titles[int(anchor[1:])])
    return {
        "case": CASE,
        "pages": len(pages),
        "headings": {t: where.get(t) for t in titles},
        "stranded": low,
    }


def test_formulation_report_layout():
    ok, why = pdf_available()
    if not ok:
        skip_or_fail(why)
    if not FONT.exists():
        skip_or_fail(f"the layout is measured with DejaVu Sans ({FONT}; Debian fonts-dejavu-core)")
    case = next(c for c in generate_caseload(24, seed=3, as_of=AS_OF) if c.case_id == CASE)
    from tswt_formulation.demo import demo_staff
    from tswt_formulation.store.staff import StaffDirectory

    report = FormulationReport.from_case(
        case, AS_OF, case.formulation, StaffDirectory(demo_staff())
    )
    got = _layout(to_html(_notebook(report)))
    if os.environ.get("TSWT_UPDATE_LAYOUT"):
        EXPECTED.write_text(json.dumps(got, indent=2) + "\n")
    expected = json.loads(EXPECTED.read_text())
    assert got == expected, (
        f"layout changed (TSWT_UPDATE_LAYOUT=1 rewrites {EXPECTED.name} after a deliberate change): {got}"
    )
    assert all(isinstance(p, int) for p in got["headings"].values())
    assert got["stranded"] == [], f"headings left at the foot of a page: {got['stranded']}"
