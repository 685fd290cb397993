"""The caseload's watch on the work (rules.timeline, issue 22), worked by hand.

The case (tests/data/cases/full_case.yaml) began work on 2026-06-30. Its DDP began on
2026-07-06 with one attended session on 2026-07-13 and a family cancellation on
2026-08-20 (not contact); a safety plan is due 2026-07-10 and not done.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from tswt_formulation.model import case_from_data
from tswt_formulation.rules.timeline import (
    DATE_COLUMNS,
    ROW_COLUMNS,
    WORK_JUDGED,
    add_months,
    caseload_frame,
    caseload_row,
    caseload_timeline,
    timeline,
)


@pytest.mark.parametrize(
    "day,months,expected",
    [
        (date(2026, 6, 30), 3, date(2026, 9, 30)),
        (date(2026, 8, 31), 3, date(2026, 11, 30)),  # November has 30 days
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2027, 11, 30), 3, date(2028, 2, 29)),  # a leap year
        (date(2026, 12, 15), 1, date(2027, 1, 15)),  # across the year
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


@pytest.fixture
def working(make_case_data):
    data = make_case_data()
    data["interventions"] = [
        {
            "number": 1,
            "kind": "model",
            "what": "ddp",
            "for_whom": ["carer"],
            "lead_worker": "c.mensah",
            "start": "2026-07-06",
            "fulfils": "models",
            "sessions": [
                {"date": "2026-07-13", "attendance": "attended", "took_part": ["carer"]},
                {"date": "2026-08-20", "attendance": "cancelled_by_family"},
            ],
        }
    ]
    data["first_steps"] = [
        {"step": "A safety plan", "owner": "c.mensah", "due": "2026-07-10"},
        {"step": "Life story work under way", "done": "2026-07-01"},
    ]
    return data


def _both(case, as_of, **kw) -> dict:
    """The work columns by the plain-Python path, checked equal to the vectorised one."""
    row = caseload_row(case)
    plain = caseload_timeline([tuple(row[c] for c in ROW_COLUMNS)], as_of, **kw)[0]
    vec = timeline(caseload_frame([row]), as_of, **kw).to_dict("records")[0]
    due, gap = vec["review_due"], vec["session_gap_weeks"]
    vec_values = {
        "review_due": None if pd.isna(due) else due.date(),
        "session_gap_weeks": None if pd.isna(gap) else int(gap),
        **{
            k: (int(vec[k]) if k == "steps_outstanding" else bool(vec[k]))
            for k in WORK_JUDGED
            if k not in ("review_due", "session_gap_weeks")
        },
    }
    got = {k: plain[k] for k in WORK_JUDGED}
    assert got == vec_values
    return got


def test_work_flags_worked_by_hand(working):
    case = case_from_data(working)
    # 2026-09-01: the first review is due 3 months after work began (2026-09-30); the safety plan,
    # due 2026-07-10, is outstanding and late; the last contact was 2026-07-13, 50 days = 7 weeks ago.
    assert _both(case, date(2026, 9, 1)) == {
        "review_due": date(2026, 9, 30),
        "review_overdue": False,
        "steps_outstanding": 1,
        "steps_overdue": True,
        "session_gap_weeks": 7,
        "no_recent_session": True,
        "closing_measures_missing": False,
    }
    # with a team interval of 2 months the review was due 2026-08-30, and a gap of 8 weeks is allowed
    assert _both(case, date(2026, 9, 1), review_months=2, session_weeks=8) == {
        "review_due": date(2026, 8, 30),
        "review_overdue": True,
        "steps_outstanding": 1,
        "steps_overdue": True,
        "session_gap_weeks": 7,
        "no_recent_session": False,
        "closing_measures_missing": False,
    }


def test_a_review_resets_the_clock_and_an_ending_stops_it(working):
    working["reviews"] = [{"date": "2026-09-15", "by": "c.mensah", "stage": 2, "wave": 3}]
    case = case_from_data(working)
    assert _both(case, date(2026, 10, 1))["review_due"] == date(2026, 12, 15)
    working["interventions"][0].update(end="2026-10-01", ending_reason="disengaged")
    working["ending"] = {
        "date": "2026-10-02",
        "by": "c.mensah",
        "reason": "disengaged",
        "closing_measures_due": ["sdq"],
    }
    case = case_from_data(working)
    # ended: nothing is due any more, but the closing SDQ (none at the closure timepoint) is missing
    assert _both(case, date(2026, 10, 5)) == {
        "review_due": None,
        "review_overdue": False,
        "steps_outstanding": 0,
        "steps_overdue": False,
        "session_gap_weeks": None,
        "no_recent_session": False,
        "closing_measures_missing": True,
    }
    # before the ending's date, the case is still open and being watched
    assert _both(case, date(2026, 10, 1))["review_due"] == date(2026, 12, 15)


def test_the_store_columns_match_the_record(working):
    row = caseload_row(case_from_data(working))
    assert {
        k: row[k]
        for k in (
            "last_review",
            "first_step_due",
            "last_contact",
            "ended",
            "open_interventions",
            "first_steps_outstanding",
            "closing_measures_pending",
        )
    } == {
        "last_review": None,
        "first_step_due": date(2026, 7, 10),
        "last_contact": date(2026, 7, 13),
        "ended": None,
        "open_interventions": 1,
        "first_steps_outstanding": 1,
        "closing_measures_pending": False,
    }
    assert set(DATE_COLUMNS) < set(ROW_COLUMNS)
