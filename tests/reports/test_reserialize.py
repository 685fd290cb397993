"""The exporter's streamed last step gives the page nbconvert's BeautifulSoup pass gives."""

from __future__ import annotations

import nbformat
import pytest
from bs4 import BeautifulSoup

from tswt_formulation.demo import demo_staff, generate_caseload
from tswt_formulation.reports.export import _exporter, report_css, report_meta
from tswt_formulation.reports.formulation import FormulationReport
from tswt_formulation.reports.reserialize import NO_ALT, reserialize
from tswt_formulation.store.staff import StaffDirectory

from ..conftest import AS_OF


def _soup(html: str) -> str:
    soup = BeautifulSoup(html, features="html.parser")
    for elem in soup.select("img:not([alt])"):
        elem.attrs["alt"] = NO_ALT
    for elem in soup.select(".jp-Notebook div.jp-Cell-inputWrapper"):
        elem.attrs["tabindex"] = "0"
    for elem in soup.select(".jp-Notebook div.jp-OutputArea-output"):
        elem.attrs["tabindex"] = "0"
    return str(soup)


SAME = [
    '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>a &amp; b</title></head></html>',
    '<p title="say &quot;hi&quot;" class="  b   a " id=\'x\'>it&#x27;s &lt;ok&gt; &amp; &ldquo;q&rdquo;</p>',
    "<p data-x=\"both &quot; and '\" data-y='single \"'>&#39;&#150;&#8212;&#x2014;&amp</p>",
    "<div>\n   \n<span> </span><pre>  \n  </pre><textarea>\n</textarea></div>",
    "<style>a > b { content: '&amp;' } /* <wbr> */</style><script>if (a < b && c) {}</script>",
    '<!-- a comment & <b> --><!--   --><p>x<br>y<br/>z<img src="data:,"><img alt="" src=a></p>',
    '<details open><summary>S</summary><TABLE><TR><TD HEADERS=" h1  h2">1</TD></TR></TABLE></details>',
    "<p a=1 a=2 b>&foo; &unknown &#x110000; x</p><hr>",
    "<p>caf\u00e9 \u2013 \u201cquotes\u201d \u2603 \u00a0 nbsp&nbsp;</p>",
]
UNSURE = [
    "<p>unclosed",
    "<div><p>crossed</div></p>",
    "<p/>",
    "<br></br>",
    "<?xml version='1.0'?><p></p>",
    "<![CDATA[x]]>",
    '<meta charset="latin-1">',
    '<div class="jp-Notebook"><div class="jp-OutputArea-output">x</div></div>',
]


@pytest.mark.parametrize("html", SAME)
def test_streamed_page_is_beautiful_soups(html):
    got = reserialize(html)
    assert got is not None, html
    assert got[0] == _soup(html)


@pytest.mark.parametrize("html", UNSURE)
def test_unsure_pages_are_left_to_beautiful_soup(html):
    assert reserialize(html) is None


def test_a_report_exports_as_nbconvert_would(monkeypatch):
    from nbconvert import HTMLExporter

    import tswt_formulation.reports.reserialize as mod

    case = generate_caseload(24, seed=3, as_of=AS_OF)[5]
    report = FormulationReport.from_case(
        case, AS_OF, case.formulation, StaffDirectory(demo_staff())
    )
    cells = []
    for sec in report.sections():
        cell = nbformat.v4.new_code_cell("")
        cell.outputs = [nbformat.v4.new_output("display_data", data=sec._repr_mimebundle_())]
        cells.append(cell)
    nb = nbformat.v4.new_notebook(cells=cells)
    ours = _exporter()
    stock = HTMLExporter(
        template_name=ours.template_name, extra_template_basedirs=ours.extra_template_basedirs
    )
    for name in (
        "exclude_input",
        "exclude_input_prompt",
        "exclude_output_prompt",
        "exclude_markdown",
        "exclude_raw",
        "embed_images",
        "optimistic_validation",
    ):
        setattr(stock, name, getattr(ours, name))
    resources = {"tswt": report_meta(nb), "tswt_css": report_css()}
    expected, _ = stock.from_notebook_node(nb, resources=dict(resources))
    streamed = []
    monkeypatch.setattr(
        mod, "reserialize", lambda h: streamed.append(reserialize(h)) or streamed[-1]
    )
    got, _ = ours.from_notebook_node(nb, resources=dict(resources))
    assert got == expected
    assert streamed and streamed[0] is not None  # the stream, not the fallback
