"""The public surface: one sorted __all__, and importing the package does no work."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import tswt_formulation

# The packages whose public names load on first use (tswt_formulation/_lazy.py).
LAZY_PACKAGES = [
    "tswt_formulation",
    "tswt_formulation.measures",
    "tswt_formulation.rules",
    "tswt_formulation.store",
    "tswt_formulation.workbench",
]


def test_all_is_sorted_and_resolves():
    assert tswt_formulation.__all__ == sorted(tswt_formulation.__all__)
    for name in tswt_formulation.__all__:
        assert getattr(tswt_formulation, name) is not None


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_each_package_exports_what_it_lists(package):
    """``__all__`` is a literal list, so its order is checked rather than made; it names
    exactly the lazily loaded names (plus ``__version__`` at the top), and ``dir()`` shows them."""
    module = importlib.import_module(package)
    assert module.__all__ == sorted(module.__all__)
    assert set(module.__all__) - {"__version__"} == set(module._tswt_exports)
    assert set(module.__all__) <= set(dir(module))


def test_exported_members():
    expected = {
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
        "case_from_data",
        "case_timeline",
        "check_eligibility",
        "generate_caseload",
        "open_store",
        "parse_cases",
        "recommend",
        "score",
        "change",
        "run_reports",
        "draft_formulation",
        "analysis",
    }
    assert expected <= set(tswt_formulation.__all__)


def test_import_does_no_work():
    code = "import sys, tswt_formulation; print(sorted(m for m in ('pandas', 'sqlalchemy', 'pydantic', 'matplotlib') if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_the_analysis_functions_are_documented_with_examples():
    from tswt_formulation import analysis

    assert {"scores", "change", "goals", "caseload", "added_value", "informants"} <= set(
        analysis.__all__
    )
    for name in ("scores", "change", "goals", "caseload", "added_value", "informants"):
        doc = getattr(analysis, name).__doc__
        assert ("Returns\n    -------" in doc and "Parameters" in doc) or name == "goals", name
    assert "Examples\n    --------" in analysis.change.__doc__
    assert "Examples\n    --------" in analysis.added_value.__doc__
    assert "Examples\n    --------" in analysis.informants.__doc__
