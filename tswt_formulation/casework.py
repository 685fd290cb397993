"""Casework on stored cases: record a referral, edit a case, draft the formulation,
decide on the recommendation, submit, sign off, record the conclusion of screening, change
the staff directory; and the work after screening (interventions, sessions, first steps,
reviews, the ending), written in after_screening.py and importable from here.

This is the one write path: the CLI, the workbench and notebooks all call these. Each
function loads the case, applies a pure rule from :mod:`tswt_formulation.rules`, and
saves it naming its workflow step: the store checks the step (and whatever else the
change touches) against the permission table as the person acting, inside the write's
transaction, and writes the audit entry with who acted and how they were identified
(:mod:`tswt_formulation.access`). A refusal names the rule::

    c.mensah is a therapeutic social worker; signing off or returning a formulation needs
    a clinical psychologist who did not write, decide on or submit this formulation

A caller that showed the case to someone (the workbench) passes ``version``, the
version they saw: the change is then refused if anyone saved the case after that, not
only during the call (``StaleEdit``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from .errors import OverrideError, ValidationFailed, problems_from
from .measures.outcomes import baseline_bands
from .model import Case, Formulation, Override
from .rules import (
    draft_formulation,
    edit_formulation,
    recommend,
    record_conclusion,
    record_decision,
    sign_off,
    submit,
)
from .store import CaseStore


def _now() -> datetime:
    return datetime.now(UTC)


def _assign(case: Case, part: str, value: Any) -> None:
    """Set a workflow part of the case (``formulation``, ``conclusion``). The whole case is
    checked again on assignment, so a step that contradicts the rest of the record (a
    conclusion before any screening) is refused here, naming the case and the field."""
    from pydantic import ValidationError

    try:
        setattr(case, part, value)
    except ValidationError as exc:
        raise ValidationFailed(problems_from(exc, case.case_id)) from None


def _who(store: CaseStore, user: str | None) -> str:
    return store._acting(user)[0]


def record_referral(
    store: CaseStore, case: Case, user: str | None = None, note: str = "referral recorded"
) -> Case:
    """Record a new referral (and what it already carries: a decision, an allocation)."""
    return store.add(case, user=user, note=note)


def record_cases(
    store: CaseStore,
    cases: list[Case],
    user: str | None = None,
    note: str = "import",
    progress: Any = None,
    restore: bool = False,
) -> int:
    """Record many new cases in one transaction: referrals (checked as
    ``record_referral``, ``decide_referral``, ``allocate``), or with ``restore`` cases
    carrying their workflow (an administrator's, checked for a workflow that could have
    happened)."""
    return store.import_cases(
        cases,
        user=user,
        note=note,
        progress=progress,
        workflow_state=restore,
        action="restore" if restore else "import",
    )


def save_many(
    store: CaseStore, cases: list[Case], user: str | None = None, note: str = ""
) -> list[Case]:
    """Save edits of several cases in one transaction, each checked as :func:`save_case`."""
    return store.save_many(cases, user=user, note=note)


def save_case(store: CaseStore, case: Case, user: str | None = None, note: str = "") -> Case:
    """Save an edit of a case's record (referral, decision, allocation, screening,
    measures): each part it changes needs its permission (edit_case, decide_referral,
    allocate)."""
    return store.save(case, user=user, note=note)


def change_staff(store: CaseStore, members: Iterable[Any], note: str = "") -> int:
    """Add or change staff directory entries: an administrator, never for their own entry."""
    from .store.staff import add_staff

    return add_staff(store, members, note=note)


def open_case(store: CaseStore, case_id: str, what: str, user: str | None = None) -> Case:
    """The case, for a person to read: who may read (anyone in the staff directory),
    and the reading logged (``what``: show, workbench, report)."""
    store.authorise("read_case", case_id=case_id, user=user)
    case = store.get(case_id)
    store.log_access(case_id, what, user=user)
    return case


def _load(store: CaseStore, case_id: str, version: int | None) -> Case:
    """The case, to be saved as an edit of ``version`` when given (stale if it moved on)."""
    case = store.get(case_id)
    if version is not None:
        case._version = version
    return case


def _load_drafted(store: CaseStore, case_id: str, version: int | None) -> tuple[Case, Formulation]:
    """The case and its formulation, refused if none has been drafted yet (edit, decide, revise)."""
    case = _load(store, case_id, version)
    if case.formulation is None:
        raise OverrideError(
            f"{case_id}: no formulation yet; draft one first (tswt formulation {case_id} --draft)"
        )
    return case, case.formulation


def create_draft(
    store: CaseStore,
    case_id: str,
    user: str | None = None,
    as_of: date | None = None,
    replace: bool = False,
    version: int | None = None,
) -> Case:
    """Draft the formulation from the screening, with the current recommendation."""
    case = _load(store, case_id, version)
    if case.formulation is not None and not replace:
        raise OverrideError(
            f"{case_id}: a formulation already exists (revision {case.formulation.revision}, "
            f"{case.formulation.status.replace('_', ' ')}); edit it, or redraft with --replace"
        )
    now = _now()
    rec = recommend(case, as_of=as_of, bands=baseline_bands([case])[case_id])
    if not rec.recommendable:
        raise OverrideError(
            f"{case_id}: no recommendation can be made ({rec.eligibility.summary.lower()}); nothing to formulate yet"
        )
    _assign(
        case,
        "formulation",
        draft_formulation(case, author=_who(store, user), now=now, recommendation=rec),
    )
    return store.save(
        case,
        user=user,
        note="formulation drafted from the screening",
        workflow_step="edit_case",
        action="draft_formulation",
    )


def update_formulation(
    store: CaseStore,
    case_id: str,
    user: str | None = None,
    version: int | None = None,
    **changes: Any,
) -> Case:
    """Edit the formulation's content (narrative, 5 Ps, ...); after sign-off it goes back to draft."""
    case, formulation = _load_drafted(store, case_id, version)
    _assign(
        case, "formulation", edit_formulation(formulation, _who(store, user), _now(), **changes)
    )
    return store.save(
        case,
        user=user,
        note="formulation edited",
        workflow_step="edit_case",
        action="edit_formulation",
    )


def decide(
    store: CaseStore,
    case_id: str,
    accept: bool,
    overrides: Iterable[Override] = (),
    user: str | None = None,
    version: int | None = None,
) -> Case:
    """The worker's decision: accept the recommendation, or override parts with reasons."""
    case, formulation = _load_drafted(store, case_id, version)
    _assign(
        case,
        "formulation",
        record_decision(formulation, case_id, _who(store, user), _now(), accept, overrides),
    )
    return store.save(
        case,
        user=user,
        note="recommendation accepted" if accept else "recommendation overridden with reasons",
        workflow_step="edit_case",
        action="decide",
    )


def revise_formulation(
    store: CaseStore,
    case_id: str,
    accept: bool,
    overrides: Iterable[Override] = (),
    user: str | None = None,
    version: int | None = None,
    **changes: Any,
) -> Case:
    """Edit the content and record the decision on the recommendation in ONE audited
    save (the workbench's form): both are checked before anything is written."""
    case, formulation = _load_drafted(store, case_id, version)
    who, now = _who(store, user), _now()
    edited = edit_formulation(formulation, who, now, **changes) if changes else formulation
    current = edited.decision
    unchanged = (
        current is not None
        and current.accepted == accept
        and [o.model_dump() for o in current.overrides] == [o.model_dump() for o in overrides]
    )
    _assign(
        case,
        "formulation",
        (edited if unchanged else record_decision(edited, case_id, who, now, accept, overrides)),
    )
    return store.save(
        case,
        user=user,
        note="formulation edited and decision recorded",
        workflow_step="edit_case",
        action="revise_formulation",
    )


def submit_for_signoff(
    store: CaseStore, case_id: str, user: str | None = None, version: int | None = None
) -> Case:
    case = _load(store, case_id, version)
    if case.formulation is None:
        raise OverrideError(f"{case_id}: no formulation to submit")
    screened = case.screening.completed if case.screening is not None else None
    _assign(
        case,
        "formulation",
        submit(case.formulation, case_id, by=_who(store, user), screening_completed=screened),
    )
    return store.save(
        case, user=user, note="submitted for sign-off", workflow_step="submit", action="submit"
    )


def review(
    store: CaseStore,
    case_id: str,
    approve: bool,
    comment: str = "",
    user: str | None = None,
    version: int | None = None,
    outstanding_reason: str = "",
) -> Case:
    """The clinical psychologist approves the formulation or returns it with comments.
    Approving with a risk first step outstanding needs ``outstanding_reason``
    (rules.workflow.sign_off), kept on the sign-off and named in the audit note."""
    case = _load(store, case_id, version)
    if case.formulation is None:
        raise OverrideError(f"{case_id}: no formulation to sign off")
    _assign(
        case,
        "formulation",
        sign_off(
            case.formulation,
            case_id,
            _who(store, user),
            _now(),
            approve,
            comment,
            case=case,
            outstanding_reason=outstanding_reason,
        ),
    )
    note = "signed off" if approve else "returned with comments"
    went = case.formulation.signoffs[-1].outstanding_steps
    if went:
        note += f" with {len(went)} risk first step{'s' if len(went) > 1 else ''} outstanding, reason given"
    return store.save(
        case,
        user=user,
        note=note,
        workflow_step="sign_off",
        action="sign_off" if approve else "return",
    )


def conclude(
    store: CaseStore,
    case_id: str,
    decision: str,
    reasons: str = "",
    alternatives: Iterable[str] = (),
    on: date | None = None,
    user: str | None = None,
    replace: bool = False,
    outstanding_reason: str = "",
) -> Case:
    """Record the conclusion of screening: close (with reasons, alternatives) or begin work.
    A conclusion already recorded is changed only with ``replace=True`` and reasons.
    Beginning work with a risk first step outstanding needs ``outstanding_reason``
    (rules.workflow.record_conclusion): the steps are the formulation's recommendation as
    decided, or with no formulation the rules' recommendation on the day."""
    case = store.get(case_id)
    had = case.conclusion
    day = on or date.today()
    steps: list[str] | None = None
    if decision == "begin_work" and (
        case.formulation is None or case.formulation.recommendation is None
    ):
        from .measures.one_child import case_baseline_bands

        rec = recommend(case, as_of=day, bands=case_baseline_bands(case))
        steps = list(rec.preconditions) if rec.recommendable else []
    conclusion = record_conclusion(
        case,
        decision,
        _who(store, user),
        day,
        reasons,
        alternatives,
        replace=replace,
        outstanding_reason=outstanding_reason,
        steps=steps,
    )
    _assign(case, "conclusion", conclusion)
    note = f"conclusion of screening: {decision.replace('_', ' ')}"
    if conclusion.outstanding_steps:
        n = len(conclusion.outstanding_steps)
        note += f" with {n} risk first step{'s' if n > 1 else ''} outstanding, reason given"
    if had is not None:
        note = f"{note} (replaces {had.decision.replace('_', ' ')} of {had.date.isoformat()}: {reasons.strip()})"
    return store.save(
        case, user=user, note=note, workflow_step="record_conclusion", action="record_conclusion"
    )


# --- the work after screening: in after_screening.py, importable from here -----------

# after_screening imports this module, so its names load on first use.
_AFTER_SCREENING = (
    "close_involvement",
    "end_intervention",
    "record_first_step",
    "record_review",
    "record_session",
    "start_intervention",
)

if TYPE_CHECKING:
    from .after_screening import close_involvement as close_involvement
    from .after_screening import end_intervention as end_intervention
    from .after_screening import record_first_step as record_first_step
    from .after_screening import record_review as record_review
    from .after_screening import record_session as record_session
    from .after_screening import start_intervention as start_intervention


def __getattr__(name: str) -> Any:
    if name in _AFTER_SCREENING:
        from . import after_screening

        return getattr(after_screening, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
