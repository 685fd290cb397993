"""Screenshots of each workbench view for the README's tour (docs/images/workbench-*.png).

Run ``python tools/workbench_screenshots.py`` after ``pip install -e '.[app,test]'`` with
/usr/bin/chromium present. It builds the synthetic demo caseload (with its staff
directory) in a scratch store as ``tswt demo`` does, and photographs each tab 1000 px wide
in ``tswt app`` started as the login whose work the tab shows (docs/permissions.md): the
senior practitioner (s.price) records a referral, the therapeutic social worker
(c.mensah) her caseload, a screening, an SDQ, a formulation and the audit trail, and the
clinical psychologist (dr.r.ahmed) the sign-off queue (only a psychologist may approve: a
worker's app never offers "Approve and sign off"). Only synthetic people appear.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from tswt_formulation import open_store

OUT = Path(__file__).resolve().parent.parent / "docs" / "images"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AS_OF = date(2026, 11, 20)
# The demo's staff (tswt_formulation/demo/people.py), each for the step that is theirs.
WORKER = "c.mensah"  # therapeutic social worker
SENIOR = "s.price"  # senior practitioner: records, decides and allocates referrals
PSYCHOLOGIST = "dr.r.ahmed"  # clinical psychologist: signs formulations off
TSWT = [sys.executable, "-c", "from tswt_formulation.cli import main; main()"]


def main() -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demo.sqlite"
        subprocess.run(
            [*TSWT, "demo", "--store", str(path), "--cases", "60", "--seed", "1"]
            + ["--as-of", AS_OF.isoformat()],
            check=True,
            env={**os.environ, "TSWT_USER": WORKER},
            capture_output=True,
        )
        with open_store(str(path), user="t.harper") as store:
            frame = store.caseload(AS_OF, worker=WORKER)
            case_id = str(frame.loc[frame["state"] == "in_screening", "case_id"].iloc[0])
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            try:
                with signed_in(browser, path, WORKER) as page:
                    shot(page, "caseload")
                    screening_measures_formulation(page, case_id)
                    page.get_by_role("tab", name="Audit").click()
                    page.get_by_role("button", name="Refresh").click()
                    page.get_by_text("When (UTC)").wait_for()
                    shot(page, "audit")
                with signed_in(browser, path, SENIOR) as page:
                    referral(page)
                with signed_in(browser, path, PSYCHOLOGIST) as page:
                    page.get_by_role("tab", name="Sign-off queue").click()
                    page.get_by_text("awaiting sign-off.", exact=False).wait_for()
                    page.get_by_role("button", name="submitted", exact=False).first.click()
                    page.get_by_role("button", name="Approve and sign off").wait_for()
                    shot(page, "signoff")
            finally:
                browser.close()


@contextmanager
def signed_in(browser, path: Path, login: str) -> Iterator:  # type: ignore[no-untyped-def]
    """A page of ``tswt app`` started as ``login`` (as each person runs their own), the
    caseload shown; the app stopped afterwards."""
    process = subprocess.Popen(
        [
            *TSWT,
            "app",
            "--store",
            str(path),
            "--port",
            "8898",
            "--no-browser",
            "--user",
            login,
            "--as-of",
            AS_OF.isoformat(),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "TSWT_USER": login},
    )
    try:
        assert process.stdout is not None
        url = next(line.split()[1] for line in process.stdout if line.startswith("Open http://"))
        page = browser.new_page(viewport={"width": 1000, "height": 700})
        page.set_default_timeout(60_000)
        page.goto(url)
        page.get_by_text(f"({login})").first.wait_for(timeout=240_000)
        page.get_by_text("with the screening overdue").wait_for()
        yield page
        page.close()
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        if process.stdout is not None:
            process.stdout.close()


def referral(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("tab", name="Referral").click()
    page.get_by_label("Date of birth").fill("2014-02-01")
    page.get_by_label("Legal status", exact=True).select_option(label="Looked after (in care)")
    page.get_by_label("Legal status since").fill("2022-01-01")
    page.get_by_text("Cannot proceed until consent").wait_for()
    shot(page, "referral")


def screening_measures_formulation(page, case_id: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name=case_id).click()
    page.get_by_text(f"Open case: {case_id}").wait_for()
    page.get_by_label("Risk: Going missing").check()
    page.get_by_role("group", name="Reported by: Going missing").get_by_label(
        "Carer", exact=True
    ).check()
    page.get_by_label("Level: Going missing").select_option(label="High")
    page.get_by_label("Review due: Going missing").fill("2026-12-20")
    page.get_by_text("Going missing (high)", exact=False).first.wait_for()
    page.get_by_role("heading", name="Recommendation").scroll_into_view_if_needed()
    shot(page, "screening")
    page.get_by_role("tab", name="Measures").click()
    for n in range(1, 26):
        group = page.locator(".widget-radio", has=page.get_by_text(f"Item {n}", exact=True))
        group.get_by_label("1 somewhat true" if n % 4 else "2 certainly true").check()
    page.get_by_role("table").filter(has_text="SDQ").first.scroll_into_view_if_needed()
    shot(page, "measures")
    page.get_by_role("tab", name="Formulation").click()
    draft = page.get_by_role("button", name="Draft the formulation from the screening")
    draft.or_(page.get_by_text("(revision", exact=False)).first.wait_for()
    if draft.is_visible():
        draft.click()
    page.get_by_text("(revision", exact=False).first.wait_for()
    shot(page, "formulation")


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    path = OUT / f"workbench-{name}.png"
    page.wait_for_timeout(400)
    page.screenshot(path=str(path))
    print(f"{path} ({path.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
