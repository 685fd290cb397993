"""The practitioners' workbench: forms over the library, in JupyterLab and served as an
app by ``tswt app`` (Voila). Needs the ``app`` extra: ``pip install 'tswt-formulation[app]'``.

Each view is a small class taking ``(store, user, as_of)`` that builds its widgets when
made and shows them as ``view.widget``; :class:`App` puts them in tabs around the open
case. Nothing here runs at import: ipywidgets is imported with the first view.
"""

from __future__ import annotations

from .._lazy import lazy_exports

_EXPORTS = {
    "App": "app",
    "CaseloadView": "caseload",
    "FormulationView": "formulation",
    "MeasuresView": "measures",
    "ReferralView": "referral",
    "ReportsView": "reports",
    "ScreeningView": "screening",
    "SignoffQueueView": "signoff",
}

__all__ = [
    "App",
    "CaseloadView",
    "FormulationView",
    "MeasuresView",
    "ReferralView",
    "ReportsView",
    "ScreeningView",
    "SignoffQueueView",
]


__getattr__, __dir__ = lazy_exports(
    __name__, _EXPORTS, extra="app", extra_needs=("ipywidgets", "voila")
)
