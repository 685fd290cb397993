"""Reports: produce the formulation or outcomes report of the open case and download it
(HTML, and PDF where the pdf extra is installed), through the same runner as
``tswt reports``; and the case's audit trail, who did what and when."""

from __future__ import annotations

import base64
import os
import shutil
import tempfile
import threading
from datetime import date
from pathlib import Path
from typing import Any

import ipywidgets as w

from ..errors import TswtError
from ..store import CaseStore
from ._base import CaseView
from ._forms import button, check, dropdown, heading, inert, message_html, table_html

MIME = {"html": "text/html", "pdf": "application/pdf"}
FOLDER_PREFIX = "tswt-workbench-reports-"


def report_folder() -> Path:
    """A private folder for this session's report files (``tswt-workbench-reports-PID-*``
    in the system temp folder), removed when the session's process ends (a page closed,
    its kernel culled or shut down) or the view is dropped; folders left by a process that
    was killed outright are removed by the next session that starts."""
    import atexit

    sweep_report_folders()
    folder = Path(tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-"))  # 0700
    atexit.register(shutil.rmtree, folder, True)
    return folder


def sweep_report_folders() -> list[Path]:
    """Remove this user's report folders whose process is gone; return them."""
    removed = []
    for folder in Path(tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*-*"):
        pid = folder.name[len(FOLDER_PREFIX) :].split("-", 1)[0]
        try:
            if not pid.isdigit() or folder.is_symlink() or folder.stat().st_uid != os.getuid():
                continue
            os.kill(int(pid), 0)
        except ProcessLookupError:  # its session is gone
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
        except OSError:  # another user's process (alive), or the folder just went
            continue
    return removed


def store_url(store: CaseStore) -> str:
    """Where the report notebooks open the store (the full URL, password included)."""
    return store.engine.url.render_as_string(hide_password=False)


_warming: list[Any] = []  # the thread loading the reports' libraries, once a process
_warming_lock = threading.Lock()


def warm_reports() -> None:
    """In a workbench page's kernel, load what a report needs in the background, once:
    the batch workers' preload (``reports/_worker_preload*``: papermill, nbconvert's
    exporter with its template compiled, matplotlib with its first drawing done, the
    report modules), so the first report does not wait on them (issue 20: 4.6 s, most of
    it importing). Called while a kernel kept warm waits for its page, a few seconds
    after its page was asked for (drawn by then), or when a case is opened or the Reports
    tab is built, whichever comes first; never while a page is being drawn: loading
    beside the page's first drawing slowed it by seconds. Outside a Voila kernel (a
    notebook, the tests) it does nothing."""
    if not os.environ.get("VOILA_KERNEL_ID"):
        return

    def load() -> None:
        import tswt_formulation.reports._worker_preload_charts  # noqa: F401 - loading is the point

    with _warming_lock:
        if _warming:
            return
        thread = threading.Thread(target=load, name="tswt-warm-reports", daemon=True)
        _warming.append(thread)
        thread.start()


def sent_ago(most: float = 30.0) -> float:
    """Seconds since the browser sent the message this kernel is handling now (a click):
    from the message's own header, dated by the browser. 0 when there is none (not in a
    kernel, or a date that cannot be right: in the future, or more than ``most`` seconds
    ago, as a browser on another machine whose clock differs would give)."""
    from datetime import UTC, datetime

    try:
        from IPython import get_ipython

        shell = get_ipython()
        kernel = getattr(shell, "kernel", None)
        sent = kernel.get_parent()["header"]["date"] if kernel is not None else None
        if isinstance(sent, str):
            sent = datetime.fromisoformat(sent.replace("Z", "+00:00"))
        ago = (datetime.now(UTC) - sent).total_seconds() if isinstance(sent, datetime) else 0.0
    except Exception:  # noqa: BLE001 - a time for a banner: never worth a failed report
        return 0.0
    return ago if 0.0 <= ago <= most else 0.0


class ReportsView(CaseView):
    """Produce a report of the open case; a download link for each file."""

    def __init__(self, store: CaseStore, user: str, as_of: date | None = None) -> None:
        super().__init__(store, user, as_of)
        # Whether the pdf extra is installed (cheap; importing WeasyPrint takes seconds:
        # the runner checks its system libraries when a PDF is asked for).
        import importlib.util

        self.pdf_ok = importlib.util.find_spec("weasyprint") is not None
        self.pdf_why = "the PDF extra is not installed: pip install 'tswt-formulation[pdf]'"
        self.kind = self.form.add(
            "kind",
            dropdown(
                "Report",
                [
                    ("Formulation", "formulation"),
                    ("Outcomes", "outcomes"),
                    ("Caseload review (my caseload; no case needed)", "review"),
                ],
            ),
        )
        formats = [("HTML", ("html",))] + (
            [("PDF", ("pdf",)), ("HTML and PDF", ("html", "pdf"))] if self.pdf_ok else []
        )
        self.formats = self.form.add("formats", dropdown("Format", formats))
        self.latest = self.form.add(
            "latest", check("Formulation: the latest version, even if not yet signed off", True)
        )
        self.produce_button = button("Produce the report", "primary")
        self.produce_button.on_click(lambda _b: self.produce())
        self.downloads = w.HTML("")
        pdf_note = (
            ""
            if self.pdf_ok
            else message_html(f"PDF is not available here: {self.pdf_why}", "note")
        )
        self.out_dir = report_folder()
        warm_reports()
        import weakref

        weakref.finalize(self, shutil.rmtree, self.out_dir, True)
        self.widget = w.VBox(
            [
                self.title,
                self.form.banner,
                self.kind.box,
                self.formats.box,
                self.latest.box,
                w.HTML(pdf_note),
                self.produce_button,
                self.downloads,
            ]
        )

    def show_case(self) -> None:
        self.downloads.value = ""

    def produce(self) -> list[Path]:
        """Run the report notebook for the open case; offer each file as a download."""
        import time

        # the banner gives the time the person waited, from the click, not the notebook's alone
        clicked = time.perf_counter() - sent_ago()
        kind = self.kind.widget.value
        if self.case is None and kind != "review":
            self.form.banner.value = message_html(self.empty_text)
            return []
        from ..reports.batch import InlineExecutor, run_reports

        extra: dict[str, Any] = (
            {"version": "latest"} if kind == "formulation" and self.latest.widget.value else {}
        )
        if kind == "review":
            # the caseload review, as `tswt reports --kind review`: of this person's caseload
            # when they hold cases, else the team's; prepared by them
            extra["author"] = self.user
            if self.user in self.store.workers():
                extra["worker"] = self.user
            what, ids = "caseload review", []
        else:
            assert self.case is not None
            what, ids = f"{kind} report of {self.case.case_id}", [self.case.case_id]
        self.form.banner.value = message_html(f"Producing the {what}...", "note")
        for old in self.out_dir.iterdir():  # only the latest report's files are kept (as downloads)
            if old.is_dir() and not old.is_symlink():
                shutil.rmtree(old, ignore_errors=True)
            else:
                old.unlink(missing_ok=True)
        import os

        # The report opens the store itself: as this app's person (a kernel is one person's).
        had = os.environ.get("TSWT_USER")
        os.environ["TSWT_USER"] = self.user
        try:
            # At once, in this thread: the report's engine stays warm for this session's next report.
            summary = run_reports(
                ids,
                kind,
                store_url(self.store),
                self.out_dir,
                executor=InlineExecutor(),
                formats=self.formats.widget.value,
                as_of=self.as_of,
                progress=False,
                extra=extra,
            )
        except TswtError as exc:
            self.form.show_error(exc)
            return []
        finally:
            if had is None:
                os.environ.pop("TSWT_USER", None)
            else:
                os.environ["TSWT_USER"] = had
        result = summary.results[0]
        if result.status != "ok":
            self.form.banner.value = message_html(
                f"The report could not be produced: {result.cell + ': ' if result.cell else ''}{result.error}"
            )
            return []
        links = []
        for name in result.files:
            path = Path(name)
            data = base64.b64encode(path.read_bytes()).decode("ascii")
            mime = MIME[path.suffix.lstrip(".")]
            links.append(
                f"<a download='{inert(path.name)}' href='data:{mime};base64,{data}'>Download {inert(path.name)}</a>"
            )
        self.downloads.value = "<br>".join(links)
        self.form.done(f"The {what} is ready ({time.perf_counter() - clicked:.1f} s).")
        return [Path(f) for f in result.files]


class AuditView(CaseView):
    """Who changed the open case, when, and what (the store's audit log)."""

    def __init__(self, store: CaseStore, user: str, as_of: date | None = None) -> None:
        super().__init__(store, user, as_of)
        self.log = w.HTML("")
        self.refresh_button = button("Refresh")
        self.refresh_button.on_click(lambda _b: self.show_case())
        self.widget = w.VBox([self.title, heading("Audit trail"), self.log, self.refresh_button])

    def show_case(self) -> None:
        if self.case is None:
            return
        rows = [
            (f"{e.at:%Y-%m-%d %H:%M:%S}", e.user, e.action, e.version, e.note, e.summary(80))
            for e in self.store.audit_log(self.case.case_id)
        ]
        self.log.value = table_html(
            ["When (UTC)", "Who", "Action", "Version", "Note", "What changed"], rows
        )

    def case_saved(self, case: Any) -> None:
        super().case_saved(case)
        self.show_case()
