"""The formulation workflow: the worker's decision on a recommendation (accept, or
override parts with a reason), submission, the clinical psychologist's sign-off, and the
conclusion of screening. Pure functions over the model; the store keeps every version.

Rules of the workflow:

* The suggestion and the decision are both kept, each with its author and time.
* An override names the part (wave, stage, services, models, preconditions,
  signposting), the value chosen, and a reason; a reason is mandatory.
* A reviewer approves or returns a formulation; returning it needs a comment. Authors
  do not sign off their own formulations.
* Any change to the content after sign-off puts the formulation back to draft: it needs
  signing again (the old sign-off stays in the history with the revision it approved).
* A risk first step (a safety plan for a high risk, above all: rules.first_steps) that is
  not recorded as done holds up approval and the beginning of work: the reviewer, or the
  worker beginning work, goes ahead only by giving a reason, kept with the sign-off or the
  conclusion (audited with it) and printed beside the step in every report and summary.
  Returning a formulation is never held up.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from ..errors import OverrideError
from ..model.case import Case, ScreeningConclusion
from ..model.formulation import (
    AcknowledgedStep,
    Formulation,
    Override,
    RecommendationSnapshot,
    SignOff,
    WorkerDecision,
)
from ..model.recommendation import check_override

CONTENT_FIELDS = (
    "five_ps",
    "narrative",
    "stage_evidence",
    "next_stage_readiness",
    "recommendation",
    "decision",
)


def edit_formulation(
    formulation: Formulation, by: str, at: datetime, **changes: Any
) -> Formulation:
    """A new formulation with content fields changed and the revision bumped.

    A signed-off (or submitted) formulation goes back to draft: it needs signing again.
    """
    unknown = sorted(set(changes) - set(CONTENT_FIELDS))
    if unknown:
        raise OverrideError(
            f"formulation: {', '.join(unknown)} cannot be edited (editable: {', '.join(CONTENT_FIELDS)})"
        )
    data = formulation.model_dump()
    for key, value in changes.items():
        data[key] = value.model_dump() if hasattr(value, "model_dump") else value
    if all(data[k] == formulation.model_dump()[k] for k in changes):
        return formulation
    data.update(
        revision=formulation.revision + 1,
        updated=at,
        status="draft",
        submitted_by=None,
        contributors=with_contributor(formulation, by),
    )
    return Formulation.model_validate(data)


def with_contributor(formulation: Formulation, by: str) -> list[str]:
    """The formulation's contributors with ``by`` added (the author is one already)."""
    people = list(formulation.contributors)
    if (
        by
        and not same_person(by, formulation.author)
        and not any(same_person(by, p) for p in people)
    ):
        people.append(by)
    return people


def record_decision(
    formulation: Formulation,
    case_id: str,
    by: str,
    at: datetime,
    accept: bool,
    overrides: Iterable[Override] = (),
) -> Formulation:
    """The worker accepts the recommendation, or overrides parts of it with reasons."""
    overrides = list(overrides)
    if formulation.recommendation is None:
        raise OverrideError(
            f"{case_id}: there is no recommendation to decide on; run `tswt recommend {case_id}` and draft the formulation first"
        )
    if accept and overrides:
        raise OverrideError(
            f"{case_id}: accept the recommendation or override parts of it, not both"
        )
    if not accept and not overrides:
        raise OverrideError(
            f"{case_id}: to override, say which part (wave, stage, services, models, preconditions, signposting), the value and the reason"
        )
    parts = [o.part for o in overrides]
    if len(parts) != len(set(parts)):
        raise OverrideError(
            f"{case_id}: each part can be overridden once; {', '.join(sorted({p for p in parts if parts.count(p) > 1}))} given twice"
        )
    for o in overrides:
        check_override(o, case_id)
    decision = WorkerDecision(by=by, at=at, accepted=accept, overrides=overrides)
    return edit_formulation(formulation, by, at, decision=decision)


def submit(
    formulation: Formulation, case_id: str, by: str = "", *, screening_completed: date | None
) -> Formulation:
    """Send a draft (or returned) formulation to the reviewer (``by``: who submits).

    A submission needs the screening completed (its completion date recorded: the
    formulation is made from it) and the worker's decision on the recommendation."""
    if screening_completed is None:
        raise OverrideError(
            f"{case_id}: a submission needs the screening completed (record the date it was completed) "
            "and your decision on the recommendation; the screening is not completed"
        )
    if formulation.decision is None:
        raise OverrideError(
            f"{case_id}: record your decision on the recommendation (accept or override with reasons) before submitting"
        )
    if formulation.status == "signed_off":
        raise OverrideError(
            f"{case_id}: already signed off (revision {formulation.revision}); edit it to start a new revision"
        )
    return formulation.model_copy(
        update={
            "status": "awaiting_signoff",
            "submitted_by": by or None,
            "contributors": with_contributor(formulation, by),
        }
    )


OUTSTANDING_REASON = {
    "sign_off": "--outstanding-step-reason; in the workbench's sign-off, 'Outstanding-step reason'",
    "begin_work": "--outstanding-step-reason",
}


def outstanding_risk_steps(
    case: Case, on: date, steps: Sequence[str] | None = None, formulation: Formulation | None = None
) -> list[str]:
    """The risk first steps (rules.first_steps.is_risk_step: as the rule file marked them,
    by wording only for an old record) not recorded as done by ``on``: of ``steps`` when
    given, else of the formulation's recommendation as the worker decided it
    (``formulation``, default the case's)."""
    from .first_steps import first_step_status, is_risk_step

    form = formulation if formulation is not None else case.formulation
    if steps is None:
        steps = (effective_recommendation(form).get("preconditions") or []) if form else []
    return [
        s.step
        for s in first_step_status(case, list(steps), on, formulation=formulation)
        if s.outstanding and is_risk_step(s.step, form)
    ]


def _went_ahead(
    case_id: str, outstanding: Sequence[str], reason: str, doing: str, option: str
) -> list[AcknowledgedStep]:
    """Each outstanding risk step acknowledged with ``reason``; refused without one, and
    a reason given when no step is outstanding is refused too (it would be kept against
    nothing)."""
    if not outstanding:
        if reason.strip():
            raise OverrideError(
                f"{case_id}: outstanding-step reason: no risk first step is outstanding, so there is "
                "nothing for the reason to explain; leave it out",
                case_id=case_id,
                field="outstanding_reason",
            )
        return []
    if not reason.strip():
        steps = "; ".join(f'"{s.rstrip(".")}"' for s in outstanding)
        one = len(outstanding) == 1
        raise OverrideError(
            f"{case_id}: first step{'' if one else 's'} outstanding: {steps} {'is' if one else 'are'} not "
            f'recorded as done. Record {"it" if one else "each"} as done (tswt step {case_id} "STEP" --done DATE), '
            f"or {doing} with a reason for going ahead while {'it is' if one else 'they are'} outstanding "
            f"({option}); the reason is kept with the record and printed beside the step",
            case_id=case_id,
            field="outstanding_reason",
        )
    return [AcknowledgedStep(step=s, reason=reason.strip()) for s in outstanding]


def sign_off(
    formulation: Formulation,
    case_id: str,
    reviewer: str,
    at: datetime,
    approve: bool,
    comment: str = "",
    *,
    case: Case | None = None,
    outstanding_reason: str = "",
) -> Formulation:
    """The clinical psychologist approves the formulation or returns it with comments.

    With ``case`` (every casework call gives it) an approval checks the recommendation's
    risk first steps on the day: one not recorded as done is approved over only with
    ``outstanding_reason``, kept on the sign-off beside each step."""
    if same_person(reviewer, formulation.author) or any(
        same_person(reviewer, p) for p in formulation.contributors
    ):
        raise OverrideError(
            f"{case_id}: {reviewer} wrote, decided on or submitted this formulation and cannot sign it off; "
            "another clinician must review it"
        )
    if formulation.decision is None:
        raise OverrideError(
            f"{case_id}: the worker has not yet recorded a decision on the recommendation; it cannot be signed off"
        )
    if formulation.status == "signed_off":
        raise OverrideError(
            f"{case_id}: revision {formulation.revision} is already signed off by {formulation.signoffs[-1].reviewer}"
        )
    if formulation.status != "awaiting_signoff":
        state = "returned for changes" if formulation.status == "returned" else "a draft"
        raise OverrideError(
            f"{case_id}: the formulation is {state}, not submitted; the worker submits it first (tswt submit {case_id})"
        )
    if not approve and not comment.strip():
        raise OverrideError(
            f"{case_id}: returning a formulation needs a comment saying what to change",
            case_id=case_id,
            field="comment",
        )
    acknowledged: list[AcknowledgedStep] = []
    if approve and case is not None:
        outstanding = outstanding_risk_steps(case, at.date(), formulation=formulation)
        acknowledged = _went_ahead(
            case_id, outstanding, outstanding_reason, "approve", OUTSTANDING_REASON["sign_off"]
        )
    elif not approve and outstanding_reason.strip():
        raise OverrideError(
            f"{case_id}: outstanding-step reason: it explains an approval; a formulation returned "
            "for changes needs only the comment",
            case_id=case_id,
            field="outstanding_reason",
        )
    record = SignOff(
        reviewer=reviewer,
        at=at,
        outcome="approved" if approve else "returned",
        comment=comment,
        formulation_revision=formulation.revision,
        outstanding_steps=acknowledged,
    )
    return formulation.model_copy(
        update={
            "status": "signed_off" if approve else "returned",
            "signoffs": [*formulation.signoffs, record],
        }
    )


def same_person(a: str, b: str) -> bool:
    """User names compared as people: ``F.OConnor `` is ``f.oconnor``."""
    return a.strip().casefold() == b.strip().casefold()


def effective_recommendation(formulation: Formulation) -> dict[str, Any]:
    """The recommendation as decided: the suggestion with the worker's overrides applied,
    and for each part whether it was overridden and why."""
    rec: RecommendationSnapshot | None = formulation.recommendation
    if rec is None:
        return {}
    out: dict[str, Any] = {
        part: getattr(rec, part)
        for part in ("wave", "stage", "services", "models", "preconditions", "signposting")
    }
    out["overridden"] = {}
    if formulation.decision:
        for o in formulation.decision.overrides:
            out["overridden"][o.part] = {
                "suggested": out[o.part],
                "chosen": o.value,
                "reason": o.reason,
                "by": formulation.decision.by,
                "at": formulation.decision.at,
            }
            out[o.part] = o.value
    return out


def record_conclusion(
    case: Case,
    decision: str,
    by: str,
    on: date,
    reasons: str = "",
    alternatives: Iterable[str] = (),
    replace: bool = False,
    *,
    outstanding_reason: str = "",
    steps: Sequence[str] | None = None,
) -> ScreeningConclusion:
    """The conclusion of screening: ``close`` (with reasons and alternatives) or ``begin_work``.

    A case that already has a conclusion keeps it unless ``replace`` is given with the
    reasons for the change (the old conclusion stays in the audit log).

    Work begins with a risk first step outstanding on ``on`` (of ``steps``, else of the
    formulation's recommendation as decided) only with ``outstanding_reason``, kept on
    the conclusion beside each step."""
    if decision not in ("close", "begin_work"):
        raise OverrideError(
            f"{case.case_id}: the conclusion must be close or begin_work, not {decision!r}"
        )
    if case.conclusion is not None:
        had = f"{case.conclusion.decision.replace('_', ' ')} on {case.conclusion.date.isoformat()} by {case.conclusion.by}"
        if not replace:
            raise OverrideError(
                f"{case.case_id}: the conclusion of screening is already recorded ({had}); "
                "to change it, give --replace with --reason saying why"
            )
        if not reasons.strip():
            raise OverrideError(
                f"{case.case_id}: replacing the conclusion ({had}) needs --reason saying why"
            )
    if decision == "close" and not reasons.strip():
        raise OverrideError(
            f"{case.case_id}: closing needs the reasons (and any alternative services recommended)"
        )
    acknowledged: list[AcknowledgedStep] = []
    if decision == "begin_work":
        acknowledged = _went_ahead(
            case.case_id,
            outstanding_risk_steps(case, on, steps),
            outstanding_reason,
            "begin work",
            OUTSTANDING_REASON["begin_work"],
        )
    elif outstanding_reason.strip():
        raise OverrideError(
            f"{case.case_id}: outstanding-step reason: it explains beginning work; a closed case needs only its reasons"
        )
    return ScreeningConclusion.model_validate(  # checks the decision
        {
            "decision": decision,
            "date": on,
            "by": by,
            "reasons": reasons,
            "alternatives": list(alternatives),
            "outstanding_steps": [a.model_dump() for a in acknowledged],
        }
    )
