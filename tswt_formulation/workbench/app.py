"""The workbench as one app: the caseload and each view of the open case in tabs, with
who is signed in and which case is open always in view."""

from __future__ import annotations

import os
from datetime import date
from typing import Any

import ipywidgets as w

from ..config import current_user
from ..model import Case
from ..store import CaseStore, open_store
from ._base import CaseView
from ._forms import inert
from .caseload import CaseloadView
from .formulation import FormulationView
from .measures import MeasuresView
from .referral import ReferralView
from .reports import AuditView, ReportsView
from .screening import ScreeningView
from .signoff import SignoffQueueView

TABS = ("My caseload", "Referral", "Screening", "Measures", "Formulation", "Sign-off queue", "Reports", "Audit")


class App:
    """Every view in tabs. ``App(store, user)``; show ``app.widget``."""

    def __init__(self, store: CaseStore, user: str | None = None, as_of: date | None = None) -> None:
        self.store, self.user, self.as_of = store, current_user(user), as_of or date.today()
        args = (store, self.user, self.as_of)
        self.caseload = CaseloadView(*args, on_open=self.open_case)
        self.referral = ReferralView(*args, on_created=self.open_case)
        self.screening = ScreeningView(*args)
        self.measures = MeasuresView(*args)
        self.formulation = FormulationView(*args)
        self.signoff = SignoffQueueView(*args)
        self.reports = ReportsView(*args)
        self.audit = AuditView(*args)
        self.views: list[Any] = [self.caseload, self.referral, self.screening, self.measures, self.formulation,
                                 self.signoff, self.reports, self.audit]
        for view in self.case_views:
            view.on_saved = self.case_saved
        self.header = w.HTML("")
        self.tabs = w.Tab(children=[v.widget for v in self.views], titles=TABS)
        self.tabs.observe(self._tab_shown, names="selected_index")
        self.open_id: str | None = None
        self._show_header()
        self.widget = w.VBox([self.header, self.tabs])

    @property
    def case_views(self) -> list[CaseView]:
        return [v for v in self.views if isinstance(v, CaseView)]

    def _show_header(self) -> None:
        case = f"Open case: <b>{inert(self.open_id)}</b>" if self.open_id else "No case open"
        self.header.value = (
            f"<div style='display:flex;gap:2em;align-items:baseline'><h2 style='margin:4px 0'>TSWT workbench</h2>"
            f"<span>Signed in as <b>{inert(self.user)}</b></span><span role='status'>{case}</span>"
            f"<span style='color:#666'>Store: {inert(self.store.location)}; as of {self.as_of.isoformat()}</span></div>"
        )

    def open_case(self, case_id: str, tab: str = "Screening") -> None:
        """Open a case in every view and show it (the Screening tab by default)."""
        case = self.store.get(case_id)
        self.open_id = case_id
        for view in self.case_views:
            if view is not self.signoff:
                view.open(case_id, case)
        self._show_header()
        self.tabs.selected_index = TABS.index(tab)

    def case_saved(self, case: Case) -> None:
        for view in self.case_views:
            view.case_saved(case)

    def _tab_shown(self, change: dict[str, Any]) -> None:
        view = self.views[change["new"]] if change["new"] is not None else None
        if view is self.caseload:
            self.caseload.refresh()
        elif view is self.signoff:
            self.signoff.refresh()
        elif view is self.measures:
            self.measures.shown()
        elif view is self.audit:
            self.audit.show_case()


def app_from_environment() -> App:
    """The app as ``tswt app`` starts it: store and user from ``TSWT_STORE`` and
    ``TSWT_USER`` (set by the command), as-of date from ``TSWT_AS_OF`` if given."""
    as_of = os.environ.get("TSWT_AS_OF")
    store = open_store(os.environ.get("TSWT_STORE"), user=os.environ.get("TSWT_USER"))
    return App(store, os.environ.get("TSWT_USER"), date.fromisoformat(as_of) if as_of else None)
