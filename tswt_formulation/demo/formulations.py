"""A screened child's formulation, taken through the real workflow: drafted, edited,
decided, submitted and signed off or returned."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from ..model.case import Case
from .narratives import _NARRATIVES, _narrative, _override_reason, _signoff_comment
from .people import REVIEWERS


def _at(day: date, hour: int) -> datetime:
    """A working hour on a day, but never later than now: a demo made at 7 in the morning
    must not date today's work at 9 (the record refuses timestamps in the future)."""
    at = datetime.combine(day, time(hour, 0), tzinfo=UTC)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    return min(at, now - timedelta(minutes=24 - hour))  # still distinct and in order today


def _formulate(rng: random.Random, case: Case, as_of: date, bands: dict[str, str]) -> None:
    """Give a screened case a formulation that went through the real workflow."""
    from ..model import Override
    from ..rules import (
        draft_formulation,
        edit_formulation,
        recommend,
        record_decision,
        sign_off,
        submit,
    )

    scr = case.screening
    if scr is None or scr.started is None:
        return
    done = scr.completed
    if done is None and rng.random() < 0.6:
        return  # many open screenings have no draft yet
    day = done or min(as_of, scr.started + timedelta(days=20))
    rec = recommend(case, as_of=day, bands=bands)
    if not rec.recommendable:
        return
    worker = case.worker or "a.okafor"
    form = draft_formulation(case, author=worker, now=_at(day, 9), recommendation=rec)
    variant = rng.randrange(len(_NARRATIVES))  # same draws as before: a seed keeps its caseload
    form = edit_formulation(form, worker, _at(day, 10), narrative=_narrative(case, variant))
    if done is None:
        case.formulation = form
        return
    if rng.random() < 0.8:
        form = record_decision(form, case.case_id, worker, _at(day, 11), accept=True)
    else:
        new_stage = min(4, (rec.stage or 1) + 1)
        form = record_decision(
            form,
            case.case_id,
            worker,
            _at(day, 11),
            accept=False,
            overrides=[Override(part="stage", value=new_stage, reason=_override_reason(case, day))],
        )
    form = submit(
        form,
        case.case_id,
        by=worker,  # the demo's people are the staff directory's
        screening_completed=case.screening.completed if case.screening else None,
    )
    roll = rng.random()
    review_day = min(as_of, day + timedelta(days=rng.randint(1, 10)))
    if roll < 0.75:
        form = sign_off(
            form,
            case.case_id,
            rng.choice(REVIEWERS),
            _at(review_day, 15),
            approve=True,
            comment=_signoff_comment(case, True, variant),
        )
    elif roll < 0.85:
        form = sign_off(
            form,
            case.case_id,
            rng.choice(REVIEWERS),
            _at(review_day, 15),
            approve=False,
            comment=_signoff_comment(case, False, variant),
        )
    case.formulation = form
