"""The workbench as one app: the caseload and each view of the open case in tabs, with
who is signed in and which case is open always in view."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from typing import Any

import ipywidgets as w

from .. import casework
from ..errors import TswtError
from ..model import Case
from ..store import CaseStore, open_store
from ._base import CaseView
from ._forms import inert, message_html
from .a11y import live
from .caseload import CaseloadView
from .formulation import FormulationView
from .measures import MeasuresView
from .referral import ReferralView
from .reports import AuditView, ReportsView, warm_reports
from .screening import ScreeningView
from .signoff import SignoffQueueView
from .work import WorkView

# The tabs, in order: each its title and how its view is made (from the app, the first
# time the tab or the open case needs it). Titles, views and lookups by title all come
# from this one list.
TAB_VIEWS: tuple[tuple[str, Callable[[App], Any]], ...] = (
    ("My caseload", lambda app: CaseloadView(*app.view_args, on_open=app.open_case)),
    ("Referral", lambda app: ReferralView(*app.view_args, on_created=app._created)),
    ("Screening", lambda app: ScreeningView(*app.view_args)),
    ("Measures", lambda app: MeasuresView(*app.view_args)),
    ("Formulation", lambda app: FormulationView(*app.view_args)),
    ("Work", lambda app: WorkView(*app.view_args)),
    (
        "Sign-off queue",
        lambda app: SignoffQueueView(
            *app.view_args, on_open=lambda case_id: app.open_case(case_id, tab="Sign-off queue")
        ),
    ),
    ("Reports", lambda app: ReportsView(*app.view_args)),
    ("Audit", lambda app: AuditView(*app.view_args)),
)
TABS = tuple(title for title, _ in TAB_VIEWS)


def _tab(title: str) -> property:
    """The view of the tab titled so, as a property of the app."""
    index = TABS.index(title)
    return property(lambda self: self.view_at(index))


class App:
    """Every view in tabs. ``App(store, user)``; show ``app.widget``.

    Only the caseload is built at once (the app must show quickly); each other view is
    built the first time its tab or the open case needs it."""

    view_args: tuple[CaseStore, str, date]  # what every view is made with

    def __init__(
        self, store: CaseStore, user: str | None = None, as_of: date | None = None
    ) -> None:
        # Who is acting is the store's identity (access.identity): on a team server the
        # JupyterHub login, never a name typed into the app.
        self.store, self.user, self.as_of = store, store._acting(user)[0], as_of or date.today()
        self.view_args = (store, self.user, self.as_of)
        self._views: dict[int, Any] = {}
        self.open_id: str | None = None
        self._case: Case | None = None
        self.header = w.HTML("")
        self.notice = live(w.HTML(""))  # announced when it speaks (workbench/a11y.py)
        self._pending: str | None = None
        self.tabs = w.Tab(children=[w.VBox([]) for _ in TABS], titles=TABS)
        try:
            store.authorise(
                "read_case", user=self.user
            )  # a login not in the staff directory sees no case
        except TswtError as exc:
            self._show_header()
            self.notice.value = message_html(
                f"{str(exc).rstrip('.')}. Ask the team's administrator to add you."
            )
            self.widget = w.VBox([self.header, self.notice])
            return
        self.view_at(0)
        self.tabs.observe(self._tab_shown, names="selected_index")
        self._show_header()
        self.widget = w.VBox([self.header, self.notice, self.tabs])

    def view_at(self, index: int) -> Any:
        """The view of a tab, built on first use (and shown the open case)."""
        view: Any = self._views.get(index)
        if view is None:
            view = self._views[index] = TAB_VIEWS[index][1](self)
            if isinstance(view, CaseView):
                view.on_saved = self.case_saved
                if self._case is not None:  # one open case, everywhere (the queue too)
                    view.open(self._case.case_id, self._case)
            self.tabs.children[index].children = (view.widget,)
        return view

    caseload = _tab("My caseload")
    referral = _tab("Referral")
    screening = _tab("Screening")
    measures = _tab("Measures")
    formulation = _tab("Formulation")
    work = _tab("Work")
    signoff = _tab("Sign-off queue")
    reports = _tab("Reports")
    audit = _tab("Audit")

    @property
    def case_views(self) -> list[CaseView]:
        return [v for v in self._views.values() if isinstance(v, CaseView)]

    def _who(self) -> str:
        """ "C. Mensah, therapeutic social worker (c.mensah)": the person, and the login the
        audit log records their saves under."""
        from ..store.staff import staff_directory

        member = staff_directory(self.store).get(self.user)
        return f"{member.described} ({self.user})" if member is not None else self.user

    def _show_header(self) -> None:
        case = f"Open case: <b>{inert(self.open_id)}</b>" if self.open_id else "No case open"
        self.header.value = (
            f"<div style='display:flex;flex-wrap:wrap;gap:0 2em;align-items:baseline;white-space:nowrap'>"
            f"<h1 style='margin:4px 0;font-size:1.5em'>TSWT workbench</h1>"
            f"<span>Signed in as <b>{inert(self._who())}</b></span><span role='status'>{case}</span>"
            f"<span style='color:#666'>as of {self.as_of.isoformat()}; store {inert(self.store.location)}</span></div>"
        )

    def open_case(self, case_id: str, tab: str = "Screening") -> None:
        """Open a case in every view and show it (the Screening tab by default).

        Typed values not yet saved are never dropped silently: the first click says
        where they are; opening the same case again discards them."""
        queue = self._views.get(TABS.index("Sign-off queue"))
        dirty = [
            TABS[i]
            for i, v in self._views.items()
            if isinstance(v, CaseView) and v is not queue and v.unsaved()
        ]
        if dirty and self._pending != case_id:
            self._pending = case_id
            self.notice.value = message_html(
                f"Not opened: you have typed in {', '.join(dirty)} and not saved. Save there first, "
                f"or open {case_id} again to discard what you typed."
            )
            return
        self._pending = None
        self.notice.value = ""
        try:
            case = casework.open_case(
                self.store, case_id, "workbench", user=self.user
            )  # who may read; the opening logged
        except TswtError as exc:
            self.notice.value = message_html(str(exc))
            return
        self.open_id, self._case = case_id, case
        for view in self.case_views:
            view.open(case_id, case)
        self._show_header()
        self.view_at(TABS.index(tab))
        self.tabs.selected_index = TABS.index(tab)
        warm_reports()  # while the case is read: its report then need not wait on the libraries

    def _created(self, case_id: str) -> None:
        """A new referral saved: opened in Screening, and what its save said shown (and
        announced) above the tabs, the Referral tab where it was said being hidden now."""
        said = self.referral.form.banner.value  # opening the case clears the form's banner
        self.open_case(case_id)
        if self.open_id == case_id:
            self.notice.value = said

    def case_saved(self, case: Case) -> None:
        self._case = case
        self.notice.value = ""  # it spoke of an earlier step; this save speaks beside its button
        for view in self.case_views:
            view.case_saved(case)

    def _tab_shown(self, change: dict[str, Any]) -> None:
        if change["new"] is None:
            return
        fresh = change["new"] not in self._views
        view = self.view_at(change["new"])
        if isinstance(view, MeasuresView):
            view.shown()
        elif fresh:
            return
        elif isinstance(view, (CaseloadView, SignoffQueueView)):
            view.refresh()
        elif isinstance(view, AuditView):
            view.show_case()


def app_from_environment() -> App:
    """The app as ``tswt app`` starts it: store and user from ``TSWT_STORE`` and
    ``TSWT_USER`` (set by the command), as-of date from ``TSWT_AS_OF`` if given."""
    as_of = os.environ.get("TSWT_AS_OF")
    store = open_store(os.environ.get("TSWT_STORE"), user=os.environ.get("TSWT_USER"))
    return App(store, os.environ.get("TSWT_USER"), date.fromisoformat(as_of) if as_of else None)


def when_the_page_is_asked_for(app: App) -> None:
    """What the workbench notebook runs once the app is shown: wait for the page, then
    read the caseload as it is now.

    ``tswt app`` keeps a kernel warm with the app already made (Voila's pre-heating), so
    the caseload it shows was read when that kernel started, perhaps long before the page
    is opened. :func:`wait_for_the_page` holds the notebook here until a page is served
    from this kernel (at once when the kernel was not pre-heated: a team server, a
    notebook); the caseload is read then, before the page is sent."""
    import threading

    asked = threading.Event()

    def warm_while_waiting() -> None:
        # a kernel kept warm for the next page waits idle: load the reports' libraries
        # meanwhile (a page asked for at once, the first after `tswt app` starts, is drawn first)
        if not asked.wait(WAITING):
            warm_reports()

    threading.Thread(target=warm_while_waiting, name="tswt-warm-idle", daemon=True).start()
    wait_for_the_page()
    asked.set()
    if 0 in app._views:
        try:
            app.caseload.refresh()
        except Exception as exc:  # noqa: BLE001 - the page must still load; the caseload says why
            app.notice.value = message_html(f"The caseload could not be read again: {exc}")
    # once the page is drawn, what the reports need is loaded (or when a case is opened)
    later = threading.Timer(WARM_AFTER, warm_reports)
    later.daemon = True
    later.start()


#: Seconds after its page was asked for that a kernel loads the reports' libraries: the
#: page is drawn by then (reloads in about 1 s, the first page in 2-3 s after it is asked for).
WARM_AFTER = 4.0
#: Seconds a kernel waits for its page before loading them while it waits.
WAITING = 2.0


def wait_for_the_page(timeout: float = 5.0) -> bool:
    """In a kernel Voila keeps warm, wait until a page is served from it; True when one was.

    Voila's own ``voila.utils.wait_for_request``, without importing the ``voila`` package
    into the kernel: that imports jupyter_server with it, 3 s of a page's first drawing on
    this machine (9 s on a loaded one), the time the server answers in. The protocol is
    Voila's: a pre-heated kernel (``VOILA_PREHEAT``) opens the server's request-info
    websocket, ``voila/query/<kernel id>``, and the server sends the page's request
    there when it hands the kernel to a page (or at once, if it already has). Anywhere
    else (not pre-heated, no server to ask) it returns at once."""
    if os.environ.get("VOILA_PREHEAT") != "True" or not os.environ.get("VOILA_KERNEL_ID"):
        return False
    import asyncio
    import contextlib
    import threading

    base = os.environ.get("VOILA_WS_BASE_URL", os.environ.get("VOILA_SERVER_URL", "/"))
    url = (
        f"{os.environ.get('VOILA_WS_PROTOCOL', 'ws')}://{os.environ.get('VOILA_APP_IP', '127.0.0.1')}"
        f":{os.environ.get('VOILA_APP_PORT', '8866')}{base}voila/query/{os.environ['VOILA_KERNEL_ID']}"
    )
    asked: list[Any] = []

    async def receive() -> None:
        from websockets.asyncio.client import connect

        async with connect(url, open_timeout=timeout) as socket:
            asked.append(await socket.recv())

    def run() -> None:  # a loop of its own: the kernel's is running this cell
        # no server to ask: the app as made stays, as it was
        with contextlib.suppress(Exception):
            asyncio.run(receive())

    waiting = threading.Thread(target=run, name="tswt-wait-for-page", daemon=True)
    waiting.start()
    waiting.join()
    return bool(asked)
