"""tswt-formulation: therapeutic needs screening, formulation, recommendation and
outcome tracking for a Therapeutic Social Work Team.

Importing the package does no work: names are loaded on first use. For caseload-wide
outcomes as DataFrames, see :mod:`tswt_formulation.analysis` (``tswt.analysis.scores``,
``change``, ``goals``, ``caseload``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._lazy import lazy_exports
from ._version import __version__

# public modules, imported on first use
_MODULES = {"analysis"}

# public name -> module that defines it
_EXPORTS = {
    "Case": "model",
    "CaseNotFound": "errors",
    "CaseStore": "store",
    "Child": "model",
    "EligibilityDecision": "rules",
    "Formulation": "model",
    "MeasureAdministration": "model",
    "Referral": "model",
    "Screening": "model",
    "StaleEdit": "errors",
    "TswtError": "errors",
    "ValidationFailed": "errors",
    "case_from_data": "model",
    "change": "measures",
    "draft_formulation": "rules",
    "case_timeline": "rules",
    "check_eligibility": "rules",
    "generate_caseload": "demo",
    "open_store": "store",
    "parse_cases": "model",
    "recommend": "rules",
    "run_reports": "reports.batch",
    "score": "measures",
}

__all__ = [
    "Case",
    "CaseNotFound",
    "CaseStore",
    "Child",
    "EligibilityDecision",
    "Formulation",
    "MeasureAdministration",
    "Referral",
    "Screening",
    "StaleEdit",
    "TswtError",
    "ValidationFailed",
    "__version__",
    "analysis",
    "case_from_data",
    "case_timeline",
    "change",
    "check_eligibility",
    "draft_formulation",
    "generate_caseload",
    "open_store",
    "parse_cases",
    "recommend",
    "run_reports",
    "score",
]


_lazy_getattr, __dir__ = lazy_exports(__name__, {**_EXPORTS, **{m: m for m in _MODULES}})


def __getattr__(name: str) -> Any:
    if name in _MODULES:  # a public module: the module itself, on first use
        return importlib.import_module(f".{name}", __name__)
    return _lazy_getattr(name)


if TYPE_CHECKING:  # pragma: no cover
    from . import analysis
    from .demo import generate_caseload
    from .errors import CaseNotFound, StaleEdit, TswtError, ValidationFailed
    from .measures import change, score
    from .model import (
        Case,
        Child,
        Formulation,
        MeasureAdministration,
        Referral,
        Screening,
        case_from_data,
        parse_cases,
    )
    from .reports.batch import run_reports
    from .rules import (
        EligibilityDecision,
        case_timeline,
        check_eligibility,
        draft_formulation,
        recommend,
    )
    from .store import CaseStore, open_store
