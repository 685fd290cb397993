"""Where the report notebooks and templates are: the repository's ``notebooks/`` and
``templates/`` folders (a source checkout or editable install), or the copies packaged
in the wheel under ``tswt_formulation/_bundled``."""

from __future__ import annotations

from pathlib import Path

from ..errors import ReportError

KINDS = {
    "formulation": "formulation_report.ipynb",
    "outcomes": "outcomes_report.ipynb",
    "review": "caseload_review.ipynb",
}
TEMPLATE = "tswt_report"
ENGINES = ("inprocess", "kernel")


def _root(name: str) -> Path:
    here = Path(__file__).resolve()
    for candidate in (here.parents[2] / name, here.parents[1] / "_bundled" / name):
        if candidate.is_dir():
            return candidate
    raise ReportError(
        f"cannot find the report {name} folder (looked beside the package and in tswt_formulation/_bundled)"
    )


def notebook_path(kind: str) -> Path:
    if kind not in KINDS:
        raise ReportError(f"unknown report kind {kind!r}; expected one of: {', '.join(KINDS)}")
    return _root("notebooks") / KINDS[kind]


def templates_dir() -> Path:
    return _root("templates")


def report_css() -> str:
    return (templates_dir() / TEMPLATE / "report.css").read_text(encoding="utf-8")


def _parameter_names(notebook_path: str) -> set[str] | None:
    """The names the notebook's parameters cell assigns, read without papermill (which,
    with nbformat and jsonschema, costs ``tswt reports`` half a second before its first
    report); None where only papermill can tell (an old notebook format, a cell that is
    not plain Python)."""
    import ast
    import json

    with open(notebook_path, encoding="utf-8") as fh:
        nb = json.load(fh)
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        return None
    cell = next(
        (c for c in nb["cells"] if "parameters" in (c.get("metadata") or {}).get("tags", [])), None
    )
    if cell is None:
        return set()
    source = cell.get("source", "")
    try:
        tree = ast.parse(source if isinstance(source, str) else "".join(source))
    except SyntaxError:
        return None
    names: set[str] = set()
    for node in tree.body:
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AnnAssign)
            else []
        )
        names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def check_parameters(notebook_path: str, required: set[str]) -> None:
    """The notebook's parameters (as papermill sees them) must include the required ones."""
    try:
        found = _parameter_names(notebook_path)
        if found is None:
            import papermill as pm

            found = set(pm.inspect_notebook(notebook_path))
    except Exception as exc:  # noqa: BLE001 - any unreadable notebook: one line naming it
        raise ReportError(f"{notebook_path}: cannot read its parameters: {exc}") from None
    missing = sorted(required - found)
    if missing:
        raise ReportError(
            f"{notebook_path}: the parameters cell lacks {', '.join(missing)} (it has {', '.join(sorted(found)) or 'none'})"
        )
