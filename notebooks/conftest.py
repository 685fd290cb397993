"""Every notebook here runs under ``pytest --nbval-lax`` (part of ``make test``), so a
notebook that no longer runs fails the suite.

The report notebooks read their store from ``$TSWT_STORE`` when the ``store`` parameter
is left as None: before the first notebook's kernel starts, a small synthetic demo store
is made in a temporary folder and the environment points at it (and at the demo's
illustrative reliable-change constants), for the notebooks' kernels only. The
walkthrough makes its own scratch store.

A report notebook's ``case_id`` has no default (a report must never be about a child
nobody named): it is given here as papermill gives it, an assignment after the
parameters cell, of the demo store's first case.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

DEMO_CASES = 12
DEMO_CASE_ID = "TSW-900001"  # the first case of generate_caseload(DEMO_CASES, seed=1)
_made: dict[str, str] = {}
_saved: dict[str, str | None] = {}


def _environment() -> dict[str, str]:
    if not _made:
        from tswt_formulation import open_store
        from tswt_formulation.demo import generate_caseload

        folder = tempfile.mkdtemp(prefix="tswt-nbval-")
        store = str(Path(folder) / "demo.sqlite")
        with open_store(store, create=True, user="demo") as s:
            s.import_cases(generate_caseload(DEMO_CASES, seed=1), note="synthetic demo caseload for the notebook tests")
        constants = Path(__file__).resolve().parents[1] / "tswt_formulation" / "measures" / "examples" / "demo_constants.yaml"
        _made.update(folder=folder, TSWT_STORE=store, TSWT_MEASURE_CONSTANTS=str(constants), TSWT_USER="demo.notebooks")
    return {k: v for k, v in _made.items() if k.startswith("TSWT_")}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give each report notebook's ``case_id`` parameter, as ``papermill -p case_id`` would."""
    here = Path(__file__).resolve().parent
    for item in items:
        cell = getattr(item, "cell", None)  # an nbval cell of a notebook here
        if cell is None or here not in Path(str(item.path)).resolve().parents:
            continue
        if "parameters" in cell.get("metadata", {}).get("tags", []) and "case_id = None" in cell.source:
            cell.source += f"\n# Injected by notebooks/conftest.py, as papermill -p case_id would\ncase_id = {DEMO_CASE_ID!r}\n"


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Point the environment at the demo store while a notebook's kernel starts and runs;
    nothing else sees it (team settings that would change the results are cleared)."""
    for key, value in {**_environment(), "TSWT_MEASURES_DIR": None, "TSWT_RULES": None, "TSWT_VOCABULARY": None}.items():
        _saved.setdefault(key, os.environ.get(key))
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    for key, value in _saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    _saved.clear()


def pytest_unconfigure(config: pytest.Config) -> None:
    if "folder" in _made:
        shutil.rmtree(_made["folder"], ignore_errors=True)
