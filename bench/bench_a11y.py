"""Benchmark: what the accessibility script (workbench/a11y.py) costs the page.

Run with ``python bench/bench_a11y.py`` (needs the app and test extras and
/usr/bin/chromium). It starts ``tswt app`` on the synthetic demo (60 children), opens a
child's Measures tab (the largest view: 31 radio groups, every field) and times, in the
browser, one pass of the script (it runs once per animation frame in which the page
changed) against the obvious baseline in the same run: the browser's own work for the
same change, a tab switch drawn (click to the next frame). Prints both and the ratio.
Only synthetic people.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

TSWT = [sys.executable, "-c", "from tswt_formulation.cli import main; main()"]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
AS_OF, USER, PORT = "2026-11-20", "s.price", 8896

ONE_PASS = """n => { const times = []; for (let i = 0; i < n; i++) {
  const t = performance.now(); window.tswtA11yFix(); times.push(performance.now() - t); }
  times.sort((a, b) => a - b); return times[Math.floor(n / 2)]; }"""
TAB_DRAWN = """name => new Promise(done => {
  const tab = [...document.querySelectorAll('[role=tab]')].find(t => t.textContent.trim() === name);
  const t = performance.now(); tab.click();
  requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t))); })"""


def main() -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demo.sqlite"
        env = {**os.environ, "TSWT_USER": USER}
        subprocess.run(
            [*TSWT, "demo", "--store", str(path), "--cases", "60", "--seed", "1", "--as-of", AS_OF],
            check=True,
            env=env,
            capture_output=True,
        )
        app = subprocess.Popen(
            [*TSWT, "app", "--store", str(path), "--port", str(PORT), "--no-browser"]
            + ["--user", USER, "--as-of", AS_OF],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        try:
            assert app.stdout is not None
            url = next(line.split()[1] for line in app.stdout if line.startswith("Open http"))
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                page = browser.new_page(viewport={"width": 1366, "height": 800})
                page.set_default_timeout(90_000)
                page.goto(url)
                page.get_by_text("Signed in as").wait_for()
                page.get_by_role("textbox", name="Find a case").fill("TSW-900017")
                page.get_by_role("textbox", name="Find a case").press("Enter")
                page.get_by_role("button", name="TSW-900017").click()
                page.get_by_text("Open case: TSW-900017").wait_for()
                page.get_by_role("tab", name="Measures").click()
                page.get_by_text("The chart's values", exact=False).wait_for()
                nodes = page.evaluate("document.querySelectorAll('*').length")
                switches = []
                for _ in range(15):
                    for tab in ("Screening", "Measures"):
                        switches.append(page.evaluate(TAB_DRAWN, tab))
                        page.wait_for_timeout(100)
                shim = page.evaluate(ONE_PASS, 200)  # on the Measures tab: the most to fix
                switch = statistics.median(switches)
                browser.close()
        finally:
            app.send_signal(signal.SIGTERM)
            app.wait(timeout=30)
    print(f"page of {nodes} elements (a child's Measures tab open)")
    print(f"one pass of the accessibility script: {shim:.2f} ms (median of 200)")
    print(f"baseline, a tab switch drawn by the browser: {switch:.2f} ms (median of 30)")
    print(f"ratio script / tab switch: {shim / switch:.2f}")


if __name__ == "__main__":
    main()
