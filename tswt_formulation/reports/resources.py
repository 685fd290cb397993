"""Where the report notebooks and templates are: the repository's ``notebooks/`` and
``templates/`` folders (a source checkout or editable install), or the copies packaged
in the wheel under ``tswt_formulation/_bundled``."""

from __future__ import annotations

from pathlib import Path

from ..errors import ReportError

KINDS = {"formulation": "formulation_report.ipynb", "outcomes": "outcomes_report.ipynb", "review": "caseload_review.ipynb"}
TEMPLATE = "tswt_report"


def _root(name: str) -> Path:
    here = Path(__file__).resolve()
    for candidate in (here.parents[2] / name, here.parents[1] / "_bundled" / name):
        if candidate.is_dir():
            return candidate
    raise ReportError(f"cannot find the report {name} folder (looked beside the package and in tswt_formulation/_bundled)")


def notebook_path(kind: str) -> Path:
    if kind not in KINDS:
        raise ReportError(f"unknown report kind {kind!r}; expected one of: {', '.join(KINDS)}")
    return _root("notebooks") / KINDS[kind]


def templates_dir() -> Path:
    return _root("templates")


def report_css() -> str:
    return (templates_dir() / TEMPLATE / "report.css").read_text(encoding="utf-8")
