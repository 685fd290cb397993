"""The referral and screening timeline as of a date, for one case or a whole caseload.

States (DOMAIN.md "How a referral flows"), as of a date, counting only what had happened
by then:

============================  =====================================================
``referred``                  received, but consent or manager approval is missing
``awaiting_decision``         consent and approval in place, decision pending
``awaiting_allocation``       accepted, not yet allocated to a worker
``in_screening``              allocated; the six-week screening runs until its outcome
``work_begun``                outcome of screening: begin work
``closed``                    not accepted, or outcome of screening: close
============================  =====================================================

The screening is due six weeks after allocation. It is *overdue* when the case is in
screening, the screening is not completed and the as-of date is after the due date.

Everything is computed over a DataFrame (one row per case, the columns of
:func:`caseload_row`) with vectorised pandas operations, so the caseload of a whole
authority takes well under a second. :func:`case_timeline` applies the same rules to one
case in plain Python (a test holds the two to the same answers), so showing one case
needs no pandas.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..model.case import SCREENING_WEEKS, Case

if TYPE_CHECKING:  # pandas is imported where a frame is built: `tswt show` needs none
    import pandas as pd

STATES = ("referred", "awaiting_decision", "awaiting_allocation", "in_screening", "work_begun", "closed")
STATE_LABELS = {
    "referred": "Referred (consent or approval missing)",
    "awaiting_decision": "Awaiting decision",
    "awaiting_allocation": "Awaiting allocation",
    "in_screening": "In screening",
    "work_begun": "Work begun",
    "closed": "Closed",
}
DATE_COLUMNS = (
    "date_of_birth", "received", "consent_date", "approval_date", "decision_date", "allocation_date",
    "screening_started", "screening_completed", "outcome_date",
)
ROW_COLUMNS = (
    "case_id", "synthetic", "legal_status", *DATE_COLUMNS, "consent_informed", "decision", "worker",
    "outcome", "formulation_status",
)


def caseload_row(case: Case) -> dict[str, Any]:
    """The columns of one case that the caseload and timeline need (also stored as
    indexed columns in the case store, so a caseload never has to parse records)."""
    ref, scr = case.referral, case.screening
    return {
        "case_id": case.case_id,
        "synthetic": case.synthetic,
        "legal_status": case.child.legal_status.status,
        "date_of_birth": case.child.date_of_birth,
        "received": ref.received,
        "consent_date": ref.consent.date if ref.consent else None,
        "consent_informed": bool(ref.consent and ref.consent.informed),
        "approval_date": ref.approval.date if ref.approval else None,
        "decision": ref.decision.outcome,
        "decision_date": ref.decision.date,
        "allocation_date": ref.allocation.date if ref.allocation else None,
        "worker": ref.allocation.worker if ref.allocation else None,
        "screening_started": scr.started if scr else None,
        "screening_completed": scr.completed if scr else None,
        "outcome": case.outcome.decision if case.outcome else None,
        "outcome_date": case.outcome.date if case.outcome else None,
        "formulation_status": case.formulation.status if case.formulation else None,
    }


def caseload_frame(rows: list[dict[str, Any]] | pd.DataFrame) -> pd.DataFrame:
    """A caseload DataFrame with date columns as ``datetime64`` (NaT when absent)."""
    import pandas as pd

    df = pd.DataFrame(rows, columns=list(ROW_COLUMNS)) if not isinstance(rows, pd.DataFrame) else rows.copy()
    # One resolution whether the dates came as date objects or as ISO text (a SQLite
    # store read raw): what pandas gives for date objects.
    unit = pd.to_datetime(pd.Series([date(2000, 1, 1)])).dtype
    for col in DATE_COLUMNS:
        df[col] = pd.to_datetime(df[col], errors="raise").astype(unit)
    return df


def timeline(caseload: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """State, screening due date and days remaining/overdue for every case, as of a date.

    Parameters
    ----------
    caseload : DataFrame
        One row per case with the columns of :func:`caseload_row` (see
        :func:`caseload_frame`).
    as_of : date
        Events dated after it are ignored; cases received after it are dropped.

    Returns
    -------
    DataFrame
        The input columns plus ``age``, ``state``, ``state_label``, ``screening_due``,
        ``days_to_due`` (negative when past due), ``overdue`` (bool) and ``due_within_14``.
    """
    import numpy as np
    import pandas as pd

    df = caseload_frame(caseload) if not pd.api.types.is_datetime64_any_dtype(caseload["received"]) else caseload.copy()
    when = pd.Timestamp(as_of)
    df = df[df["received"] <= when].copy()

    def happened(col: str) -> pd.Series:
        return df[col].notna() & (df[col] <= when)

    consent = happened("consent_date") & df["consent_informed"].astype(bool)
    approval = happened("approval_date")
    decided = happened("decision_date")
    accepted = decided & (df["decision"] == "accepted")
    not_accepted = decided & (df["decision"] == "not_accepted")
    allocated = accepted & happened("allocation_date")
    outcome_done = allocated & happened("outcome_date")
    closed = not_accepted | (outcome_done & (df["outcome"] == "close"))
    work = outcome_done & (df["outcome"] == "begin_work")

    state = np.select(
        [closed, work, allocated, accepted, consent & approval],
        ["closed", "work_begun", "in_screening", "awaiting_allocation", "awaiting_decision"],
        default="referred",
    )
    df["state"] = state
    df["state_label"] = df["state"].map(STATE_LABELS)
    due = df["allocation_date"].where(allocated) + pd.Timedelta(weeks=SCREENING_WEEKS)
    df["screening_due"] = due
    completed = happened("screening_completed")
    days = (due - when).dt.days
    df["days_to_due"] = days.astype("Int64")
    open_screening = (df["state"] == "in_screening") & ~completed
    df["screening_open"] = open_screening
    df["overdue"] = open_screening & (days < 0)
    df["due_within_14"] = open_screening & (days >= 0) & (days <= 14)
    born = df["date_of_birth"]
    had_birthday = (born.dt.month < when.month) | ((born.dt.month == when.month) & (born.dt.day <= when.day))
    df["age"] = (when.year - born.dt.year - (~had_birthday).astype(int)).astype("Int64")
    return df.reset_index(drop=True)


@dataclass(frozen=True)
class CaseTimeline:
    case_id: str
    as_of: date
    state: str
    state_label: str
    screening_due: date | None
    days_to_due: int | None
    overdue: bool

    @property
    def due_text(self) -> str:
        """'due in 5 days', 'overdue by 3 days', 'due today', or '' when not screening."""
        if self.days_to_due is None or self.state != "in_screening":
            return ""
        d = self.days_to_due
        if d == 0:
            return "due today"
        return f"due in {d} day{'s' if d != 1 else ''}" if d > 0 else f"overdue by {-d} day{'s' if d != -1 else ''}"


def case_timeline(case: Case, as_of: date) -> CaseTimeline:
    """The timeline of one case as of a date (same rules as :func:`timeline`)."""
    if isinstance(as_of, datetime):
        as_of = as_of.date()
    row = caseload_row(case)

    def happened(col: str) -> bool:
        return row[col] is not None and row[col] <= as_of

    if row["received"] > as_of:
        return CaseTimeline(case.case_id, as_of, "not_yet_referred", "Not yet referred", None, None, False)
    decided = happened("decision_date")
    accepted = decided and row["decision"] == "accepted"
    allocated = accepted and happened("allocation_date")
    outcome_done = allocated and happened("outcome_date")
    if (decided and row["decision"] == "not_accepted") or (outcome_done and row["outcome"] == "close"):
        state = "closed"
    elif outcome_done and row["outcome"] == "begin_work":
        state = "work_begun"
    elif allocated:
        state = "in_screening"
    elif accepted:
        state = "awaiting_allocation"
    elif happened("consent_date") and row["consent_informed"] and happened("approval_date"):
        state = "awaiting_decision"
    else:
        state = "referred"
    due = row["allocation_date"] + timedelta(weeks=SCREENING_WEEKS) if allocated else None
    screening_open = state == "in_screening" and not happened("screening_completed")
    days = (due - as_of).days if due is not None and screening_open else None
    return CaseTimeline(
        case_id=case.case_id,
        as_of=as_of,
        state=state,
        state_label=STATE_LABELS[state],
        screening_due=due,
        days_to_due=days,
        overdue=days is not None and days < 0,
    )
