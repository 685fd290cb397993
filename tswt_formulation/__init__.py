"""tswt-formulation: therapeutic needs screening, formulation, recommendation and
outcome tracking for a Therapeutic Social Work Team.

Importing the package does no work: names are loaded on first use. For caseload-wide
outcomes as DataFrames, see :mod:`tswt_formulation.analysis` (``tswt.analysis.scores``,
``change``, ``goals``, ``caseload``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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

__all__ = sorted([*_EXPORTS, *_MODULES, "__version__"])


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        return importlib.import_module(f".{name}", __name__)
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'tswt_formulation' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # pragma: no cover
    from . import analysis
    from .demo import generate_caseload
    from .errors import CaseNotFound, StaleEdit, TswtError, ValidationFailed
    from .model import Case, Child, Formulation, MeasureAdministration, Referral, Screening, case_from_data, parse_cases
    from .measures import change, score
    from .reports.batch import run_reports
    from .rules import EligibilityDecision, case_timeline, check_eligibility, draft_formulation, recommend
    from .store import CaseStore, open_store
