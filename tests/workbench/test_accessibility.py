"""WCAG 2.2 AA (issue 26; docs/accessibility.md): axe-core's WCAG 2.0/2.1/2.2 A and AA
rules over every workbench view in each state that matters and over every report, a
social worker's journey by keyboard alone, and the pieces those rest on (the theme's
contrast worked out with WCAG's formula, the text equivalent of a chart).

axe-core comes bundled in the axe-playwright-python package (the test extra), so nothing
else is needed beyond the browser tests' chromium: off CI they skip with the reason, under
CI=true they fail instead (.ci/run installs chromium).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tswt_formulation.workbench import a11y
from tswt_formulation.workbench.app import TABS  # the tabs as the app lists them

from ..conftest import skip_or_fail
from .test_browser import browser, start_app, stop_app  # noqa: F401 - a fixture
from .test_views import case_store  # noqa: F401 - a fixture

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AS_OF = date(2026, 11, 20)
# A senior practitioner (a social worker who may decide and allocate: docs/permissions.md;
# a therapeutic social worker such as c.mensah may not) makes the whole journey.
WORKER = "s.price"
TIMEOUT = 30_000
SHOTS = Path(os.environ.get("TSWT_A11Y_SHOTS", "/tmp/a11y-shots"))
TSWT = [sys.executable, "-c", "from tswt_formulation.cli import main; main()"]


# -- the pieces, without a browser ----------------------------------------------------------


def contrast(a: str, b: str) -> float:
    """WCAG 2.2's contrast ratio of two sRGB colours (#rrggbb), from its definition of
    relative luminance."""

    def luminance(colour: str) -> float:
        channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_contrast_formula_gives_the_published_ratios():
    # WCAG: black on white is 21:1; #767676 on white is the lightest grey at 4.5:1 (4.54)
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast("#777777", "#ffffff") < 4.5


def _rule(selector: str) -> str:
    match = re.search(re.escape(selector) + r"[^{]*\{([^}]*)\}", a11y.CSS)
    assert match is not None, f"no CSS rule for {selector}"
    return match.group(1)


def _colour(rule: str, prop: str) -> str:
    match = re.search(rf"(?<![-\w]){prop}\s*:\s*[^;]*?(#[0-9a-fA-F]{{6}})", rule)
    assert match is not None, f"no {prop} in {rule}"
    return match.group(1)


def test_the_theme_meets_the_contrast_minimums():
    """1.4.3: text 4.5:1 (the workbench's 13px text is not large); 1.4.11 and 2.4.7: the
    focus outline 3:1 against the white page and the tab bar (#eeeeee, JupyterLab's)."""
    for selector in (".jupyter-button.mod-warning", ".jupyter-button.mod-success"):
        rule = _rule(selector)
        assert contrast(_colour(rule, "color"), _colour(rule, "background-color")) >= 4.5
    tab = _colour(_rule(".lm-TabBar-tab"), "color")
    assert contrast(tab, "#eeeeee") >= 4.5
    outline = _colour(_rule("#rendered_cells :focus-visible"), "outline")
    assert contrast(outline, "#ffffff") >= 3 and contrast(outline, "#eeeeee") >= 3
    # the default warning orange it replaces fails: white on #f57c00 is 2.7:1
    assert contrast("#ffffff", "#f57c00") < 4.5


def test_the_page_gets_its_title_and_the_shim_once():
    head = b"<html><head><title>workbench_app</title><script>x</script></head><body>"
    page = a11y.accessible_page(head)
    assert b"<title>TSWT workbench</title>" in page and b"workbench_app" not in page
    assert page.count(b"tswt-a11y-css") == 1 and page.count(b"tswt-a11y-js") == 1
    assert page.index(b"tswt-a11y-js") < page.index(b"</head>")
    body = b"<div id='rendered_cells'>x</div></body></html>"
    assert a11y.accessible_page(body) == body  # a later chunk passes as it is


def _points() -> Any:
    import pandas as pd

    # A hand-made trajectory: a parent's SDQ total 20 (abnormal) at baseline, 14
    # (borderline) at review 1, 6 points lower and reliably better, 15 at review 2 (5
    # lower: within the corridor, no reliable change); the teacher once.
    return pd.DataFrame(
        [
            ("parent", "baseline", "2026-01-10", 20, "abnormal", None, None),
            ("parent", "review 1", "2026-06-01", 14, "borderline", -6, "improved"),
            ("parent", "review 2", "2026-09-01", 15, "borderline", -5, "none"),
            ("teacher", "baseline", "2026-02-03", 9, None, None, None),
        ],
        columns=[
            "informant",
            "timepoint",
            "date",
            "value",
            "band",
            "difference",
            "reliable_change",
        ],
    ).assign(date=lambda f: pd.to_datetime(f["date"]))


def test_a_charts_text_equivalent_gives_every_value_and_the_trend():
    from tswt_formulation.chart_text import trend_sentence, value_rows

    assert value_rows(_points(), "total") == [
        ("10 Jan 2026", "baseline", "parent or carer", "20", "abnormal", "baseline"),
        ("3 Feb 2026", "baseline", "teacher", "9", "", "baseline"),
        (
            "1 Jun 2026",
            "review 1",
            "parent or carer",
            "14",
            "borderline",
            "-6 points: reliable improvement",
        ),
        (
            "1 Sep 2026",
            "review 2",
            "parent or carer",
            "15",
            "borderline",
            "-5 points: no reliable change",
        ),
    ]
    assert trend_sentence(_points(), "SDQ total difficulties", score="total") == (
        "SDQ total difficulties, parent or carer: 20 (abnormal) on 10 Jan 2026 to 15 "
        "(borderline) on 1 Sep 2026, 5 points lower over 3 scores; teacher: one score so "
        "far, 9 on 3 Feb 2026 (higher is worse)."
    )


def test_hiding_one_field_never_hides_the_others(case_store):
    """Found by tools/axe_audit.py (a field not visible after the sign-off queue was shown):
    every field's box shares one layout, so a view that hid one field's box by that
    layout (the sign-off's outstanding-step reason; an SDQ item another informant does
    not answer) hid every field of every form."""
    pytest.importorskip("ipywidgets")
    from tswt_formulation.workbench import App

    app = App(case_store, "s.price", date(2026, 11, 20))
    app.open_case("TSW-000124")
    shown = app.referral.form.fields["child.date_of_birth"].box
    app.view_at(TABS.index("Sign-off queue"))  # its reason field starts hidden
    assert shown.layout.display != "none"
    measures = app.measures
    measures.informant.widget.value = "teacher"  # the impact on home life is not asked of a teacher
    assert measures.item_boxes["impact_home"].layout.display == "none"
    assert measures.item_boxes["1"].layout.display != "none"
    assert shown.layout.display != "none"
    assert app.screening.form.fields["screening.started"].box.layout.display != "none"


# -- in the browser -------------------------------------------------------------------------

# Voila's page scrolls inside #rendered_cells: both back to the top; the height of it all.
_TOP = """() => {
  let height = 0;
  for (const box of [document.scrollingElement, document.getElementById('rendered_cells')]) {
    if (box) { box.scrollTop = 0; height = Math.max(height, box.scrollHeight); }
  }
  return height + 40;
}"""


def axe(page: Any) -> list[str]:
    """axe-core's WCAG A/AA violations on the page as it is, one line each (rule, impact,
    nodes, the first node). axe checks the contrast only of what is in the viewport, so
    for the run the viewport is as tall as the page."""
    from axe_playwright_python.sync_playwright import Axe

    size = page.viewport_size
    page.set_viewport_size(
        {"width": size["width"], "height": max(size["height"], page.evaluate(_TOP))}
    )
    try:
        found = (
            Axe()
            .run(
                page,
                options={
                    "runOnly": {"type": "tag", "values": TAGS},
                    "resultTypes": ["violations"],
                },
            )
            .response["violations"]
        )
        # every element inside a landmark (axe's "region": best practice, asked for by issue 26)
        found += (
            Axe()
            .run(page, options={"runOnly": ["region"], "resultTypes": ["violations"]})
            .response["violations"]
        )
    finally:
        page.set_viewport_size(size)
    return [
        f"{v['id']} ({v['impact']}) on {len(v['nodes'])}: {v['nodes'][0]['html'][:120]}"
        for v in found
    ]


@pytest.fixture(scope="module")
def demo(tmp_path_factory, browser) -> Iterator[dict[str, Any]]:
    """The demo caseload (60 children, seed 1), its three reports for one child, and the
    workbench started once for the module as the senior practitioner."""
    try:
        import axe_playwright_python  # noqa: F401
    except ImportError:
        skip_or_fail(
            "the accessibility tests need axe-playwright-python (pip install -e '.[test]')"
        )
    folder = tmp_path_factory.mktemp("a11y")
    path = folder / "demo.sqlite"
    env = {**os.environ, "TSWT_USER": WORKER}
    subprocess.run(
        [*TSWT, "demo", "--store", str(path), "--cases", "60", "--seed", "1"]
        + ["--as-of", AS_OF.isoformat()],
        check=True,
        env=env,
        capture_output=True,
    )
    from tswt_formulation import open_store

    with open_store(str(path), user="t.harper") as store:
        frame = store.caseload(AS_OF)
        screening = str(frame.loc[frame["state"] == "in_screening", "case_id"].iloc[0])
        # a child whose work has begun, with SDQs over time: every section of the reports
        measured = [
            c
            for c in frame.loc[frame["state"] == "work_begun", "case_id"]
            if len([m for m in store.get(c).measures if m.measure == "sdq"]) >= 3
        ]
    reports = folder / "reports"
    constants = str(
        Path(__file__).resolve().parents[2]
        / "tswt_formulation/measures/examples/demo_constants.yaml"
    )
    for kind, ids in (
        ("formulation", [measured[0], "--latest"]),
        ("outcomes", [measured[0], "--constants", constants]),
        ("review", ["--constants", constants]),
    ):
        subprocess.run(
            [*TSWT, "reports", *ids, "--kind", kind, "--store", str(path), "--user", "dr.r.ahmed"]
            + ["--out", str(reports), "--jobs", "1", "--as-of", AS_OF.isoformat()],
            check=True,
            env=env,
            capture_output=True,
        )
    process, url = start_app(path, WORKER)
    yield {
        "store": path,
        "url": url,
        "case": screening,
        "reports": reports,
        "measured": measured[0],
    }
    stop_app(process)


def open_page(browser: Any, url: str) -> tuple[Any, Any]:
    context = browser.new_context(viewport={"width": 1366, "height": 800})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(url)
    page.get_by_text("Signed in as").wait_for(timeout=4 * TIMEOUT)
    return context, page


def open_case(page: Any, case_id: str) -> None:
    show(page, "My caseload")
    page.get_by_role("textbox", name="Find a case").fill(case_id)
    page.get_by_role("textbox", name="Find a case").press("Enter")  # searched on Enter
    page.get_by_role("button", name=case_id).click()
    page.get_by_text(f"Open case: {case_id}").wait_for()


def show(page: Any, tab: str) -> None:
    page.get_by_role("tab", name=tab).click()
    page.wait_for_timeout(600)  # the view drawn (the first time, built)


def test_every_view_has_no_axe_violation_with_no_case_and_with_a_case_open(browser, demo):
    context, page = open_page(browser, demo["url"])
    found = {}
    for tab in TABS:
        show(page, tab)
        found[f"{tab}, no case open"] = axe(page)
    open_case(page, demo["case"])
    for tab in TABS:
        show(page, tab)
        found[f"{tab}, {demo['case']} open"] = axe(page)
    context.close()
    assert {view: v for view, v in found.items() if v} == {}


def test_errors_and_saves_have_no_axe_violation_and_each_error_is_tied_to_its_field(
    browser,
    demo,
):
    context, page = open_page(browser, demo["url"])
    found = {}
    open_case(page, demo["case"])
    show(page, "Referral")
    ref = page.get_by_label("Case-management ref")
    ref.fill("<not a ref>")
    page.get_by_role("button", name="Save referral").click()
    error = page.get_by_role("alert").filter(has_text="Case-management ref: letters, digits")
    error.wait_for()
    found["Referral, refused"] = axe(page)
    # the message is the input's description, and the input is marked invalid
    page.wait_for_function(
        "id => document.getElementById(id).getAttribute('aria-invalid') === 'true'",
        arg=ref.get_attribute("id"),
    )
    described = ref.get_attribute("aria-describedby")
    assert (
        described
        and "Case-management ref: letters, digits"
        in page.locator(f"[id='{described}']").inner_text()
    )
    ref.fill("SYNTH-0001")
    page.wait_for_function(
        "id => !document.getElementById(id).hasAttribute('aria-invalid')",
        arg=ref.get_attribute("id"),
    )
    show(page, "Measures")
    page.get_by_role("button", name="Save SDQ").click()
    page.get_by_role("alert").filter(
        has_text="No items entered"
    ).first.wait_for()  # shown at the top and beside the button
    found["Measures, refused"] = axe(page)
    for n in range(1, 26):
        page.get_by_role("radio", name=f"SDQ item {n}, parent report: 1 somewhat true").check()
    page.get_by_role("button", name="Save SDQ").click()
    page.get_by_role("status").filter(has_text="entered in the workbench").wait_for()
    found["Measures, saved"] = axe(page)
    show(page, "Screening")
    page.get_by_label("The carers' views").fill("Sleeping better since the new routine.")
    page.get_by_role("button", name="Save screening").click()
    page.get_by_role("status").filter(has_text=f"Saved {demo['case']}").first.wait_for()
    found["Screening, saved"] = axe(page)
    context.close()
    assert {view: v for view, v in found.items() if v} == {}


def test_every_report_has_no_axe_violation_and_its_charts_are_told_in_text(browser, demo):
    reports = sorted(demo["reports"].glob("*.html"))
    kinds = {re.sub(r"^TSW-\d+_|_\d{4}-\d\d-\d\d$", "", p.stem) for p in reports}
    assert kinds == {"formulation", "outcomes", "caseload_review"}
    from tswt_formulation import open_store

    with open_store(str(demo["store"])) as store:
        sdq_count = sum(m.measure == "sdq" for m in store.get(demo["measured"]).measures)
    context = browser.new_context(viewport={"width": 1366, "height": 800})
    found = {}
    for report in reports:
        page = context.new_page()
        page.goto(report.as_uri())
        found[report.name] = axe(page)
        for img in page.get_by_role("img").all():  # every chart says what it shows
            assert len(img.get_attribute("alt") or "") > 20, report.name
        if report.name.endswith("_outcomes.html"):
            # under the charts, every SDQ point drawn as a row: one per SDQ recorded
            words = page.locator("section.charts-text")
            rows = words.get_by_role("table").first.locator("tbody tr")
            assert rows.count() == sdq_count, words.inner_text()
            assert "SDQ total difficulties," in words.inner_text()
        page.close()
    context.close()
    assert {name: v for name, v in found.items() if v} == {}


# -- the keyboard journey --------------------------------------------------------------------

_FOCUS = """n => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  e.setAttribute('data-tswt-stop', String(n));
  const r = e.getBoundingClientRect(), s = getComputedStyle(e);
  const box = document.getElementById('rendered_cells');
  return {name: (e.getAttribute('aria-label') || (e.labels && e.labels[0] && e.labels[0].textContent)
                 || e.textContent || '').trim().slice(0, 60),
          y: r.top + (box ? box.scrollTop : 0), x: r.left,
          inView: r.bottom > 0 && r.top < window.innerHeight && r.width > 0,
          outline: s.outlineStyle, width: parseFloat(s.outlineWidth), colour: s.outlineColor,
          tab: e.getAttribute('role') === 'tab'};
}"""


def _hex(rgb: str) -> str:
    r, g, b = (int(v) for v in re.findall(r"\d+", rgb)[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


class Keyboard:
    """Moves focus with Tab and Shift+Tab only, and checks each stop: visible on screen,
    outlined (3:1 against the page at least), and after the one before it in reading order."""

    def __init__(self, page: Any) -> None:
        self.page, self.stops = page, 0
        self.segment: list[dict[str, Any]] = []

    def tab_to(self, target: Any, back: bool = False, limit: int = 60) -> None:
        target.wait_for()  # shown (a field that a choice reveals comes from the kernel)
        for _ in range(limit):
            self.page.keyboard.press("Shift+Tab" if back else "Tab")
            self.stops += 1
            stop = self.page.evaluate(_FOCUS, self.stops)
            if stop is None:
                continue
            assert stop["inView"], f"focus on {stop['name']!r} is off screen"
            assert stop["outline"] != "none" and stop["width"] >= 2, stop
            assert contrast(_hex(stop["colour"]), "#ffffff") >= 3, stop
            if not back and not stop["tab"]:
                if self.segment:
                    before = self.segment[-1]
                    assert stop["y"] >= before["y"] - 4, (
                        f"focus went up the page: {before['name']!r} then {stop['name']!r} "
                        f"(this view's stops: {[(s['name'], s['y']) for s in self.segment]})"
                    )
                self.segment.append(stop)
            if target.evaluate("e => e === document.activeElement"):
                return
        raise AssertionError(f"{limit} presses of Tab did not reach {target}")

    def to_tab(self, name: str) -> None:
        """Back to the tab bar (Shift+Tab: the bar is one stop, at the tab last focused),
        along it with the arrow keys, and Enter to show the tab."""
        for _ in range(200):
            self.page.keyboard.press("Shift+Tab")
            if self.page.evaluate("document.activeElement.getAttribute('role') === 'tab'"):
                break
        else:
            raise AssertionError("Shift+Tab did not reach the tab bar")
        names = [t.strip() for t in self.page.get_by_role("tab").all_inner_texts()]
        at = names.index(self.page.evaluate("document.activeElement.textContent").strip())
        for _ in range(abs(names.index(name) - at)):
            self.press("ArrowRight" if names.index(name) > at else "ArrowLeft")
        self.press("Enter")
        self.page.get_by_role("tab", name=name, selected=True).wait_for()
        self.new_view()

    def new_view(self) -> None:
        self.segment.clear()

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)


def focus_order_shot(page: Any, name: str) -> Path:
    """A screenshot of the view with each focus stop numbered in the order it was reached."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": min(page.evaluate(_TOP), 3200)})
    page.evaluate(
        """() => { for (const e of document.querySelectorAll('[data-tswt-stop]')) {
             const r = e.getBoundingClientRect(); if (!r.width) continue;
             const b = document.createElement('div'); b.className = 'tswt-shot-badge';
             b.textContent = e.getAttribute('data-tswt-stop');
             b.style.cssText = `position:fixed;left:${Math.max(0, r.left - 26)}px;top:${r.top}px;`
               + 'background:#ffdd00;color:#0b0c0c;font:bold 12px sans-serif;padding:1px 3px;'
               + 'border:1px solid #0b0c0c;z-index:9999';
             document.body.appendChild(b); } }"""
    )
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    page.evaluate(
        """() => { document.querySelectorAll('.tswt-shot-badge').forEach(b => b.remove());
                   document.querySelectorAll('[data-tswt-stop]').forEach(
                     e => e.removeAttribute('data-tswt-stop')); }"""
    )
    page.set_viewport_size(size)
    return path


def day(iso: str) -> str:
    """A date as typed into a date field: the headless browser's fields are in its own
    (US) order, month, day, year; the digits move along the parts by themselves."""
    year, month, dd = iso.split("-")
    return f"{month}{dd}{year}"


def announced(page: Any, text: str) -> None:
    """The text appears in a live region that was on the page before it (one made with
    its message is not read out by every screen reader)."""
    page.locator("[data-live-before='1'][aria-live]").filter(has_text=text).first.wait_for()


def mark_live_regions(page: Any) -> None:
    page.evaluate(
        "document.querySelectorAll('[aria-live]').forEach(e => e.setAttribute('data-live-before', '1'))"
    )


def test_a_social_workers_journey_by_keyboard_alone(browser, demo):
    """Record a referral, decide and allocate it, enter the baseline SDQ, complete the
    screening, read the recommendation and save: Tab, Shift+Tab, arrows, Space, Enter and
    typing only, the focus visible at every stop and in reading order."""
    context, page = open_page(browser, demo["url"])
    keys = Keyboard(page)
    tabs = page.get_by_role("tab")
    label = page.get_by_label

    # the tab bar: arrow keys move along it, Enter shows the tab
    keys.tab_to(tabs.filter(has_text="My caseload"))
    keys.press("ArrowRight")
    keys.press("Enter")
    page.get_by_role("tab", name="Referral", selected=True).wait_for()
    new_id = label("Case id", exact=True).input_value()
    keys.new_view()
    for target, typed in (
        (label("Case-management ref"), "SYNTH-0777"),
        (label("Date of birth"), day("2014-02-01")),
        (label("Legal status", exact=True), "Looked after"),
        (label("Legal status since"), day("2022-01-01")),
        (label("Referral received"), day("2026-11-01")),
        (label("Referrer's name"), "J. Adeyemi"),
        (label("Consent given by"), "Local authority"),
        (label("Consent date"), day("2026-11-01")),
        (label("Consent was informed and meaningful"), " "),
        (label("Manager approval by"), "T. Harper"),
        (label("Approval date"), day("2026-11-02")),
        (label("Decision", exact=True), "Accepted"),
        (label("Decision date"), day("2026-11-03")),
        (label("Allocated to"), "S. Price"),
        (label("Allocation date"), day("2026-11-04")),
    ):
        keys.tab_to(target)
        keys.type(typed)
    assert label("Date of birth").input_value() == "2014-02-01"
    assert label("Consent was informed and meaningful").is_checked()
    page.get_by_text("Eligible: the referral can proceed to a decision").wait_for()
    keys.tab_to(page.get_by_role("button", name="Save referral"))
    focus_order_shot(page, "1-referral-focus-order")
    mark_live_regions(page)
    keys.press("Enter")
    page.get_by_text(f"Open case: {new_id}").wait_for()
    announced(page, f"Saved {new_id}")

    # the baseline SDQ: back to the tab bar, along to Measures
    keys.to_tab("Measures")
    keys.tab_to(label("Date completed"))
    keys.type(day("2026-11-10"))
    for n in range(1, 26):
        # one Tab stop per item; Space chooses the first option, the right arrow the next
        keys.tab_to(page.get_by_role("radio", name=f"SDQ item {n}, parent report: 0 not true"))
        keys.press("Space")
        keys.press("ArrowRight")
    radio = page.get_by_role("radio", name="SDQ item 3, parent report: 1 somewhat true")
    assert radio.is_checked()
    assert radio.get_attribute("aria-label") == "SDQ item 3, parent report: 1 somewhat true"
    # every item "somewhat true" (1; the five reversed items score 2 - 1 = 1): total 20,
    # abnormal on the parent 4-17 form (17-40): the scores follow the keyboard's choices
    page.get_by_role("table").filter(has_text="SDQ P4-17").get_by_role(
        "row", name="total 20 abnormal"
    ).wait_for()
    keys.tab_to(page.get_by_role("button", name="Save SDQ"))
    focus_order_shot(page, "2-measures-focus-order")
    mark_live_regions(page)
    keys.press("Enter")
    announced(page, "SDQ baseline (parent) entered in the workbench")

    # the screening, and the recommendation that follows it
    keys.to_tab("Screening")
    for target, typed in (
        (label("Screening started"), day("2026-11-05")),
        (label("Screening completed"), day("2026-11-09")),
        (label("Neglect", exact=True), " "),
        # a choice of several: a named group of checkboxes, Space ticks one
        (
            page.get_by_role("group", name="Sources: Neglect").get_by_label(
                "Social worker", exact=True
            ),
            " ",
        ),
        (label("The child's voice"), "I want to stay here."),
    ):
        keys.tab_to(target, limit=120)
        keys.type(typed)
    assert label("Neglect", exact=True).is_checked()
    assert (
        page.get_by_role("group", name="Sources: Neglect")
        .get_by_label("Social worker", exact=True)
        .is_checked()
    )
    page.get_by_role("heading", name="Recommendation").wait_for()
    keys.tab_to(page.get_by_role("button", name="Save screening"), limit=120)
    focus_order_shot(page, "3-screening-focus-order")
    mark_live_regions(page)
    keys.press("Enter")
    announced(page, f"Saved {new_id} (version 3)")
    # the referral's message above the tabs is gone: it spoke of an earlier save
    page.get_by_text("referral recorded").wait_for(state="detached")

    from tswt_formulation import open_store

    with open_store(str(demo["store"])) as store:
        case = store.get(new_id)
    assert case.referral.allocation.worker == WORKER
    assert [m.timepoint for m in case.measures] == ["baseline"]
    assert [h.factor for h in case.screening.history_factors] == ["neglect"]
    assert case.screening.child_voice == "I want to stay here."
    context.close()


def test_the_caseload_is_a_table_sorted_from_its_column_headings(browser, demo):
    """WCAG 1.3.1: the caseload's rows are a table's rows, each heading a columnheader, and
    a sortable heading a button inside it that sorts by its column (Enter), its aria-sort
    saying which way."""
    context, page = open_page(browser, demo["url"])
    show(page, "My caseload")
    table = page.get_by_role("table", name="Caseload")
    heading = table.get_by_role("columnheader").filter(has_text="Days to due")
    assert table.get_by_role("columnheader").count() == 8
    assert table.get_by_role("row").first.get_by_role("columnheader").count() == 8
    assert heading.get_attribute("aria-sort") == "none"
    due = table.get_by_role("columnheader").filter(has_text="Screening due")
    assert due.get_attribute("aria-sort") == "ascending"
    assert table.get_by_role("cell").filter(has_text=re.compile(r"TSW-")).count() >= 1
    assert axe(page) == []
    heading.get_by_role("button", name="Days to due").focus()
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[role=columnheader]')].some("
        "h => h.textContent.includes('Days to due') && h.getAttribute('aria-sort') === 'ascending')"
    )
    assert due.get_attribute("aria-sort") == "none"
    # the most overdue first: the first row's days-to-due cell says so
    table.get_by_role("row").nth(1).get_by_role("cell").filter(has_text="OVERDUE").first.wait_for()
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[role=columnheader]')].some("
        "h => h.textContent.includes('Days to due') && h.getAttribute('aria-sort') === 'descending')"
    )
    page.keyboard.press("Enter")  # back to the most overdue first for the picture
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(500)
    page.screenshot(path=str(SHOTS / "caseload-table.png"), full_page=True)
    assert axe(page) == []
    context.close()


def test_a_choice_of_several_is_a_named_group_of_checkboxes(browser, demo):
    """The evidence sources (and every choice of several) are checkboxes in a group named
    by its legend, not a multi-select list: Tab to each, Space ticks it."""
    context, page = open_page(browser, demo["url"])
    open_case(page, demo["case"])
    show(page, "Screening")
    page.get_by_label("Neglect", exact=True).check()
    group = page.get_by_role("group", name="Sources: Neglect")
    group.wait_for()
    assert page.get_by_role("listbox", name="Sources: Neglect").count() == 0
    assert group.get_by_role("checkbox").count() >= 3
    from playwright.sync_api import expect

    carer = group.get_by_label("Carer", exact=True)
    carer.focus()
    expect(carer).to_be_focused()
    before = carer.is_checked()  # the demo case may have recorded the carer already
    page.keyboard.press("Space")
    expect(carer).to_be_checked(checked=not before)
    SHOTS.mkdir(parents=True, exist_ok=True)
    group.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "screening-sources.png"))
    assert axe(page) == []
    context.close()


def test_a_psychologists_sign_off_by_keyboard_alone(browser, demo):
    """The psychologist (dr.r.ahmed), keys only: the tab bar to "Sign-off queue", Tab to a
    formulation waiting, Enter to read it, Tab to "Approve and sign off", Enter; the
    sign-off announced in a live region, and kept in the store as hers."""
    from tswt_formulation import open_store
    from tswt_formulation.rules.workflow import outstanding_risk_steps
    from tswt_formulation.workbench.signoff import awaiting_signoff

    with open_store(str(demo["store"]), user="dr.r.ahmed") as store:
        waiting = [c for c, _at, _by in awaiting_signoff(store)]
        plain = [c for c in waiting if not outstanding_risk_steps(store.get(c), date.today())]
    assert waiting, "the demo caseload has a formulation awaiting sign-off"
    case_id = (plain or waiting)[0]
    process, url = start_app(demo["store"], "dr.r.ahmed")
    try:
        context, page = open_page(browser, url)
        keys = Keyboard(page)
        tabs = page.get_by_role("tab")
        keys.tab_to(tabs.filter(has_text="My caseload"))
        for _ in range(TABS.index("Sign-off queue")):
            keys.press("ArrowRight")
        keys.press("Enter")
        page.get_by_role("tab", name="Sign-off queue", selected=True).wait_for()
        keys.new_view()
        keys.tab_to(page.get_by_role("button", name=f"{case_id}: submitted"))
        keys.press("Enter")
        page.get_by_text(f"Open case: {case_id}").wait_for()
        page.get_by_role("heading", name="Narrative").wait_for()
        page.get_by_role("tab", name="Sign-off queue", selected=True).wait_for()
        if case_id not in plain:  # a first step outstanding: the reason, typed
            keys.tab_to(page.get_by_label("Outstanding-step reason"))
            keys.type("Safety plan agreed by phone; the record follows.")
        keys.tab_to(page.get_by_role("button", name="Approve and sign off"))
        focus_order_shot(page, "4-signoff-focus-order")
        mark_live_regions(page)
        keys.press("Enter")
        announced(page, "signed off")
        context.close()
    finally:
        stop_app(process)
    with open_store(str(demo["store"])) as store:
        form = store.get(case_id).formulation
    assert form is not None and form.status == "signed_off"
    assert case_id not in [c for c, _at, _by in awaiting_signoff_of(demo["store"])]


def awaiting_signoff_of(path: Path) -> list[tuple[str, Any, str]]:
    from tswt_formulation import open_store
    from tswt_formulation.workbench.signoff import awaiting_signoff

    with open_store(str(path)) as store:
        return awaiting_signoff(store)
