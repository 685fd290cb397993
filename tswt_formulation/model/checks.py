"""The cross-field checks of a case record: dates in order and not in the future, no
birth after the referral, legal statuses that do not overlap, breakdowns before the
current placement, a holder for each safety plan, decisions that fit the referral's
state, the SSDA903 reasons, the conclusion of screening and the work after it. Each check
names the field and what is wrong (:func:`consistency_problems`); ``Case`` runs them all
when it is validated and raises :class:`ConsistencyError` with every problem found.

Moved out of model/case.py unchanged (issue 25: one job a module); every name is still
importable from ``tswt_formulation.model.case``.
"""

from __future__ import annotations

from datetime import UTC, date, timedelta
from itertools import pairwise

from ._base import DateChecks
from .case import MAX_PLAUSIBLE_AGE_YEARS, Case, LegalStatusPeriod, years_between
from .work import work_problems


def _sdq_not_completed_problems(case: Case, today: date) -> list[tuple[str, str]]:
    """One reason per collection year, recorded within or after that year and not in the future."""
    out: list[tuple[str, str]] = []
    dob = case.child.date_of_birth
    seen: set[int] = set()
    for i, r in enumerate(case.sdq_not_completed):
        field = f"sdq_not_completed[{i}]"
        year, begins = r.collection_year, date(r.collection_year - 1, 4, 1)
        if year in seen:
            out.append(
                (
                    f"{field}.collection_year",
                    f"{year} is recorded twice; record one reason per collection year",
                )
            )
        seen.add(year)
        if date(year, 3, 31) < dob:
            out.append(
                (
                    f"{field}.collection_year",
                    f"{year} ended before child.date_of_birth {dob.isoformat()}",
                )
            )
        if r.recorded < begins:
            began = f"{year - 1}-{year % 100:02d} began ({begins.isoformat()})"
            out.append(
                (
                    f"{field}.recorded",
                    f"{r.recorded.isoformat()} is before the collection year {began}",
                )
            )
        elif r.recorded < dob:
            out.append(
                (
                    f"{field}.recorded",
                    f"{r.recorded.isoformat()} is before child.date_of_birth {dob.isoformat()}",
                )
            )
        if r.recorded > today:
            out.append(
                (
                    f"{field}.recorded",
                    f"{r.recorded.isoformat()} is in the future (today is {today.isoformat()})",
                )
            )
    return out


def _overlapping_periods(periods: list[tuple[str, LegalStatusPeriod]]) -> list[tuple[str, str]]:
    """Legal status periods that overlap one another (a child has one status at a time).

    A period that ends on the day the next begins does not overlap it. A past period
    without an end runs to today, so it overlaps everything after its start."""
    out: list[tuple[str, str]] = []
    far = date.max
    ordered = sorted(periods, key=lambda fp: fp[1].start)
    for (f1, p1), (f2, p2) in pairwise(ordered):
        end1 = p1.end or far
        if p2.start < end1:
            ends = f"ends {p1.end.isoformat()}" if p1.end else "has no end date"
            out.append(
                (
                    f"{f2}.start",
                    f"{p2.start.isoformat()} overlaps {f1} ({p1.status} from {p1.start.isoformat()}, which {ends})",
                )
            )
    return out


class ConsistencyError(ValueError):
    """Raised inside validation with every cross-field problem found (field, message)."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{f}: {m}" for f, m in problems))


def _recorded_twice(field: str, key: str, values: list[str]) -> list[tuple[str, str]]:
    """(field, message) for each value of a screening list given again after its first."""
    out, seen = [], set()
    for i, value in enumerate(values):
        if value in seen:
            out.append(
                (
                    f"{field}[{i}].{key}",
                    f"{value} is recorded twice; record it once with all its sources",
                )
            )
        seen.add(value)
    return out


def consistency_problems(
    case: Case, today: date | None = None, stored: bool = False
) -> list[tuple[str, str]]:
    """Every cross-field problem of a case as (field, message): dates in order and not in
    the future, no birth after the referral, legal statuses that do not overlap, placement
    breakdowns before the current placement, risks with a holder for each safety plan,
    decisions that fit the referral's state."""
    today = today or date.today()
    out: list[tuple[str, str]] = []
    child, ref = case.child, case.referral
    dob = child.date_of_birth

    checks = DateChecks(out, today)
    not_future, not_before = checks.not_future, checks.not_before

    # Only what is impossible is refused: a referral of someone past the team's age range
    # is a real event that eligibility decides (not eligible, with reasons and signposting).
    not_future("child.date_of_birth", dob)
    if years_between(dob, ref.received) > MAX_PLAUSIBLE_AGE_YEARS:
        out.append(
            (
                "child.date_of_birth",
                f"{dob.isoformat()} makes the person {years_between(dob, ref.received)} at referral; check the year",
            )
        )
    periods = [("child.legal_status", child.legal_status)] + [
        (f"child.legal_status_history[{i}]", p) for i, p in enumerate(child.legal_status_history)
    ]
    for field, period in periods:
        not_before(f"{field}.start", period.start, "child.date_of_birth", dob)
        not_future(f"{field}.start", period.start)
        not_before(f"{field}.end", period.end, f"{field}.start", period.start)
        not_future(f"{field}.end", period.end)
    if child.legal_status.end is not None:
        out.append(
            (
                "child.legal_status.end",
                "the current legal status cannot have ended; move it to legal_status_history",
            )
        )
    if not stored:
        out += _overlapping_periods(periods)
    if child.placement:
        not_before("child.placement.start", child.placement.start, "child.date_of_birth", dob)
        not_future("child.placement.start", child.placement.start)
        for i, b in enumerate(child.placement.breakdowns):
            field = f"child.placement.breakdowns[{i}].date"
            not_before(field, b.date, "child.date_of_birth", dob)
            not_future(field, b.date)
            # A breakdown ended an earlier placement, so it cannot come after this one began.
            if not stored and b.date > child.placement.start:
                out.append(
                    (
                        field,
                        f"{b.date.isoformat()} is after child.placement.start {child.placement.start.isoformat()}: "
                        "a breakdown ends an earlier placement",
                    )
                )

    not_before("referral.received", ref.received, "child.date_of_birth", dob)
    not_future("referral.received", ref.received)
    if ref.consent:
        not_future("referral.consent.date", ref.consent.date)
    if ref.approval:
        not_future("referral.approval.date", ref.approval.date)
    dec = ref.decision
    if dec.outcome == "pending":
        if dec.date is not None:
            out.append(
                (
                    "referral.decision.date",
                    "a pending decision has no date; set outcome to accepted or not_accepted",
                )
            )
    else:
        if dec.date is None:
            out.append(
                ("referral.decision.date", f"missing: a decision of {dec.outcome} needs its date")
            )
        not_before("referral.decision.date", dec.date, "referral.received", ref.received)
        not_future("referral.decision.date", dec.date)
        # docs/domain.md, "The referral flow": no consent or no approval, the referral cannot proceed. It may still
        # be recorded as not accepted (that can be the reason), but never as accepted.
        for name, part in (("consent", ref.consent), ("approval", ref.approval)):
            what = "informed consent" if name == "consent" else "team-manager approval"
            if part is None and dec.outcome == "accepted":
                out.append(
                    (f"referral.{name}", f"missing: a referral cannot be accepted without {what}")
                )
            elif part is not None and dec.date is not None and part.date > dec.date:
                out.append(
                    (
                        f"referral.{name}.date",
                        f"{part.date.isoformat()} is after referral.decision.date {dec.date.isoformat()}",
                    )
                )
        if dec.outcome == "accepted" and ref.consent is not None and not ref.consent.informed:
            out.append(
                (
                    "referral.consent.informed",
                    "is false: a referral cannot be accepted without informed consent",
                )
            )
    if dec.outcome == "not_accepted" and not dec.reasons.strip():
        out.append(
            (
                "referral.decision.reasons",
                "missing: a referral not accepted needs the reasons explained",
            )
        )
    if ref.allocation:
        if dec.outcome != "accepted":
            out.append(
                (
                    "referral.allocation",
                    f"a referral whose decision is {dec.outcome} cannot be allocated",
                )
            )
        not_before(
            "referral.allocation.date", ref.allocation.date, "referral.decision.date", dec.date
        )
        not_future("referral.allocation.date", ref.allocation.date)

    scr = case.screening
    if scr is not None:
        if scr.started is not None and ref.allocation is None:
            out.append(
                ("screening.started", "a screening cannot start before the referral is allocated")
            )
        not_before(
            "screening.started",
            scr.started,
            "referral.allocation.date",
            ref.allocation.date if ref.allocation else None,
        )
        not_future("screening.started", scr.started)
        if scr.completed is not None and scr.started is None:
            out.append(
                ("screening.completed", "a screening cannot be completed without a start date")
            )
        not_before("screening.completed", scr.completed, "screening.started", scr.started)
        not_future("screening.completed", scr.completed)
        out += _recorded_twice(
            "screening.presenting_behaviours",
            "behaviour",
            [pb.behaviour for pb in scr.presenting_behaviours],
        )
        out += _recorded_twice(
            "screening.history_factors", "factor", [h.factor for h in scr.history_factors]
        )
        seen: set[str] = set()
        for i, r in enumerate(scr.risks):
            field = f"screening.risks[{i}]"
            if r.kind in seen:
                out.append(
                    (
                        f"{field}.kind",
                        f"{r.kind} is recorded twice; record it once, with its latest level and review date",
                    )
                )
            seen.add(r.kind)
            not_before(f"{field}.recorded", r.recorded, "child.date_of_birth", dob)
            not_future(f"{field}.recorded", r.recorded)
            not_before(f"{field}.review_due", r.review_due, f"{field}.recorded", r.recorded)
            if r.safety_plan and not r.safety_plan_holder.strip():
                out.append(
                    (
                        f"{field}.safety_plan_holder",
                        "missing: say who holds the safety plan (a role, e.g. the child's social worker)",
                    )
                )
            if not r.safety_plan and r.safety_plan_holder.strip():
                out.append(
                    (
                        f"{field}.safety_plan",
                        "is false, but safety_plan_holder is given; set safety_plan to true or clear the holder",
                    )
                )

    for i, m in enumerate(case.measures):
        not_before(f"measures[{i}].date", m.date, "child.date_of_birth", dob)
        not_future(f"measures[{i}].date", m.date)
    numbers = [g.number for g in case.goals]
    if len(numbers) != len(set(numbers)):
        out.append(("goals", "goal numbers must be unique (1-3)"))

    if case.conclusion is not None:
        if scr is None or scr.started is None:
            out.append(
                ("conclusion", "the conclusion of screening needs a screening that has started")
            )
        else:
            not_before("conclusion.date", case.conclusion.date, "screening.started", scr.started)
        not_future("conclusion.date", case.conclusion.date)
        if case.conclusion.decision == "close" and not case.conclusion.reasons.strip():
            out.append(("conclusion.reasons", "missing: closing a referral needs its reasons"))
    out += _sdq_not_completed_problems(case, today)
    out += work_problems(case, today)
    if not stored:  # like the checks above added later: a record already stored still loads
        out += future_timestamps(case)
    return out


CLOCK_SKEW = timedelta(minutes=5)


def future_timestamps(case: Case) -> list[tuple[str, str]]:
    """The formulation's times (drafted, updated, decided, signed off, recommended) that
    are later than now (beyond a few minutes of clock difference between machines)."""
    from datetime import datetime

    f = case.formulation
    if f is None:
        return []
    now = datetime.now(UTC)
    stamps = [("formulation.created", f.created), ("formulation.updated", f.updated)]
    if f.recommendation is not None:
        stamps.append(("formulation.recommendation.made", f.recommendation.made))
    if f.decision is not None:
        stamps.append(("formulation.decision.at", f.decision.at))
    stamps += [(f"formulation.signoffs[{i}].at", s.at) for i, s in enumerate(f.signoffs)]
    out = []
    for field, at in stamps:
        aware = at if at.tzinfo else at.replace(tzinfo=UTC)
        if aware > now + CLOCK_SKEW:
            out.append(
                (field, f"{aware.isoformat()} is in the future (now is {now:%Y-%m-%dT%H:%M}Z)")
            )
    return out
