"""Benchmark: the workbench on a 10,000-case store.

Run with ``python bench/bench_workbench.py [N]`` (needs the app extra; the browser part
also needs the playwright package and /usr/bin/chromium, and is skipped without them).
Targets (issue 13): the caseload shows in under 2 s from page load, opening a case in
under 1 s, the live recommendation updates within 200 ms of a change. Goals (issue 20):
the caseload visible <= 3 s after `tswt app` starts, <= 1.5 s on a page reload, the
first report <= 2 s (as the person waits, beside the time the banner says).

In-process, it times the views as a notebook runs them (building the app with its
caseload, opening a case, one change to the screening); through the browser, it starts
``tswt app`` on the same store and times the same three steps as a person sees them.
Only synthetic people; the generator is seeded.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from tswt_formulation import open_store
from tswt_formulation.demo import generate_caseload

AS_OF = date(2026, 11, 20)
WORKER = "c.mensah"


def build_store(n: int, folder: Path) -> Path:
    path = folder / f"bench_{n}.sqlite"
    start = time.perf_counter()
    with open_store(str(path), user="bench", create=True) as store:
        store.import_cases(generate_caseload(n, seed=1, as_of=AS_OF))
    print(f"store of {n} synthetic cases built in {time.perf_counter() - start:.1f} s")
    return path


def in_process(path: Path) -> None:
    from tswt_formulation.workbench import App

    store = open_store(str(path), user=WORKER)
    times = []
    for _ in range(3):
        start = time.perf_counter()
        app = App(store, WORKER, AS_OF)
        times.append(time.perf_counter() - start)
    print(
        f"in-process: app with the caseload of {app.caseload.status.value.split('>')[1].split(';')[0]}: "
        f"median {statistics.median(times) * 1000:.0f} ms (target < 2000 ms)"
    )
    frame = store.caseload(AS_OF)
    screening = list(frame.loc[frame["state"] == "in_screening", "case_id"])[:6]
    app.open_case(screening[0])  # the first open builds the screening view
    times = []
    for case_id in screening[1:]:
        start = time.perf_counter()
        app.open_case(case_id)
        times.append(time.perf_counter() - start)
    print(
        f"in-process: open a case: median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms (target < 1000 ms)"
    )
    view = app.screening
    row = view.behaviours["attention_concentration_impulsivity"]
    times, engine = [], []
    for i in range(20):
        start = time.perf_counter()
        row.chosen.value = not row.chosen.value
        if i % 2 == 0:
            row.sources.widget.value = ("school",)
        times.append(time.perf_counter() - start)
        engine.append(view.last_update_ms)
    print(
        f"in-process: live recommendation after a change: median {statistics.median(times) * 1000:.1f} ms, "
        f"max {max(times) * 1000:.1f} ms (target < 200 ms)"
    )
    store.close()


def through_browser(path: Path) -> dict[str, float]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("browser: skipped (no playwright package)")
        return {}
    if not Path("/usr/bin/chromium").exists():
        print("browser: skipped (no /usr/bin/chromium)")
        return {}
    figures: dict[str, float] = {}
    port = _free_port()
    started = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from tswt_formulation.cli import main; main()",
            "app",
            "--store",
            str(path),
            "--port",
            str(port),
            "--no-browser",
            "--user",
            WORKER,
            "--as-of",
            AS_OF.isoformat(),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "TSWT_USER": WORKER},
    )
    try:
        assert process.stdout is not None
        url = next(line.split()[1] for line in process.stdout if line.startswith("Open http://"))
        args = [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=args)
            page = browser.new_page(viewport={"width": 1300, "height": 900})
            page.set_default_timeout(120_000)
            # As a person does: start `tswt app`, open the page at once (issue 20: <= 3 s).
            page.goto(url)
            page.get_by_text("with the screening overdue").wait_for()
            figures["start"] = time.perf_counter() - started
            print(
                f"browser: `tswt app` started to caseload visible: {figures['start'] * 1000:.0f} ms (goal <= 3000 ms)"
            )
            reloads = []
            for _ in range(3):
                time.sleep(
                    3
                )  # the pool's next kernel warms meanwhile, as between a person's page loads
                start = time.perf_counter()
                page.reload()
                page.get_by_text("with the screening overdue").wait_for()
                reloads.append(time.perf_counter() - start)
            figures["reload"] = statistics.median(reloads)
            print(
                f"browser: page reload to caseload visible: median {statistics.median(reloads) * 1000:.0f} ms, "
                f"max {max(reloads) * 1000:.0f} ms (goal <= 1500 ms)"
            )
            time.sleep(10)  # let the warm kernel finish preparing the page, as a running server has
            start = time.perf_counter()
            page.goto(url)
            page.get_by_text("with the screening overdue").wait_for()
            shown = time.perf_counter() - start
            print(
                f"browser: caseload shown {shown * 1000:.0f} ms after the page was asked for (target < 2000 ms)"
            )
            first = page.get_by_role("button", name="TSW-").first
            case_id = first.inner_text().strip()
            start = time.perf_counter()
            first.click()
            page.get_by_text(f"Case {case_id}").wait_for()
            print(
                f"browser: open {case_id}: {(time.perf_counter() - start) * 1000:.0f} ms (target < 1000 ms; the first "
                "open also builds the screening view)"
            )
            page.get_by_role("tab", name="My caseload").click()
            second = page.get_by_role("button", name="TSW-").nth(1)
            other = second.inner_text().strip()
            start = time.perf_counter()
            second.click()
            page.get_by_text(f"Case {other}").wait_for()
            print(
                f"browser: open a second case {other}: {(time.perf_counter() - start) * 1000:.0f} ms"
            )
            panel = (
                "document.querySelector(\"[aria-label='Recommendation']\").parentElement.innerHTML"
            )
            life_story = page.get_by_label("Life story work")
            for choice in ("Completed", "Not started", "Completed"):
                if life_story.input_value() == choice:
                    continue
                before = page.evaluate(panel)
                start = time.perf_counter()
                life_story.select_option(label=choice)
                page.wait_for_function(f"old => {panel} !== old", arg=before, polling=10)
                print(
                    f"browser: recommendation panel updated {(time.perf_counter() - start) * 1000:.0f} ms after a change "
                    f"of life story work to {choice.lower()} (target < 200 ms)"
                )
            page.get_by_role("tab", name="Reports").click()
            page.get_by_label("Report", exact=True).select_option(label="Outcomes")
            start = time.perf_counter()
            page.get_by_role("button", name="Produce the report").click()
            ready = page.get_by_text("report of", exact=False).filter(has_text="is ready")
            ready.wait_for()
            figures["report"] = time.perf_counter() - start
            print(
                f"browser: first report (outcomes of {other}) ready {figures['report'] * 1000:.0f} ms after the "
                f"click; the banner says: {ready.inner_text().strip()} (goal <= 2000 ms)"
            )
            # a second report, of another kind: every report <= 2 s, not the first alone
            page.get_by_label("Report", exact=True).select_option(label="Formulation")
            start = time.perf_counter()
            page.get_by_role("button", name="Produce the report").click()
            ready = page.get_by_text("formulation report of", exact=False).filter(
                has_text="is ready"
            )
            ready.wait_for()
            figures["report2"] = time.perf_counter() - start
            print(
                f"browser: then the formulation report ready {figures['report2'] * 1000:.0f} ms after the click; "
                f"the banner says: {ready.inner_text().strip()} (goal <= 2000 ms)"
            )
            browser.close()
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    return figures


def voila_floor() -> dict[str, float]:
    """The same page load for a Voila page showing one label: what Voila itself costs on
    this machine now (the browser figures above are only comparable with it)."""
    try:
        import nbformat
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {}
    if not Path("/usr/bin/chromium").exists():
        return {}
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        notebook = Path(folder) / "floor.ipynb"
        nb = nbformat.v4.new_notebook()
        nb.cells = [
            nbformat.v4.new_code_cell(
                "import ipywidgets as w\nw.Label('with the screening overdue')"
            )
        ]
        nb.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        nbformat.write(nb, str(notebook))
        from tswt_formulation.cli.app import voila_command

        port = _free_port()
        started = time.perf_counter()
        process = subprocess.Popen(
            voila_command(notebook, port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
                )
                page = browser.new_page()
                page.set_default_timeout(120_000)
                for _ in range(100):  # the server is up when it answers
                    try:
                        page.goto(f"http://127.0.0.1:{port}/")
                        break
                    except Exception:  # noqa: BLE001 - not listening yet
                        time.sleep(0.1)
                page.get_by_text("with the screening overdue").wait_for()
                figures["start"] = time.perf_counter() - started
                print(
                    f"browser: for comparison, a bare Voila page with one label: started to visible "
                    f"{figures['start'] * 1000:.0f} ms"
                )
                reloads = []
                for _ in range(3):
                    time.sleep(3)
                    start = time.perf_counter()
                    page.reload()
                    page.get_by_text("with the screening overdue").wait_for()
                    reloads.append(time.perf_counter() - start)
                figures["reload"] = statistics.median(reloads)
                print(
                    f"browser: for comparison, the bare Voila page reloaded: median {statistics.median(reloads) * 1000:.0f} ms"
                )
                browser.close()
        finally:
            process.terminate()
            process.wait(timeout=30)
    return figures


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory() as folder:
        path = build_store(n, Path(folder))
        in_process(path)
        ours = through_browser(path)
    bare = voila_floor()
    # The machine is shared: the workbench's figures mean something beside Voila's own
    # cost measured in the same run (the same server, a page of one label).
    for key, what in (("start", "started to visible"), ("reload", "reload, median")):
        if key in ours and key in bare:
            print(
                f"ratio: workbench / bare Voila page, {what}: {ours[key]:.2f} / {bare[key]:.2f} s = "
                f"{ours[key] / bare[key]:.2f}"
            )


if __name__ == "__main__":
    main()
