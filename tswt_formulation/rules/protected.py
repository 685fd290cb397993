"""The workflow state of a case, which only the workflow operations may change.

Who decided, who signed off and what the conclusion of screening was are set by
:mod:`tswt_formulation.casework` (the CLI verbs ``decide``, ``submit``, ``signoff``,
``conclude`` and the workbench), which check who may do what. A file given to ``tswt
update`` or ``tswt import`` is data entry, not a workflow step: it may not change that
state. Without this, exporting a case, writing ``status: signed_off`` and a sign-off by
anyone into the file and updating would make a formulation "approved".

* :func:`workflow_problems` lists each protected field a file would change (refused).
* :func:`carry_workflow` applies a file's edit of the formulation's content (narrative,
  5 Ps, ...) the way :func:`~tswt_formulation.rules.workflow.edit_formulation` does: the
  revision goes up and a submitted or signed-off formulation goes back to draft.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..errors import Problem
from ..model.case import Case

# Set only by the workflow operations. ``updated`` and ``revision`` follow from an edit.
FORMULATION_WORKFLOW_FIELDS = (
    "status",
    "revision",
    "author",
    "created",
    "updated",
    "recommendation",
    "decision",
    "signoffs",
    "submitted_by",
    "contributors",
)
FORMULATION_CONTENT_FIELDS = ("five_ps", "narrative", "stage_evidence", "next_stage_readiness")

_HOW = {
    "conclusion": "record it with `tswt conclude`",
    "formulation": "draft it with `tswt formulation CASE --draft`",
    "status": "use `tswt submit` and `tswt signoff`",
    "signoffs": "a reviewer signs off with `tswt signoff`",
    "decision": "use `tswt decide`; an override needs a reason",
    "recommendation": "it is what the rules produced; redraft with `tswt formulation CASE --draft --replace`",
}


def _message(field: str, new_case: bool) -> str:
    how = _HOW.get(field.rsplit(".", 1)[-1], "the workflow keeps it")
    if new_case:
        return f"a new case cannot carry it ({how}); the store's owner restores a backup with `tswt import --restore REASON`"
    return f"cannot be changed from a file ({how})"


def workflow_problems(before: Case | None, after: Case, where: str = "") -> list[Problem]:
    """One :class:`Problem` per protected field that ``after`` changes relative to the
    stored ``before`` (``None`` for a new case, which may carry no workflow state)."""
    label = where or after.case_id
    out: list[Problem] = []
    old_conclusion = before.conclusion if before is not None else None
    if after.conclusion != old_conclusion:
        out.append(Problem(label, "conclusion", _message("conclusion", before is None)))
    old, new = (before.formulation if before is not None else None), after.formulation
    if old is None or new is None:
        if old != new:
            out.append(Problem(label, "formulation", _message("formulation", before is None)))
        return out
    for name in FORMULATION_WORKFLOW_FIELDS:
        if name in ("revision", "updated"):
            continue  # follow from a content edit; checked below if the content is unchanged
        if getattr(old, name) != getattr(new, name):
            out.append(Problem(label, f"formulation.{name}", _message(name, False)))
    content_same = all(getattr(old, n) == getattr(new, n) for n in FORMULATION_CONTENT_FIELDS)
    if content_same:
        for name in ("revision", "updated"):
            if getattr(old, name) != getattr(new, name):
                out.append(Problem(label, f"formulation.{name}", _message(name, False)))
    return out


def carry_workflow(before: Case, after: Case, by: str, at: datetime) -> bool:
    """After :func:`workflow_problems` found nothing: if ``after`` edits the formulation's
    content, record it as an edit (revision + 1, back to draft, ``updated`` now). Returns
    True when a submitted or signed-off formulation went back to draft."""
    from .workflow import edit_formulation

    old, new = before.formulation, after.formulation
    if old is None or new is None:
        return False
    changes: dict[str, Any] = {
        n: getattr(new, n) for n in FORMULATION_CONTENT_FIELDS if getattr(old, n) != getattr(new, n)
    }
    if not changes:
        return False
    edited = edit_formulation(old, by, at, **changes)
    after.formulation = edited
    return old.status != "draft"
