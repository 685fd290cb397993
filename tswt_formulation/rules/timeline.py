"""The referral and screening timeline as of a date, for one case or a whole caseload.

States (docs/domain.md, "The referral flow"), as of a date, counting only what had happened
by then:

============================  =====================================================
``referred``                  received, but consent or manager approval is missing
``awaiting_decision``         consent and approval in place, decision pending
``awaiting_allocation``       accepted, not yet allocated to a worker
``in_screening``              allocated; the six-week screening runs until its conclusion
``work_begun``                conclusion of screening: begin work
``closed``                    not accepted, or conclusion of screening: close
============================  =====================================================

The screening is due six weeks after allocation. It is *overdue* when the case is in
screening, the screening is not completed and the as-of date is after the due date.

Once work has begun (and until the involvement ends), the work is watched too
(DOMAIN.md "After screening: the work itself"):

- ``review_due``: the last review (or, before the first, the date work began) plus the
  team's interval (``review_months``, default 3; ``TSWT_REVIEW_MONTHS``), the same day
  of the month (the month's last day where it is shorter); ``review_overdue`` after it.
- ``steps_outstanding``: first steps not recorded as done; ``steps_overdue`` when the
  earliest due date among them has passed.
- ``session_gap_weeks``: whole weeks since the stalest open intervention last had an
  attended session (or began); ``no_recent_session`` at ``session_weeks`` (default 6) or more.
- ``closing_measures_missing``: involvement ended with closing measures due and not all
  of them recorded at the ``closure`` timepoint.

The work columns are stored as the record's latest (the last review, the open
interventions' last contact); an as-of date before them reads them as they are now.

The library's :func:`timeline` computes everything over a DataFrame (one row per case,
the columns of :func:`caseload_row`) with vectorised pandas operations, for analysis.
:func:`caseload_timeline` applies the same rules row by row in plain Python, for the
command line, which then needs no pandas at all (at 100,000 cases, importing pandas and
building the frame costs more than the plain loop); :func:`case_timeline` is the same
for one case. A test holds the three to the same answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..practice import REVIEW_MONTHS, SCREENING_WEEKS, SESSION_GAP_WEEKS

if TYPE_CHECKING:  # pandas is imported where a frame is built: `tswt show` needs none
    import pandas as pd

    from ..model.case import Case

STATES = (
    "referred",
    "awaiting_decision",
    "awaiting_allocation",
    "in_screening",
    "work_begun",
    "closed",
)
STATE_LABELS = {
    "referred": "Referred (consent or approval missing)",
    "awaiting_decision": "Awaiting decision",
    "awaiting_allocation": "Awaiting allocation",
    "in_screening": "In screening",
    "work_begun": "Work begun",
    "closed": "Closed",
}
_REFERRAL_DATES = (
    "date_of_birth",
    "received",
    "consent_date",
    "approval_date",
    "decision_date",
    "allocation_date",
    "screening_started",
    "screening_completed",
    "conclusion_date",
)
_WORK_DATES = ("last_review", "first_step_due", "last_contact", "ended")
DATE_COLUMNS = (*_REFERRAL_DATES, *_WORK_DATES)
INT_COLUMNS = ("open_interventions", "first_steps_outstanding")
BOOL_COLUMNS = ("synthetic", "consent_informed", "closing_measures_pending")
ROW_COLUMNS = (
    "case_id",
    "synthetic",
    "legal_status",
    *_REFERRAL_DATES,
    "consent_informed",
    "decision",
    "worker",
    "conclusion",
    "formulation_status",
    *_WORK_DATES,
    *INT_COLUMNS,
    "closing_measures_pending",
)
WORK_JUDGED = (
    "review_due",
    "review_overdue",
    "steps_outstanding",
    "steps_overdue",
    "session_gap_weeks",
    "no_recent_session",
    "closing_measures_missing",
)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later; the month's last day where that month is shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    following = date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return date(year, month + 1, min(day.day, (following - timedelta(days=1)).day))


def work_columns(case: Case) -> dict[str, Any]:
    """The work columns of one case (stored, indexed, beside the caseload's columns)."""
    open_ivs = [iv for iv in case.interventions if iv.end is None]
    contacts = []
    for iv in open_ivs:
        attended = [s.date for s in iv.sessions if s.attendance == "attended"]
        contacts.append(max(attended, default=iv.start))
    outstanding = [s for s in case.first_steps if s.done is None]
    ending = case.ending
    done_at_closure = {m.measure for m in case.measures if m.timepoint == "closure"}
    return {
        "last_review": max((r.date for r in case.reviews), default=None),
        "first_step_due": min((s.due for s in outstanding if s.due is not None), default=None),
        "last_contact": min(contacts, default=None),
        "ended": ending.date if ending else None,
        "open_interventions": len(open_ivs),
        "first_steps_outstanding": len(outstanding),
        "closing_measures_pending": bool(
            ending and set(ending.closing_measures_due) - done_at_closure
        ),
    }


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
        "conclusion": case.conclusion.decision if case.conclusion else None,
        "conclusion_date": case.conclusion.date if case.conclusion else None,
        "formulation_status": case.formulation.status if case.formulation else None,
        **work_columns(case),
    }


def caseload_frame(rows: list[dict[str, Any]] | pd.DataFrame) -> pd.DataFrame:
    """A caseload DataFrame with date columns as ``datetime64`` (NaT when absent)."""
    import pandas as pd

    df = (
        pd.DataFrame(rows, columns=list(ROW_COLUMNS))
        if not isinstance(rows, pd.DataFrame)
        else rows.copy()
    )
    # One resolution whether the dates came as date objects or as ISO text (a SQLite
    # store read raw): what pandas gives for date objects.
    unit = _date_unit()
    for col in DATE_COLUMNS:
        df[col] = pd.to_datetime(df[col], errors="raise").astype(unit)
    return df


def rows_frame(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    """The caseload frame of :func:`caseload_frame` from a store's tuples (in the order
    of ``ROW_COLUMNS``; dates as ISO text or ``date``, booleans as 0/1 or bool), built
    column by column with numpy (a malformed date raises ``ValueError``)."""
    import numpy as np
    import pandas as pd

    unit = _date_unit()
    columns = list(zip(*rows)) if rows else [() for _ in ROW_COLUMNS]
    data: dict[str, Any] = {}
    for name, col in zip(ROW_COLUMNS, columns):
        if name in DATE_COLUMNS:  # numpy parses ISO text (and reads date objects) in C; None is NaT
            data[name] = np.array(col, dtype="datetime64[D]").astype(unit)
        elif name in BOOL_COLUMNS:
            data[name] = np.array(col, dtype=bool)
        elif name in INT_COLUMNS:
            data[name] = np.array(col, dtype=np.int64)
        else:
            data[name] = np.array(col, dtype=object)
    return pd.DataFrame(data, columns=list(ROW_COLUMNS))


def _date_unit() -> Any:
    """The dtype pandas gives a column of ``date`` objects (seconds since pandas 3)."""
    import pandas as pd

    return pd.to_datetime(pd.Series([date(2000, 1, 1)])).dtype


def timeline(
    caseload: pd.DataFrame,
    as_of: date,
    review_months: int = REVIEW_MONTHS,
    session_weeks: int = SESSION_GAP_WEEKS,
) -> pd.DataFrame:
    """State, screening due date and days remaining/overdue for every case, as of a date.

    Parameters
    ----------
    caseload : DataFrame
        One row per case with the columns of :func:`caseload_row` (see
        :func:`caseload_frame`).
    as_of : date
        Events dated after it are ignored; cases received after it are dropped.
    review_months, session_weeks : int
        The team's review interval and the gap after which an open intervention is flagged.

    Returns
    -------
    DataFrame
        The input columns plus ``age``, ``state``, ``state_label``, ``screening_due``,
        ``days_to_due`` (negative when past due), ``overdue`` (bool) and ``due_within_14``,
        and the work's columns (module docstring): ``review_due``, ``review_overdue``,
        ``steps_outstanding``, ``steps_overdue``, ``session_gap_weeks``,
        ``no_recent_session``, ``closing_measures_missing``.
    """
    import numpy as np
    import pandas as pd

    df = (
        caseload_frame(caseload)
        if not pd.api.types.is_datetime64_any_dtype(caseload["received"])
        else caseload
    )
    # numpy arrays throughout (pandas' string columns compare element by element in Python)
    when = np.datetime64(as_of.date() if isinstance(as_of, datetime) else as_of, "D")
    df = df[df["received"].to_numpy() <= when].reset_index(drop=True)

    def happened(col: str) -> np.ndarray:
        return df[col].to_numpy() <= when  # NaT (not happened) compares False

    decision = df["decision"].to_numpy(dtype=object)
    conclusion = df["conclusion"].to_numpy(dtype=object)
    consent = happened("consent_date") & df["consent_informed"].to_numpy(dtype=bool)
    approval = happened("approval_date")
    decided = happened("decision_date")
    accepted = decided & (decision == "accepted")
    not_accepted = decided & (decision == "not_accepted")
    allocated = accepted & happened("allocation_date")
    concluded = allocated & happened("conclusion_date")
    closed = not_accepted | (concluded & (conclusion == "close"))
    work = concluded & (conclusion == "begin_work")

    order = (
        "closed",
        "work_begun",
        "in_screening",
        "awaiting_allocation",
        "awaiting_decision",
        "referred",
    )
    which = np.select([closed, work, allocated, accepted, consent & approval], range(5), default=5)
    state = np.array(order, dtype=object)[which]
    df["state"] = state
    df["state_label"] = np.array([STATE_LABELS[s] for s in order], dtype=object)[which]
    alloc = df["allocation_date"].to_numpy()
    due = np.where(
        allocated, alloc + np.timedelta64(SCREENING_WEEKS * 7, "D"), np.datetime64("NaT")
    )
    df["screening_due"] = due.astype(alloc.dtype)
    no_due = ~allocated
    days = (np.where(no_due, when, due) - when) // np.timedelta64(
        1, "D"
    )  # 0 where there is no due date
    df["days_to_due"] = pd.arrays.IntegerArray(days.astype(np.int64), no_due)
    open_screening = (which == 2) & ~happened("screening_completed")
    df["screening_open"] = open_screening
    df["overdue"] = open_screening & (days < 0)
    df["due_within_14"] = open_screening & (days >= 0) & (days <= 14)
    born = df["date_of_birth"].to_numpy().astype("datetime64[D]")
    month_start = born.astype("datetime64[M]")
    year = born.astype("datetime64[Y]").astype(np.int64) + 1970
    month = month_start.astype(np.int64) % 12 + 1
    day = (born - month_start.astype("datetime64[D]")).astype(np.int64) + 1
    had_birthday = (month < as_of.month) | ((month == as_of.month) & (day <= as_of.day))
    df["age"] = pd.arrays.IntegerArray(
        (as_of.year - year - ~had_birthday).astype(np.int64), np.zeros(len(df), dtype=bool)
    )
    _work_vectorised(df, when, work, happened, review_months, session_weeks)
    return df


def _add_months_vectorised(days: Any, months: int) -> Any:
    """:func:`add_months` over a ``datetime64[D]`` array (NaT stays NaT)."""
    import numpy as np

    month = days.astype("datetime64[M]")
    offset = days - month.astype("datetime64[D]")  # days into the month
    target = month + np.timedelta64(months, "M")
    last = (target + np.timedelta64(1, "M")).astype("datetime64[D]") - np.timedelta64(1, "D")
    return np.minimum(target.astype("datetime64[D]") + offset, last)


def _work_vectorised(
    df: Any, when: Any, work: Any, happened: Any, review_months: int, session_weeks: int
) -> None:
    import numpy as np
    import pandas as pd

    ongoing = work & ~happened("ended")
    last_review = df["last_review"].to_numpy().astype("datetime64[D]")
    began = df["conclusion_date"].to_numpy().astype("datetime64[D]")
    since = np.where(happened("last_review"), last_review, began)
    due = np.where(ongoing, _add_months_vectorised(since, review_months), np.datetime64("NaT"))
    df["review_due"] = due.astype(df["conclusion_date"].dtype)
    df["review_overdue"] = ongoing & (due < when)
    steps = np.where(ongoing, df["first_steps_outstanding"].to_numpy(dtype=np.int64), 0)
    df["steps_outstanding"] = steps
    step_due = df["first_step_due"].to_numpy().astype("datetime64[D]")
    df["steps_overdue"] = (steps > 0) & (step_due < when)
    contact = df["last_contact"].to_numpy().astype("datetime64[D]")
    has_gap = (
        ongoing & (df["open_interventions"].to_numpy(dtype=np.int64) > 0) & happened("last_contact")
    )
    gap = (
        np.where(has_gap, when - contact, np.timedelta64(0, "D")) // np.timedelta64(7, "D")
    ).astype(np.int64)
    df["session_gap_weeks"] = pd.arrays.IntegerArray(gap, ~has_gap)
    df["no_recent_session"] = has_gap & (gap >= session_weeks)
    df["closing_measures_missing"] = (
        work & happened("ended") & df["closing_measures_pending"].to_numpy(dtype=bool)
    )


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
        return (
            f"due in {d} day{'s' if d != 1 else ''}"
            if d > 0
            else f"overdue by {-d} day{'s' if d != -1 else ''}"
        )


def _day(value: Any) -> date | None:
    """A stored date as a ``date``: ISO text (SQLite read raw), a date, a datetime or a
    pandas Timestamp; None (or NaT) when absent."""
    if value is None or value.__class__ is date:
        return value
    if isinstance(value, str):
        return date.fromisoformat(value)
    if isinstance(value, datetime):  # also a pandas Timestamp; NaT is a datetime too
        return None if value != value else value.date()
    if isinstance(value, date):
        return value
    return None  # pandas' NA/NaN for a missing date


_SIX_WEEKS = timedelta(weeks=SCREENING_WEEKS)


def _judge(
    r: dict[str, Any],
    as_of: date,
    review_months: int = REVIEW_MONTHS,
    session_weeks: int = SESSION_GAP_WEEKS,
) -> dict[str, Any]:
    """Add the timeline columns of :func:`timeline` to one row (a dict of the columns of
    :func:`caseload_row`, dates as ``date``), by the same rules, in plain Python."""

    def happened(col: str) -> bool:
        day = r[col]
        return day is not None and day <= as_of

    decided = happened("decision_date")
    accepted = decided and r["decision"] == "accepted"
    allocated = accepted and happened("allocation_date")
    concluded = allocated and happened("conclusion_date")
    if (decided and r["decision"] == "not_accepted") or (concluded and r["conclusion"] == "close"):
        state = "closed"
    elif concluded and r["conclusion"] == "begin_work":
        state = "work_begun"
    elif allocated:
        state = "in_screening"
    elif accepted:
        state = "awaiting_allocation"
    elif happened("consent_date") and r["consent_informed"] and happened("approval_date"):
        state = "awaiting_decision"
    else:
        state = "referred"
    due = r["allocation_date"] + _SIX_WEEKS if allocated else None
    days = (due - as_of).days if due is not None else None
    screening_open = state == "in_screening" and not happened("screening_completed")
    born = r["date_of_birth"]
    r["state"] = state
    r["state_label"] = STATE_LABELS[state]
    r["screening_due"] = due
    r["days_to_due"] = days
    r["screening_open"] = screening_open
    r["overdue"] = screening_open and days < 0  # type: ignore[operator]
    r["due_within_14"] = screening_open and 0 <= days <= 14  # type: ignore[operator]
    r["age"] = as_of.year - born.year - ((as_of.month, as_of.day) < (born.month, born.day))
    work = state == "work_begun"
    ongoing = work and not happened("ended")
    due = (
        add_months(
            r["last_review"] if happened("last_review") else r["conclusion_date"], review_months
        )
        if ongoing
        else None
    )
    r["review_due"] = due
    r["review_overdue"] = due is not None and due < as_of
    steps = r["first_steps_outstanding"] if ongoing else 0
    r["steps_outstanding"] = steps
    r["steps_overdue"] = (
        steps > 0 and r["first_step_due"] is not None and r["first_step_due"] < as_of
    )
    gap = (
        (as_of - r["last_contact"]).days // 7
        if ongoing and r["open_interventions"] > 0 and happened("last_contact")
        else None
    )
    r["session_gap_weeks"] = gap
    r["no_recent_session"] = gap is not None and gap >= session_weeks
    r["closing_measures_missing"] = work and happened("ended") and r["closing_measures_pending"]
    return r


def caseload_timeline(
    rows: Iterable[Sequence[Any]],
    as_of: date,
    review_months: int = REVIEW_MONTHS,
    session_weeks: int = SESSION_GAP_WEEKS,
) -> list[dict[str, Any]]:
    """:func:`timeline` in plain Python: one dict per case received by ``as_of``.

    ``rows`` are tuples in the order of ``ROW_COLUMNS`` (as a store reads them: dates
    as ISO text or ``date``, booleans as 0/1 or bool). Each dict holds those columns
    (dates as ``date``, booleans as bool) plus ``age``, ``state``, ``state_label``,
    ``screening_due``, ``days_to_due`` (None when not allocated), ``screening_open``,
    ``overdue`` and ``due_within_14``, with the values :func:`timeline` gives.
    """
    if isinstance(as_of, datetime):
        as_of = as_of.date()
    out = []
    columns = ROW_COLUMNS
    for raw in rows:
        r = dict(zip(columns, raw))
        for col in DATE_COLUMNS:
            value = r[col]
            if value is not None and value.__class__ is not date:
                r[col] = _day(value)
        if r["received"] > as_of:
            continue
        r["synthetic"] = bool(r["synthetic"])
        r["consent_informed"] = bool(r["consent_informed"])
        r["closing_measures_pending"] = bool(r["closing_measures_pending"])
        out.append(_judge(r, as_of, review_months, session_weeks))
    return out


def case_timeline(case: Case, as_of: date) -> CaseTimeline:
    """The timeline of one case as of a date (same rules as :func:`timeline`)."""
    if isinstance(as_of, datetime):
        as_of = as_of.date()
    row = caseload_row(case)
    if row["received"] > as_of:
        return CaseTimeline(
            case.case_id, as_of, "not_yet_referred", "Not yet referred", None, None, False
        )
    r = _judge(row, as_of)
    return CaseTimeline(
        case_id=case.case_id,
        as_of=as_of,
        state=r["state"],
        state_label=r["state_label"],
        screening_due=r["screening_due"],
        days_to_due=r["days_to_due"] if r["screening_open"] else None,
        overdue=r["overdue"],
    )
