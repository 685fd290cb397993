"""The practitioners' workbench: forms over the library, in JupyterLab and served as an
app by ``tswt app`` (Voila). Needs the ``app`` extra: ``pip install 'tswt-formulation[app]'``.

Each view is a small class taking ``(store, user, as_of)`` that builds its widgets when
made and shows them as ``view.widget``; :class:`App` puts them in tabs around the open
case. Nothing here runs at import: ipywidgets is imported with the first view.
"""

from __future__ import annotations

import importlib
from typing import Any

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

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'tswt_formulation.workbench' has no attribute {name!r}")
    try:
        value = getattr(importlib.import_module(f".{module}", __name__), name)
    except ModuleNotFoundError as exc:
        if exc.name in ("ipywidgets", "voila"):
            raise ImportError("the workbench needs the app extra: pip install 'tswt-formulation[app]'") from None
        raise
    globals()[name] = value
    return value
