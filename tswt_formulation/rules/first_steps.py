"""Whether each first step of a recommendation was done, read on a date.

DOMAIN.md: first steps (safety plans, life story work under way before direct work) are
actions with an owner and a done date, and a report must be able to say whether each
was done. A step the record does not show as done is **outstanding**, and once work has
begun that is said beside it: it is never passed over in silence (issue 21: a safety
plan "before other work begins", work begun, nothing saying whether it was done).

A **risk** first step (a safety plan, safety planning, a risk review, the safeguarding
lead's part) holds up the decisions after it: a clinical psychologist approves a
formulation, and work begins, with one outstanding only by giving a reason
(:mod:`.workflow`), and the reason is said beside the step wherever it is shown. A sign-off
made before that check (an old record) that approved with the step outstanding is said
too: "signed off ... with it outstanding; no reason recorded".

Pure: no clock, no I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from ..model.case import Case
from ..model.formulation import AcknowledgedStep, Formulation
from ..words import uk_date

OUTSTANDING = "OUTSTANDING"

# The rule file says which first steps are risk steps (``effect.risk_steps``), and a
# formulation records them (``RecommendationSnapshot.risk_steps``). Only for a step the
# rules did not make (one a worker added, or a formulation recorded before the rules said
# so) are these words the fallback: "A safety plan for ...", "Safety planning with the
# network ...", "Review the out-of-date risk assessment ...", "... under the authority's
# safeguarding ... procedures", "... substance misuse service".
RISK_STEP_WORDS = ("safety plan", "risk", "safeguarding", "substance misuse")


def is_risk_step(step: str, formulation: Formulation | None = None) -> bool:
    """True when the first step manages a risk (a safety plan for a high risk, above all).

    As the rules marked it, when ``formulation`` records which of its recommendation's
    steps the rule file marks as risk steps; by its wording otherwise (an old record, a
    step the worker added, or no formulation)."""
    marked = risk_steps_of(formulation)
    if marked is not None:
        key = _key(step)
        if key in marked[0]:
            return True
        if key in marked[1]:
            return False  # a step the rules made and did not mark
    key = _key(step)
    return any(word in key for word in RISK_STEP_WORDS)


def risk_steps_of(formulation: Formulation | None) -> tuple[set[str], set[str]] | None:
    """The risk steps a formulation's rules marked, and the rules' other steps (keys), or
    None when the formulation does not record them (made before the rules said so)."""
    snap = formulation.recommendation if formulation is not None else None
    if snap is None or snap.risk_steps is None:
        return None
    risk = {_key(s) for s in snap.risk_steps}
    return risk, {_key(s) for s in snap.preconditions} - risk


def _key(text: str) -> str:
    return " ".join(text.casefold().strip().rstrip(".").split())


@dataclass(frozen=True)
class StepStatus:
    """One first step: done on a date (and by whom), or outstanding."""

    step: str
    done: date | None
    owner: str = ""
    work_began: date | None = None
    went_ahead: tuple[str, ...] = ()  # decisions made with it outstanding, and why

    @property
    def outstanding(self) -> bool:
        return self.done is None

    @property
    def status(self) -> str:
        """``done 7 Dec 2026 (A. Owner)`` or ``OUTSTANDING: not recorded as done; work began 24 Oct 2026``."""
        if self.done is not None:
            return (
                f"done {uk_date(self.done)}"
                + (f" ({self.owner})" if self.owner else "")
                + "".join(f"; {d}" for d in self.went_ahead)
            )
        began = f"; work began {uk_date(self.work_began)}" if self.work_began is not None else ""
        return f"{OUTSTANDING}: not recorded as done{began}" + "".join(
            f"; {d}" for d in self.went_ahead
        )


def first_step_status(
    case: Case,
    steps: tuple[str, ...] | list[str],
    as_of: date,
    formulation: Formulation | None = None,
    name: Callable[[str], str] | None = None,
) -> list[StepStatus]:
    """Each step with its status on ``as_of``, matched to ``case.first_steps`` by its
    wording (case, spacing and a final full stop aside); a done date after ``as_of``
    does not count yet.

    An outstanding risk step also says each decision that went ahead with it outstanding
    by ``as_of``: the approval of ``formulation`` (default the case's) and the beginning
    of work, with the reason recorded, or "no reason recorded" for an approval made
    before sign-off checked first steps. ``name`` turns a login into a name."""
    who = name or (lambda login: login)
    recorded = {_key(s.step): s for s in case.first_steps}
    out = case.conclusion
    began = (
        out.date if out is not None and out.decision == "begin_work" and out.date <= as_of else None
    )
    form = formulation if formulation is not None else case.formulation
    approved = [
        s
        for s in (form.signoffs if form is not None else [])
        if s.outcome == "approved" and s.at.date() <= as_of
    ]
    signed = approved[-1] if approved else None
    result = []
    for step in steps:
        rec = recorded.get(_key(step))
        done = rec.done if rec is not None and rec.done is not None and rec.done <= as_of else None
        went: list[str] = []
        if is_risk_step(step, form):
            if signed is not None and (done is None or done > signed.at.date()):
                why = _reason_for(signed.outstanding_steps, step)
                went.append(
                    f"signed off {uk_date(signed.at)} by {who(signed.reviewer)} "
                    + ("with it outstanding, " if done is None else "before it was done, ")
                    + (f"because: {why}" if why else "no reason recorded")
                )
            if began is not None and out is not None and (done is None or done > began):
                why = _reason_for(out.outstanding_steps, step)
                if done is not None:
                    went.append(
                        f"work began {uk_date(began)} before it was done"
                        + (f", because: {why} ({who(out.by)})" if why else "")
                    )
                elif why:
                    went.append(f"work began with it outstanding because: {why} ({who(out.by)})")
        result.append(
            StepStatus(
                step,
                done,
                who(rec.owner) if rec is not None and done is not None and rec.owner else "",
                began,
                tuple(went),
            )
        )
    return result


def _reason_for(acknowledged: list[AcknowledgedStep], step: str) -> str:
    key = _key(step)
    return next((a.reason.strip() for a in acknowledged if _key(a.step) == key), "")
