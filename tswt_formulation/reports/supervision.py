"""What a supervision session works from: every child on one line, most urgent first,
and the flags that need a decision in the room.

Urgency (the order of the caseload review):

1. risk: the highest risk level first, and an out-of-date safety plan before anything
   else at that level;
2. reliable deterioration on a headline measure;
3. screening overdue;
4. a formulation waiting for sign-off;
5. everyone else.

Flags: sign-offs waiting more than 14 days, returned formulations not yet resubmitted,
closed cases with an open formulation, and referrals waiting for a decision or an
allocation longer than the team's standard (``TSWT_WAITING_DAYS``, default 14 days).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ..model.case import Case
from ..words import INFORMANT_SHORT, plural, signed, uk_date

SIGNOFF_WAIT_DAYS = 14
DEFAULT_WAITING_DAYS = 14
REVIEW_PERIOD_DAYS = 92  # a measure (and a review) about every three months
TIERS = ("risk", "reliable deterioration", "screening overdue", "sign-off waiting", "")
_SEVERITY = {"mild": 1, "moderate": 2, "severe": 3}
_OPEN = ("draft", "awaiting_signoff", "returned")


def waiting_standard(days: int | str | None = None) -> int:
    """The team's standard for a referral to wait for a decision or an allocation:
    ``days`` if given, else ``TSWT_WAITING_DAYS``, else 14."""
    value = (
        days
        if days not in (None, "")
        else os.environ.get("TSWT_WAITING_DAYS") or DEFAULT_WAITING_DAYS
    )
    try:
        n = int(value)
    except ValueError:
        raise ValueError(f"TSWT_WAITING_DAYS: {value!r} is not a whole number of days") from None
    if n < 1:
        raise ValueError(f"TSWT_WAITING_DAYS: {n} must be at least 1 day")
    return n


@dataclass(frozen=True)
class ChildLine:
    """One child in the caseload review, with everything supervision asks about."""

    case_id: str
    worker: str | None
    tier: int  # index into TIERS
    why_first: str
    risk: str
    risk_rank: int
    state: str
    last_measure: date | None
    next_measure: str
    next_review: str
    days_since_referral: int
    decision: str
    allocation: str
    reasons: tuple[str, ...] = ()  # every reason to discuss the child (the tier is the first)
    risk_review: str = "-"
    formulation: str = "none"

    @property
    def urgency(self) -> tuple[int, int, str]:
        return (self.tier, -self.risk_rank, self.case_id)


@dataclass(frozen=True)
class SupervisionFlag:
    kind: str  # "signoff_waiting", "returned", "closed_open_formulation", "waiting_decision", "waiting_allocation"
    case_id: str
    worker: str | None
    text: str
    days: int


def risk_of(case: Case, rec: Any, as_of: date) -> tuple[int, str]:
    """(rank, words) of a child's risk; rank 0 when there is none to act on.

    Recorded risks rank by level (high 6, medium 4, low 2) plus 1 when a safety plan is
    missing or its review is out of date, so an out-of-date plan comes first at its level;
    risk behaviours the rules flagged rank by severity. Before the screening is complete
    the words say risk is not yet assessed, never that there is none."""
    status = getattr(rec, "risk", None)
    recorded = list(status.risks) if status is not None else []
    levels = {"low": 1, "medium": 2, "high": 3}
    ranked = []
    for r in recorded:
        stale = r.out_of_date or not r.safety_plan
        note = (
            "review OUT OF DATE"
            if r.out_of_date
            else ("no safety plan" if not r.safety_plan else "plan in date")
        )
        ranked.append(
            (
                2 * levels.get(r.level, 1) + int(stale),
                f"{r.level.capitalize()}: {r.label.lower()}, {note}",
            )
        )
    for b in getattr(rec, "risks", ()) or ():
        ranked.append((2 * _SEVERITY.get(b.severity, 1), f"{b.label} ({b.severity})"))
    if not ranked:
        assessed = (
            status.assessed
            if status is not None
            else (
                case.screening is not None
                and case.screening.completed is not None
                and case.screening.completed <= as_of
            )
        )
        return (0, "none recorded at screening" if assessed else "not yet assessed")
    ranked.sort(key=lambda t: -t[0])
    # A high risk, or one with no safety plan or an out-of-date review, is never folded
    # into "(+N more)": each is named. Only the rest are counted after the first.
    named = [
        t for i, t in enumerate(ranked) if i == 0 or t[0] >= 2 * levels["high"] or t[0] % 2 == 1
    ]
    rest = len(ranked) - len(named)
    more = f" (+{rest} more)" if rest else ""
    assessed_note = "" if status is None or status.assessed else "; screening not complete"
    return (ranked[0][0], "; ".join(t[1] for t in named) + more + assessed_note)


def risk_review_of(rec: Any, as_of: date) -> str:
    """When the recorded risks are next to be reviewed: the earliest review date,
    ``OVERDUE since 13 Apr 2026`` when it has passed (distinct from the case review)."""
    status = getattr(rec, "risk", None)
    dues = sorted(r.review_due for r in (status.risks if status is not None else ()))
    if not dues:
        return "-"
    first = dues[0]
    return f"OVERDUE since {uk_date(first)}" if first < as_of else f"due {uk_date(first)}"


def formulation_of(case: Case, as_of: date) -> str:
    """The formulation's status and how long it has stood: ``returned 370 days ago``,
    ``awaiting sign-off 434 days``, ``signed off 7 Dec 2026``, ``draft``, ``none``."""
    f = case.formulation
    if f is None:
        return "none"
    if f.status == "returned" and f.signoffs:
        return f"returned {plural((as_of - f.signoffs[-1].at.date()).days, 'day')} ago, not resubmitted"
    if f.status == "awaiting_signoff":
        return f"awaiting sign-off {plural((as_of - f.updated.date()).days, 'day')}"
    if f.status == "signed_off" and f.latest_signoff is not None:
        return f"signed off {uk_date(f.latest_signoff.at)}"
    return f"{f.status.replace('_', ' ')} (last changed {uk_date(f.updated)})"


def _next_after(start: date, as_of: date, period: int) -> date:
    """The first date start + k*period (k >= 1) on or after as_of."""
    k = max(1, -(-(as_of - start).days // period))
    return start + timedelta(days=k * period)


def child_line(case: Case, row: Any, rec: Any, deteriorated: bool, as_of: date) -> ChildLine:
    """One child's line. ``row`` is the case's row of :func:`rules.timeline.timeline`."""
    rank, risk = risk_of(case, rec, as_of)
    state = str(row.state)
    f = case.formulation
    measures = [m.date for m in case.measures if m.date <= as_of]
    last = max(measures) if measures else None
    overdue = bool(row.overdue)
    next_measure, next_review = "", ""
    if state == "work_begun" and case.conclusion is not None:
        due = (last or case.conclusion.date) + timedelta(days=REVIEW_PERIOD_DAYS)
        next_measure = uk_date(due) + (
            f" (overdue by {plural((as_of - due).days, 'day')})" if due < as_of else ""
        )
        next_review = uk_date(_next_after(case.conclusion.date, as_of, REVIEW_PERIOD_DAYS))
    elif (
        state == "in_screening"
        and row.screening_due is not None
        and str(row.screening_due) != "NaT"
    ):
        due = row.screening_due.date()
        next_measure = "baseline by " + uk_date(due) if last is None else ""
        next_review = f"screening due {uk_date(due)}" + (
            f" (overdue by {plural((as_of - due).days, 'day')})" if overdue else ""
        )
    ref = case.referral
    decided = ref.decision.date is not None and ref.decision.date <= as_of
    decision = (
        f"{ref.decision.outcome.replace('_', ' ')} {uk_date(ref.decision.date)}"
        if decided and ref.decision.date
        else "awaiting"
    )
    allocated = ref.allocation is not None and ref.allocation.date <= as_of
    allocation = uk_date(ref.allocation.date) if allocated and ref.allocation else "not allocated"
    waiting = f is not None and f.status == "awaiting_signoff"
    reasons = tuple(
        name for name, yes in zip(TIERS, (rank > 0, deteriorated, overdue, waiting)) if yes
    )
    tier = TIERS.index(reasons[0]) if reasons else 4
    return ChildLine(
        case.case_id,
        case.worker if allocated else None,
        tier,
        "; ".join(reasons),
        risk,
        rank,
        str(row.state_label),
        last,
        next_measure,
        next_review,
        (as_of - ref.received).days,
        decision,
        allocation,
        reasons,
        risk_review_of(rec, as_of),
        formulation_of(case, as_of),
    )


def supervision_flags(
    cases: list[Case], states: dict[str, str], as_of: date, waiting_days: int
) -> list[SupervisionFlag]:
    """The flags for supervision, longest waiting first within each kind."""
    out: list[SupervisionFlag] = []
    for c in cases:
        f, ref, state = c.formulation, c.referral, states.get(c.case_id, "")
        if f is not None and f.status == "awaiting_signoff":
            days = (as_of - f.updated.date()).days
            if days > SIGNOFF_WAIT_DAYS:
                out.append(
                    SupervisionFlag(
                        "signoff_waiting",
                        c.case_id,
                        c.worker,
                        f"sign-off waiting {plural(days, 'day')} "
                        f"(revision {f.revision}, last changed {uk_date(f.updated)})",
                        days,
                    )
                )
        if f is not None and f.status == "returned" and f.signoffs:
            days = (as_of - f.signoffs[-1].at.date()).days
            out.append(
                SupervisionFlag(
                    "returned",
                    c.case_id,
                    c.worker,
                    f"returned {plural(days, 'day')} ago and not yet resubmitted",
                    days,
                )
            )
        if state == "closed" and f is not None and f.status in _OPEN:
            out.append(
                SupervisionFlag(
                    "closed_open_formulation",
                    c.case_id,
                    c.worker,
                    f"case closed with its formulation still {f.status.replace('_', ' ')}",
                    0,
                )
            )
        if state in ("referred", "awaiting_decision"):
            days = (as_of - ref.received).days
            if days > waiting_days:
                out.append(
                    SupervisionFlag(
                        "waiting_decision",
                        c.case_id,
                        None,
                        f"referral received {uk_date(ref.received)}, waiting {plural(days, 'day')} for a decision",
                        days,
                    )
                )
        if state == "awaiting_allocation" and ref.decision.date is not None:
            days = (as_of - ref.decision.date).days
            if days > waiting_days:
                out.append(
                    SupervisionFlag(
                        "waiting_allocation",
                        c.case_id,
                        None,
                        f"accepted {uk_date(ref.decision.date)}, waiting {plural(days, 'day')} for allocation",
                        days,
                    )
                )
    order = (
        "signoff_waiting",
        "returned",
        "closed_open_formulation",
        "waiting_decision",
        "waiting_allocation",
    )
    return sorted(out, key=lambda x: (order.index(x.kind), -x.days, x.case_id))


def flag_words(r: dict[str, Any]) -> str:
    """``SDQ self total: 24 -> 35, +11 points (7.2 needed)``."""
    score = str(r["score"]).replace("_", " ")
    who = INFORMANT_SHORT.get(str(r.get("informant", "")), str(r.get("informant", "")))
    head = f"{str(r.get('measure', '')).upper()} {who} {score}".strip()
    if _missing(r.get("latest_value")) or _missing(r.get("difference")):
        return f"{head}: no score since baseline {_num(r.get('baseline_value'))}"
    return (
        f"{head}: {_num(r['baseline_value'])} -> {_num(r['latest_value'])}, {signed(float(r['difference']))} "
        f"({float(r['threshold']):.1f} needed)"
    )


def _missing(v: Any) -> bool:
    try:
        return v is None or math.isnan(float(v))
    except (TypeError, ValueError):
        return True  # pandas' NA and NaT


def _num(v: Any) -> str:
    return "" if _missing(v) else f"{float(v):g}"
