"""axe-core's WCAG 2.0/2.1/2.2 A and AA rules over every workbench view and every report,
on the synthetic demo: the counts per view (rule id, impact, nodes) for issue 26's
before/after table and docs/accessibility.md.

Run ``python tools/axe_audit.py [--json OUT.json]`` after ``pip install -e '.[app,test]'``
with /usr/bin/chromium present. It builds the demo caseload (60 children, seed 1) in a
scratch store, makes the formulation, outcomes and review reports of one child, starts
``tswt app`` as the demo's senior practitioner (s.price) and runs axe on each tab in each state
that matters: no case open, a case open, a save refused with errors, after a save. Only
synthetic people appear. The pass/fail check is tests/workbench/test_accessibility.py; this prints.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from tswt_formulation.workbench.app import TABS  # the tabs as the app lists them

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# a senior practitioner, who may edit any case (as the test: a worker may edit only her own)
WORKER, AS_OF = "s.price", date(2026, 11, 20)
# Voila's page scrolls inside #rendered_cells, not the document: both back to the top, and
# the height that shows everything.
SCROLL_TOP = """() => {
  const boxes = [document.scrollingElement, document.getElementById('rendered_cells')];
  let height = 0;
  for (const box of boxes) { if (box) { box.scrollTop = 0; height = Math.max(height, box.scrollHeight); } }
  return height + 40;
}"""
TSWT = [sys.executable, "-c", "from tswt_formulation.cli import main; main()"]


def axe(page: Any) -> list[dict[str, Any]]:
    """The violations on the page now: [{id, impact, nodes}]."""
    from axe_playwright_python.sync_playwright import Axe

    # axe checks colour contrast only of what is in the viewport (the rest is "incomplete"):
    # the viewport is made as tall as the page for the run, so every element is checked.
    size = page.viewport_size
    height = page.evaluate(SCROLL_TOP)
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], height)})
    try:
        found = (
            Axe()
            .run(
                page,
                options={"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]},
            )
            .response["violations"]
        )
        # landmarks: not a WCAG success criterion in axe's tags (best practice), counted apart
        found += [
            {**v, "id": "region (best practice)"}
            for v in Axe()
            .run(page, options={"runOnly": ["region"], "resultTypes": ["violations"]})
            .response["violations"]
        ]
    finally:
        page.set_viewport_size(size)
    return [{"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"])} for v in found]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="also write the counts here")
    parser.add_argument("--port", type=int, default=8897)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    found: dict[str, list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demo.sqlite"
        env = {**os.environ, "TSWT_USER": WORKER}
        subprocess.run(
            [*TSWT, "demo", "--store", str(path), "--cases", "60", "--seed", "1"]
            + ["--as-of", AS_OF.isoformat()],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        from tswt_formulation import open_store

        with open_store(str(path), user="t.harper") as store:
            frame = store.caseload(AS_OF)  # as tests/workbench/test_accessibility.py chooses it
            screening = str(frame.loc[frame["state"] == "in_screening", "case_id"].iloc[0])
            full = frame.loc[frame["state"].isin(["closed", "work_begun", "formulated"])]
        reports = Path(folder) / "reports"
        constants = "tswt_formulation/measures/examples/demo_constants.yaml"
        for kind in ("formulation", "outcomes", "review"):
            ids: list[str] = [] if kind == "review" else ["--all"]
            extra = ["--constants", constants] if kind != "formulation" else []
            subprocess.run(
                [*TSWT, "reports", *ids, "--kind", kind, "--store", str(path)]
                + ["--user", "dr.r.ahmed", "--out", str(reports), "--jobs", "1"]
                + ["--as-of", AS_OF.isoformat(), *extra],
                check=False,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        del full
        process = subprocess.Popen(
            [*TSWT, "app", "--store", str(path), "--port", str(args.port), "--no-browser"]
            + ["--user", WORKER, "--as-of", AS_OF.isoformat()],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        try:
            assert process.stdout is not None
            url = next(line.split()[1] for line in process.stdout if line.startswith("Open http"))
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                page = browser.new_page(viewport={"width": 1366, "height": 800})
                page.set_default_timeout(90_000)
                page.goto(url)
                page.get_by_text("with the screening overdue").wait_for()
                for tab in TABS:  # no case open
                    page.get_by_role("tab", name=tab).click()
                    page.wait_for_timeout(800)
                    found[f"{tab} | no case open"] = axe(page)
                page.get_by_role("tab", name="My caseload").click()
                page.get_by_label("Worker", exact=True).select_option(label="All workers")
                page.get_by_role("textbox", name="Find a case").fill(screening)
                page.get_by_role("textbox", name="Find a case").press("Enter")
                page.get_by_role("button", name=screening).click()
                page.get_by_text(f"Open case: {screening}").wait_for()
                for tab in TABS:  # a case open
                    page.get_by_role("tab", name=tab).click()
                    page.wait_for_timeout(800)
                    found[f"{tab} | case open"] = axe(page)
                # errors: the referral refused, the SDQ saved with no items
                page.get_by_role("tab", name="Referral").click()
                page.get_by_label("Case-management ref").fill("<bad ref>")
                page.get_by_role("button", name="Save referral").click()
                page.get_by_role("alert").first.wait_for()
                found["Referral | errors"] = axe(page)
                page.get_by_label("Case-management ref").fill("SYNTH-0001")
                page.get_by_role("tab", name="Measures").click()
                page.get_by_role("button", name="Save SDQ").click()
                page.get_by_role("alert").filter(has_text="No items entered").wait_for()
                found["Measures | errors"] = axe(page)
                for n in range(1, 26):
                    group = page.locator(
                        ".widget-radio", has=page.get_by_text(f"Item {n}", exact=True)
                    )
                    if group.count() == 0:  # the items labelled another way
                        group = page.get_by_role("radiogroup", name=f"SDQ item {n},", exact=False)
                    group.get_by_label("1 somewhat true", exact=False).first.check()
                page.get_by_role("button", name="Save SDQ").click()
                page.get_by_text("entered in the workbench", exact=False).first.wait_for()
                found["Measures | after save"] = axe(page)
                page.get_by_role("tab", name="Screening").click()
                page.get_by_role("button", name="Save screening").click()
                page.wait_for_timeout(2500)  # saved, or refused: either is a state to check
                found["Screening | after save"] = axe(page)
                for report in _pick(reports):
                    rpage = browser.new_page(viewport={"width": 1366, "height": 800})
                    rpage.goto(report.as_uri())
                    found[f"report {report.name}"] = axe(rpage)
                    rpage.close()
                browser.close()
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
    for view, violations in found.items():
        if not violations:
            print(f"{view}: no violations")
        for v in violations:
            print(f"{view}: {v['id']} ({v['impact']}) {v['nodes']} nodes")
    if args.json:
        args.json.write_text(json.dumps(found, indent=1))


def _pick(reports: Path) -> list[Path]:
    """One report of each kind (the first of each, by name)."""
    out = []
    for pattern in ("*_formulation.html", "*_outcomes.html", "caseload_review_*.html"):
        files = sorted(reports.glob(pattern))
        if files:
            out.append(files[0])
    return out


if __name__ == "__main__":
    main()
